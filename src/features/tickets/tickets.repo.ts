import { randomUUID } from 'node:crypto';
import type { Database } from '../../store/database.ts';
import { createTicketAudit } from './ticket-audit.ts';

export interface CallForTicket {
  id: string;
  agentId: string | null;
  callerNumber: string;
  /** The ticket created from this call, if any. */
  ticketId: string | null;
}

export interface DraftRow {
  callId: string;
  agentId: string | null;
  data: Record<string, unknown>;
  version: number;
  updatedAt: number;
}

export interface TicketRow {
  id: string;
  number: string;
  callId: string | null;
  callerNumber: string | null;
  channel: string;
  type: string;
  category: string | null;
  description: string;
  districtCode: string | null;
  townshipCode: string | null;
  community: string | null;
  address: string | null;
  urgency: string;
  contactName: string | null;
  contactPhone: string | null;
  confidential: boolean;
  status: string;
  statusSince: number;
  leadUnit: string | null;
  masterId: string | null;
  lastReason: string | null;
  answer: string | null;
  closedAt: number | null;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

type Lifecycle = 'statusSince' | 'leadUnit' | 'masterId' | 'lastReason' | 'answer' | 'closedAt';
export type NewTicket = Omit<TicketRow, 'id' | 'number' | 'updatedAt' | Lifecycle> & { day: string };

/** What merging compares, for the open tickets a new one may repeat. */
export interface OpenTicketForMerge {
  id: string; number: string; callerNumber: string | null; category: string; township: string | null;
  address: string | null; createdAt: number; status: string; description: string;
}

export interface UnitRow { code: string; name: string; districtCode: string | null; kind: string }

export interface TicketsRepo {
  call(callId: string): CallForTicket | undefined;
  draft(callId: string): DraftRow | undefined;
  /** Writes the draft when its stored version is `expected` (0: none yet); returns the new version or undefined on a conflict. */
  saveDraft(d: { callId: string; agentId: string | null; data: Record<string, unknown>; expected: number; now: number }): number | undefined;
  /** Numbers and stores a new ticket, links its call, and writes its first audit row (受理). */
  insertTicket(t: NewTicket, by?: { name: string; role: string }): TicketRow;
  ticket(id: string): TicketRow | undefined;
  ticketsForCaller(callerNumber: string, since: number, limit: number): TicketRow[];
  /** Open, unmerged tickets from this caller, or of this category in this township since `since`. */
  openTicketsLike(t: { callerNumber: string | null; category: string; township: string | null; since: number }): OpenTicketForMerge[];
  /**
   * Whether this caller has an open ticket that is overdue on its current round at `now`, or was
   * sent back for rework, or reopened after a callback: the caller is waiting on the hotline.
   */
  callerIsWaiting(callerNumber: string, now: number): boolean;
  unit(code: string): UnitRow | undefined;
}

export interface TicketDbRow {
  id: string; number: string; call_id: string | null; caller_number: string | null; channel: string; type: string; category: string | null;
  description: string; district_code: string | null; unit_code: string | null; community: string | null; address: string | null;
  urgency: string; contact: string | null; contact_phone: string | null; confidential: number; status: string; status_since: number | null;
  lead_unit: string | null; master_id: string | null; last_reason: string | null; answer: string | null; closed_at: number | null;
  created_by: string | null; created_at: number; updated_at: number;
}

export function toTicket(r: TicketDbRow): TicketRow {
  return {
    id: r.id, number: r.number, callId: r.call_id, callerNumber: r.caller_number, channel: r.channel, type: r.type, category: r.category,
    description: r.description, districtCode: r.district_code, townshipCode: r.unit_code, community: r.community, address: r.address,
    urgency: r.urgency, contactName: r.contact, contactPhone: r.contact_phone, confidential: r.confidential === 1, status: r.status,
    statusSince: r.status_since ?? r.created_at, leadUnit: r.lead_unit, masterId: r.master_id, lastReason: r.last_reason,
    answer: r.answer, closedAt: r.closed_at, createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

const OPEN = "('intake', 'dispatched', 'accepted', 'replied', 'returned', 'disputed')";

function parseData(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

/**
 * Whether a caller waits on an open ticket: tickets_by_caller narrows to the caller's tickets, each
 * current round is found by its primary key and each rework by audit_log_by_subject.
 */
export const WAITING_CALLER_SQL = `SELECT 1 FROM tickets t
  LEFT JOIN ticket_dispatches d ON d.ticket_id = t.id AND d.round = t.dispatch_round
  WHERE t.caller_number = @caller AND t.status IN ${OPEN} AND t.master_id IS NULL AND (
    t.reopen_count > 0
    OR (d.ended_at IS NULL AND ((d.signed_at IS NULL AND d.accept_by < @now) OR (d.replied_at IS NULL AND d.complete_by < @now)))
    OR EXISTS (SELECT 1 FROM audit_log a WHERE a.subject = t.id AND a.action = 'ticket.rework'))
  LIMIT 1`;

export function createTicketsRepo(db: Database): TicketsRepo {
  // The ticket created from the call, not one the call was only linked to (a note from a repeat caller).
  const callById = db.prepare(`SELECT c.id, c.agent_id, c.caller_number,
    (SELECT t.id FROM tickets t WHERE t.call_id = c.id ORDER BY t.created_at LIMIT 1) AS ticket_id FROM calls c WHERE c.id = ?`);
  const draftByCall = db.prepare('SELECT call_id, agent_id, data, version, updated_at FROM ticket_drafts WHERE call_id = ?');
  const insertDraft = db.prepare(`INSERT INTO ticket_drafts (id, call_id, agent_id, data, updated_at, version)
    VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (call_id) DO NOTHING`);
  const updateDraft = db.prepare(`UPDATE ticket_drafts SET data = ?, agent_id = COALESCE(?, agent_id), updated_at = ?, version = version + 1
    WHERE call_id = ? AND version = ?`);
  const nextNumber = db.prepare(`INSERT INTO ticket_day_sequence (day, last) VALUES (?, 1)
    ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last`);
  const insertTicket = db.prepare(`INSERT INTO tickets (id, number, call_id, caller_number, channel, type, category, description,
    district_code, unit_code, community, address, urgency, contact, contact_phone, confidential, status, status_since, created_by,
    created_at, updated_at)
    VALUES (@id, @number, @callId, @callerNumber, @channel, @type, @category, @description, @districtCode, @townshipCode, @community,
    @address, @urgency, @contactName, @contactPhone, @confidential, @status, @createdAt, @createdBy, @createdAt, @createdAt)`);
  const linkCall = db.prepare('UPDATE calls SET ticket_id = ? WHERE id = ? AND ticket_id IS NULL');
  const linkTicketCall = db.prepare(`INSERT INTO ticket_calls (ticket_id, call_id, kind, linked_at) VALUES (?, ?, 'intake', ?)
    ON CONFLICT DO NOTHING`);
  const openByCaller = db.prepare(`SELECT id, number, caller_number, category, unit_code, address, created_at, status, description
    FROM tickets WHERE caller_number = ? AND status IN ${OPEN} ORDER BY created_at DESC LIMIT 50`);
  const openByPlace = db.prepare(`SELECT id, number, caller_number, category, unit_code, address, created_at, status, description
    FROM tickets WHERE unit_code = ? AND category = ? AND created_at >= ? AND status IN ${OPEN} ORDER BY created_at DESC LIMIT 200`);
  const ticketById = db.prepare('SELECT * FROM tickets WHERE id = ?');
  const ticketsByCaller = db.prepare(`SELECT * FROM tickets WHERE caller_number = ? AND created_at >= ?
    ORDER BY created_at DESC, number DESC LIMIT ?`);
  const unitByCode = db.prepare('SELECT code, name, district_code, kind FROM units WHERE code = ?');
  const waitingCaller = db.prepare(WAITING_CALLER_SQL);

  const audit = createTicketAudit(db);
  const createTicket = db.transaction((t: NewTicket, by?: { name: string; role: string }): TicketRow => {
    const { day, ...fields } = t;
    const seq = (nextNumber.get(day) as { last: number }).last;
    const row = { ...fields, id: `tkt-${randomUUID()}`, number: `${day}${String(seq).padStart(5, '0')}` };
    insertTicket.run({ ...row, confidential: t.confidential ? 1 : 0 });
    if (t.callId) { linkCall.run(row.id, t.callId); linkTicketCall.run(row.id, t.callId, t.createdAt); }
    audit.write({
      ticketId: row.id, at: t.createdAt, actorId: t.createdBy ?? 'system', actorName: by?.name ?? '', role: by?.role ?? 'system',
      action: 'submit', from: 'draft', to: t.status,
      after: { number: row.number, type: t.type, category: t.category, urgency: t.urgency, channel: t.channel, confidential: t.confidential },
    });
    return toTicket(ticketById.get(row.id) as TicketDbRow);
  });

  return {
    call(callId) {
      const r = callById.get(callId) as { id: string; agent_id: string | null; caller_number: string; ticket_id: string | null } | undefined;
      return r ? { id: r.id, agentId: r.agent_id, callerNumber: r.caller_number, ticketId: r.ticket_id } : undefined;
    },
    draft(callId) {
      const r = draftByCall.get(callId) as { call_id: string; agent_id: string | null; data: string; version: number; updated_at: number } | undefined;
      return r ? { callId: r.call_id, agentId: r.agent_id, data: parseData(r.data), version: r.version, updatedAt: r.updated_at } : undefined;
    },
    saveDraft({ callId, agentId, data, expected, now }) {
      const text = JSON.stringify(data);
      if (expected === 0) {
        return insertDraft.run(`drf-${randomUUID()}`, callId, agentId, text, now).changes === 1 ? 1 : undefined;
      }
      return updateDraft.run(text, agentId, now, callId, expected).changes === 1 ? expected + 1 : undefined;
    },
    insertTicket: (t, by) => createTicket(t, by),
    ticket(id) {
      const r = ticketById.get(id) as TicketDbRow | undefined;
      return r ? toTicket(r) : undefined;
    },
    ticketsForCaller: (callerNumber, since, limit) => (ticketsByCaller.all(callerNumber, since, limit) as TicketDbRow[]).map(toTicket),
    openTicketsLike({ callerNumber, category, township, since }) {
      type Open = { id: string; number: string; caller_number: string | null; category: string; unit_code: string | null; address: string | null; created_at: number; status: string; description: string };
      const rows = new Map<string, Open>();
      if (callerNumber) for (const r of openByCaller.all(callerNumber) as Open[]) rows.set(r.id, r);
      if (township) for (const r of openByPlace.all(township, category, since) as Open[]) rows.set(r.id, r);
      return [...rows.values()].map((r) => ({
        id: r.id, number: r.number, callerNumber: r.caller_number, category: r.category, township: r.unit_code,
        address: r.address, createdAt: r.created_at, status: r.status, description: r.description,
      }));
    },
    callerIsWaiting: (callerNumber, now) => waitingCaller.get({ caller: callerNumber, now }) !== undefined,
    unit(code) {
      const r = unitByCode.get(code) as { code: string; name: string; district_code: string | null; kind: string } | undefined;
      return r ? { code: r.code, name: r.name, districtCode: r.district_code, kind: r.kind } : undefined;
    },
  };
}
