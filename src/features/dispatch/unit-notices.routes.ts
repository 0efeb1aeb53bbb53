import type { Logger } from 'pino';
import type { HotlineHttp } from '../../app.ts';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { Database } from '../../store/database.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import { NoticesQuery, ReadBody } from './dispatch.schemas.ts';
import type { DispatchRepo } from './dispatch.repo.ts';
import { createUnitNotices } from './unit-notices.ts';
import type { UnitNoticeAbout, UnitNotices } from './unit-notices.ts';
import { createNoticeFanout, storeThenPush } from './unit-notices.socket.ts';
import type { NoticeFanout, NoticeFanoutSettings, PortalViewer } from './unit-notices.socket.ts';

export interface UnitNoticeDesk {
  notices: UnitNotices;
  fanout: NoticeFanout;
  /** Stores a notice and pushes it to the unit's open portals once the change that raised it is committed. */
  notify(n: { unitCode: string; about: UnitNoticeAbout; ticketId: string; number: string }): void;
}

/**
 * The unit's notices: stored, pushed over `GET /ws/portal` to the unit's own users, listed and marked
 * read over `GET /api/portal/notices` and `POST /api/portal/notices/read`.
 */
export function registerUnitNotices(app: HotlineHttp, deps: {
  db: Database; repo: Pick<DispatchRepo, 'unitOfUser' | 'unit'>; clock: Clock; log: Logger; settings?: Partial<NoticeFanoutSettings>;
}): UnitNoticeDesk {
  const { repo, clock } = deps;
  const log = deps.log.child({ component: 'unit-notices' });
  const notices = createUnitNotices(deps.db);
  const fanout = createNoticeFanout({
    clock, log: deps.log, ...(deps.settings ? { settings: deps.settings } : {}),
    source: {
      unread: (v) => ({
        notices: notices.list({ unitCode: v.unitCode, userId: v.userId, unreadOnly: true, now: clock.now() }),
        unread: notices.unreadCount({ unitCode: v.unitCode, userId: v.userId, now: clock.now() }),
      }),
      unreadCount: (v) => notices.unreadCount({ unitCode: v.unitCode, userId: v.userId, now: clock.now() }),
    },
  });

  /** The unit a signed-in unit user acts for; refused before any socket is opened or list read. */
  function unitOf(request: Parameters<typeof sessionOf>[0]): { code: string; name: string } {
    const { account } = sessionOf(request);
    const code = account.role === 'unit' ? repo.unitOfUser(account.id) : null;
    const unit = code ? repo.unit(code) : undefined;
    if (!unit) throw hotlineError('ERR_FORBIDDEN', { reason: 'no_unit', zh: '该账号未关联承办单位' });
    return { code: unit.code, name: unit.name };
  }

  const asUnit = requireRole('unit');
  const ownUnit = async (request: Parameters<typeof sessionOf>[0]) => { unitOf(request); };

  app.get('/ws/portal', { preHandler: [asUnit, ownUnit], websocket: true, config: { tokenInQuery: true } }, (socket, request) => {
    const { account } = sessionOf(request);
    const unit = unitOf(request);
    const viewer: PortalViewer = { userId: account.id, username: account.username, displayName: account.displayName, unitCode: unit.code, unitName: unit.name };
    fanout.attach(socket, viewer);
  });

  app.get('/api/portal/notices', { schema: { querystring: NoticesQuery }, preHandler: asUnit }, async (request) => {
    const unit = unitOf(request);
    const userId = sessionOf(request).account.id;
    const now = clock.now();
    return {
      unit,
      unread: notices.unreadCount({ unitCode: unit.code, userId, now }),
      notices: notices.list({ unitCode: unit.code, userId, unreadOnly: request.query.unread === true, now, ...(request.query.limit ? { limit: request.query.limit } : {}) }),
    };
  });

  app.post('/api/portal/notices/read', { schema: { body: ReadBody }, preHandler: asUnit }, async (request) => {
    const unit = unitOf(request);
    const userId = sessionOf(request).account.id;
    const { ids, all } = request.body;
    if (all !== true && (!ids || ids.length === 0)) {
      throw hotlineError('ERR_VALIDATION', { fields: [{ field: 'ids', message: '请选择要标为已读的通知', message_en: 'Choose the notices to mark read' }] });
    }
    const now = clock.now();
    const marked = notices.markRead({ unitCode: unit.code, userId, ids: all === true ? 'all' : ids ?? [], now });
    fanout.readChanged(userId, unit.code);
    return { marked, unread: notices.unreadCount({ unitCode: unit.code, userId, now }) };
  });

  app.addHook('onClose', async () => { fanout.close(); });

  return {
    notices,
    fanout,
    notify(n) {
      // A notice that can't be stored leaves the change standing: the unit still finds the ticket in its inbox.
      storeThenPush({
        store: () => notices.record({ ...n, at: clock.now() }), find: notices.find,
        push: (committed) => fanout.push(committed.unitCode, committed), log, context: { unit: n.unitCode, about: n.about, ticketId: n.ticketId },
      });
    },
  };
}
