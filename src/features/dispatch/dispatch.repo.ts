import type { DispatchClocks, UrgencyClass } from '../../domain/deadlines.ts';
import type { PendingExtension } from '../../domain/ticket-lifecycle.ts';
import type { Database } from '../../store/database.ts';
import { nameAtSql } from '../units/units.repo.ts';
import { toTicket } from '../tickets/tickets.repo.ts';
import type { TicketDbRow, TicketRow } from '../tickets/tickets.repo.ts';

/** One dispatch round of a ticket: its units, both clocks and what the sweeper has already raised. */
export interface DispatchRound {
  ticketId: string;
  round: number;
  leadUnit: string;
  cooperatingUnits: string[];
  dispatchedBy: string | null;
  clocks: DispatchClocks;
  signedAt: number | null;
  repliedAt: number | null;
  replyResult: string | null;
  replyActions: string | null;
  pendingExtension: PendingExtension | null;
  acceptWarnedAt: number | null;
  acceptOverdueAt: number | null;
  completeWarnedAt: number | null;
  completeOverdueAt: number | null;
  endedAt: number | null;
  nextCheckAt: number | null;
}

export interface RoundUnit { unitCode: string; role: 'lead' | 'cooperating'; active: boolean; replyResult: string | null; repliedAt: number | null }

export type HandlingTicket = TicketRow & { round: number; reopenCount: number };

export interface TicketState {
  status: string; statusSince: number; leadUnit: string | null; round: number; masterId: string | null;
  lastReason: string | null; reopenCount: number; closedAt: number | null; answer: string | null; updatedAt: number;
}

export interface InboxQuery { unitCode: string; statuses: readonly string[] | null; overdue: boolean; active: boolean; now: number; limit: number; offset: number }

/** A unit as dispatch reads it; retiredAt is set once an administrator retired it (nothing more is dispatched to it). */
export interface UnitRef { code: string; name: string; kind: string; retiredAt?: number | null }

export interface DispatchRepo {
  ticket(id: string): HandlingTicket | undefined;
  unit(code: string): UnitRef | undefined;
  /** The units' current names, or the names they had at the instant `at` (a unit renamed since keeps its name then). */
  unitNames(codes: readonly string[], at?: number): Map<string, string>;
  unitOfUser(userId: string): string | null;
  setUserUnit(userId: string, unitCode: string | null): void;
  round(ticketId: string, round: number): DispatchRound | undefined;
  rounds(ticketId: string): DispatchRound[];
  roundUnits(ticketId: string, round: number): RoundUnit[];
  wasDispatchedTo(ticketId: string, unitCode: string): boolean;
  saveTicketState(ticketId: string, s: TicketState): void;
  saveUrgency(ticketId: string, urgency: UrgencyClass): void;
  saveRound(r: DispatchRound): void;
  activateUnits(ticketId: string, round: number, lead: string, cooperating: readonly string[], at: number): void;
  deactivateUnits(ticketId: string): void;
  recordCooperatingReply(ticketId: string, round: number, unitCode: string, result: string, at: number): void;
  mergedInto(masterId: string): HandlingTicket[];
  /** The agent who handled a call, null when none; undefined when there is no such call. */
  callAgent(callId: string): string | null | undefined;
  linkCall(ticketId: string, callId: string, at: number): void;
  linkedCalls(ticketId: string): Array<{ callId: string; kind: string; linkedAt: number; recordings: string[] }>;
  due(now: number, limit: number): DispatchRound[];
  inbox(q: InboxQuery): Array<{ ticket: HandlingTicket; round: DispatchRound; role: 'lead' | 'cooperating' }>;
  ticketsInStatus(statuses: readonly string[], limit: number): HandlingTicket[];
  pendingExtensions(limit: number): Array<{ ticket: HandlingTicket; round: DispatchRound }>;
  transaction<T>(fn: () => T): T;
}

interface RoundDbRow {
  ticket_id: string; round: number; lead_unit: string; cooperating_units: string; urgency: string; dispatched_at: number;
  dispatched_by: string | null; accept_by: number; accept_warn_at: number; complete_by: number; complete_warn_at: number;
  extensions: number; signed_at: number | null; replied_at: number | null; reply_result: string | null; reply_actions: string | null;
  pending_extension: string | null; accept_warned_at: number | null; accept_overdue_at: number | null;
  complete_warned_at: number | null; complete_overdue_at: number | null; ended_at: number | null; next_check_at: number | null;
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try { return JSON.parse(text) as T; } catch { return fallback; }
}

