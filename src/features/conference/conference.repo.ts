import type { Database } from '../../store/database.ts';

export interface UnitContact { code: string; name: string; number: string | null }

export interface ConferenceRepo {
  unitContact(unitCode: string): UnitContact | undefined;
  /** Gives units seeded after the migration their placeholder contact number. */
  fillContactNumbers(): number;
  audit(e: { at: number; actorId: string; action: string; callId: string; details: Record<string, unknown> }): void;
}

export function createConferenceRepo(db: Database): ConferenceRepo {
  const unit = db.prepare('SELECT code, name, contact_number AS number FROM units WHERE code = ?');
  const fill = db.prepare(`UPDATE units SET contact_number = '0106' || substr('0000000' || code, -7, 7) WHERE contact_number IS NULL`);
  const insert = db.prepare('INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)');
  return {
    unitContact: (code) => unit.get(code) as UnitContact | undefined,
    fillContactNumbers: () => fill.run().changes,
    audit(e) { insert.run(e.at, e.actorId, e.action, e.callId, JSON.stringify(e.details)); },
  };
}
