/**
 * What must be zero after a soak: nothing left in the simulated Asterisk, no agent stuck with a call
 * that is over, every call the service saw ended in the call log, no ticket lost, and every missed call
 * that earns a callback on the callback list. Each check names what it found so a failure can be chased.
 */
import type { AgentsService } from '../../features/agents/agents.service.ts';
import type { CallsService } from '../../features/calls/calls.service.ts';
import type { Database } from '../../store/database.ts';
import type { SimControl } from '../types.ts';

export interface SoakCheck {
  name: string;
  /** How many were found; 0 passes. */
  found: number;
  /** A few of them (ids, states) or the figures behind the count. */
  detail: string;
}

const SETTLED_AGENT_STATES = new Set(['ready', 'paused', 'offline']);

/** Counts of the call log (offered, answered, unanswered, overflowed, lost with Asterisk). */
export interface CallLogFigures { rows: number; answered: number; unanswered: number; overflowed: number; lostWithPbx: number }

export function callLogFigures(db: Database): CallLogFigures {
  const r = db.prepare(`SELECT COUNT(*) AS rows, COALESCE(SUM(answered_at IS NOT NULL), 0) AS answered,
    COALESCE(SUM(answered_at IS NULL), 0) AS unanswered, COALESCE(SUM(end_reason = 'overflow'), 0) AS overflowed,
    COALESCE(SUM(end_reason = 'pbx_lost'), 0) AS lostWithPbx FROM calls`).get() as CallLogFigures;
  return r;
}

export function soakChecks(input: {
  db: Database; control: SimControl; agents: AgentsService; calls: CallsService;
  /** Calls that entered Stasis, as the callers saw it. */
  callsEntered: number;
  ticketsCreated: number;
  ticketsRefused: number;
  callbacks: { enabled: boolean; shortAbandonSeconds: number };
}): SoakCheck[] {
  const { db, control, agents, calls } = input;
  const some = (items: string[]): string => items.slice(0, 5).join(', ') + (items.length > 5 ? `, … (${items.length})` : '');

  const channels = control.channels();
  const bridges = control.bridges();
  const stuck = agents.list().filter((a) => !SETTLED_AGENT_STATES.has(a.state) || a.callId !== null);
  const live = calls.live();
  const unended = db.prepare("SELECT id, state FROM calls WHERE ended_at IS NULL OR state <> 'ended' LIMIT 5").all() as Array<{ id: string; state: string }>;
  const unendedCount = (db.prepare("SELECT COUNT(*) AS n FROM calls WHERE ended_at IS NULL OR state <> 'ended'").get() as { n: number }).n;
  const rows = (db.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n;
  const stored = (db.prepare('SELECT COUNT(*) AS n FROM tickets').get() as { n: number }).n;
  const owedWhere = `c.answered_at IS NULL AND c.ended_at IS NOT NULL
    AND (c.end_reason IN ('overflow', 'pbx_lost') OR c.ended_at - c.arrived_at >= @short)`;
  const short = input.callbacks.shortAbandonSeconds * 1000;
  const owed = input.callbacks.enabled
    ? (db.prepare(`SELECT COUNT(*) AS n FROM calls c WHERE ${owedWhere}`).get({ short }) as { n: number }).n : 0;
  const unfiled = input.callbacks.enabled
    ? db.prepare(`SELECT c.id, c.end_reason AS reason FROM calls c WHERE ${owedWhere}
        AND NOT EXISTS (SELECT 1 FROM callback_missed_calls m WHERE m.call_id = c.id) LIMIT 5`).all({ short }) as Array<{ id: string; reason: string }>
    : [];
  const unfiledCount = input.callbacks.enabled
    ? (db.prepare(`SELECT COUNT(*) AS n FROM calls c WHERE ${owedWhere}
        AND NOT EXISTS (SELECT 1 FROM callback_missed_calls m WHERE m.call_id = c.id)`).get({ short }) as { n: number }).n : 0;
  const filed = (db.prepare('SELECT COUNT(*) AS n FROM callback_missed_calls').get() as { n: number }).n;

  return [
    { name: 'leaked channels', found: channels.length, detail: some(channels.map((c) => `${c.id} ${c.name} ${c.state}`)) },
    { name: 'leaked bridges', found: bridges.length, detail: some(bridges.map((b) => `${b.id} ${b.bridge_type} [${b.channels.join(' ')}]`)) },
    {
      name: 'stuck agents', found: stuck.length,
      detail: some(stuck.map((a) => `${a.id} ${a.state}${a.callId ? ` call ${a.callId}${calls.byId(a.callId) ? '' : ' (over)'}` : ''}`)),
    },
    { name: 'live calls left in the calls service', found: live.length, detail: some(live.map((l) => `${l.call.id} ${l.call.state}`)) },
    { name: 'calls rows never ended', found: unendedCount, detail: some(unended.map((r) => `${r.id} ${r.state}`)) },
    {
      name: 'calls in Stasis without a calls row (or rows without a call)', found: Math.abs(input.callsEntered - rows),
      detail: `${input.callsEntered} entered Stasis, ${rows} rows`,
    },
    { name: 'tickets lost', found: Math.max(0, input.ticketsCreated - stored) + Math.max(0, stored - input.ticketsCreated), detail: `${input.ticketsCreated} created, ${stored} stored` },
    { name: 'tickets refused', found: input.ticketsRefused, detail: 'valid forms for calls the agent handled' },
    { name: 'missed calls owed a callback but not on the list', found: unfiledCount, detail: `${owed} owed, ${filed} filed${unfiled.length ? `; e.g. ${some(unfiled.map((u) => `${u.id} ${u.reason}`))}` : ''}` },
  ];
}
