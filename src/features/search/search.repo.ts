import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from '../../store/database.ts';
import { allTermsQuery, likePattern, vocabularyExpander } from './fts-query.ts';

/** What a search or an export asks for; every given filter must hold. */
export interface TicketFilters {
  q?: string;
  /** A whole ticket number or its beginning (e.g. a day, 20261122). */
  number?: string;
  /** The caller's number or the contact phone. */
  caller?: string;
  /** Where the ticket is (township) or the unit handling it. */
  unit?: string;
  /** A category ("property/lift") or a whole group ("property"). */
  category?: string;
  status?: string[];
  from?: number;
  to?: number;
}

/** Who is asking: a unit user sees its unit's tickets; `confidentialVisibleTo` limits confidential tickets found by caller. */
export interface TicketScope {
  unitCode?: string;
  confidentialVisibleTo?: string;
}

export interface TicketSearchRow {
  key: number;
  id: string;
  number: string;
  channel: string;
  type: string;
  category: string | null;
  description: string;
  districtCode: string | null;
  townshipCode: string | null;
  community: string | null;
  address: string | null;
  urgency: string;
  callerNumber: string | null;
  contactName: string | null;
  contactPhone: string | null;
  confidential: boolean;
  status: string;
  leadUnit: string | null;
  kbArticleId: number | null;
  createdBy: string | null;
  createdAt: number;
  closedAt: number | null;
}

export interface SearchRepo {
  /** Up to `limit` tickets with a key below `before` (newest first, in intake order). */
  page(filters: TicketFilters, scope: TicketScope, before: number | undefined, limit: number): TicketSearchRow[];
  unitOfUser(userId: string): string | null;
  audit(e: { at: number; actor: string; action: string; details: Record<string, unknown> }): void;
}

interface DbRow {
  key: number; id: string; number: string; channel: string; type: string; category: string | null; description: string;
  district_code: string | null; unit_code: string | null; community: string | null; address: string | null; urgency: string;
  caller_number: string | null; contact: string | null; contact_phone: string | null; confidential: number; status: string;
  lead_unit: string | null; kb_article_id: number | null; created_by: string | null; created_at: number; closed_at: number | null;
}

const COLUMNS = `t.id, t.number, t.channel, t.type, t.category, t.description, t.district_code, t.unit_code, t.community, t.address,
  t.urgency, t.caller_number, t.contact, t.contact_phone, t.confidential, t.status, t.lead_unit, t.kb_article_id, t.created_by,
  t.created_at, t.closed_at`;

function toRow(r: DbRow): TicketSearchRow {
  return {
    key: r.key, id: r.id, number: r.number, channel: r.channel, type: r.type, category: r.category, description: r.description,
    districtCode: r.district_code, townshipCode: r.unit_code, community: r.community, address: r.address, urgency: r.urgency,
    callerNumber: r.caller_number, contactName: r.contact, contactPhone: r.contact_phone, confidential: r.confidential === 1,
    status: r.status, leadUnit: r.lead_unit, kbArticleId: r.kb_article_id, createdBy: r.created_by, createdAt: r.created_at,
    closedAt: r.closed_at,
  };
}

/** Beyond this many tickets taken in out of intake order within a range, the range is filtered without key bounds. */
const MAX_LATE_KEYS = 32;

interface KeysInRange { lo: number; hi: number; late: number[] }

