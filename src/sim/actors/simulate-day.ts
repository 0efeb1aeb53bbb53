import { loadConfig } from '../../config/config.ts';
import { agentsNeeded, erlangForecast } from '../../domain/acd/erlang.ts';
import { pino } from 'pino';
import { CALL_HANDLING_EVENTS, SimulationClock } from '../in-process.ts';
import { createPrng } from '../prng.ts';
import { exponential } from './callers.ts';
import { hourlyRates, startDayCallers } from './day-traffic.ts';
import { startHotlineCore } from './hotline-core.ts';
import { createOccupancyTracker, hourlyFigures } from './day-figures.ts';
import type { HourFigures } from './day-figures.ts';

export interface DayOptions {
  seats: number;
  callsPerDay: number;
  ahtSeconds: number;
  /** Mean patience in seconds; Infinity for callers who never hang up (Erlang C's assumption). */
  patienceSeconds: number;
  seed: number;
  /** full: every seat staffed all day; forecast: each hour staffed for `targetServiceLevel` (Erlang C), at most `seats`. */
  staffing: 'full' | 'forecast';
  targetServiceLevel: number;
  wrapUpSeconds: number;
  ringSeconds: number;
  greetingSeconds: number;
  hours: number;
  /** daily: the hotline's hourly curve; flat: the same rate all day (stationary, as Erlang C assumes). */
  curve: 'daily' | 'flat';
  onProgress?: (share: number, note: string) => void;
}

export const DEFAULT_DAY: DayOptions = {
  seats: 750, callsPerDay: 36_000, ahtSeconds: 150, patienceSeconds: 60, seed: 1, staffing: 'forecast',
  targetServiceLevel: 0.8, wrapUpSeconds: 10, ringSeconds: 0.5, greetingSeconds: 3, hours: 24, curve: 'daily',
};

export interface DayResult {
  options: DayOptions;
  wallMs: number;
  /** CPU time of this process during the run (user + system), ms: the wall time on a machine of its own. */
  cpuMs: number;
  hours: HourFigures[];
  total: HourFigures;
  /** Simulated minus Erlang C 15-s service level over the day, in points (weighted by offered calls). */
  serviceLevelGapPoints: number;
  /** With the same staff all day: Erlang C at the day's mean offered rate (hourly Erlang C at each hour's count is biased low near full load). */
  erlangAtMeanRate: { serviceLevel: number; asaSeconds: number; occupancy: number } | null;
  maxHourGapPoints: number;
  /** Mean absolute error of the wait estimate given at queue entry against the actual wait of answered calls, s. */
  estimateMaeSeconds: number | null;
  estimateBiasSeconds: number | null;
  /** The same for callers who waited 10 s or more, and how many they were. */
  estimateMaeWaitedSeconds: number | null;
  waitedCalls: number;
  leakedChannels: number;
  leakedBridges: number;
  stuckAgents: number;
  timersFired: number;
}

