import type { Clock, TimerHandle } from '../../clock.ts';

interface Timer { id: number; at: number; fn: () => void; cancelled: boolean }

/**
 * A virtual clock with a heap of timers: moves only when told to, fires timers in time order (ties in
 * creation order), and lets promises and events settle after each moment. For day-long runs, where
 * tens of thousands of timers are pending at once.
 */
export class SimulationClock implements Clock {
  #now: number;
  #seq = 0;
  #heap: Timer[] = [];
  #live = new Map<number, Timer>();

  constructor(start = Date.UTC(2026, 10, 22, 16, 0, 0)) { this.#now = start; }

  now(): number { return this.#now; }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: Timer = { id: ++this.#seq, at: this.#now + Math.max(0, ms), fn, cancelled: false };
    this.#live.set(t.id, t);
    this.#push(t);
    return { id: t.id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.#live.get(handle.id);
    if (t) { t.cancelled = true; this.#live.delete(t.id); }
  }

  pending(): number { return this.#live.size; }

  nextAt(): number | undefined {
    this.#dropCancelled();
    return this.#heap[0]?.at;
  }

  /** Fires every timer due at the next moment (at most `until`); false when none is due. */
  fireNext(until: number): boolean {
    const at = this.nextAt();
    if (at === undefined || at > until) return false;
    this.#now = Math.max(this.#now, at);
    for (let t = this.#peek(); t !== undefined && t.at <= at; t = this.#peek()) {
      this.#pop();
      this.#live.delete(t.id);
      t.fn();
    }
    return true;
  }

  /** Runs to `until`, letting `settle` (events, promises) run after every moment. */
  async runUntil(until: number, settle: () => Promise<void>, onMoment?: (now: number) => void): Promise<void> {
    await settle();
    while (this.fireNext(until)) {
      await settle();
      onMoment?.(this.#now);
    }
    this.#now = Math.max(this.#now, until);
  }

  #peek(): Timer | undefined { this.#dropCancelled(); return this.#heap[0]; }
  #dropCancelled(): void { while (this.#heap.length > 0 && this.#heap[0]!.cancelled) this.#pop(); }
  #before(a: Timer, b: Timer): boolean { return a.at < b.at || (a.at === b.at && a.id < b.id); }

  #push(t: Timer): void {
    const h = this.#heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  #pop(): Timer | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#before(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
