/**
 * Service level, from the service's own event log: one row per call leg, a leg being a caller's
 * stay in one queue (a call that overflows from one queue to another has two legs).
 *
 * Definitions (all times in ms in the rows, figures in seconds or shares):
 * - A call is the set of legs sharing a callId. It arrived when its first leg arrived, on that leg's
 *   line; it was answered when any leg was answered; otherwise it was abandoned when any leg was
 *   abandoned; otherwise it overflowed to a callback when its last leg left for a message and a
 *   callback task (or moved on to another queue and ended there unanswered); otherwise it failed.
 *   Every call has exactly one of the four outcomes: answered, abandoned, overflowed, failed.
 * - Wait: from arrival to answer, or to the end of the leg (abandon, overflow) when never answered.
 *   For a call it runs from its first arrival; for a queue, from entering that queue.
 * - Short abandon: an abandon whose wait was under `shortAbandonSeconds` (default 5 s): the caller
 *   hung up before a seat could reasonably answer (misdials, hang-ups during the greeting).
 * - Offered: calls (or legs, for a queue or agent) that arrived, less short abandons when
 *   `excludeShortAbandons` is on (the default). Short abandons are still reported on their own.
 *   Calls that overflowed to a callback and calls that failed stay in offered: they were offered to
 *   the queue and no agent answered them (GB/T 33358-2016 counts calls offered to the seats).
 * - Answered: offered calls that were answered. Answered within 15 s: answered with a wait of at most
 *   `answerWithinSeconds` (default 15; GB/T 33358-2016 asks for answer within 15 s).
 * - 15秒接通率 rate15 = answered within 15 s / offered. 接通率 answerRate = answered / offered
 *   (the standard asks for at least 95 %). Both are null when nothing was offered.
 * - Abandoned: calls that ended unanswered because the caller hung up, short ones included.
 *   Overflowed (to a callback): calls the queue sent to a message and a callback task (a queue
 *   overflow or the maximum wait), neither answered nor abandoned. Failed: calls lost with Asterisk
 *   before an agent answered. For a queue, a leg that moved on to another queue (`overflow`) counts
 *   as offered to that queue and in none of the four.
 * - ASA: the average wait of answered calls. AHT: the average talk plus wrap-up of answered calls.
 * - Occupancy: (time on a call + time in wrap-up) / logged-in time, logged in meaning every agent
 *   state but offline, paused included; from the agent state intervals, clipped to each hour. An
 *   interval runs from one state change of an agent to the next (`agentIntervals`).
 * - Per line and per hour count calls (a call falls in the hour it arrived, in the hotline's time
 *   zone, `utcOffsetMinutes`, Beijing's +480 by default); per queue counts legs; per agent counts the
 *   legs answered by, or ringing, that agent.
 */

/**
 * How a leg ended: answered by an agent; abandoned by the caller; `overflow`: moved on to another
 * queue (the call goes on in its next leg); `callback`: overflowed to a message and a callback task;
 * `failed`: lost with Asterisk before an answer.
 */
export type LegOutcome = 'answered' | 'abandoned' | 'overflow' | 'callback' | 'failed';

export interface CallLeg {
  readonly callId: string;
  readonly line: string;
  readonly queueId: string;
  readonly agentId?: string;
  /** When the caller entered this leg's queue. */
  readonly arrivedAt: number;
  readonly answeredAt?: number;
  readonly endedAt: number;
  readonly outcome: LegOutcome;
  /** Wrap-up after the call, ms. */
  readonly wrapUpMs?: number;
}

export type AgentActivity = 'ready' | 'ringing' | 'on_call' | 'wrap_up' | 'paused' | 'offline';

export interface AgentInterval {
  readonly agentId: string;
  readonly state: AgentActivity;
  readonly from: number;
  readonly to: number;
}

/** An agent's state as of `since`, until that agent's next change. */
export interface AgentStateChange {
  readonly agentId: string;
  readonly state: string;
  readonly since: number;
}

const ACTIVITIES: ReadonlySet<string> = new Set<AgentActivity>(['ready', 'ringing', 'on_call', 'wrap_up', 'paused', 'offline']);

