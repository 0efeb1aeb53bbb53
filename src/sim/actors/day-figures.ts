import type { Bus } from '../../bus.ts';
import type { ErlangForecast } from '../../domain/acd/erlang.ts';
import type { Database } from '../../store/database.ts';

const HOUR = 3_600_000;
const BUSY = new Set(['ringing', 'on_call', 'wrap_up']);

export interface OccupancyTracker {
  /** Busy and logged-in agent-ms of one hour. */
  hour(h: number): { busyMs: number; loggedInMs: number };
  finish(at: number): void;
}

/** Agent time per hour from the agents' state changes: logged in = every state but offline; busy = ringing, on a call, wrapping up. */
export function createOccupancyTracker(bus: Bus, dayStart: number, hours: number): OccupancyTracker {
  const busy = new Float64Array(hours);
  const loggedIn = new Float64Array(hours);
  const last = new Map<string, { state: string; since: number }>();

  function add(state: string, from: number, to: number): void {
    if (state === 'offline' || !(to > from)) return;
    for (let h = Math.max(0, Math.floor((from - dayStart) / HOUR)); h < hours; h++) {
      const start = dayStart + h * HOUR;
      if (start >= to) break;
      const span = Math.min(to, start + HOUR) - Math.max(from, start);
      if (span <= 0) continue;
      loggedIn[h]! += span;
      if (BUSY.has(state)) busy[h]! += span;
    }
  }

  bus.subscribe('agent.state', ({ agentId, state, since }) => {
    const before = last.get(agentId);
    if (before) add(before.state, before.since, since);
    last.set(agentId, { state, since });
  });

  return {
    hour: (h) => ({ busyMs: busy[h] ?? 0, loggedInMs: loggedIn[h] ?? 0 }),
    finish(at) {
      for (const [agentId, s] of last) { add(s.state, s.since, at); last.set(agentId, { state: s.state, since: at }); }
    },
  };
}

export interface HourFigures {
  hour: number;
  staffed: number;
  offered: number;
  answered: number;
  within15: number;
  abandoned: number;
  /** Hung up before reaching the queue (during the greeting): not offered. */
  shortAbandoned: number;
  serviceLevel: number | null;
  answerRate: number | null;
  asaSeconds: number | null;
  occupancy: number | null;
  erlangServiceLevel: number | null;
  erlangAsaSeconds: number | null;
  erlangOccupancy: number | null;
}

interface Row { id: string; arrived_at: number; queued_at: number | null; answered_at: number | null }

/** Per-hour figures from the calls table (wait counted from entering the queue), beside Erlang C for that hour's offered calls and staff. */
export function hourlyFigures(input: {
  db: Database; dayStart: number; hoursCount: number; staffedByHour: readonly number[]; occupancy: OccupancyTracker;
  estimates: ReadonlyMap<string, number>; erlang: (offered: number, staffed: number) => ErlangForecast;
}): { hours: HourFigures[]; total: HourFigures; estimateErrors: number[]; waitedErrors: number[] } {
  const { dayStart, hoursCount } = input;
  const tallies = Array.from({ length: hoursCount }, () => ({ offered: 0, answered: 0, within: 0, abandoned: 0, short: 0, waitMs: 0 }));
  const estimateErrors: number[] = [];
  /** The same, for callers who actually waited 10 s or more. */
  const waitedErrors: number[] = [];
  for (const r of input.db.prepare('SELECT id, arrived_at, queued_at, answered_at FROM calls').iterate() as Iterable<Row>) {
    const h = Math.floor(((r.queued_at ?? r.arrived_at) - dayStart) / HOUR);
    const t = tallies[h];
    if (!t) continue;
    if (r.queued_at === null) { t.short++; continue; }
    t.offered++;
    if (r.answered_at === null) { t.abandoned++; continue; }
    const wait = r.answered_at - r.queued_at;
    t.answered++;
    t.waitMs += wait;
    if (wait <= 15_000) t.within++;
    const estimate = input.estimates.get(r.id);
    if (estimate !== undefined && Number.isFinite(estimate)) {
      estimateErrors.push(estimate - wait / 1000);
      if (wait >= 10_000) waitedErrors.push(estimate - wait / 1000);
    }
  }
  const hours: HourFigures[] = tallies.map((t, h) => {
    const staffed = input.staffedByHour[h] ?? 0;
    const occ = input.occupancy.hour(h);
    const e = t.offered > 0 ? input.erlang(t.offered, staffed) : undefined;
    return {
      hour: h, staffed, offered: t.offered, answered: t.answered, within15: t.within, abandoned: t.abandoned, shortAbandoned: t.short,
      serviceLevel: t.offered ? t.within / t.offered : null,
      answerRate: t.offered ? t.answered / t.offered : null,
      asaSeconds: t.answered ? t.waitMs / t.answered / 1000 : null,
      occupancy: occ.loggedInMs > 0 ? occ.busyMs / occ.loggedInMs : null,
      erlangServiceLevel: e ? e.serviceLevel : null,
      erlangAsaSeconds: e ? e.asaSeconds : null,
      erlangOccupancy: e ? e.occupancy : null,
    };
  });
  const sum = (f: (x: HourFigures) => number): number => hours.reduce((a, x) => a + f(x), 0);
  const offered = sum((x) => x.offered);
  const answered = sum((x) => x.answered);
  const weighted = (f: (x: HourFigures) => number | null): number | null =>
    offered > 0 ? sum((x) => (x.offered > 0 ? (f(x) ?? 0) * x.offered : 0)) / offered : null;
  let busyMs = 0;
  let loggedInMs = 0;
  for (let h = 0; h < hoursCount; h++) { const o = input.occupancy.hour(h); busyMs += o.busyMs; loggedInMs += o.loggedInMs; }
  const total: HourFigures = {
    hour: -1, staffed: Math.max(...hours.map((x) => x.staffed)), offered, answered, within15: sum((x) => x.within15),
    abandoned: sum((x) => x.abandoned), shortAbandoned: sum((x) => x.shortAbandoned),
    serviceLevel: offered ? sum((x) => x.within15) / offered : null,
    answerRate: offered ? answered / offered : null,
    asaSeconds: answered ? sum((x) => (x.asaSeconds ?? 0) * x.answered) / answered : null,
    occupancy: loggedInMs > 0 ? busyMs / loggedInMs : null,
    erlangServiceLevel: weighted((x) => x.erlangServiceLevel),
    erlangAsaSeconds: weighted((x) => x.erlangAsaSeconds),
    erlangOccupancy: weighted((x) => x.erlangOccupancy),
  };
  return { hours, total, estimateErrors, waitedErrors };
}
