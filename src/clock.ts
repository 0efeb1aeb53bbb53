/**
 * Time as the service and the simulator see it. Production uses the real clock; the simulator, the
 * day-long simulations and the tests can use a VirtualClock that only moves when told to.
 */
export type TimerHandle = { readonly id: number };

export interface Clock {
  now(): number;                                        // epoch milliseconds
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Epoch milliseconds with their fraction, steady between wall-clock adjustments (real clocks only). */
  preciseNow?(): number;
}

interface RealTimer extends TimerHandle { timer: ReturnType<typeof setTimeout> }
let realTimerSeq = 0;

export const realClock: Clock = {
  now: () => Date.now(),
  preciseNow: () => performance.timeOrigin + performance.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref?.();
    return { id: ++realTimerSeq, timer } as RealTimer;
  },
  clearTimeout(handle) {
    if (handle) clearTimeout((handle as RealTimer).timer);
  },
};

interface Pending { id: number; at: number; seq: number; fn: () => void }

/** A clock that moves only through advance()/runUntil(); timers fire in time order, ties in creation order. */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, Pending>();

  constructor(start = Date.UTC(2026, 10, 23, 1, 0, 0)) { this.#now = start; }

  now(): number { return this.#now; }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#seq;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), seq: id, fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.#timers.delete(handle.id);
  }

  pending(): number { return this.#timers.size; }

  /** The time of the next timer, or undefined when none is pending. */
  nextAt(): number | undefined {
    let best: Pending | undefined;
    for (const t of this.#timers.values()) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best?.at;
  }

  /** Moves time forward by ms, firing every timer due on the way, in order. */
  advance(ms: number): void { this.runUntil(this.#now + ms); }

  runUntil(target: number): void {
    for (;;) {
      let next: Pending | undefined;
      for (const t of this.#timers.values()) {
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.#timers.delete(next.id);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = Math.max(this.#now, target);
  }
}