/** An agent state as the service level counts it; a state it does not know counts as logged in, not busy. */
export function activityOf(state: string): AgentActivity {
  return ACTIVITIES.has(state) ? (state as AgentActivity) : 'paused';
}

/**
 * One agent's state intervals overlapping [from, to), clipped to it, appended to `out`, from that
 * agent's changes already in order (by `since`, a tie going to the later one): each holds until the
 * next, the last until `min(to, now)`; back-to-back intervals of the same state are joined.
 */
export function agentIntervalsOf(
  agentId: string, changes: ReadonlyArray<{ readonly state: string; readonly since: number }>,
  from: number, to: number, now: number, out: AgentInterval[] = [],
): AgentInterval[] {
  const end = Math.min(to, now);
  let state: AgentActivity | undefined;
  let openFrom = 0;
  let openTo = 0;
  for (let k = 0; k < changes.length; k++) {
    const next = changes[k + 1];
    const f = Math.max(changes[k]!.since, from);
    const t = Math.min(next === undefined ? end : next.since, end);
    if (!(t > f)) continue;
    const s = activityOf(changes[k]!.state);
    if (s === state && openTo === f) { openTo = t; continue; }
    if (state !== undefined) out.push({ agentId, state, from: openFrom, to: openTo });
    state = s;
    openFrom = f;
    openTo = t;
  }
  if (state !== undefined) out.push({ agentId, state, from: openFrom, to: openTo });
  return out;
}

/**
 * Every agent's state intervals overlapping [from, to), clipped to it, from the agents' state changes
 * in any order: one agent's are taken by `since`, ties in list order (the later one wins), as
 * `agentIntervalsOf` counts them; agents come in order of id. The changes should include, for each
 * agent, the last one before `from` (the state held when the period began).
 */
export function agentIntervals(changes: readonly AgentStateChange[], from: number, to: number, now: number): AgentInterval[] {
  const byAgent = new Map<string, AgentStateChange[]>();
  for (const c of changes) {
    const list = byAgent.get(c.agentId);
    if (list === undefined) byAgent.set(c.agentId, [c]);
    else list.push(c);
  }
  const out: AgentInterval[] = [];
  for (const agentId of [...byAgent.keys()].sort()) {
    const list = byAgent.get(agentId)!;
    const sorted = list.map((c, i) => ({ c, i })).sort((a, b) => a.c.since - b.c.since || a.i - b.i).map((x) => x.c);
    agentIntervalsOf(agentId, sorted, from, to, now, out);
  }
  return out;
}

export interface ServiceLevelOptions {
  readonly answerWithinSeconds: number;
  readonly shortAbandonSeconds: number;
  readonly excludeShortAbandons: boolean;
  readonly utcOffsetMinutes: number;
}

export const DEFAULT_SERVICE_LEVEL_OPTIONS: ServiceLevelOptions = {
  answerWithinSeconds: 15, shortAbandonSeconds: 5, excludeShortAbandons: true, utcOffsetMinutes: 480,
};

export interface ServiceLevelFigures {
  readonly offered: number;
  readonly answered: number;
  readonly answeredWithin15s: number;
  readonly rate15: number | null;
  readonly answerRate: number | null;
  readonly abandoned: number;
  readonly shortAbandoned: number;
  /** Overflowed to a message and a callback task: neither answered nor abandoned. */
  readonly overflowed: number;
  /** Lost with Asterisk before an agent answered. */
  readonly failed: number;
  readonly asaSeconds: number | null;
  readonly ahtSeconds: number | null;
  readonly occupancy: number | null;
}

export interface ServiceLevelReport {
  readonly total: ServiceLevelFigures;
  readonly byLine: Readonly<Record<string, ServiceLevelFigures>>;
  readonly byQueue: Readonly<Record<string, ServiceLevelFigures>>;
  readonly byAgent: Readonly<Record<string, ServiceLevelFigures>>;
  /** Keyed by the hour's start, epoch ms. */
  readonly byHour: Readonly<Record<string, ServiceLevelFigures>>;
}

interface Tally {
  arrived: number; answered: number; within: number; abandoned: number; shortAbandoned: number; overflowed: number; failed: number;
  waitMs: number; handleMs: number; busyMs: number; loggedInMs: number;
}