function toRound(r: RoundDbRow): DispatchRound {
  return {
    ticketId: r.ticket_id, round: r.round, leadUnit: r.lead_unit, cooperatingUnits: parseJson<string[]>(r.cooperating_units, []),
    dispatchedBy: r.dispatched_by,
    clocks: {
      urgency: r.urgency as UrgencyClass, dispatchedAt: r.dispatched_at, acceptBy: r.accept_by, acceptWarnAt: r.accept_warn_at,
      completeBy: r.complete_by, completeWarnAt: r.complete_warn_at, extensions: r.extensions,
    },
    signedAt: r.signed_at, repliedAt: r.replied_at, replyResult: r.reply_result, replyActions: r.reply_actions,
    pendingExtension: parseJson<PendingExtension | null>(r.pending_extension, null),
    acceptWarnedAt: r.accept_warned_at, acceptOverdueAt: r.accept_overdue_at, completeWarnedAt: r.complete_warned_at,
    completeOverdueAt: r.complete_overdue_at, endedAt: r.ended_at, nextCheckAt: r.next_check_at,
  };
}

type TicketWithRound = TicketDbRow & { dispatch_round: number; reopen_count: number };
const toHandling = (r: TicketWithRound): HandlingTicket => ({ ...toTicket(r), round: r.dispatch_round, reopenCount: r.reopen_count });

/** Splits a joined row (tickets t.*, then the round's columns prefixed d_) into its two halves. */
function splitJoined(r: Record<string, unknown>): { ticket: HandlingTicket; round: DispatchRound } {
  const t: Record<string, unknown> = {};
  const d: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (k.startsWith('d_')) d[k.slice(2)] = v; else t[k] = v;
  return { ticket: toHandling(t as unknown as TicketWithRound), round: toRound(d as unknown as RoundDbRow) };
}

const ROUND_COLUMNS = ['ticket_id', 'round', 'lead_unit', 'cooperating_units', 'urgency', 'dispatched_at', 'dispatched_by', 'accept_by',
  'accept_warn_at', 'complete_by', 'complete_warn_at', 'extensions', 'signed_at', 'replied_at', 'reply_result', 'reply_actions',
  'pending_extension', 'accept_warned_at', 'accept_overdue_at', 'complete_warned_at', 'complete_overdue_at', 'ended_at', 'next_check_at'];
const D_COLUMNS = ROUND_COLUMNS.map((c) => `d.${c} AS d_${c}`).join(', ');

