import type { Bus } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import { hourStart } from '../../domain/acd/service-level.ts';
import type { CallLeg, ServiceLevelFigures, ServiceLevelOptions, ServiceLevelReport } from '../../domain/acd/service-level.ts';
import type { AgentView } from '../agents/agents.service.ts';
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
  const grid = createAgentGrid();
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
    for (const leg of source.legs(keepFrom(now), now + 1)) { legs.push(leg); counted.add(leg.callId); }
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
      counted.add(callId);
    }
    ended.clear();
    const from = keepFrom(now);
    if (legs.length > 0 && legs.some((l) => l.arrivedAt < from)) {
      legs = legs.filter((l) => l.arrivedAt >= from);
      counted.clear();
      for (const l of legs) counted.add(l.callId);
    }
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
  function hoursBeforeToday(inRange: CallLeg[], from: number, to: number, now: number): ServiceLevelReport {
    const key = `${from}:${to}:${inRange.length}`;
    if (earlier?.key !== key) earlier = { key, report: serviceLevel.fromLegs(inRange, from, to, now, false) };
    return earlier.report;
  }

  function build(now: number): WallboardSnapshot {
    foldEnded(now);
    for (const a of deps.agents.list()) if (!grid.get(a.id)) seeAgent(a);
    const dayFrom = dayStartOf(now);
    const hourFrom = hourStart(now, serviceLevel.options.utcOffsetMinutes);
    const historyFrom = hourFrom - (historyHours - 1) * HOUR;
    const within = (from: number, to = now) => legs.filter((l) => l.arrivedAt >= from && l.arrivedAt < to);
    const today: ServiceLevelReport = serviceLevel.fromLegs(within(dayFrom), dayFrom, now, now);
    const hour: ServiceLevelReport = serviceLevel.fromLegs(within(hourFrom), hourFrom, now, now);
    const before = historyFrom < dayFrom ? hoursBeforeToday(within(historyFrom, dayFrom), historyFrom, dayFrom, now) : undefined;
    grid.applyFigures(today.byAgent);

    const row = (key: string, name: string, pick: (r: ServiceLevelReport) => ServiceLevelFigures | undefined, match: (c: LiveCall) => boolean): BoardRow => ({
      key, name, ...waitingOf(match), today: pick(today) ?? EMPTY_FIGURES, hour: pick(hour) ?? EMPTY_FIGURES,
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
    /** Called on every change; the socket coalesces them into frames. */
    onChange(fn: () => void): () => void { listeners.add(fn); return () => { listeners.delete(fn); }; },
    close(): void { for (const off of unsubscribe) off(); listeners.clear(); },
  };
}
