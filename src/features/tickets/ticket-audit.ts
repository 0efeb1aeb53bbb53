import type { Database } from '../../store/database.ts';

/** One change to a ticket as audit_log keeps it: who, when, what, and the fields before and after. */
export interface TicketAuditEntry {
  ticketId: string;
  at: number;
  actorId: string;            // a user id, or 'system' for the deadline sweeper
  actorName?: string;
  role: string;
  unitCode?: string | null;
  action: string;             // a lifecycle action (dispatch, sign, …) or a flag (accept_overdue …)
  from: string;
  to: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  details?: Readonly<Record<string, unknown>>;
}

export interface TicketAuditRow extends TicketAuditEntry { id: number }

export interface TicketAudit {
  write(entry: TicketAuditEntry): void;
  /** Every change to a ticket, oldest first. */
  trail(ticketId: string): TicketAuditRow[];
}

const PREFIX = 'ticket.';

export function createTicketAudit(db: Database): TicketAudit {
  const insert = db.prepare('INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)');
  const bySubject = db.prepare(`SELECT id, at, actor, action, subject, details FROM audit_log
    WHERE subject = ? AND action LIKE 'ticket.%' ORDER BY at, id`);
  return {
    write(e) {
      const { ticketId, at, actorId, action, ...rest } = e;
      insert.run(at, actorId, PREFIX + action, ticketId, JSON.stringify(rest));
    },
    trail(ticketId) {
      return (bySubject.all(ticketId) as Array<{ id: number; at: number; actor: string; action: string; subject: string; details: string }>).map((r) => {
        let rest: Omit<TicketAuditEntry, 'ticketId' | 'at' | 'actorId' | 'action'>;
        try { rest = JSON.parse(r.details) as typeof rest; } catch { rest = { role: 'unknown', from: '', to: '' }; }
        return { id: r.id, ticketId: r.subject, at: r.at, actorId: r.actor, action: r.action.slice(PREFIX.length), ...rest };
      });
    },
  };
}
