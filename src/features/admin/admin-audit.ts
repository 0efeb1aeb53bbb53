/**
 * The administrators' audit trail: every change to an account, and every attempt refused (a supervisor trying
 * a write, a validation failure), with who, from where, what, on whom, before and after. Append-only (the table
 * refuses updates and deletes). Passwords never go in: callers pass account views, which hold none.
 */
import type { Database } from '../../store/database.ts';
import { writeCsv } from './accounts-csv.ts';

export interface AuditActor {
  /** The user id; null for the command line. */
  id: string | null;
  /** The username, or `cli:<os user>` for the command line. */
  username: string;
  /** The client's address (request.ip); null for the command line. */
  client: string | null;
}

export interface AuditRecord {
  actor: AuditActor;
  action: string;
  target?: string | null;
  before?: unknown;
  after?: unknown;
  outcome: 'ok' | 'refused';
  reason?: string | null;
}

export interface AuditEntry {
  id: number;
  at: number;
  actorId: string | null;
  actor: string;
  client: string | null;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  outcome: 'ok' | 'refused';
  reason: string | null;
}

export interface AuditQuery {
  actor?: string | undefined;
  action?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
}

interface AuditRow {
  id: number; at: number; actor_id: string | null; actor_username: string; client: string | null; action: string;
  target: string | null; before_json: string | null; after_json: string | null; outcome: 'ok' | 'refused'; reason: string | null;
}

/** Keys whose values never reach the audit, whatever a caller passes. */
const SECRET_KEYS = /password|secret|token|hash/i;

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>)
    .filter(([k]) => !SECRET_KEYS.test(k) || k === 'mustChangePassword')
    .map(([k, v]) => [k, scrub(v)]));
}

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(scrub(value)));
const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text) as unknown);

function toEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id, at: r.at, actorId: r.actor_id, actor: r.actor_username, client: r.client, action: r.action, target: r.target,
    before: parse(r.before_json), after: parse(r.after_json), outcome: r.outcome, reason: r.reason,
  };
}

export type AdminAudit = ReturnType<typeof createAdminAudit>;

export function createAdminAudit(db: Database, now: () => number) {
  const insert = db.prepare(`INSERT INTO admin_audit (at, actor_id, actor_username, client, action, target, before_json, after_json, outcome, reason)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  function where(q: AuditQuery): { sql: string; args: unknown[] } {
    const parts: string[] = [];
    const args: unknown[] = [];
    if (q.actor) { parts.push('actor_username = ?'); args.push(q.actor); }
    if (q.action) { parts.push('action = ?'); args.push(q.action); }
    if (q.from !== undefined) { parts.push('at >= ?'); args.push(q.from); }
    if (q.to !== undefined) { parts.push('at < ?'); args.push(q.to); }
    return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
  }

  function list(q: AuditQuery): { total: number; entries: AuditEntry[] } {
    const w = where(q);
    const total = (db.prepare(`SELECT count(*) AS n FROM admin_audit ${w.sql}`).get(...w.args) as { n: number }).n;
    const rows = db.prepare(`SELECT * FROM admin_audit ${w.sql} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...w.args, q.limit ?? 50, q.offset ?? 0) as AuditRow[];
    return { total, entries: rows.map(toEntry) };
  }

  return {
    record(r: AuditRecord): void {
      insert.run(now(), r.actor.id, r.actor.username, r.actor.client, r.action, r.target ?? null,
        json(r.before), json(r.after), r.outcome, r.reason ?? null);
    },
    list,
    /** The entries matching `q` (newest first, at most 100,000) as CSV with a BOM, times in ISO 8601. */
    exportCsv(q: AuditQuery): string {
      const w = where(q);
      const rows = db.prepare(`SELECT * FROM admin_audit ${w.sql} ORDER BY at DESC, id DESC LIMIT 100000`).all(...w.args) as AuditRow[];
      return writeCsv(['at', 'actor', 'client', 'action', 'target', 'outcome', 'reason', 'before', 'after'],
        rows.map((r) => [new Date(r.at).toISOString(), r.actor_username, r.client, r.action, r.target, r.outcome, r.reason, r.before_json, r.after_json]), true);
    },
  };
}
