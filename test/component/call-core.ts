import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { SimulationClock } from '../../src/sim/in-process.ts';
import { startHotlineCore } from '../../src/sim/actors/hotline-core.ts';
import type { HotlineCore } from '../../src/sim/actors/hotline-core.ts';

export const GREETING = 'sound:hotline/greeting';

export interface CoreRig {
  core: HotlineCore;
  clock: SimulationClock;
  /** Moves virtual time forward, letting events and promises settle at every moment. */
  run(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** The calls and agents services over the in-process simulator in virtual time, with the given config values. */
export async function startCore(values: Record<string, unknown> = {}, o: { greetingMs?: number; seed?: number } = {}): Promise<CoreRig> {
  const clock = new SimulationClock();
  const config = loadConfig({ env: {}, values: { log: { level: 'silent' }, ...values } });
  const core = await startHotlineCore({
    config, clock, log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), seed: o.seed ?? 7,
    sounds: { [GREETING]: o.greetingMs ?? 1000 },
  });
  return {
    core,
    clock,
    run: (ms) => clock.runUntil(clock.now() + ms, () => core.sim.settle()),
    close: () => core.close(),
  };
}

/** What is left at the end: channels, bridges, calls and agents stuck mid-call. */
export function leftovers(rig: CoreRig): { channels: number; bridges: number; calls: number; stuck: string[] } {
  const { core } = rig;
  return {
    channels: core.sim.control.channels().length,
    bridges: core.sim.control.bridges().length,
    calls: core.calls.live().length,
    stuck: core.agents.list().filter((a) => a.state === 'ringing' || a.state === 'on_call').map((a) => a.id),
  };
}
