import type { Database } from '../../store/database.ts';

export interface MonitorAuditEntry {
  at: number;
  actorId: string;
  action: 'monitor.start' | 'monitor.mode' | 'monitor.end' | 'monitor.refused';
  callId: string;
  details: Record<string, unknown>;
}

export interface MonitoringRepo {
  /** The seat of the agents row linked to this user, when there is one. */
  seatOfUser(userId: string): string | undefined;
  /** A ticket (or the draft the agent is filling in) linked to the call is confidential. */
  callIsConfidential(callId: string): boolean;
  audit(entry: MonitorAuditEntry): void;
  trail(callId: string): Array<{ at: number; actor: string; action: string; details: Record<string, unknown> }>;
}

export function createMonitoringRepo(db: Database): MonitoringRepo {
  const seat = db.prepare('SELECT seat FROM agents WHERE user_id = ? ORDER BY id LIMIT 1');
  const confidential = db.prepare(`SELECT 1 FROM tickets WHERE call_id = @callId AND confidential = 1
    UNION ALL SELECT 1 FROM calls c JOIN tickets t ON t.id = c.ticket_id WHERE c.id = @callId AND t.confidential = 1
    UNION ALL SELECT 1 FROM ticket_drafts WHERE call_id = @callId AND json_valid(data) AND json_extract(data, '$.confidential') = 1
    LIMIT 1`);
  const insert = db.prepare('INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)');
  const bySubject = db.prepare(`SELECT at, actor, action, details FROM audit_log WHERE subject = ? AND action LIKE 'monitor.%' ORDER BY at, id`);
  return {
    seatOfUser: (userId) => (seat.get(userId) as { seat: string } | undefined)?.seat,
    callIsConfidential: (callId) => confidential.get({ callId }) !== undefined,
    audit(e) { insert.run(e.at, e.actorId, e.action, e.callId, JSON.stringify(e.details)); },
    trail: (callId) => (bySubject.all(callId) as Array<{ at: number; actor: string; action: string; details: string }>)
      .map((r) => ({ at: r.at, actor: r.actor, action: r.action, details: JSON.parse(r.details) as Record<string, unknown> })),
  };
}
