import { createHeap } from './heap.ts';
import type { OverflowDestination, OverflowReason, QueuePlan } from './queues.ts';
import type { HeldCall } from './waiting-calls.ts';

interface Alarm {
  readonly at: number;
  readonly call: HeldCall;
  readonly version: number;
}

const isStale = (a: Alarm): boolean => a.version !== a.call.version || a.call.state !== 'waiting';

/** Moments at which something happens to a waiting call (its target widens, its wait runs out). */
export interface AlarmList {
  set(at: number, call: HeldCall): void;
  /** Removes and returns the calls whose alarm is due at `now`, earliest first. */
  due(now: number): Array<{ at: number; call: HeldCall }>;
  /** The earliest alarm still standing. */
  nextAt(): number | undefined;
  /** Call when the number of waiting calls is known, to drop stale alarms in bulk. */
  tidy(waiting: number): void;
}

export function createAlarmList(): AlarmList {
  const heap = createHeap<Alarm>((a, b) => a.at < b.at || (a.at === b.at && a.call.seq < b.call.seq));
  return {
    set(at, call) {
      if (Number.isFinite(at)) heap.push({ at, call, version: call.version });
    },
    due(now) {
      const out: Array<{ at: number; call: HeldCall }> = [];
      for (let top = heap.dropWhile(isStale); top !== undefined && top.at <= now; top = heap.dropWhile(isStale)) {
        heap.pop();
        out.push({ at: top.at, call: top.call });
      }
      return out;
    },
    nextAt: () => heap.dropWhile(isStale)?.at,
    tidy(waiting) {
      if (heap.size > 2 * waiting + 1024) heap.keepOnly((a) => !isStale(a));
    },
  };
}

export type Placement =
  | { readonly placed: true; readonly queue: QueuePlan; readonly path: readonly string[] }
  | { readonly placed: false; readonly destination: OverflowDestination; readonly reason: OverflowReason; readonly path: readonly string[] };

/**
 * Where a caller ends up: `first` if it has room, otherwise along each full queue's overflow
 * destination until a queue has room, a callback is reached, or the chain comes back on itself.
 */
export function placeAlong(
  first: QueuePlan,
  reason: OverflowReason,
  hasRoom: (queue: QueuePlan) => boolean,
  queueById: ReadonlyMap<string, QueuePlan>,
  skipFirst = false,
): Placement {
  if (!skipFirst && hasRoom(first)) return { placed: true, queue: first, path: [first.id] };
  const path: string[] = [];
  let queue = first;
  let check = !skipFirst;
  for (;;) {
    path.push(queue.id);
    if (check && hasRoom(queue)) return { placed: true, queue, path };
    check = true;
    const to = queue.overflowTo;
    if (to.kind !== 'queue') return { placed: false, destination: to, reason, path };
    const next = queueById.get(to.queueId);
    if (next === undefined || path.includes(next.id)) {
      return { placed: false, destination: { kind: 'callback' }, reason, path };
    }
    queue = next;
  }
}
