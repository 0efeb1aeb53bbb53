/**
 * Notices to handling units, kept in the database: what each says (Chinese and English), which unit
 * it is for, and which of its users have read it. A unit user who was offline sees the unread ones
 * at the next sign-in.
 */
import type { NoticeForUnit } from '../../domain/ticket-lifecycle.ts';
import type { Database } from '../../store/database.ts';

/** What a unit is told: the lifecycle's notices and the deadline sweeper's overdue flags. */
export type UnitNoticeAbout = NoticeForUnit | 'acceptance_overdue' | 'completion_overdue';

export interface UnitNotice {
  id: number;
  unitCode: string;
  about: UnitNoticeAbout;
  ticketId: string;
  number: string;
  at: number;
  /** The notice in Chinese and in English, ready to show. */
  text: string;
  text_en: string;
  read: boolean;
}

const TEXT: Readonly<Record<UnitNoticeAbout, { zh: string; en: string }>> = {
  dispatched: { zh: '新派工单 {number}，请及时签收', en: 'New ticket {number} dispatched to your unit: please sign for it' },
  upheld: { zh: '工单 {number} 的异议未获支持，维持原派单，请签收办理', en: 'Dispute of ticket {number} not upheld: the dispatch stands, please sign for it' },
  withdrawn: { zh: '工单 {number} 已改派或撤回，本单位无需继续办理', en: 'Ticket {number} was reassigned or withdrawn: your unit need not handle it' },
  return_reviewed: { zh: '工单 {number} 的退单/异议已审核，已改派其他单位', en: 'Your return or dispute of ticket {number} was reviewed: it went to another unit' },
  rework: { zh: '工单 {number} 被退回重办，请继续办理', en: 'Ticket {number} was sent back for rework' },
  urged: { zh: '督办：工单 {number} 时限即将到期', en: 'Reminder: ticket {number} is nearly due' },
  note_added: { zh: '工单 {number} 有新的补充说明', en: 'Ticket {number} has a new note' },
  closed: { zh: '工单 {number} 已办结', en: 'Ticket {number} was closed' },
  extension_approved: { zh: '工单 {number} 的延期申请已同意', en: 'The extension of ticket {number} was approved' },
  extension_rejected: { zh: '工单 {number} 的延期申请未同意', en: 'The extension of ticket {number} was not approved' },
  acceptance_overdue: { zh: '工单 {number} 已超过签收时限', en: 'Ticket {number} is past its sign-for deadline' },
  completion_overdue: { zh: '工单 {number} 已超过办结时限', en: 'Ticket {number} is past its completion deadline' },
};

export function noticeText(about: UnitNoticeAbout, number: string): { text: string; text_en: string } {
  const t = TEXT[about] ?? { zh: '工单 {number} 有新动态', en: 'Ticket {number} has changed' };
  return { text: t.zh.replace('{number}', number), text_en: t.en.replace('{number}', number) };
}

/** Notices older than this are no longer offered as unread to a user who never opened them. */
export const UNREAD_WINDOW_MS = 30 * 24 * 3_600_000;
const MAX_LIST = 200;

interface NoticeDbRow { id: number; unit_code: string; about: string; ticket_id: string; number: string; at: number; read: number }

function toNotice(r: NoticeDbRow): UnitNotice {
  const about = r.about as UnitNoticeAbout;
  return { id: r.id, unitCode: r.unit_code, about, ticketId: r.ticket_id, number: r.number, at: r.at, ...noticeText(about, r.number), read: r.read === 1 };
}

export interface UnitNotices {
  /** Stores a notice for a unit; returns it as stored. */
  record(n: { unitCode: string; about: UnitNoticeAbout; ticketId: string; number: string; at: number }): UnitNotice;
  /** The notice, if it was stored (and its transaction committed). */
  find(id: number): UnitNotice | undefined;
  /** The unit's notices for this user, newest first: the unread ones of the window, or all recent ones. */
  list(q: { unitCode: string; userId: string; unreadOnly: boolean; now: number; limit?: number }): UnitNotice[];
  unreadCount(q: { unitCode: string; userId: string; now: number }): number;
  /** Marks the given notices (or all of the unit's) read for this user; other units' notices are left alone. */
  markRead(q: { unitCode: string; userId: string; ids: readonly number[] | 'all'; now: number }): number;
}

export function createUnitNotices(db: Database): UnitNotices {
  const insert = db.prepare('INSERT INTO unit_notices (unit_code, about, ticket_id, number, at) VALUES (?, ?, ?, ?, ?) RETURNING id');
  const byId = db.prepare('SELECT id, unit_code, about, ticket_id, number, at, 0 AS read FROM unit_notices WHERE id = ?');
  const readFlag = 'EXISTS (SELECT 1 FROM unit_notice_reads r WHERE r.user_id = @user AND r.notice_id = n.id)';
  const listAll = db.prepare(`SELECT n.id, n.unit_code, n.about, n.ticket_id, n.number, n.at, ${readFlag} AS read
    FROM unit_notices n WHERE n.unit_code = @unit ORDER BY n.id DESC LIMIT @limit`);
  const listUnread = db.prepare(`SELECT n.id, n.unit_code, n.about, n.ticket_id, n.number, n.at, 0 AS read
    FROM unit_notices n WHERE n.unit_code = @unit AND n.at >= @since AND NOT ${readFlag} ORDER BY n.id DESC LIMIT @limit`);
  const countUnread = db.prepare(`SELECT count(*) AS n FROM unit_notices n WHERE n.unit_code = @unit AND n.at >= @since AND NOT ${readFlag}`);
  const markOne = db.prepare(`INSERT INTO unit_notice_reads (user_id, notice_id, read_at)
    SELECT @user, n.id, @now FROM unit_notices n WHERE n.id = @id AND n.unit_code = @unit ON CONFLICT DO NOTHING`);
  const markAll = db.prepare(`INSERT INTO unit_notice_reads (user_id, notice_id, read_at)
    SELECT @user, n.id, @now FROM unit_notices n WHERE n.unit_code = @unit AND n.at >= @since ON CONFLICT DO NOTHING`);

  return {
    record({ unitCode, about, ticketId, number, at }) {
      const { id } = insert.get(unitCode, about, ticketId, number, at) as { id: number };
      return toNotice({ id, unit_code: unitCode, about, ticket_id: ticketId, number, at, read: 0 });
    },
    find(id) {
      const r = byId.get(id) as NoticeDbRow | undefined;
      return r ? toNotice(r) : undefined;
    },
    list({ unitCode, userId, unreadOnly, now, limit = 50 }) {
      const params = { unit: unitCode, user: userId, limit: Math.min(Math.max(1, limit), MAX_LIST) };
      const rows = unreadOnly ? listUnread.all({ ...params, since: now - UNREAD_WINDOW_MS }) : listAll.all(params);
      return (rows as NoticeDbRow[]).map(toNotice);
    },
    unreadCount: ({ unitCode, userId, now }) => (countUnread.get({ unit: unitCode, user: userId, since: now - UNREAD_WINDOW_MS }) as { n: number }).n,
    markRead({ unitCode, userId, ids, now }) {
      if (ids === 'all') return markAll.run({ unit: unitCode, user: userId, now, since: now - UNREAD_WINDOW_MS }).changes;
      return db.transaction(() => ids.reduce((n, id) => n + markOne.run({ unit: unitCode, user: userId, now, id }).changes, 0))();
    },
  };
}