export function createDispatchRepo(db: Database): DispatchRepo {
  const ticketById = db.prepare('SELECT * FROM tickets WHERE id = ?');
  const unitByCode = db.prepare('SELECT code, name, kind, retired_at AS retiredAt FROM units WHERE code = ?');
  const unitNameAt = db.prepare(`SELECT ${nameAtSql('u.code', '@at', 'u.name')} AS name FROM units u WHERE u.code = @code`).pluck();
  const userUnit = db.prepare('SELECT unit_id FROM users WHERE id = ?');
  const setUserUnit = db.prepare('UPDATE users SET unit_id = ? WHERE id = ?');
  const roundByKey = db.prepare('SELECT * FROM ticket_dispatches WHERE ticket_id = ? AND round = ?');
  const roundsOf = db.prepare('SELECT * FROM ticket_dispatches WHERE ticket_id = ? ORDER BY round');
  const unitsOfRound = db.prepare(`SELECT unit_code, role, active, reply_result, replied_at FROM ticket_dispatch_units
    WHERE ticket_id = ? AND round = ? ORDER BY role DESC, unit_code`);
  const everDispatched = db.prepare('SELECT 1 FROM ticket_dispatch_units WHERE unit_code = ? AND ticket_id = ? LIMIT 1');
  const updateTicket = db.prepare(`UPDATE tickets SET status = @status, status_since = @statusSince, lead_unit = @leadUnit,
    dispatch_round = @round, master_id = @masterId, last_reason = @lastReason, reopen_count = @reopenCount, closed_at = @closedAt,
    answer = @answer, updated_at = @updatedAt WHERE id = @ticketId`);
  const updateUrgency = db.prepare('UPDATE tickets SET urgency = ? WHERE id = ?');
  const upsertRound = db.prepare(`INSERT INTO ticket_dispatches (${ROUND_COLUMNS.join(', ')})
    VALUES (${ROUND_COLUMNS.map((c) => `@${c}`).join(', ')})
    ON CONFLICT (ticket_id, round) DO UPDATE SET ${ROUND_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')}`);
  const deactivate = db.prepare('UPDATE ticket_dispatch_units SET active = 0 WHERE ticket_id = ? AND active = 1');
  const upsertUnit = db.prepare(`INSERT INTO ticket_dispatch_units (ticket_id, round, unit_code, role, active, dispatched_at)
    VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (ticket_id, round, unit_code) DO UPDATE SET active = 1, role = excluded.role,
    dispatched_at = excluded.dispatched_at`);
  const cooperatingReply = db.prepare(`UPDATE ticket_dispatch_units SET reply_result = ?, replied_at = ?
    WHERE ticket_id = ? AND round = ? AND unit_code = ?`);
  const merged = db.prepare('SELECT * FROM tickets WHERE master_id = ? ORDER BY created_at');
  const linkCall = db.prepare(`INSERT INTO ticket_calls (ticket_id, call_id, kind, linked_at) VALUES (?, ?, 'note', ?) ON CONFLICT DO NOTHING`);
  const callById = db.prepare('SELECT agent_id FROM calls WHERE id = ?');
  const claimCall = db.prepare('UPDATE calls SET ticket_id = ? WHERE id = ? AND ticket_id IS NULL');
  const callsOf = db.prepare(`SELECT c.call_id, c.kind, c.linked_at,
      (SELECT json_group_array(r.id) FROM recordings r WHERE r.call_id = c.call_id) AS recordings
    FROM ticket_calls c WHERE c.ticket_id = ? ORDER BY c.linked_at`);
  const dueRounds = db.prepare('SELECT * FROM ticket_dispatches WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at LIMIT ?');
  const inStatus = (n: number) => db.prepare(`SELECT * FROM tickets WHERE status IN (${Array(n).fill('?').join(', ')})
    ORDER BY status_since LIMIT ?`);
  const withExtension = db.prepare(`SELECT t.*, ${D_COLUMNS} FROM ticket_dispatches d JOIN tickets t ON t.id = d.ticket_id
    WHERE d.pending_extension IS NOT NULL AND d.ended_at IS NULL ORDER BY d.dispatched_at LIMIT ?`);
  const inboxCache = new Map<string, ReturnType<Database['prepare']>>();

  function inboxStatement(statuses: number, overdue: boolean, active: boolean) {
    const key = `${statuses}:${overdue}:${active}`;
    let stmt = inboxCache.get(key);
    if (!stmt) {
      const where = ['u.unit_code = @unit'];
      if (active) where.push('u.active = 1');
      if (statuses > 0) where.push(`t.status IN (${Array.from({ length: statuses }, (_, i) => `@s${i}`).join(', ')})`);
      if (overdue) where.push('d.ended_at IS NULL AND ((d.signed_at IS NULL AND d.accept_by < @now) OR (d.replied_at IS NULL AND d.complete_by < @now))');
      stmt = db.prepare(`SELECT t.*, u.role AS inbox_role, ${D_COLUMNS} FROM ticket_dispatch_units u
        JOIN tickets t ON t.id = u.ticket_id JOIN ticket_dispatches d ON d.ticket_id = u.ticket_id AND d.round = u.round
        WHERE ${where.join(' AND ')} ORDER BY u.dispatched_at DESC LIMIT @limit OFFSET @offset`);
      inboxCache.set(key, stmt);
    }
    return stmt;
  }

  return {
    ticket(id) {
      const r = ticketById.get(id) as TicketWithRound | undefined;
      return r ? toHandling(r) : undefined;
    },
    unit: (code) => unitByCode.get(code) as UnitRef | undefined,
    unitNames(codes, at) {
      const out = new Map<string, string>();
      for (const code of new Set(codes)) {
        const name = at === undefined ? (unitByCode.get(code) as UnitRef | undefined)?.name : unitNameAt.get({ code, at }) as string | undefined;
        if (name !== undefined) out.set(code, name);
      }
      return out;
    },
    unitOfUser: (userId) => (userUnit.get(userId) as { unit_id: string | null } | undefined)?.unit_id ?? null,
    setUserUnit(userId, unitCode) { setUserUnit.run(unitCode, userId); },
    round(ticketId, round) {
      const r = roundByKey.get(ticketId, round) as RoundDbRow | undefined;
      return r ? toRound(r) : undefined;
    },
    rounds: (ticketId) => (roundsOf.all(ticketId) as RoundDbRow[]).map(toRound),
    roundUnits: (ticketId, round) => (unitsOfRound.all(ticketId, round) as Array<{ unit_code: string; role: 'lead' | 'cooperating'; active: number; reply_result: string | null; replied_at: number | null }>)
      .map((u) => ({ unitCode: u.unit_code, role: u.role, active: u.active === 1, replyResult: u.reply_result, repliedAt: u.replied_at })),
    wasDispatchedTo: (ticketId, unitCode) => everDispatched.get(unitCode, ticketId) !== undefined,
    saveTicketState(ticketId, s) { updateTicket.run({ ticketId, ...s }); },
    saveUrgency(ticketId, urgency) { updateUrgency.run(urgency, ticketId); },
    saveRound(r) {
      const c = r.clocks;
      upsertRound.run({
        ticket_id: r.ticketId, round: r.round, lead_unit: r.leadUnit, cooperating_units: JSON.stringify(r.cooperatingUnits),
        urgency: c.urgency, dispatched_at: c.dispatchedAt, dispatched_by: r.dispatchedBy, accept_by: c.acceptBy,
        accept_warn_at: c.acceptWarnAt, complete_by: c.completeBy, complete_warn_at: c.completeWarnAt, extensions: c.extensions,
        signed_at: r.signedAt, replied_at: r.repliedAt, reply_result: r.replyResult, reply_actions: r.replyActions,
        pending_extension: r.pendingExtension === null ? null : JSON.stringify(r.pendingExtension),
        accept_warned_at: r.acceptWarnedAt, accept_overdue_at: r.acceptOverdueAt, complete_warned_at: r.completeWarnedAt,
        complete_overdue_at: r.completeOverdueAt, ended_at: r.endedAt, next_check_at: r.nextCheckAt,
      });
    },
    activateUnits(ticketId, round, lead, cooperating, at) {
      deactivate.run(ticketId);
      upsertUnit.run(ticketId, round, lead, 'lead', at);
      for (const unit of cooperating) upsertUnit.run(ticketId, round, unit, 'cooperating', at);
    },
    deactivateUnits(ticketId) { deactivate.run(ticketId); },
    recordCooperatingReply(ticketId, round, unitCode, result, at) { cooperatingReply.run(result, at, ticketId, round, unitCode); },
    mergedInto: (masterId) => (merged.all(masterId) as TicketWithRound[]).map(toHandling),
    callAgent: (callId) => (callById.get(callId) as { agent_id: string | null } | undefined)?.agent_id,
    linkCall(ticketId, callId, at) { linkCall.run(ticketId, callId, at); claimCall.run(ticketId, callId); },
    linkedCalls: (ticketId) => (callsOf.all(ticketId) as Array<{ call_id: string; kind: string; linked_at: number; recordings: string }>)
      .map((c) => ({ callId: c.call_id, kind: c.kind, linkedAt: c.linked_at, recordings: parseJson<string[]>(c.recordings, []) })),
    due: (now, limit) => (dueRounds.all(now, limit) as RoundDbRow[]).map(toRound),
    inbox(q) {
      const params: Record<string, unknown> = { unit: q.unitCode, now: q.now, limit: q.limit, offset: q.offset };
      (q.statuses ?? []).forEach((s, i) => { params[`s${i}`] = s; });
      const rows = inboxStatement(q.statuses?.length ?? 0, q.overdue, q.active).all(params) as Array<Record<string, unknown>>;
      return rows.map((r) => {
        const { inbox_role: role, ...rest } = r;
        return { ...splitJoined(rest), role: role as 'lead' | 'cooperating' };
      });
    },
    ticketsInStatus: (statuses, limit) => (inStatus(statuses.length).all(...statuses, limit) as TicketWithRound[]).map(toHandling),
    pendingExtensions: (limit) => (withExtension.all(limit) as Array<Record<string, unknown>>).map(splitJoined),
    transaction: (fn) => db.transaction(fn)(),
  };
}