const HOUR = 3_600_000;
const newTally = (): Tally => ({ arrived: 0, answered: 0, within: 0, abandoned: 0, shortAbandoned: 0, overflowed: 0, failed: 0, waitMs: 0, handleMs: 0, busyMs: 0, loggedInMs: 0 });

/** One call (or leg) as counted: its first arrival and how it ended. */
interface Counted { arrivedAt: number; answeredAt?: number; endedAt: number; outcome: LegOutcome; handleMs: number }

function add(t: Tally, c: Counted, o: ServiceLevelOptions): void {
  t.arrived++;
  const waitMs = (c.answeredAt ?? c.endedAt) - c.arrivedAt;
  if (c.outcome === 'answered' && c.answeredAt !== undefined) {
    t.answered++;
    t.waitMs += waitMs;
    t.handleMs += c.handleMs;
    if (waitMs <= o.answerWithinSeconds * 1000) t.within++;
  } else if (c.outcome === 'abandoned') {
    t.abandoned++;
    if (waitMs < o.shortAbandonSeconds * 1000) t.shortAbandoned++;
  } else if (c.outcome === 'callback') {
    t.overflowed++;
  } else if (c.outcome === 'failed') {
    t.failed++;
  }
}

function figures(t: Tally, o: ServiceLevelOptions): ServiceLevelFigures {
  const offered = t.arrived - (o.excludeShortAbandons ? t.shortAbandoned : 0);
  return {
    offered,
    answered: t.answered,
    answeredWithin15s: t.within,
    rate15: offered > 0 ? t.within / offered : null,
    answerRate: offered > 0 ? t.answered / offered : null,
    abandoned: t.abandoned,
    shortAbandoned: t.shortAbandoned,
    overflowed: t.overflowed,
    failed: t.failed,
    asaSeconds: t.answered > 0 ? t.waitMs / t.answered / 1000 : null,
    ahtSeconds: t.answered > 0 ? t.handleMs / t.answered / 1000 : null,
    occupancy: t.loggedInMs > 0 ? t.busyMs / t.loggedInMs : null,
  };
}

const legCounted = (l: CallLeg): Counted => ({
  arrivedAt: l.arrivedAt, answeredAt: l.answeredAt, endedAt: l.endedAt, outcome: l.outcome,
  handleMs: l.answeredAt === undefined ? 0 : l.endedAt - l.answeredAt + (l.wrapUpMs ?? 0),
});

/** A call's legs folded into one: first arrival, the answered leg if any, else the most telling end. */
function callCounted(legs: readonly CallLeg[]): Counted & { line: string } {
  const first = legs.reduce((a, b) => (b.arrivedAt < a.arrivedAt ? b : a));
  const answered = legs.find((l) => l.outcome === 'answered' && l.answeredAt !== undefined);
  const last = legs.reduce((a, b) => (b.endedAt > a.endedAt ? b : a));
  const outcome: LegOutcome = answered ? 'answered' : legs.some((l) => l.outcome === 'abandoned') ? 'abandoned' : last.outcome === 'overflow' ? 'callback' : last.outcome;
  const end = answered ?? last;
  return { line: first.line, ...legCounted(end), arrivedAt: first.arrivedAt, outcome };
}

export function hourStart(t: number, utcOffsetMinutes: number): number {
  const offset = utcOffsetMinutes * 60_000;
  return Math.floor((t + offset) / HOUR) * HOUR - offset;
}

