/**
 * Notices to the centre's review desk, kept in the database: a unit replied to a ticket, returned it,
 * disputed it or asked for more time. Each says which unit raised it; each centre user marks them read.
 * A user who was away sees the unread ones of the last 30 days when the desk opens.
 */
import type { NoticeForCentre } from '../../domain/ticket-lifecycle.ts';
import type { Database } from '../../store/database.ts';
import { UNREAD_WINDOW_MS } from './unit-notices.ts';

export interface CentreNotice {
  id: number;
  about: NoticeForCentre;
  ticketId: string;
  number: string;
  /** The unit whose action raised it, with its name (null when no unit acted). */
  unitCode: string | null;
  unitName: string | null;
  at: number;
  /** The notice in Chinese and in English, ready to show. */
  text: string;
  text_en: string;
  read: boolean;
}

const TEXT: Readonly<Record<NoticeForCentre, { zh: string; en: string }>> = {
  replied: { zh: '{unit}已回复工单 {number}，请审核办结', en: '{unit} replied to ticket {number}: review and close it' },
  returned: { zh: '{unit}退回工单 {number}，请改派', en: '{unit} returned ticket {number}: reassign it' },
  disputed: { zh: '{unit}对工单 {number} 提出异议，请审核', en: '{unit} disputed ticket {number}: review the dispute' },
  extension_requested: { zh: '{unit}申请延期办理工单 {number}，请审批', en: '{unit} asked for more time on ticket {number}: approve or refuse' },
};

export function centreNoticeText(about: NoticeForCentre, number: string, unitName: string | null): { text: string; text_en: string } {
  const t = TEXT[about] ?? { zh: '工单 {number} 有新动态', en: 'Ticket {number} has changed' };
  const fill = (s: string, unit: string) => s.replace('{number}', number).replace('{unit}', unit);
  return { text: fill(t.zh, unitName ?? '承办单位'), text_en: fill(t.en, unitName ?? 'The unit') };
}

const MAX_LIST = 200;

interface CentreNoticeRow { id: number; about: string; ticket_id: string; number: string; unit_code: string | null; unit_name: string | null; at: number; read: number }

function toNotice(r: CentreNoticeRow): CentreNotice {
  const about = r.about as NoticeForCentre;
  return {
    id: r.id, about, ticketId: r.ticket_id, number: r.number, unitCode: r.unit_code, unitName: r.unit_name, at: r.at,
    ...centreNoticeText(about, r.number, r.unit_name), read: r.read === 1,
  };
}

export interface CentreNotices {
  /** Stores a notice for the centre; returns it as stored. */
  record(n: { about: NoticeForCentre; ticketId: string; number: string; unitCode: string | null; at: number }): CentreNotice;
  /** The notice, if it was stored (and its transaction committed). */
  find(id: number): CentreNotice | undefined;
  /** The centre's notices for this user, newest first: the unread ones of the window, or all recent ones. */
  list(q: { userId: string; unreadOnly: boolean; now: number; limit?: number }): CentreNotice[];
  unreadCount(q: { userId: string; now: number }): number;
  /** Marks the given notices (or all of the window's) read for this user. */
  markRead(q: { userId: string; ids: readonly number[] | 'all'; now: number }): number;
}

export function createCentreNotices(db: Database): CentreNotices {
  const columns = 'n.id, n.about, n.ticket_id, n.number, n.unit_code, u.name AS unit_name, n.at';
  const from = 'FROM centre_notices n LEFT JOIN units u ON u.code = n.unit_code';
  const readFlag = 'EXISTS (SELECT 1 FROM centre_notice_reads r WHERE r.user_id = @user AND r.notice_id = n.id)';
  const insert = db.prepare('INSERT INTO centre_notices (about, ticket_id, number, unit_code, at) VALUES (?, ?, ?, ?, ?) RETURNING id');
  const byId = db.prepare(`SELECT ${columns}, 0 AS read ${from} WHERE n.id = ?`);
  const listAll = db.prepare(`SELECT ${columns}, ${readFlag} AS read ${from} ORDER BY n.id DESC LIMIT @limit`);
  const listUnread = db.prepare(`SELECT ${columns}, 0 AS read ${from} WHERE n.at >= @since AND NOT ${readFlag} ORDER BY n.id DESC LIMIT @limit`);
  const countUnread = db.prepare(`SELECT count(*) AS n FROM centre_notices n WHERE n.at >= @since AND NOT ${readFlag}`);
  const markOne = db.prepare(`INSERT INTO centre_notice_reads (user_id, notice_id, read_at)
    SELECT @user, n.id, @now FROM centre_notices n WHERE n.id = @id ON CONFLICT DO NOTHING`);
  const markAll = db.prepare(`INSERT INTO centre_notice_reads (user_id, notice_id, read_at)
    SELECT @user, n.id, @now FROM centre_notices n WHERE n.at >= @since ON CONFLICT DO NOTHING`);
  const find = (id: number) => {
    const r = byId.get(id) as CentreNoticeRow | undefined;
    return r ? toNotice(r) : undefined;
  };

  return {
    record({ about, ticketId, number, unitCode, at }) {
      const { id } = insert.get(about, ticketId, number, unitCode, at) as { id: number };
      return find(id)!;
    },
    find,
    list({ userId, unreadOnly, now, limit = 50 }) {
      const params = { user: userId, limit: Math.min(Math.max(1, limit), MAX_LIST) };
      const rows = unreadOnly ? listUnread.all({ ...params, since: now - UNREAD_WINDOW_MS }) : listAll.all(params);
      return (rows as CentreNoticeRow[]).map(toNotice);
    },
    unreadCount: ({ userId, now }) => (countUnread.get({ user: userId, since: now - UNREAD_WINDOW_MS }) as { n: number }).n,
    markRead({ userId, ids, now }) {
      if (ids === 'all') return markAll.run({ user: userId, now, since: now - UNREAD_WINDOW_MS }).changes;
      return db.transaction(() => ids.reduce((n, id) => n + markOne.run({ user: userId, now, id }).changes, 0))();
    },
  };
}
