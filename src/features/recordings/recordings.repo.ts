import type { Database } from '../../store/database.ts';

export interface RecordingRow {
  id: string; call_id: string | null; agent_id: string | null; ticket_id: string | null; name: string; path: string | null;
  format: string; duration_ms: number | null; size_bytes: number | null; sha256: string | null; created_at: number;
}

export interface StoredRecordingInfo {
  id: string; callId: string; agentId: string | null; name: string; path: string | null; format: string;
  durationMs: number | null; sizeBytes: number | null; sha256: string | null; createdAt: number;
}

export interface RecordingsRepo {
  /** Saves (or completes) the row of a call's recording; the ticket of the call is linked when there is one. */
  save(r: StoredRecordingInfo): void;
  byCall(callId: string): RecordingRow[];
  byName(name: string): RecordingRow | undefined;
  linkTicket(callId: string, ticketId: string): void;
}

export function createRecordingsRepo(db: Database): RecordingsRepo {
  const upsert = db.prepare(`INSERT INTO recordings (id, call_id, agent_id, ticket_id, name, path, format, duration_ms, size_bytes, sha256, created_at)
    VALUES (?, ?, ?, (SELECT id FROM tickets WHERE call_id = ? ORDER BY created_at LIMIT 1), ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET path = excluded.path, duration_ms = excluded.duration_ms, size_bytes = excluded.size_bytes,
      sha256 = excluded.sha256, ticket_id = COALESCE(recordings.ticket_id, excluded.ticket_id)`);
  const byCall = db.prepare('SELECT * FROM recordings WHERE call_id = ? ORDER BY created_at');
  const byName = db.prepare('SELECT * FROM recordings WHERE name = ?');
  const link = db.prepare('UPDATE recordings SET ticket_id = ? WHERE call_id = ?');
  return {
    save(r) {
      upsert.run(r.id, r.callId, r.agentId, r.callId, r.name, r.path, r.format, r.durationMs, r.sizeBytes, r.sha256, r.createdAt);
    },
    byCall: (callId) => byCall.all(callId) as RecordingRow[],
    byName: (name) => byName.get(name) as RecordingRow | undefined,
    linkTicket(callId, ticketId) { link.run(ticketId, callId); },
  };
}
