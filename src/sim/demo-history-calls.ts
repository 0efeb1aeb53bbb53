/**
 * The demo history's calls: agents on shifts with breaks and meals, citizens arriving by the hour, one queue
 * answered in order by the longest-idle agent, callers who give up, a few sent to a callback by a long wait, and
 * the callback list worked in quiet moments. The rows go through the calls, agents and callbacks repositories, as
 * the live service writes them (the agents' state history through the agents table and its trigger).
 */
import type { InboundCall } from '../domain/call-state.ts';
import type { AgentsRepo } from '../features/agents/agents.repo.ts';
import type { CallbacksRepo } from '../features/callbacks/callbacks.repo.ts';
import type { CallsRepo } from '../features/calls/calls.repo.ts';
import { citizenNumber, exponential } from './actors/callers.ts';
import { planShifts } from './demo-history-content.ts';
import type { Shift } from './demo-history-content.ts';
import type { Prng } from './prng.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
/** Calls an hour on a weekday, Asia/Shanghai hours 0-23 (a small centre: the month is written in a few seconds). */
const HOURLY = [2, 2, 1, 1, 1, 1, 2, 7, 16, 25, 27, 26, 19, 21, 26, 25, 23, 19, 15, 14, 11, 9, 6, 4];
export interface CallsSettings {
  line: string; queueId: string; wrapUpMs: number; talkMs: number; patienceMs: number; greetingMs: number;
  /** Longest stay in the queue before the caller is sent to a message and a callback. */
  overflowMs: number;
  callbacks: { enabled: boolean; dedupeHours: number; shortAbandonSeconds: number; maxAttempts: number };
}

export interface AnsweredCall { callId: string; agent: number; callerNumber: string; endedAt: number }
export interface CallTally { calls: number; answered: number; abandoned: number; overflowed: number; callbacks: number; agentStates: number }

interface Change { at: number; state: string; reason: string | null; callId: string | null }
interface Seat { id: string; seat: string; shifts: Shift[]; k: number; on: boolean; freeAt: number; p: number; changes: Change[] }
interface Task { at: number; id?: string; done: boolean; attempts: number }

