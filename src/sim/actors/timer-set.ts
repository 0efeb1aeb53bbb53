import type { Clock, TimerHandle } from '../../clock.ts';

/** An actor's timers: each runs once unless the actor stopped first; `stop` clears those still waiting. */
export interface TimerSet {
  later(fn: () => void, ms: number): void;
  stop(): void;
  readonly stopped: boolean;
}

export function createTimerSet(clock: Clock): TimerSet {
  const timers = new Set<TimerHandle>();
  let stopped = false;
  return {
    later(fn, ms) {
      if (stopped) return;
      const t = clock.setTimeout(() => { timers.delete(t); if (!stopped) fn(); }, ms);
      timers.add(t);
    },
    stop() {
      stopped = true;
      for (const t of timers) clock.clearTimeout(t);
      timers.clear();
    },
    get stopped() { return stopped; },
  };
}