export function createSearchRepo(db: Database): SearchRepo {
  const expand = vocabularyExpander(db, 'tickets_fts_terms', 400);
  const unitOfUser = db.prepare('SELECT unit_id FROM users WHERE id = ?').pluck();
  const audit = db.prepare('INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, NULL, ?)');
  const statements = new Map<string, BetterSqlite3.Statement<unknown[]>>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      if (statements.size > 200) statements.clear();
      s = db.prepare<unknown[]>(sql);
      statements.set(sql, s);
    }
    return s;
  };

  const firstKeyFrom = db.prepare('SELECT key FROM ticket_search_keys WHERE late = 0 AND created_at >= ? ORDER BY created_at, key LIMIT 1').pluck();
  const lastKeyBefore = db.prepare('SELECT key FROM ticket_search_keys WHERE late = 0 AND created_at < ? ORDER BY created_at DESC, key DESC LIMIT 1').pluck();
  const lateKeys = db.prepare(`SELECT key FROM ticket_search_keys WHERE late = 1 AND created_at >= ? AND created_at < ?
    ORDER BY key DESC LIMIT ${MAX_LATE_KEYS + 1}`).pluck();

  /**
   * The keys a date range can hold: one range of keys in intake order, and the few tickets taken in out of
   * order one by one; undefined when there are too many of those to list (the range is then filtered only).
   */
  function keysOf(from: number | undefined, to: number | undefined): KeysInRange | undefined {
    const lo = from === undefined ? 1 : (firstKeyFrom.get(from) as number | undefined) ?? Number.MAX_SAFE_INTEGER;
    const hi = to === undefined ? Number.MAX_SAFE_INTEGER : (lastKeyBefore.get(to) as number | undefined) ?? 0;
    const late = (lateKeys.all(from ?? Number.MIN_SAFE_INTEGER, to ?? Number.MAX_SAFE_INTEGER) as number[]).filter((k) => k < lo || k > hi);
    if (late.length > MAX_LATE_KEYS) return undefined;
    return { lo, hi, late };
  }

  function page(f: TicketFilters, scope: TicketScope, before: number | undefined, limit: number): TicketSearchRow[] {
    if (f.from === undefined && f.to === undefined) return pageWithin(f, scope, before, limit, undefined);
    const keys = keysOf(f.from, f.to);
    if (!keys) return pageWithin(f, scope, before, limit, undefined);
    const ranges: Array<[number, number]> = keys.lo <= keys.hi ? [[keys.lo, keys.hi]] : [];
    for (const k of keys.late) ranges.push([k, k]);
    if (ranges.length === 1) return pageWithin(f, scope, before, limit, ranges[0]);
    const rows = ranges.flatMap((range) => pageWithin(f, scope, before, limit, range));
    return rows.sort((a, b) => b.key - a.key).slice(0, limit);
  }

  function pageWithin(f: TicketFilters, scope: TicketScope, before: number | undefined, limit: number, keyRange: [number, number] | undefined): TicketSearchRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    let from = 'ticket_search_keys k JOIN tickets t ON t.id = k.ticket_id';
    let key = 'k.key';
    if (f.q?.trim()) {
      const text = allTermsQuery(f.q, expand);
      if (text.impossible) return [];
      if (text.match) {
        from = 'tickets_fts f JOIN ticket_search_keys k ON k.key = f.rowid JOIN tickets t ON t.id = k.ticket_id';
        key = 'f.rowid';
        where.push('tickets_fts MATCH ?');
        args.push(text.match);
      }
      for (const c of text.likes) {
        where.push("(t.description LIKE ? ESCAPE '\\' OR t.address LIKE ? ESCAPE '\\')");
        args.push(likePattern(c), likePattern(c));
      }
    }
    if (f.number) {
      if (/^\d{13}$/.test(f.number)) { where.push('t.number = ?'); args.push(f.number); }
      else { where.push('t.number >= ? AND t.number < ?'); args.push(f.number, `${f.number}\u{10FFFF}`); }
    }
    if (f.caller) { where.push('(t.caller_number = ? OR t.contact_phone = ?)'); args.push(f.caller, f.caller); }
    // A unit's tickets are read by unit and status together (an index on each), as a set of rows; the
    // status is then implied, and not asked of the outer query, whose planner would read by status alone.
    const status = f.status?.length ? f.status : undefined;
    const marks = status?.map(() => '?').join(', ');
    const inStatus = (column: string) => (status ? ` AND ${column} IN (${marks})` : '');
    const statusArgs = status ?? [];
    const byUnit = Boolean(f.unit) || scope.unitCode !== undefined;
    if (f.unit) {
      where.push(`t.rowid IN (SELECT rowid FROM tickets WHERE unit_code = ?${inStatus('status')}
        UNION SELECT rowid FROM tickets WHERE lead_unit = ?${inStatus('status')})`);
      args.push(f.unit, ...statusArgs, f.unit, ...statusArgs);
    }
    if (f.category) { where.push('(t.category = ? OR t.category LIKE ?)'); args.push(f.category, `${f.category}/%`); }
    if (status && !byUnit) { where.push(`t.status IN (${marks})`); args.push(...status); }
    if (f.from !== undefined) { where.push('t.created_at >= ?'); args.push(f.from); }
    if (f.to !== undefined) { where.push('t.created_at < ?'); args.push(f.to); }
    if (scope.unitCode !== undefined) {
      where.push(`t.rowid IN (SELECT rowid FROM tickets WHERE unit_code = ?${inStatus('status')}
        UNION SELECT rowid FROM tickets WHERE lead_unit = ?${inStatus('status')}
        UNION SELECT s.rowid FROM ticket_dispatch_units d JOIN tickets s ON s.id = d.ticket_id WHERE d.unit_code = ?${inStatus('s.status')})`);
      args.push(scope.unitCode, ...statusArgs, scope.unitCode, ...statusArgs, scope.unitCode, ...statusArgs);
    }
    if (scope.confidentialVisibleTo !== undefined && f.caller) {
      where.push('(t.confidential = 0 OR t.created_by = ?)');
      args.push(scope.confidentialVisibleTo);
    }
    if (key === 'k.key' && (f.caller || f.number || f.unit || scope.unitCode !== undefined)) {
      from = 'tickets t CROSS JOIN ticket_search_keys k ON k.ticket_id = t.id';
    }
    if (before !== undefined) { where.push(`${key} < ?`); args.push(before); }
    if (keyRange) { where.push(`${key} >= ? AND ${key} <= ?`); args.push(...keyRange); }
    const sql = `SELECT ${key} AS key, ${COLUMNS} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${key} DESC LIMIT ?`;
    return (prepared(sql).all(...args, limit) as DbRow[]).map(toRow);
  }

  return {
    page,
    unitOfUser: (userId) => (unitOfUser.get(userId) as string | null | undefined) ?? null,
    audit(e) { audit.run(e.at, e.actor, e.action, JSON.stringify(e.details)); },
  };
}