export function serviceLevelReport(
  legs: readonly CallLeg[],
  agentIntervals: readonly AgentInterval[] = [],
  options: Partial<ServiceLevelOptions> = {},
): ServiceLevelReport {
  const o = { ...DEFAULT_SERVICE_LEVEL_OPTIONS, ...options };
  const total = newTally();
  const byLine = new Map<string, Tally>();
  const byQueue = new Map<string, Tally>();
  const byAgent = new Map<string, Tally>();
  const byHour = new Map<number, Tally>();
  const at = <K>(m: Map<K, Tally>, k: K): Tally => {
    let t = m.get(k);
    if (t === undefined) m.set(k, (t = newTally()));
    return t;
  };

  const calls = new Map<string, CallLeg[]>();
  for (const leg of legs) {
    const list = calls.get(leg.callId);
    if (list === undefined) calls.set(leg.callId, [leg]);
    else list.push(leg);
    add(at(byQueue, leg.queueId), legCounted(leg), o);
    if (leg.agentId !== undefined) add(at(byAgent, leg.agentId), legCounted(leg), o);
  }
  for (const list of calls.values()) {
    const call = callCounted(list);
    add(total, call, o);
    add(at(byLine, call.line), call, o);
    add(at(byHour, hourStart(call.arrivedAt, o.utcOffsetMinutes)), call, o);
  }

  for (const iv of agentIntervals) {
    if (iv.state === 'offline' || !(iv.to > iv.from)) continue;
    const busy = iv.state === 'on_call' || iv.state === 'wrap_up';
    const tallies = [total, at(byAgent, iv.agentId)];
    for (const t of tallies) {
      t.loggedInMs += iv.to - iv.from;
      if (busy) t.busyMs += iv.to - iv.from;
    }
    for (let h = hourStart(iv.from, o.utcOffsetMinutes); h < iv.to; h += HOUR) {
      const span = Math.min(iv.to, h + HOUR) - Math.max(iv.from, h);
      const t = at(byHour, h);
      t.loggedInMs += span;
      if (busy) t.busyMs += span;
    }
  }

  const record = <K>(m: Map<K, Tally>): Record<string, ServiceLevelFigures> =>
    Object.fromEntries([...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, t]) => [String(k), figures(t, o)]));
  return { total: figures(total, o), byLine: record(byLine), byQueue: record(byQueue), byAgent: record(byAgent), byHour: record(byHour) };
}

/**
 * `serviceLevelReport` kept up to date as calls end and agent intervals close, for a board that asks
 * for the figures of a growing period many times: each call and each closed interval is counted once,
 * when it is added; `report` adds the intervals still open (each agent's current state, up to now)
 * without keeping them. `report(open)` after `addCall(legs of each call)` and `addInterval(each closed
 * interval)` equals `serviceLevelReport(every leg, closed and open intervals, options)`.
 */
export interface ServiceLevelTally {
  /** One call: all of its legs, counted as `serviceLevelReport` counts them (a call is added once). */
  addCall(legs: readonly CallLeg[]): void;
  /** A closed agent interval (one that will not grow any more). */
  addInterval(iv: AgentInterval): void;
  /** Takes back an interval added before, exactly as it was added (a change written late split it). */
  removeInterval(iv: AgentInterval): void;
  /**
   * The figures so far, with `open` (intervals still growing) counted for this report only. With
   * `{ byAgent: false }` the per-agent table is left empty (a board that refreshes it agent by agent
   * with `agentFigures`), which spares a figure for every agent on every report.
   */
  report(open?: readonly AgentInterval[], what?: { byAgent?: boolean }): ServiceLevelReport;
  /** One agent's figures from the calls and closed intervals added so far (open intervals not counted). */
  agentFigures(agentId: string): ServiceLevelFigures | undefined;
}

/** The tallies an interval adds to: the whole, its agent, and each hour it overlaps. */
function addIntervalTo(iv: AgentInterval, total: Tally, agent: () => Tally, hour: (h: number) => Tally, o: ServiceLevelOptions, sign = 1): void {
  if (iv.state === 'offline' || !(iv.to > iv.from)) return;
  const busy = iv.state === 'on_call' || iv.state === 'wrap_up';
  const length = sign * (iv.to - iv.from);
  total.loggedInMs += length;
  if (busy) total.busyMs += length;
  const a = agent();
  a.loggedInMs += length;
  if (busy) a.busyMs += length;
  for (let h = hourStart(iv.from, o.utcOffsetMinutes); h < iv.to; h += HOUR) {
    const span = sign * (Math.min(iv.to, h + HOUR) - Math.max(iv.from, h));
    const t = hour(h);
    t.loggedInMs += span;
    if (busy) t.busyMs += span;
  }
}

