/** The demo history's virtual time: a clock it sets to each moment it writes, and its timed steps in order. */
import type { Clock } from '../clock.ts';

/** A clock the history sets to each moment it writes: services read "now" from it; it runs no timers. */
export function historyClock(start: number): Clock & { set(at: number): void } {
  let now = start;
  return { now: () => now, set(at) { now = at; }, setTimeout: () => ({ id: 0 }), clearTimeout() {} };
}

/** A small heap of timed steps, earliest first, ties in the order they were planned. */
export function timeline() {
  const heap: Array<{ at: number; seq: number; run: () => void }> = [];
  let seq = 0;
  const less = (a: number, b: number) => heap[a]!.at < heap[b]!.at || (heap[a]!.at === heap[b]!.at && heap[a]!.seq < heap[b]!.seq);
  const swap = (a: number, b: number) => { [heap[a], heap[b]] = [heap[b]!, heap[a]!]; };
  return {
    at(at: number, run: () => void): void {
      heap.push({ at, seq: seq++, run });
      for (let i = heap.length - 1; i > 0 && less(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    },
    next(before: number): { at: number; run: () => void } | undefined {
      if (heap.length === 0 || heap[0]!.at >= before) return undefined;
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ;) {
          const l = 2 * i + 1, r = l + 1;
          let m = i;
          if (l < heap.length && less(l, m)) m = l;
          if (r < heap.length && less(r, m)) m = r;
          if (m === i) break;
          swap(i, m);
          i = m;
        }
      }
      return top;
    },
  };
}
