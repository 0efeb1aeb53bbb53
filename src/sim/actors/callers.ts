import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { Prng } from '../prng.ts';
import type { SimControl } from '../types.ts';
import { createTimerSet } from './timer-set.ts';

export interface CallerSettings {
  lines: string[];
  /** Arrivals per minute on each line (a Poisson process). */
  callsPerMinute: number;
  /** Mean patience: a caller not put through to an agent by then hangs up (exponential). */
  patienceMs: number;
}

export interface SimulatedCallers {
  placed(): number;
  abandoned(): number;
  stop(): void;
}

/** An exponential draw with the given mean. */
export function exponential(prng: Prng, mean: number): number {
  return -Math.log(1 - prng.next()) * mean;
}

/** A plausible mainland mobile number, e.g. 139xxxxxxxx. */
export function citizenNumber(prng: Prng): string {
  const prefixes = ['130', '131', '132', '135', '136', '137', '138', '139', '150', '158', '186', '188'];
  return prefixes[prng.int(prefixes.length)]! + String(prng.int(100_000_000)).padStart(8, '0');
}

/**
 * Citizens calling the hotline's lines: arrivals at a rate per line, each with a patience drawn
 * around the mean. A caller still not talking to an agent when patience runs out hangs up; the
 * talk time is the agent phone's business (see agents.ts).
 */
export function startSimulatedCallers(deps: { control: SimControl; clock: Clock; prng: Prng; log: Logger; settings: CallerSettings }): SimulatedCallers {
  const { control, clock, prng, settings } = deps;
  const log = deps.log.child({ component: 'sim.callers' });
  const timers = createTimerSet(clock);
  const later = timers.later;
  let placed = 0;
  let abandoned = 0;

  function connected(channelId: string): boolean | undefined {
    const channel = control.channels().find((c) => c.id === channelId);
    if (!channel) return undefined;
    return channel.bridgeId !== undefined && control.bridges().some((b) => b.id === channel.bridgeId && b.bridge_type === 'mixing');
  }

  function arrival(line: string): void {
    const result = control.placeCall({ line, from: citizenNumber(prng) });
    placed++;
    if (result.outcome === 'stasis' && result.channelId) {
      const channelId = result.channelId;
      later(() => {
        if (connected(channelId) === false) {
          abandoned++;
          control.remoteHangup(channelId);
        }
      }, exponential(prng, settings.patienceMs));
    } else {
      log.debug({ line, outcome: result.outcome }, 'simulated call not taken');
    }
  }

  function schedule(line: string): void {
    if (settings.callsPerMinute <= 0) return;
    later(() => { arrival(line); schedule(line); }, exponential(prng, 60_000 / settings.callsPerMinute));
  }

  for (const line of settings.lines) schedule(line);
  log.info({ lines: settings.lines, callsPerMinute: settings.callsPerMinute }, 'simulated callers started');

  return {
    placed: () => placed,
    abandoned: () => abandoned,
    stop() {
      timers.stop();
    },
  };
}