/** A day of traffic through the real agents and calls services and the ACD, over the in-process simulator, in virtual time. */
export async function simulateDay(partial: Partial<DayOptions> = {}): Promise<DayResult> {
  const o: DayOptions = { ...DEFAULT_DAY, ...partial };
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const clock = new SimulationClock();
  const dayStart = clock.now();
  const dayEnd = dayStart + o.hours * 3_600_000;
  const prng = createPrng(o.seed);
  const config = loadConfig({
    env: {},
    values: {
      lines: [{ number: '12345', wrapUpSeconds: o.wrapUpSeconds }],
      agents: { ringTimeoutSeconds: 20, wrapUpSeconds: o.wrapUpSeconds },
      log: { level: 'silent' },
    },
  });
  const log = pino({ level: 'silent' });
  const core = await startHotlineCore({
    config, clock, log, seed: o.seed + 1, eventTypes: CALL_HANDLING_EVENTS, sounds: { 'sound:hotline/greeting': o.greetingSeconds * 1000 },
  });
  const rates = (o.curve === 'flat' ? hourlyRates(o.callsPerDay).map(() => o.callsPerDay / 86_400) : hourlyRates(o.callsPerDay)).slice(0, o.hours);
  const staffedByHour = rates.map((rate) => o.staffing === 'full'
    ? o.seats
    : Math.min(o.seats, Math.max(2, agentsNeeded(rate, o.ahtSeconds, o.targetServiceLevel, 15))));
  const ringMs = o.ringSeconds * 1000;
  const talkMean = Math.max(1000, (o.ahtSeconds - o.wrapUpSeconds - o.ringSeconds) * 1000);
  const phone = () => ({ mode: 'answer' as const, ringMs, talkMs: Math.max(1000, Math.round(exponential(prng, talkMean))) });

  const pool = await core.addAgents(o.seats, { ready: false, phone });
  for (const id of pool) core.agents.logout(id);
  const occupancy = createOccupancyTracker(core.bus, dayStart, o.hours);

  const leaving = new Set<string>();
  core.bus.subscribe('agent.pop', ({ agentId }) => {
    const seat = core.agents.seatOf(agentId);
    if (seat) core.sim.control.setPhoneBehaviour(seat, phone());
  });
  core.bus.subscribe('agent.state', ({ agentId, state }) => {
    if (!leaving.has(agentId) || (state !== 'wrap_up' && state !== 'ready' && state !== 'paused')) return;
    leaving.delete(agentId);
    clock.setTimeout(() => { core.agents.logout(agentId); }, 0);
  });
  function staff(target: number): void {
    const on = pool.filter((id) => core.agents.get(id)!.state !== 'offline' && !leaving.has(id));
    for (let i = on.length; i < target; i++) {
      const id = pool.find((a) => leaving.has(a)) ?? pool.find((a) => core.agents.get(a)!.state === 'offline');
      if (!id) break;
      if (leaving.delete(id)) continue;
      core.agents.login(id);
      core.agents.setState(id, 'ready');
    }
    const excess = on.length - target;
    if (excess <= 0) return;
    const order = [...on].sort((a, b) => rank(core.agents.get(a)!.state) - rank(core.agents.get(b)!.state));
    for (const id of order.slice(0, excess)) {
      const state = core.agents.get(id)!.state;
      if (state === 'ready' || state === 'paused' || state === 'wrap_up') core.agents.logout(id);
      else leaving.add(id);
    }
  }
  for (let h = 0; h < o.hours; h++) clock.setTimeout(() => staff(staffedByHour[h]!), h * 3_600_000);

  const estimates = new Map<string, number>();
  const freshlyQueued: string[] = [];
  core.bus.subscribe('call.changed', ({ callId, state }) => { if (state === 'queued') freshlyQueued.push(callId); });
  const callers = startDayCallers({
    control: core.sim.control, clock, prng: createPrng(o.seed + 2), dayStart, rates, lines: ['12345'],
    patienceMs: Number.isFinite(o.patienceSeconds) && o.patienceSeconds > 0 ? o.patienceSeconds * 1000 : Number.POSITIVE_INFINITY,
    isTalking: (id) => core.sim.isTalking(id),
  });

  let fired = 0;
  let nextReport = dayStart;
  let moments = 0;
  const inBatches = async (): Promise<void> => {
    await core.sim.settle();
    if (++moments % 1000 === 0) { core.db.exec('COMMIT'); core.db.exec('BEGIN'); }
  };
  core.db.exec('BEGIN');
  await clock.runUntil(dayEnd, inBatches, (now) => {
    fired++;
    for (const id of freshlyQueued) estimates.set(id, core.calls.queue.estimateWait(id) ?? 0);
    freshlyQueued.length = 0;
    if (o.onProgress && now >= nextReport) {
      nextReport = now + 600_000;
      o.onProgress((now - dayStart) / (dayEnd - dayStart), `placed ${callers.placed()} waiting ${core.calls.waiting().length}`);
    }
  });
  core.db.exec('COMMIT');
  callers.stop();
  for (let extra = 0; extra < 12 && core.calls.live().length > 0; extra++) {
    await clock.runUntil(clock.now() + 600_000, () => core.sim.settle());
  }
  for (const id of pool) if (core.agents.get(id)!.state !== 'offline') core.agents.logout(id);
  await core.sim.settle();
  occupancy.finish(Math.max(dayEnd, clock.now()));

  const { hours, total, estimateErrors, waitedErrors } = hourlyFigures({
    db: core.db, dayStart, hoursCount: o.hours, staffedByHour, occupancy, estimates,
    erlang: (offered, staffed) => erlangForecast({ ratePerSecond: offered / 3600, ahtSeconds: o.ahtSeconds, agents: staffed }, 15),
  });
  const gaps = hours.filter((h) => h.offered > 0).map((h) => (h.serviceLevel! - h.erlangServiceLevel!) * 100);
  const result: DayResult = {
    options: o,
    wallMs: performance.now() - started,
    cpuMs: ((c) => (c.user + c.system) / 1000)(process.cpuUsage(cpuAtStart)),
    hours,
    total,
    serviceLevelGapPoints: ((total.serviceLevel ?? 0) - (total.erlangServiceLevel ?? 0)) * 100,
    erlangAtMeanRate: staffedByHour.every((n) => n === staffedByHour[0]) && total.offered > 0
      ? (({ serviceLevel, asaSeconds, occupancy }) => ({ serviceLevel, asaSeconds, occupancy }))(
        erlangForecast({ ratePerSecond: total.offered / (o.hours * 3600), ahtSeconds: o.ahtSeconds, agents: staffedByHour[0]! }, 15))
      : null,
    maxHourGapPoints: gaps.reduce((m, g) => (Math.abs(g) > Math.abs(m) ? g : m), 0),
    estimateMaeSeconds: estimateErrors.length ? estimateErrors.reduce((a, e) => a + Math.abs(e), 0) / estimateErrors.length : null,
    estimateBiasSeconds: estimateErrors.length ? estimateErrors.reduce((a, e) => a + e, 0) / estimateErrors.length : null,
    estimateMaeWaitedSeconds: waitedErrors.length ? waitedErrors.reduce((a, e) => a + Math.abs(e), 0) / waitedErrors.length : null,
    waitedCalls: waitedErrors.length,
    leakedChannels: core.sim.control.channels().length,
    leakedBridges: core.sim.control.bridges().length,
    stuckAgents: core.agents.list().filter((a) => a.state === 'ringing' || a.state === 'on_call').length,
    timersFired: fired,
  };
  await core.close();
  return result;
}

function rank(state: string): number {
  return state === 'ready' ? 0 : state === 'paused' ? 1 : state === 'wrap_up' ? 2 : 3;
}
