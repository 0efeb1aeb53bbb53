import type { Logger } from 'pino';
import type { HotlineHttp } from '../../app.ts';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { NoticeForCentre } from '../../domain/ticket-lifecycle.ts';
import type { Database } from '../../store/database.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import { NoticesQuery, ReadBody } from './dispatch.schemas.ts';
import { createCentreNotices } from './centre-notices.ts';
import type { CentreNotice, CentreNotices } from './centre-notices.ts';
import { CENTRE_DESK, createNoticeFanout, storeThenPush } from './unit-notices.socket.ts';
import type { NoticeFanout, NoticeFanoutSettings } from './unit-notices.socket.ts';

/** How the review desk names itself in the socket's first frame. */
const DESK = { code: CENTRE_DESK, name: '12345热线中心' };

export interface CentreNoticeDesk {
  notices: CentreNotices;
  fanout: NoticeFanout<CentreNotice>;
  /** Stores a notice and pushes it to the centre's open review desks once the change that raised it is committed. */
  notify(n: { about: NoticeForCentre; ticketId: string; number: string; unitCode: string | null }): void;
}

/**
 * The centre's notices: stored, pushed over `GET /ws/centre` to the review desk of every agent,
 * supervisor and admin who has it open, listed and marked read over `GET /api/centre/notices` and
 * `POST /api/centre/notices/read`.
 */
export function registerCentreNotices(app: HotlineHttp, deps: {
  db: Database; clock: Clock; log: Logger; settings?: Partial<NoticeFanoutSettings>;
}): CentreNoticeDesk {
  const { clock } = deps;
  const log = deps.log.child({ component: 'centre-notices' });
  const notices = createCentreNotices(deps.db);
  const fanout = createNoticeFanout<CentreNotice>({
    clock, log: deps.log, ...(deps.settings ? { settings: deps.settings } : {}),
    source: {
      unread: (v) => ({
        notices: notices.list({ userId: v.userId, unreadOnly: true, now: clock.now() }),
        unread: notices.unreadCount({ userId: v.userId, now: clock.now() }),
      }),
      unreadCount: (v) => notices.unreadCount({ userId: v.userId, now: clock.now() }),
    },
  });
  const centre = requireRole('agent', 'supervisor', 'admin');

  app.get('/ws/centre', { preHandler: centre, websocket: true, config: { tokenInQuery: true } }, (socket, request) => {
    const { account } = sessionOf(request);
    fanout.attach(socket, { userId: account.id, username: account.username, displayName: account.displayName, unitCode: DESK.code, unitName: DESK.name });
  });

  app.get('/api/centre/notices', { schema: { querystring: NoticesQuery }, preHandler: centre }, async (request) => {
    const userId = sessionOf(request).account.id;
    const now = clock.now();
    const { unread, limit } = request.query;
    return {
      unread: notices.unreadCount({ userId, now }),
      notices: notices.list({ userId, unreadOnly: unread === true, now, ...(limit ? { limit } : {}) }),
    };
  });

  app.post('/api/centre/notices/read', { schema: { body: ReadBody }, preHandler: centre }, async (request) => {
    const userId = sessionOf(request).account.id;
    const { ids, all } = request.body;
    if (all !== true && (!ids || ids.length === 0)) {
      throw hotlineError('ERR_VALIDATION', { fields: [{ field: 'ids', message: '请选择要标为已读的通知', message_en: 'Choose the notices to mark read' }] });
    }
    const now = clock.now();
    const marked = notices.markRead({ userId, ids: all === true ? 'all' : ids ?? [], now });
    fanout.readChanged(userId, DESK.code);
    return { marked, unread: notices.unreadCount({ userId, now }) };
  });

  app.addHook('onClose', async () => { fanout.close(); });

  return {
    notices,
    fanout,
    notify(n) {
      // A notice that can't be stored leaves the change standing: the ticket is on the desk's queues all the same.
      storeThenPush({
        store: () => notices.record({ ...n, at: clock.now() }), find: notices.find,
        push: (committed) => fanout.push(DESK.code, committed), log, context: { about: n.about, ticketId: n.ticketId },
      });
    },
  };
}
