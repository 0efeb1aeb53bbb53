/**
 * Citizens of the soak: a Poisson stream of calls, each with a point at which the caller hangs up —
 * during the greeting, while queued (patience), while an agent's phone rings, right after the answer,
 * mid-talk — or never (the agent ends the call). Every random choice comes from one seeded generator.
 */
import type { Bus } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import { exponential } from '../actors/callers.ts';
import type { Prng } from '../prng.ts';
import type { SimControl } from '../types.ts';
import type { Tally } from './tally.ts';
import { createTimerSet } from '../actors/timer-set.ts';

export const HANGUP_POINTS = ['greeting', 'queued', 'ringing', 'answer', 'talk'] as const;
export type HangupPoint = (typeof HANGUP_POINTS)[number];

export interface CitizenSettings {
  calls: number;
  ratePerSecond: number;
  line: string;
  /** Share of callers who hang up at each point (the rest wait for the agent to end the call). */
  hangupShare: Record<HangupPoint, number>;
  greetingMs: number;
  /** Mean patience of a caller who hangs up while queued. */
  patienceMs: number;
  /** Mean patience of every other caller: nobody waits in the queue for ever. */
  lastResortPatienceMs: number;
  /** How many different numbers call (repeat callers share a callback task). */
  numbers: number;
}

export interface Citizens {
  placed(): number;
  /** Calls that entered Stasis (the service should know each of them). */
  entered(): number;
  done(): boolean;
  stop(): void;
}

/** What the citizens need to know of the call they are in: its caller channel, and whether it is talking to someone. */
export interface CallView {
  channelOf(callId: string): string | undefined;
  isTalking(channelId: string): boolean | undefined;
}

export function startCitizens(deps: {
  control: SimControl; bus: Bus; clock: Clock; prng: Prng; tally: Tally; view: CallView; settings: CitizenSettings;
}): Citizens {
  const { control, clock, prng, tally, view, settings } = deps;
  const plans = new Map<string, HangupPoint>();
  const timers = createTimerSet(clock);
  let placed = 0;
  let entered = 0;
  let stopped = false;
  let arrivalsDone = false;

  const later = (fn: () => void, ms: number): void => timers.later(fn, Math.round(ms));

  function pick(): HangupPoint | undefined {
    let r = prng.next();
    for (const point of HANGUP_POINTS) {
      r -= settings.hangupShare[point];
      if (r < 0) return point;
    }
    return undefined;
  }

  function hangUp(channelId: string, point: string): void {
    if (view.isTalking(channelId) === undefined) return;
    tally.add(`caller hangs up: ${point}`);
    control.remoteHangup(channelId);
  }

  function number(): string {
    return `13${String(prng.int(settings.numbers)).padStart(9, '0')}`;
  }

  function arrival(): void {
    placed++;
    const point = pick();
    const result = control.placeCall({ line: settings.line, from: number() });
    if (result.outcome !== 'stasis' || !result.channelId) {
      tally.add(`call not taken: ${result.outcome}`);
      return;
    }
    entered++;
    const channelId = result.channelId;
    if (point === 'greeting') {
      later(() => hangUp(channelId, 'greeting'), prng.next() * settings.greetingMs);
      return;
    }
    if (point) plans.set(channelId, point);
    const patience = point === 'queued' ? settings.patienceMs : settings.lastResortPatienceMs;
    later(() => {
      if (view.isTalking(channelId) === false) hangUp(channelId, point === 'queued' ? 'queued' : 'queued, out of patience');
    }, exponential(prng, patience));
  }

  /** Acts on the plans of callers whose call reached an agent's phone or an answer. */
  const off = deps.bus.subscribe('call.changed', ({ callId, state }) => {
    const channelId = view.channelOf(callId);
    if (!channelId) return;
    const point = plans.get(channelId);
    if (state === 'ended') { plans.delete(channelId); return; }
    if (point === 'ringing' && state === 'offering') {
      plans.delete(channelId);
      later(() => hangUp(channelId, 'ringing'), prng.next() * 3000);
    } else if (point === 'answer' && state === 'connected') {
      plans.delete(channelId);
      later(() => hangUp(channelId, 'right after answer'), prng.next() * 300);
    } else if (point === 'talk' && state === 'connected') {
      plans.delete(channelId);
      later(() => hangUp(channelId, 'mid-talk'), 1000 + prng.next() * 60_000);
    }
  });

  function next(): void {
    if (stopped) return;
    if (placed >= settings.calls) { arrivalsDone = true; return; }
    later(() => { if (stopped) return; arrival(); next(); }, exponential(prng, 1000 / settings.ratePerSecond));
  }
  next();

  return {
    placed: () => placed,
    entered: () => entered,
    done: () => arrivalsDone || stopped,
    stop() {
      stopped = true;
      off();
      timers.stop();
      plans.clear();
    },
  };
}
