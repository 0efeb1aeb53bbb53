import type { Bus } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import { activityOf, createServiceLevelTally, hourStart } from '../../domain/acd/service-level.ts';
import type { AgentInterval, CallLeg, ServiceLevelFigures, ServiceLevelOptions, ServiceLevelReport, ServiceLevelTally } from '../../domain/acd/service-level.ts';
import type { AgentView } from '../agents/agents.service.ts';
import { agentStateChangesOf } from '../service-level/agent-state-log.ts';
import type { AgentStateLogRow } from '../service-level/agent-state-log.ts';
import type { CallLegSource } from '../service-level/service-level.source.ts';
import { EMPTY_FIGURES } from '../service-level/service-level.service.ts';
import type { ServiceLevelService } from '../service-level/service-level.service.ts';
import { dayStartOf } from '../service-level/service-level.schemas.ts';
import { createAgentGrid } from './agent-grid.ts';
import type { AgentRow } from './agent-grid.ts';

const HOUR = 3_600_000;
const WAITING_STATES = new Set(['queued', 'offering']);

/** One line, one desk, or the whole hotline on the board. `longestWaitSince` lets the screen tick the wait itself. */
export interface BoardRow {
  key: string;
  name: string;
  waiting: number;
  longestWaitSince: number | null;
  today: ServiceLevelFigures;
  hour: ServiceLevelFigures;
}

export interface HourPoint {
  hour: number;
  offered: number;
  answered: number;
  abandoned: number;
  rate15: number | null;
  answerRate: number | null;
  asaSeconds: number | null;
}

export interface WallboardSnapshot {
  at: number;
  day: { from: number; to: number };
  hour: { from: number; to: number };
  options: ServiceLevelOptions;
  total: BoardRow;
  lines: BoardRow[];
  desks: BoardRow[];
  agents: { total: number; byState: Record<string, number> };
  history: HourPoint[];
}

interface LiveCall { line: string; queueId: string; state: string; arrivedAt: number }

/** An agent state change (a row of the state log) as the board counts it. */
interface Held { id: number; state: string; since: number }

/** Whether `a` comes after `b` in an agent's history: by `since`, ties by id (the log's order). */
const after = (a: Held, b: Held): boolean => a.since > b.since || (a.since === b.since && a.id > b.id);

/** A report's figures with occupancy taken from another report of the same period (calls from one, agent time from the other). */
function withOccupancy(calls: ServiceLevelReport, occ: ServiceLevelReport): ServiceLevelReport {
  const rows = (c: Readonly<Record<string, ServiceLevelFigures>>, o: Readonly<Record<string, ServiceLevelFigures>>) => {
    const out: Record<string, ServiceLevelFigures> = {};
    for (const [k, f] of Object.entries(c)) out[k] = { ...f, occupancy: o[k]?.occupancy ?? null };
    for (const [k, f] of Object.entries(o)) if (!(k in out)) out[k] = { ...EMPTY_FIGURES, occupancy: f.occupancy };
    return out;
  };
  return {
    total: { ...calls.total, occupancy: occ.total.occupancy },
    byLine: calls.byLine, byQueue: calls.byQueue, byAgent: rows(calls.byAgent, occ.byAgent), byHour: rows(calls.byHour, occ.byHour),
  };
}

export interface WallboardDeps {
  bus: Bus;
  clock: Clock;
  source: CallLegSource;
  serviceLevel: ServiceLevelService;
  agents: { list(): AgentView[]; get(agentId: string): AgentView | undefined };
  /** The calls the service holds when the wallboard starts. */
  liveCalls?: () => Array<{ id: string; line: string; state: string; arrivedAt: number }>;
  historyHours?: number;
}

export type Wallboard = ReturnType<typeof createWallboard>;

/**
 * Folds what the bus says (calls changing state, agents changing state, pops) into the board: who
 * waits now, the service level of today and of this hour per line and desk, the agents by state and
 * the grid. An ended call is counted from its row (the same leg the service-level API counts), read
 * when the board is next refreshed.
 */
