import type { Clock } from '../../clock.ts';
import type { Prng } from '../prng.ts';
import type { SimControl } from '../types.ts';
import { citizenNumber, exponential } from './callers.ts';
import { createTimerSet } from './timer-set.ts';

/**
 * Share of a day's calls in each hour (hotline time, 0 = midnight): quiet at night, a morning peak
 * at 9-11, a second one in the afternoon, a long evening tail — the shape 12345 hotlines report.
 */
export const HOURLY_SHARE: readonly number[] = normalise([
  1.2, 0.8, 0.6, 0.5, 0.5, 0.7, 1.3, 2.8, 6.0, 8.6, 8.8, 7.6,
  5.6, 6.4, 7.6, 7.4, 6.8, 5.4, 4.2, 3.6, 3.2, 2.6, 2.0, 1.6,
]);

function normalise(weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}

/** Arrivals per second in each hour for a day of `callsPerDay`. */
export function hourlyRates(callsPerDay: number): number[] {
  return HOURLY_SHARE.map((share) => (share * callsPerDay) / 3600);
}

export interface DayCallers {
  placed(): number;
  abandoned(): number;
  stop(): void;
}

/**
 * Citizens calling through a day: a Poisson process whose rate follows the hour, each caller with
 * an exponential patience (none when patienceMs is Infinity) counted from the moment they dial.
 */
export function startDayCallers(deps: {
  control: SimControl; clock: Clock; prng: Prng; dayStart: number; rates: readonly number[]; lines: readonly string[];
  patienceMs: number; isTalking(channelId: string): boolean | undefined; onPlaced?: (channelId: string, at: number) => void;
}): DayCallers {
  const { control, clock, prng, dayStart, rates } = deps;
  const timers = createTimerSet(clock);
  const later = timers.later;
  let placed = 0;
  let abandoned = 0;

  function arrival(): void {
    const line = deps.lines[prng.int(deps.lines.length)]!;
    const result = control.placeCall({ line, from: citizenNumber(prng) });
    placed++;
    if (result.outcome !== 'stasis' || !result.channelId) return;
    const channelId = result.channelId;
    deps.onPlaced?.(channelId, clock.now());
    if (!Number.isFinite(deps.patienceMs)) return;
    later(() => {
      if (deps.isTalking(channelId) === false) {
        abandoned++;
        control.remoteHangup(channelId);
      }
    }, exponential(prng, deps.patienceMs));
  }

  /** The next arrival after `from`; the hour's rate holds until the hour ends (memoryless, so restarting there is exact). */
  function next(from: number): void {
    const hour = Math.floor((from - dayStart) / 3_600_000);
    if (hour >= rates.length) return;
    const hourEnd = dayStart + (hour + 1) * 3_600_000;
    const rate = rates[hour]!;
    const gap = rate > 0 ? exponential(prng, 1000 / rate) : Number.POSITIVE_INFINITY;
    if (from + gap >= hourEnd) {
      later(() => next(hourEnd), hourEnd - clock.now());
      return;
    }
    later(() => { arrival(); next(clock.now()); }, from + gap - clock.now());
  }

  next(Math.max(dayStart, clock.now()));
  return {
    placed: () => placed,
    abandoned: () => abandoned,
    stop() {
      timers.stop();
    },
  };
}
