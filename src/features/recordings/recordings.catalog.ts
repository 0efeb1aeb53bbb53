import type { Database } from '../../store/database.ts';

/** A recording as search, playback and retention see it: with its call, agent and ticket. */
export interface CatalogRow {
  id: string; call_id: string | null; agent_id: string | null; agent_name: string | null;
  ticket_id: string | null; ticket_number: string | null; ticket_status: string | null; confidential: number | null;
  caller_number: string | null; line: string | null; path: string | null; sha256: string | null;
  duration_ms: number | null; size_bytes: number | null; created_at: number;
  deleted_at: number | null; held_at: number | null; held_by: string | null; hold_reason: string | null;
}

export interface RecordingSearch {
  ticket?: string; caller?: string; agent?: string; from?: number; to?: number;
  /** Only this agent's calls (agents see nothing else). */
  onlyAgent?: string;
  /** Leave out recordings of confidential tickets. */
  hideConfidential: boolean;
  limit: number;
}

/** Why a playback was refused: the role may not play recordings, the call is not the agent's, the ticket is confidential, no reason was given, the request was malformed (or the catalog code of another refusal). */
export type AccessRefusal = 'role' | 'not_own_call' | 'confidential_ticket' | 'reason_required' | 'invalid_request' | (string & {});

/** One playback (or download) of a recording, served or refused: who, when, from which address, why, and what happened. */
export interface AccessEntry {
  recordingId: string; userId: string; role: string; at: number; reason: string;
  kind: 'play' | 'download'; range: string;
  outcome: 'served' | 'partial' | 'unsatisfiable' | 'tampered' | 'missing' | 'deleted' | 'refused';
  /** The request's address (request.ip); null on entries logged before it was kept. */
  clientIp: string | null;
  /** Set when the outcome is 'refused'. */
  refusal: AccessRefusal | null;
}

export interface RecordingsCatalog {
  search(q: RecordingSearch): CatalogRow[];
  get(id: string): CatalogRow | undefined;
  logAccess(e: AccessEntry): void;
  accessLog(recordingId: string): AccessEntry[];
  hold(id: string, by: string, reason: string, at: number): boolean;
  release(id: string): boolean;
  /** Recordings past the cutoff with audio on disk, not held and not of a disputed ticket. */
  expired(cutoff: number, limit: number): Array<{ id: string; path: string }>;
  markDeleted(id: string, at: number): void;
  audit(e: { at: number; actorId: string; action: string; recordingId: string; details: Record<string, unknown> }): void;
}

const TICKET_OF = `COALESCE(r.ticket_id, c.ticket_id, (SELECT id FROM tickets WHERE call_id = r.call_id ORDER BY created_at LIMIT 1))`;

const SELECT = `SELECT r.id, r.call_id, COALESCE(r.agent_id, c.agent_id) AS agent_id, a.name AS agent_name,
    t.id AS ticket_id, t.number AS ticket_number, t.status AS ticket_status, t.confidential,
    c.caller_number, c.line, r.path, r.sha256, r.duration_ms, r.size_bytes, r.created_at,
    r.deleted_at, r.held_at, r.held_by, r.hold_reason
  FROM recordings r
  LEFT JOIN calls c ON c.id = r.call_id
  LEFT JOIN agents a ON a.id = COALESCE(r.agent_id, c.agent_id)
  LEFT JOIN tickets t ON t.id = ${TICKET_OF}`;

export function createRecordingsCatalog(db: Database): RecordingsCatalog {
  const search = db.prepare(`${SELECT}
    WHERE (@ticket IS NULL OR t.id = @ticket OR t.number = @ticket)
      AND (@caller IS NULL OR c.caller_number = @caller OR c.caller_number LIKE '%' || @caller)
      AND (@agent IS NULL OR COALESCE(r.agent_id, c.agent_id) = @agent)
      AND (@onlyAgent IS NULL OR COALESCE(r.agent_id, c.agent_id) = @onlyAgent)
      AND (@from IS NULL OR r.created_at >= @from) AND (@to IS NULL OR r.created_at < @to)
      AND (@hideConfidential = 0 OR COALESCE(t.confidential, 0) = 0)
    ORDER BY r.created_at DESC, r.id LIMIT @limit`);
  const byId = db.prepare(`${SELECT} WHERE r.id = ?`);
  const insertAccess = db.prepare(`INSERT INTO recording_access (recording_id, user_id, role, at, reason, kind, range, outcome, client_ip, refusal)
    VALUES (@recordingId, @userId, @role, @at, @reason, @kind, @range, @outcome, @clientIp, @refusal)`);
  const accessLog = db.prepare(`SELECT recording_id AS recordingId, user_id AS userId, role, at, reason, kind, range, outcome,
    client_ip AS clientIp, refusal FROM recording_access WHERE recording_id = ? ORDER BY at, id`);
  const hold = db.prepare('UPDATE recordings SET held_at = ?, held_by = ?, hold_reason = ? WHERE id = ?');
  const release = db.prepare('UPDATE recordings SET held_at = NULL, held_by = NULL, hold_reason = NULL WHERE id = ?');
  const expired = db.prepare(`SELECT r.id, r.path FROM recordings r LEFT JOIN calls c ON c.id = r.call_id
    WHERE r.deleted_at IS NULL AND r.path IS NOT NULL AND r.created_at < ? AND r.held_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.status = 'disputed'
        AND (t.id = r.ticket_id OR t.id = c.ticket_id OR (r.call_id IS NOT NULL AND t.call_id = r.call_id)))
    ORDER BY r.created_at LIMIT ?`);
  const markDeleted = db.prepare('UPDATE recordings SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL');
  const insertAudit = db.prepare('INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)');
  return {
    search: (q) => search.all({
      ticket: q.ticket ?? null, caller: q.caller ?? null, agent: q.agent ?? null, onlyAgent: q.onlyAgent ?? null,
      from: q.from ?? null, to: q.to ?? null, hideConfidential: q.hideConfidential ? 1 : 0, limit: q.limit,
    }) as CatalogRow[],
    get: (id) => byId.get(id) as CatalogRow | undefined,
    logAccess: (e) => { insertAccess.run(e); },
    accessLog: (id) => accessLog.all(id) as AccessEntry[],
    hold: (id, by, reason, at) => hold.run(at, by, reason, id).changes > 0,
    release: (id) => release.run(id).changes > 0,
    expired: (cutoff, limit) => expired.all(cutoff, limit) as Array<{ id: string; path: string }>,
    markDeleted: (id, at) => { markDeleted.run(at, id); },
    audit: (e) => { insertAudit.run(e.at, e.actorId, e.action, e.recordingId, JSON.stringify(e.details)); },
  };
}