export function createWallboard(deps: WallboardDeps) {
  const { clock, source, serviceLevel } = deps;
  const { directory } = source;
  const historyHours = deps.historyHours ?? 12;
  const live = new Map<string, LiveCall>();
  const ended = new Set<string>();
  const counted = new Set<string>();
  let legs: CallLeg[] = [];
  /** The earliest arrival among `legs`. */
  let oldest = Infinity;
  /** Bumped whenever the legs before today change (a call of yesterday ending today, a prune): the morning's history is counted again. */
  let beforeVersion = 0;
  /** Legs held but not yet in the tallies: a call is counted once the clock has passed its arrival. */
  let unseen: CallLeg[] = [];
  /** Today's figures and this hour's, each call and each closed agent interval counted once, as it comes. */
  let day: { from: number; tally: ServiceLevelTally } | undefined;
  let hour: { from: number; tally: ServiceLevelTally } | undefined;
  /** The agent state history followed row by row, when the source keeps one in the database: each agent's changes of today (after the one
   *  in force at midnight) in the log's order, the last row read, and changes whose time has not come yet. */
  let occ: { lastId: number; held: Map<string, Held[]>; later: AgentStateLogRow[] } | undefined;
  let lastNow = -Infinity;
  const grid = createAgentGrid();
  /** Agents whose answered calls were counted since the grid's figures were last refreshed; undefined: every agent (the day was counted again). */
  let figuresDue: Set<string> | undefined;
  const listeners = new Set<() => void>();
  let dirty = true;
  let latest: WallboardSnapshot | undefined;

  const keepFrom = (now: number) => Math.min(dayStartOf(now), hourStart(now, serviceLevel.options.utcOffsetMinutes) - (historyHours - 1) * HOUR);

  function changed(): void {
    dirty = true;
    for (const fn of listeners) fn();
  }

  function seeAgent(view: AgentView | undefined): void {
    if (view) grid.put(view);
  }

  for (const a of deps.agents.list()) seeAgent(a);
  for (const c of deps.liveCalls?.() ?? []) {
    if (c.state !== 'ended') live.set(c.id, { line: c.line, queueId: directory.queueOf(c.line), state: c.state, arrivedAt: c.arrivedAt });
  }
  {
    const now = clock.now();
    for (const leg of source.legs(keepFrom(now), now + 1)) { legs.push(leg); counted.add(leg.callId); oldest = Math.min(oldest, leg.arrivedAt); }
  }

  const unsubscribe = [
    deps.bus.subscribe('call.changed', ({ callId, state, line, at }) => {
      if (state === 'ended') {
        live.delete(callId);
        ended.add(callId);
      } else {
        const c = live.get(callId);
        if (c) c.state = state;
        else live.set(callId, { line, queueId: directory.queueOf(line), state, arrivedAt: at });
      }
      changed();
    }),
    deps.bus.subscribe('agent.state', ({ agentId }) => { seeAgent(deps.agents.get(agentId)); changed(); }),
    deps.bus.subscribe('agent.pop', ({ agentId, pop }) => { grid.popped(agentId, pop); changed(); }),
    deps.bus.subscribe('agent.call_ended', ({ agentId, callId }) => { grid.callEnded(agentId, callId); changed(); }),
  ];

  function foldEnded(now: number): void {
    for (const callId of ended) {
      if (counted.has(callId)) continue;
      const leg = source.leg(callId);
      if (!leg) continue;
      legs.push(leg);
      unseen.push(leg);
      counted.add(callId);
      oldest = Math.min(oldest, leg.arrivedAt);
    }
    ended.clear();
    // the legs dropped here arrived before today: they were never in today's or this hour's tally
    const from = keepFrom(now);
    if (oldest < from) {
      legs = legs.filter((l) => l.arrivedAt >= from);
      counted.clear();
      oldest = Infinity;
      for (const l of legs) { counted.add(l.callId); oldest = Math.min(oldest, l.arrivedAt); }
      beforeVersion++;
    }
  }

  /** A leg into today's and this hour's tallies, once its arrival is past (the period runs to `now`, excluded). */
  function count(leg: CallLeg, now: number, keep: CallLeg[]): void {
    if (leg.arrivedAt >= now) { keep.push(leg); return; }
    if (leg.arrivedAt < day!.from) { beforeVersion++; return; }
    day!.tally.addCall([leg]);
    if (leg.agentId !== undefined) figuresDue?.add(leg.agentId);
    if (leg.arrivedAt >= hour!.from) hour!.tally.addCall([leg]);
  }

  /** The occupancy source the board can follow row by row: the source's own state log, when it is one. */
  const follow = (from: number, now: number, afterId?: number) => (source.activity ? agentStateChangesOf(source.activity, from, now, afterId) : undefined);

  /**
   * Takes agent state changes into today's tally: an agent's interval closes when its next change
   * comes (each agent's changes of the day are kept in the log's order). A change after `now` waits
   * until its time. A change that comes before one already counted (written late) splits the interval
   * it falls in: that one is taken back and its two parts counted.
   */
  function takeChanges(rows: AgentStateLogRow[], now: number): void {
    const o = occ!;
    const dayFrom = day!.from;
    const interval = (agentId: string, c: Held, to: number): AgentInterval => ({ agentId, state: activityOf(c.state), from: Math.max(c.since, dayFrom), to });
    const ready = o.later.length > 0 ? [...o.later, ...rows].sort((a, b) => a.since - b.since || a.id - b.id) : rows;
    o.later = [];
    for (const r of ready) {
      if (r.since > now) { o.later.push(r); continue; }
      const list = o.held.get(r.agentId);
      if (list === undefined) { o.held.set(r.agentId, [r]); continue; }
      const last = list[list.length - 1]!;
      if (after(r, last)) {
        day!.tally.addInterval(interval(r.agentId, last, r.since));
        list.push(r);
        continue;
      }
      let at = list.length - 1;
      while (at > 0 && after(list[at - 1]!, r)) at--;
      const next = list[at]!;
      const prev = list[at - 1];
      if (prev !== undefined) {
        day!.tally.removeInterval(interval(r.agentId, prev, next.since));
        day!.tally.addInterval(interval(r.agentId, prev, r.since));
      }
      day!.tally.addInterval(interval(r.agentId, r, next.since));
      list.splice(at, 0, r);
    }
  }

  /** Today counted again from the legs held and the state log: a new day, the clock set back, or a log that can no longer be followed. */
  function countDay(now: number): void {
    const dayFrom = dayStartOf(now);
    day = { from: dayFrom, tally: createServiceLevelTally(serviceLevel.options) };
    hour = { from: hourStart(now, serviceLevel.options.utcOffsetMinutes), tally: createServiceLevelTally(serviceLevel.options) };
    figuresDue = undefined;
    const keep: CallLeg[] = [];
    for (const leg of legs) if (leg.arrivedAt >= dayFrom) count(leg, now, keep);
    unseen = keep;
    beforeVersion++;
    const start = follow(dayFrom, now);
    occ = start ? { lastId: start.lastId, held: new Map(), later: [] } : undefined;
    if (start) takeChanges(start.rows, now);
  }

  /** Today's figures at `now`, each call and change of the day counted once over the day, not once a frame. */
  function todayAt(now: number): ServiceLevelReport {
    const dayFrom = dayStartOf(now);
    const hourFrom = hourStart(now, serviceLevel.options.utcOffsetMinutes);
    if (day?.from !== dayFrom || now < lastNow) countDay(now);
    else {
      const keep: CallLeg[] = [];
      for (const leg of unseen) count(leg, now, keep);
      unseen = keep;
      if (hour!.from !== hourFrom) {
        hour = { from: hourFrom, tally: createServiceLevelTally(serviceLevel.options) };
        for (const leg of legs) if (leg.arrivedAt >= hourFrom && leg.arrivedAt < now) hour.tally.addCall([leg]);
      }
      if (occ) {
        const next = follow(dayFrom, now, occ.lastId);
        if (next === undefined) countDay(now);
        else {
          occ.lastId = next.lastId;
          takeChanges(next.rows, now);
        }
      }
    }
    lastNow = now;
    if (occ === undefined) return withOccupancy(day!.tally.report(), serviceLevel.fromLegs([], dayFrom, now, now));
    const open: AgentInterval[] = [];
    for (const [agentId, list] of occ.held) {
      const held = list[list.length - 1]!;
      const from = Math.max(held.since, dayFrom);
      if (now > from) open.push({ agentId, state: activityOf(held.state), from, to: now });
    }
    return day!.tally.report(open, { byAgent: false });
  }

  function waitingOf(match: (c: LiveCall) => boolean): { waiting: number; longestWaitSince: number | null } {
    let waiting = 0;
    let oldest: number | null = null;
    for (const c of live.values()) {
      if (!WAITING_STATES.has(c.state) || !match(c)) continue;
      waiting++;
      if (oldest === null || c.arrivedAt < oldest) oldest = c.arrivedAt;
    }
    return { waiting, longestWaitSince: oldest };
  }

  /**
   * The chart's hours before midnight (the morning's history), kept until a call of those hours ends:
   * today's hours come from today's figures, so a frame counts the day's calls once, not twice.
   */
  let earlier: { key: string; report: ServiceLevelReport } | undefined;
  function hoursBeforeToday(from: number, to: number, now: number): ServiceLevelReport {
    const key = `${from}:${to}:${beforeVersion}`;
    if (earlier?.key !== key) {
      const inRange = legs.filter((l) => l.arrivedAt >= from && l.arrivedAt < to);
      earlier = { key, report: serviceLevel.fromLegs(inRange, from, to, now, false) };
    }
    return earlier.report;
  }

  function build(now: number): WallboardSnapshot {
    foldEnded(now);
    for (const a of deps.agents.list()) if (!grid.get(a.id)) seeAgent(a);
    const dayFrom = dayStartOf(now);
    const hourFrom = hourStart(now, serviceLevel.options.utcOffsetMinutes);
    const historyFrom = hourFrom - (historyHours - 1) * HOUR;
    const today: ServiceLevelReport = todayAt(now);
    // this hour's calls from their own tally; its occupancy is today's for this hour (the same intervals, clipped alike)
    const hourCalls = hour!.tally.report([], { byAgent: false });
    const hourNow: ServiceLevelReport = { ...hourCalls, total: { ...hourCalls.total, occupancy: today.byHour[String(hourFrom)]?.occupancy ?? null } };
    const before = historyFrom < dayFrom ? hoursBeforeToday(historyFrom, dayFrom, now) : undefined;
    const tally = day!.tally;
    grid.applyFigures((agentId) => tally.agentFigures(agentId), figuresDue);
    figuresDue = new Set();

    const row = (key: string, name: string, pick: (r: ServiceLevelReport) => ServiceLevelFigures | undefined, match: (c: LiveCall) => boolean): BoardRow => ({
      key, name, ...waitingOf(match), today: pick(today) ?? EMPTY_FIGURES, hour: pick(hourNow) ?? EMPTY_FIGURES,
    });
    const history: HourPoint[] = [];
    for (let h = historyFrom; h <= hourFrom; h += HOUR) {
      const f = (h < dayFrom ? before?.byHour : today.byHour)?.[String(h)] ?? EMPTY_FIGURES;
      history.push({ hour: h, offered: f.offered, answered: f.answered, abandoned: f.abandoned, rate15: f.rate15, answerRate: f.answerRate, asaSeconds: f.asaSeconds });
    }
    return {
      at: now,
      day: { from: dayFrom, to: dayFrom + 24 * HOUR },
      hour: { from: hourFrom, to: hourFrom + HOUR },
      options: serviceLevel.options,
      total: row('all', '全部', (r) => r.total, () => true),
      lines: directory.lines.map((l) => row(l.number, l.name, (r) => r.byLine[l.number], (c) => c.line === l.number)),
      desks: directory.desks.map((d) => row(d.id, d.name, (r) => r.byQueue[d.id], (c) => c.queueId === d.id)),
      agents: { total: grid.size(), byState: grid.byState() },
      history,
    };
  }

  return {
    /** The board now; recomputed only when something changed (or the hour turned) since the last time. */
    snapshot(): WallboardSnapshot {
      const now = clock.now();
      if (!dirty && latest && hourStart(now, serviceLevel.options.utcOffsetMinutes) === latest.hour.from) return latest;
      dirty = false;
      latest = build(now);
      return latest;
    },
    agents: (): AgentRow[] => grid.all(),
    agent: (agentId: string): AgentRow | undefined => grid.get(agentId),
    takeChangedAgents: (): AgentRow[] => grid.takeChanged(),
    /** Something the bus does not carry changed (the lines and desks in force): the next frame is built again. */
    refresh: changed,
    /** Called on every change; the socket coalesces them into frames. */
    onChange(fn: () => void): () => void { listeners.add(fn); return () => { listeners.delete(fn); }; },
    close(): void { for (const off of unsubscribe) off(); listeners.clear(); },
  };
}
