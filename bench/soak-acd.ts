/**
 * 30 arrivals/s with 7,500 simulated seats through the real agents and calls services and the ACD,
 * over the in-process simulator. Ten minutes of traffic run in VIRTUAL time (AHT 150 s, patience
 * 60 s); then a REAL-TIME stretch at the same arrival rate (short talk times so it drains) measures
 * event-loop lag with monitorEventLoopDelay. Peak RSS covers both; leaks are counted after each.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { realClock } from '../src/clock.ts';
import type { Clock } from '../src/clock.ts';
import { loadConfig } from '../src/config/config.ts';
import { startHotlineCore } from '../src/sim/actors/hotline-core.ts';
import type { HotlineCore } from '../src/sim/actors/hotline-core.ts';
import { startDayCallers } from '../src/sim/actors/day-traffic.ts';
import { exponential } from '../src/sim/actors/callers.ts';
import { CALL_HANDLING_EVENTS, SimulationClock } from '../src/sim/in-process.ts';
import { createPrng } from '../src/sim/prng.ts';

const SEATS = Number(process.env.SOAK_SEATS ?? 7_500);
const RATE = 30;
const VIRTUAL_MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const REAL_SECONDS = Number(process.env.SOAK_REAL_SECONDS ?? 30);

async function rig(clock: Clock, talkMeanMs: number, seed: number): Promise<HotlineCore> {
  const config = loadConfig({ env: {}, values: { log: { level: 'silent' }, agents: { wrapUpSeconds: 5 }, lines: [{ number: '12345', wrapUpSeconds: 5 }] } });
  const core = await startHotlineCore({ config, clock, log: pino({ level: 'silent' }), seed, eventTypes: CALL_HANDLING_EVENTS, sounds: { 'sound:hotline/greeting': 2000 } });
  const prng = createPrng(seed);
  const phone = () => ({ mode: 'answer' as const, ringMs: 500, talkMs: Math.max(1000, Math.round(exponential(prng, talkMeanMs))) });
  await core.addAgents(SEATS, { phone });
  core.bus.subscribe('agent.pop', ({ agentId }) => {
    const seat = core.agents.seatOf(agentId);
    if (seat) core.sim.control.setPhoneBehaviour(seat, phone());
  });
  return core;
}

function leaks(core: HotlineCore): { channels: number; bridges: number; stuck: number } {
  return {
    channels: core.sim.control.channels().length,
    bridges: core.sim.control.bridges().length,
    stuck: core.agents.list().filter((a) => a.state === 'ringing' || a.state === 'on_call').length,
  };
}

export async function benchAcdLoad(): Promise<Record<string, number | string>> {
  let peakRss = process.memoryUsage().rss;
  const sample = (): void => { peakRss = Math.max(peakRss, process.memoryUsage().rss); };
  const sampler = setInterval(sample, 200);

  const clock = new SimulationClock();
  const virtual = await rig(clock, 140_000, 11);
  const started = performance.now();
  const callers = startDayCallers({
    control: virtual.sim.control, clock, prng: createPrng(12), dayStart: clock.now(), rates: [RATE], lines: ['12345'],
    patienceMs: 60_000, isTalking: (id) => virtual.sim.isTalking(id),
  });
  const end = clock.now() + VIRTUAL_MINUTES * 60_000;
  let moments = 0;
  await clock.runUntil(end, () => virtual.sim.settle(), () => { if (++moments % 5000 === 0) sample(); });
  callers.stop();
  const placedVirtual = callers.placed();
  for (let i = 0; i < 20 && virtual.calls.live().length > 0; i++) await clock.runUntil(clock.now() + 120_000, () => virtual.sim.settle());
  const virtualWallMs = performance.now() - started;
  const virtualLeaks = leaks(virtual);
  await virtual.close();
  sample();

  const live = await rig(realClock, 6_000, 21);
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const realCallers = startDayCallers({
    control: live.sim.control, clock: realClock, prng: createPrng(22), dayStart: realClock.now(), rates: [RATE], lines: ['12345'],
    patienceMs: 60_000, isTalking: (id) => live.sim.isTalking(id),
  });
  await new Promise((r) => setTimeout(r, REAL_SECONDS * 1000));
  realCallers.stop();
  lag.disable();
  const until = Date.now() + 60_000;
  while (live.calls.live().length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  const realLeaks = leaks(live);
  await live.close();
  clearInterval(sampler);
  sample();

  return {
    'seats': SEATS,
    'arrivals per second': RATE,
    'virtual: minutes of traffic (AHT 150 s, patience 60 s)': VIRTUAL_MINUTES,
    'virtual: calls placed': placedVirtual,
    'virtual: wall time (s)': virtualWallMs / 1000,
    'virtual: leaked channels / bridges / stuck agents': `${virtualLeaks.channels} / ${virtualLeaks.bridges} / ${virtualLeaks.stuck}`,
    'real time: seconds at 30 arrivals/s (talk ~6 s)': REAL_SECONDS,
    'real time: calls placed': realCallers.placed(),
    'real time: event-loop lag p50 (ms)': lag.percentile(50) / 1e6,
    'real time: event-loop lag p99 (ms, target <= 50)': lag.percentile(99) / 1e6,
    'real time: event-loop lag max (ms)': lag.max / 1e6,
    'real time: leaked channels / bridges / stuck agents': `${realLeaks.channels} / ${realLeaks.bridges} / ${realLeaks.stuck}`,
    'peak RSS (MB, target <= 1024)': peakRss / 1024 / 1024,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchAcdLoad();
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(60)} ${typeof v === 'number' ? v.toFixed(2) : v}`);
}