export function createServiceLevelTally(options: Partial<ServiceLevelOptions> = {}): ServiceLevelTally {
  const o = { ...DEFAULT_SERVICE_LEVEL_OPTIONS, ...options };
  const total = newTally();
  const byLine = new Map<string, Tally>();
  const byQueue = new Map<string, Tally>();
  const byAgent = new Map<string, Tally>();
  const byHour = new Map<number, Tally>();
  /** Bumped whenever a key comes or goes, for the sorted keys to be kept between reports. */
  let keysVersion = 0;
  const at = <K>(m: Map<K, Tally>, k: K): Tally => {
    let t = m.get(k);
    if (t === undefined) { m.set(k, (t = newTally())); keysVersion++; }
    return t;
  };
  const sorted = new Map<Map<unknown, Tally>, { version: number; keys: unknown[] }>();
  const byKey = (a: unknown, b: unknown): number => ((a as string) < (b as string) ? -1 : 1);
  const record = <K>(m: Map<K, Tally>, extra: Map<K, Tally>): Record<string, ServiceLevelFigures> => {
    let kept = sorted.get(m);
    if (kept?.version !== keysVersion) sorted.set(m, (kept = { version: keysVersion, keys: [...m.keys()].sort(byKey) }));
    let keys = kept.keys as K[];
    for (const k of extra.keys()) {
      if (!m.has(k)) { keys = [...new Set([...m.keys(), ...extra.keys()])].sort(byKey); break; }
    }
    const out: Record<string, ServiceLevelFigures> = {};
    for (const k of keys) out[String(k)] = figures(extra.get(k) ?? m.get(k)!, o);
    return out;
  };
  const none = new Map<never, Tally>();
  /** How many intervals each agent's and hour's tally holds: one left with neither calls nor intervals is dropped, as if never added. */
  const spans = new Map<Tally, number>();
  const counting = <K>(m: Map<K, Tally>, k: K, by: number) => (): Tally => {
    const t = at(m, k);
    spans.set(t, (spans.get(t) ?? 0) + by);
    return t;
  };
  const dropEmpty = <K>(m: Map<K, Tally>, k: K): void => {
    const t = m.get(k);
    if (t !== undefined && t.arrived === 0 && !spans.get(t)) { m.delete(k); spans.delete(t); keysVersion++; }
  };

  return {
    addCall(legs) {
      if (legs.length === 0) return;
      for (const leg of legs) {
        add(at(byQueue, leg.queueId), legCounted(leg), o);
        if (leg.agentId !== undefined) add(at(byAgent, leg.agentId), legCounted(leg), o);
      }
      const call = callCounted(legs);
      add(total, call, o);
      add(at(byLine, call.line), call, o);
      add(at(byHour, hourStart(call.arrivedAt, o.utcOffsetMinutes)), call, o);
    },
    addInterval(iv) {
      addIntervalTo(iv, total, counting(byAgent, iv.agentId, 1), (h) => counting(byHour, h, 1)(), o);
    },
    removeInterval(iv) {
      const hours: number[] = [];
      addIntervalTo(iv, total, counting(byAgent, iv.agentId, -1), (h) => { hours.push(h); return counting(byHour, h, -1)(); }, o, -1);
      dropEmpty(byAgent, iv.agentId);
      for (const h of hours) dropEmpty(byHour, h);
    },
    report(open = [], what = {}) {
      const withAgents = what.byAgent !== false;
      // the open intervals go to copies of the few tallies they touch
      let totalNow = total;
      const agents = new Map<string, Tally>();
      const scratch = newTally();
      const hours = new Map<number, Tally>();
      const copyOf = <K>(m: Map<K, Tally>, copies: Map<K, Tally>, k: K): Tally => {
        let t = copies.get(k);
        if (t === undefined) {
          const kept = m.get(k);
          copies.set(k, (t = kept ? { ...kept } : newTally()));
        }
        return t;
      };
      for (const iv of open) {
        if (iv.state === 'offline' || !(iv.to > iv.from)) continue;
        if (totalNow === total) totalNow = { ...total };
        addIntervalTo(iv, totalNow, withAgents ? () => copyOf(byAgent, agents, iv.agentId) : () => scratch, (h) => copyOf(byHour, hours, h), o);
      }
      return {
        total: figures(totalNow, o), byLine: record(byLine, none), byQueue: record(byQueue, none),
        byAgent: withAgents ? record(byAgent, agents) : {}, byHour: record(byHour, hours),
      };
    },
    agentFigures(agentId) {
      const t = byAgent.get(agentId);
      return t === undefined ? undefined : figures(t, o);
    },
  };
}
