import type { Database } from '../../store/database.ts';

export interface UnitContact { code: string; name: string; number: string | null }

/** A three-way call as stored: what a restart needs to take it up again. */
export interface ConferenceRow {
  id: string; call_id: string; agent_id: string; unit_code: string | null; unit_name: string | null; number: string;
  channel_id: string; caller_channel_id: string; agent_channel_id: string; bridge_id: string; status: string;
  started_at: number; answered_at: number | null; agent_left_at: number | null; ended_at: number | null;
}

/** What changes in a three-way call as it goes. */
export interface ConferenceChange { id: string; status: string; answeredAt: number | null; agentLeftAt: number | null; endedAt: number | null }

export interface ConferenceRepo {
  insert(row: ConferenceRow): void;
  save(change: ConferenceChange): void;
  /** Conferences not ended, oldest first: what a restart takes up again. */
  open(): ConferenceRow[];
  unitContact(unitCode: string): UnitContact | undefined;
  /** Gives units seeded after the migration their placeholder contact number. */
  fillContactNumbers(): number;
  audit(e: { at: number; actorId: string; action: string; callId: string; details: Record<string, unknown> }): void;
}

export function createConferenceRepo(db: Database): ConferenceRepo {
  const unit = db.prepare('SELECT code, name, contact_number AS number FROM units WHERE code = ?');
  const fill = db.prepare(`UPDATE units SET contact_number = '0106' || substr('0000000' || code, -7, 7) WHERE contact_number IS NULL`);
  const insert = db.prepare('INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)');
  const insertConference = db.prepare(`INSERT INTO conferences (id, call_id, agent_id, unit_code, unit_name, number, channel_id,
    caller_channel_id, agent_channel_id, bridge_id, status, started_at, answered_at, agent_left_at, ended_at)
    VALUES (@id, @call_id, @agent_id, @unit_code, @unit_name, @number, @channel_id, @caller_channel_id, @agent_channel_id,
    @bridge_id, @status, @started_at, @answered_at, @agent_left_at, @ended_at)`);
  const saveConference = db.prepare(`UPDATE conferences SET status = ?, answered_at = ?, agent_left_at = ?, ended_at = ? WHERE id = ?`);
  const openConferences = db.prepare('SELECT * FROM conferences WHERE ended_at IS NULL ORDER BY started_at, id');
  return {
    insert(row) { insertConference.run(row); },
    save(c) { saveConference.run(c.status, c.answeredAt, c.agentLeftAt, c.endedAt, c.id); },
    open: () => openConferences.all() as ConferenceRow[],
    unitContact: (code) => unit.get(code) as UnitContact | undefined,
    fillContactNumbers: () => fill.run().changes,
    audit(e) { insert.run(e.at, e.actorId, e.action, e.callId, JSON.stringify(e.details)); },
  };
}
