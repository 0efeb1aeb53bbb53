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
  /**
   * Calls `fn` once `preciseNow()` has reached `at`, to a fraction of a millisecond (real clocks only;
   * cancelled by clearTimeout). A plain timer can fire a millisecond early or a few late.
   */
  setPreciseTimer?(fn: () => void, at: number): TimerHandle;
}

interface RealTimer extends TimerHandle { timer?: ReturnType<typeof setTimeout>; immediate?: ReturnType<typeof setImmediate>; cancelled?: boolean }
let realTimerSeq = 0;
const preciseNow = (): number => performance.timeOrigin + performance.now();
/**
 * How early a precise timer's plain timer wakes: Node's timers go by the event loop's cached time, so
 * they fire up to about a millisecond early and usually a millisecond late; the rest of the wait is
 * turns of the event loop (setImmediate), which let sockets and other timers run in between.
 */
const PRECISE_WAKE_EARLY_MS = 2;

export const realClock: Clock = {
  now: () => Date.now(),
  preciseNow,
  setPreciseTimer(fn, at) {
    const handle: RealTimer = { id: ++realTimerSeq };
    const poll = (): void => {
      handle.timer = undefined;
      handle.immediate = undefined;
      if (handle.cancelled) return;
      if (preciseNow() >= at) { fn(); return; }
      handle.immediate = setImmediate(poll);
    };
    const wait = at - preciseNow() - PRECISE_WAKE_EARLY_MS;
    // Never called before this returns, as with setTimeout.
    if (wait > 0) { handle.timer = setTimeout(poll, wait); handle.timer.unref?.(); } else handle.immediate = setImmediate(poll);
    return handle;
  },
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref?.();
    return { id: ++realTimerSeq, timer } as RealTimer;
  },
  clearTimeout(handle) {
    if (!handle) return;
    const h = handle as RealTimer;
    h.cancelled = true;
    clearTimeout(h.timer);
    if (h.immediate) clearImmediate(h.immediate);
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
