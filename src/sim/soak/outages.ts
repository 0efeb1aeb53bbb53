/**
 * Faults of the PBX link during the soak: the ARI events socket drops (with or without a close frame)
 * and the client reconnects and reconciles; now and then Asterisk restarts under every live call.
 * Intervals are exponential, so drops land at every point of a call's life.
 */
import type { Clock, TimerHandle } from '../../clock.ts';
import { exponential } from '../actors/callers.ts';
import type { InProcessSimulator } from '../in-process.ts';
import type { Prng } from '../prng.ts';
import type { Tally } from './tally.ts';

export interface OutageSettings {
  /** Mean virtual time between socket drops; 0 for none. */
  dropEveryMs: number;
  /** Mean virtual time between Asterisk restarts; 0 for none. */
  restartEveryMs: number;
  /** How long ARI is away during a restart (uniform up to this). */
  restartDownMs: number;
}

export interface Outages {
  /** True while a restart is under way (it needs virtual time to finish). */
  restarting(): boolean;
  /** Stops injecting new faults; a restart under way still finishes as the clock moves. */
  stop(): void;
}

export function startOutages(deps: { sim: InProcessSimulator; clock: Clock; prng: Prng; tally: Tally; settings: OutageSettings }): Outages {
  const { sim, clock, prng, tally, settings } = deps;
  let stopped = false;
  let dropTimer: TimerHandle | undefined;
  let restartTimer: TimerHandle | undefined;
  let restarting: Promise<void> | undefined;

  function nextDrop(): void {
    if (stopped || settings.dropEveryMs <= 0) return;
    dropTimer = clock.setTimeout(() => {
      if (!restarting && sim.client.state() === 'connected') {
        const code = prng.next() < 0.5 ? 1000 : 1006;
        tally.add(`events socket drops (${code})`);
        sim.dropEvents(code);
      }
      nextDrop();
    }, Math.round(exponential(prng, settings.dropEveryMs)));
  }

  function nextRestart(): void {
    if (stopped || settings.restartEveryMs <= 0) return;
    restartTimer = clock.setTimeout(() => {
      if (!restarting && sim.client.state() === 'connected') {
        tally.add('Asterisk restarts');
        restarting = sim.restart(Math.round(1000 + prng.next() * Math.max(0, settings.restartDownMs - 1000)))
          .finally(() => { restarting = undefined; });
      }
      nextRestart();
    }, Math.round(exponential(prng, settings.restartEveryMs)));
  }

  nextDrop();
  nextRestart();
  return {
    restarting: () => restarting !== undefined,
    stop() {
      stopped = true;
      clock.clearTimeout(dropTimer);
      clock.clearTimeout(restartTimer);
    },
  };
}
