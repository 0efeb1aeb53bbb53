import { randomUUID } from 'node:crypto';
import type { Database } from '../../store/database.ts';

export interface CallForTicket {
  id: string;
  agentId: string | null;
  callerNumber: string;
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
  type: string;
  category: string | null;
  description: string;
  districtCode: string | null;
  townshipCode: string | null;
  address: string | null;
  contactName: string | null;
  contactPhone: string | null;
  confidential: boolean;
  status: string;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export type NewTicket = Omit<TicketRow, 'id' | 'number' | 'updatedAt'> & { day: string };

export interface UnitRow { code: string; name: string; districtCode: string | null; kind: string }

export interface TicketsRepo {
  call(callId: string): CallForTicket | undefined;
  draft(callId: string): DraftRow | undefined;
  /** Writes the draft when its stored version is `expected` (0: none yet); returns the new version or undefined on a conflict. */
  saveDraft(d: { callId: string; agentId: string | null; data: Record<string, unknown>; expected: number; now: number }): number | undefined;
  insertTicket(t: NewTicket): TicketRow;
  ticket(id: string): TicketRow | undefined;
  ticketsForCaller(callerNumber: string, since: number, limit: number): TicketRow[];
  unit(code: string): UnitRow | undefined;
}

interface TicketDbRow {
  id: string; number: string; call_id: string | null; caller_number: string | null; type: string; category: string | null;
  description: string; district_code: string | null; unit_code: string | null; address: string | null; contact: string | null;
  contact_phone: string | null; confidential: number; status: string; created_by: string | null; created_at: number; updated_at: number;
}

function toTicket(r: TicketDbRow): TicketRow {
  return {
    id: r.id, number: r.number, callId: r.call_id, callerNumber: r.caller_number, type: r.type, category: r.category,
    description: r.description, districtCode: r.district_code, townshipCode: r.unit_code, address: r.address,
    contactName: r.contact, contactPhone: r.contact_phone, confidential: r.confidential === 1, status: r.status,
    createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

function parseData(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

export function createTicketsRepo(db: Database): TicketsRepo {
  const callById = db.prepare('SELECT id, agent_id, caller_number, ticket_id FROM calls WHERE id = ?');
  const draftByCall = db.prepare('SELECT call_id, agent_id, data, version, updated_at FROM ticket_drafts WHERE call_id = ?');
  const insertDraft = db.prepare(`INSERT INTO ticket_drafts (id, call_id, agent_id, data, updated_at, version)
    VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (call_id) DO NOTHING`);
  const updateDraft = db.prepare(`UPDATE ticket_drafts SET data = ?, agent_id = COALESCE(?, agent_id), updated_at = ?, version = version + 1
    WHERE call_id = ? AND version = ?`);
  const nextNumber = db.prepare(`INSERT INTO ticket_day_sequence (day, last) VALUES (?, 1)
    ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last`);
  const insertTicket = db.prepare(`INSERT INTO tickets (id, number, call_id, caller_number, type, category, description,
    district_code, unit_code, address, contact, contact_phone, confidential, status, created_by, created_at, updated_at)
    VALUES (@id, @number, @callId, @callerNumber, @type, @category, @description, @districtCode, @townshipCode, @address,
    @contactName, @contactPhone, @confidential, @status, @createdBy, @createdAt, @createdAt)`);
  const linkCall = db.prepare('UPDATE calls SET ticket_id = ? WHERE id = ? AND ticket_id IS NULL');
  const ticketById = db.prepare('SELECT * FROM tickets WHERE id = ?');
  const ticketsByCaller = db.prepare(`SELECT * FROM tickets WHERE caller_number = ? AND created_at >= ?
    ORDER BY created_at DESC, number DESC LIMIT ?`);
  const unitByCode = db.prepare('SELECT code, name, district_code, kind FROM units WHERE code = ?');

  const createTicket = db.transaction((t: NewTicket): TicketRow => {
    const { day, ...fields } = t;
    const seq = (nextNumber.get(day) as { last: number }).last;
    const row = { ...fields, id: `tkt-${randomUUID()}`, number: `${day}${String(seq).padStart(5, '0')}` };
    insertTicket.run({ ...row, confidential: t.confidential ? 1 : 0 });
    if (t.callId) linkCall.run(row.id, t.callId);
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
    insertTicket: (t) => createTicket(t),
    ticket(id) {
      const r = ticketById.get(id) as TicketDbRow | undefined;
      return r ? toTicket(r) : undefined;
    },
    ticketsForCaller: (callerNumber, since, limit) => (ticketsByCaller.all(callerNumber, since, limit) as TicketDbRow[]).map(toTicket),
    unit(code) {
      const r = unitByCode.get(code) as { code: string; name: string; district_code: string | null; kind: string } | undefined;
      return r ? { code: r.code, name: r.name, districtCode: r.district_code, kind: r.kind } : undefined;
    },
  };
}