export function createCallsHistory(deps: {
  prng: Prng; calls: CallsRepo; agents: AgentsRepo; callbacks: CallbacksRepo; settings: CallsSettings;
  seats: ReadonlyArray<{ id: string; seat: string }>; from: number; to: number;
}) {
  const { prng, settings } = deps;
  const rota = planShifts(prng, deps.seats.length, deps.from, deps.to);
  const seats: Seat[] = deps.seats.map((s, i) => ({ ...s, shifts: rota[i]!, k: 0, on: false, freeAt: 0, p: 0, changes: [] }));
  const regulars = Array.from({ length: 1500 }, () => citizenNumber(prng));
  const tasks: Task[] = [];
  const writes: Array<{ at: number; run: () => void }> = [];
  const tally: CallTally = { calls: 0, answered: 0, abandoned: 0, overflowed: 0, callbacks: 0, agentStates: 0 };
  let channelSeq = 0;

  const emit = (s: Seat, at: number, state: string, reason: string | null = null, callId: string | null = null) => { s.changes.push({ at, state, reason, callId }); };
  const shiftOf = (s: Seat) => s.shifts[s.k];

  function login(s: Seat, shift: Shift): void {
    emit(s, shift.start, 'paused', 'login');
    emit(s, shift.start, 'ready');
    s.on = true; s.freeAt = shift.start; s.p = 0;
  }

  /** Takes the breaks due by `x` (as soon as the agent is free); returns when the agent is free again. */
  function pauses(s: Seat, x: number): number {
    const shift = shiftOf(s)!;
    while (s.p < shift.pauses.length && shift.pauses[s.p]!.at <= x) {
      const pause = shift.pauses[s.p++]!;
      const from = Math.max(pause.at, s.freeAt);
      if (from >= shift.end) break;
      const until = Math.min(from + pause.ms, shift.end);
      emit(s, from, 'paused', pause.reason);
      emit(s, until, 'ready');
      s.freeAt = until;
      x = Math.max(x, until);
    }
    return x;
  }

  /** Ends the shifts over by `t`: breaks not yet taken, then sign-out. */
  function advance(s: Seat, t: number): void {
    for (let shift = shiftOf(s); shift && shift.end <= t; shift = shiftOf(s)) {
      if (s.on) {
        pauses(s, shift.end);
        emit(s, Math.max(shift.end, s.freeAt), 'offline');
      }
      s.on = false;
      s.k++;
    }
  }

  function availableAt(s: Seat, q: number): number {
    const shift = shiftOf(s);
    if (!shift) return Infinity;
    const x = s.on ? pauses(s, Math.max(q, s.freeAt)) : Math.max(q, shift.start);
    return x < shift.end ? x : Infinity;
  }

  /** A callback in the agent's quiet time before `until`, when one waits: claimed, dialled, talked or not reached. */
  function callBack(s: Seat, until: number): void {
    const task = tasks.find((t) => !t.done && t.at < until);
    if (!task) return;
    const at = Math.max(s.freeAt, task.at) + 30_000 + prng.int(60_000);
    const reached = prng.next() < 0.8;
    const ms = 10_000 + (reached ? 40_000 + prng.int(120_000) : 25_000);
    if (at + ms + 10_000 > until || at + ms > shiftOf(s)!.end) return;
    // Not reached: tried again after a while, until the attempts run out (the task then stays done).
    task.attempts++;
    const retry = !reached && task.attempts < settings.callbacks.maxAttempts;
    task.done = !retry;
    task.at = at + ms + 30 * MIN;
    emit(s, at, 'paused', 'callback');
    emit(s, at + ms, 'ready');
    s.freeAt = at + ms;
    writes.push({ at, run: () => {
      if (!task.id || !deps.callbacks.move(task.id, ['pending'], 'claimed', { claimedBy: s.id, at })) return;
      const attempt = deps.callbacks.startAttempt(task.id, s.id, at + 2_000);
      if (reached) {
        deps.callbacks.attemptAnswered(attempt, at + 10_000);
        deps.callbacks.move(task.id, ['dialing'], 'talking');
        deps.callbacks.endAttempt(attempt, at + ms, 'talked');
      } else {
        deps.callbacks.endAttempt(attempt, at + ms, 'no_answer');
        deps.callbacks.move(task.id, ['dialing'], 'claimed');
      }
      deps.callbacks.finish(task.id, reached ? 'reached' : 'no_answer', at + ms, retry);
    } });
  }

  function missed(call: InboundCall, reason: 'abandoned' | 'overflow', queueId: string | null): void {
    const cb = settings.callbacks;
    if (!cb.enabled || (reason === 'abandoned' && call.endedAt! - call.arrivedAt < cb.shortAbandonSeconds * 1000)) return;
    const at = call.endedAt!;
    const task: Task = { at, done: false, attempts: 0 };
    tasks.push(task);
    tally.callbacks++;
    writes.push({ at, run: () => {
      const filed = deps.callbacks.record({ callId: call.id, callerNumber: call.callerNumber, line: call.line, queueId, reason, at }, cb.dedupeHours * HOUR);
      task.id = filed?.callbackId;
    } });
  }

  /** One caller from arrival to hang-up; the answered ones are returned for their tickets. */
  function place(arrivedAt: number): AnsweredCall | undefined {
    const callerNumber = prng.next() < 0.3 ? regulars[prng.int(regulars.length)]! : citizenNumber(prng);
    const base: InboundCall = {
      id: prng.uuid(), line: settings.line, callerNumber, state: 'ended', channelId: `${Math.floor(arrivedAt / 1000)}.${channelSeq++}`,
      agentId: null, agentChannelId: null, arrivedAt, queuedAt: null, offeredAt: null, answeredAt: null, endedAt: null, endReason: 'abandoned', offers: 0,
    };
    if (prng.next() < 0.02) {
      record({ ...base, endedAt: arrivedAt + 500 + prng.int(2_000) });
      return undefined;
    }
    const queuedAt = arrivedAt + settings.greetingMs + prng.int(40);
    for (const s of seats) advance(s, queuedAt);
    let best: Seat | undefined;
    let at = Infinity;
    for (const s of seats) {
      const x = availableAt(s, queuedAt);
      if (x < at || (x === at && best && s.freeAt < best.freeAt)) { at = x; best = s; }
    }
    const patience = exponential(prng, settings.patienceMs) + 5_000;
    const queued = { ...base, queuedAt };
    if (!best || at - queuedAt > Math.min(patience, settings.overflowMs)) {
      if (patience <= settings.overflowMs) {
        const call = { ...queued, endedAt: queuedAt + Math.round(patience) };
        record(call, settings.queueId);
        missed(call, 'abandoned', settings.queueId);
      } else {
        const call = { ...queued, endedAt: queuedAt + settings.overflowMs + 6_000 };
        record(call, settings.queueId, 'overflow');
        missed(call, 'overflow', settings.queueId);
      }
      return undefined;
    }
    if (!best.on) login(best, shiftOf(best)!);
    at = pauses(best, at);
    callBack(best, at);
    const answeredAt = at + 2_000 + prng.int(3_000);
    const talk = Math.max(20_000, Math.round(exponential(prng, settings.talkMs / 2) + exponential(prng, settings.talkMs / 2)));
    const endedAt = answeredAt + talk;
    if (endedAt + settings.wrapUpMs > Math.min(deps.to, shiftOf(best)!.end + 30 * MIN)) return undefined;
    const call: InboundCall = {
      ...queued, agentId: best.id, agentChannelId: `hl-agent-${prng.uuid()}`, offeredAt: at, answeredAt, endedAt, offers: 1,
      endReason: prng.next() < 0.65 ? 'agent_hangup' : 'caller_hangup',
    };
    emit(best, at, 'ringing', null, call.id);
    emit(best, answeredAt, 'on_call', null, call.id);
    emit(best, endedAt, 'wrap_up', null, call.id);
    emit(best, endedAt + settings.wrapUpMs, 'ready');
    best.freeAt = endedAt + settings.wrapUpMs;
    record(call, settings.queueId, undefined, best.seat);
    return { callId: call.id, agent: seats.indexOf(best), callerNumber, endedAt };
  }

  function record(call: InboundCall, queueId?: string, overflow?: 'overflow', seat?: string): void {
    tally.calls++;
    if (call.answeredAt !== null) tally.answered++;
    else if (overflow) tally.overflowed++;
    else tally.abandoned++;
    writes.push({ at: call.endedAt!, run: () => {
      deps.calls.insertCall(call, '');
      if (queueId !== undefined) deps.calls.setQueue(call.id, queueId, call.queuedAt!);
      if (call.agentChannelId !== null && seat !== undefined) {
        deps.calls.insertLeg({ callId: call.id, channelId: call.agentChannelId, agentId: call.agentId!, seat, offeredAt: call.offeredAt! });
        deps.calls.saveLeg(call.agentChannelId, { answeredAt: call.answeredAt!, outcome: 'answered' });
        deps.calls.saveLeg(call.agentChannelId, { endedAt: call.endedAt! });
      }
      deps.calls.saveCall(call);
      if (overflow) deps.calls.markOverflow(call.id);
    } });
  }

  /** Writes what happened so far: calls and callbacks in time order, each agent's state changes in order. */
  function flush(): void {
    writes.sort((a, b) => a.at - b.at);
    for (const w of writes) w.run();
    writes.length = 0;
    for (const s of seats) {
      for (const c of s.changes) {
        deps.agents.saveState(s.id, {
          state: c.state, reason: c.reason, since: c.at, idleSince: c.state === 'ready' ? c.at : null, callId: c.callId,
          wrapUpUntil: c.state === 'wrap_up' ? c.at + settings.wrapUpMs : null, seat: c.state === 'offline' ? null : s.seat,
        });
      }
      tally.agentStates += s.changes.length;
      s.changes.length = 0;
    }
    for (let i = tasks.length - 1; i >= 0; i--) if (tasks[i]!.done) tasks.splice(i, 1);
  }

  return {
    tally,
    /** The calls of one day (or of today until `to`), written; the answered ones returned in order of their end. */
    day(dayStart: number): AnsweredCall[] {
      const answered: AnsweredCall[] = [];
      const weekend = [0, 6].includes(new Date(dayStart + 8 * HOUR).getUTCDay());
      for (let h = 0; h < 24; h++) {
        const rate = HOURLY[h]! * (weekend ? 0.7 : 1) * (0.85 + 0.3 * prng.next());
        const end = Math.min(dayStart + (h + 1) * HOUR, deps.to - 10 * MIN);
        for (let t = dayStart + h * HOUR + exponential(prng, HOUR / rate); t < end; t += exponential(prng, HOUR / rate)) {
          const a = place(Math.round(t));
          if (a) answered.push(a);
        }
      }
      flush();
      return answered.sort((a, b) => a.endedAt - b.endedAt);
    },
    /** Signs out everyone still on shift at the end of the history (the moment the service starts). */
    finish(): void {
      for (const s of seats) advance(s, Infinity);
      flush();
    },
  };
}
