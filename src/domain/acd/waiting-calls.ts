import { createHeap, type Heap } from './heap.ts';
import type { QueuePlan } from './queues.ts';

export type HeldState = 'waiting' | 'offered';

/** A caller held by the engine: waiting in a queue, or ringing a seat. */
export interface HeldCall {
  readonly id: string;
  readonly line: string;
  queue: QueuePlan;
  state: HeldState;
  /** Line priority + the caller's boost (e.g. an overdue ticket), kept when the call changes queue. */
  readonly ownPriority: number;
  /** Queue priority + `ownPriority`; higher is answered first. */
  priority: number;
  /** Arrival at the hotline: orders callers within a priority and drives overflow widening. */
  readonly arrivedAt: number;
  /** Arrival in the current queue: drives the queue's maximum wait. */
  queuedAt: number;
  /** The queue's maximum wait when the caller joined it: a later change of the desks applies to later callers. */
  maxWaitMs: number;
  readonly seq: number;
  /** Came back after a seat did not answer: waits at the head of its queue. */
  returned: boolean;
  agentId: string | null;
  /** Bumped whenever the call leaves a waiting place; entries carrying an older one are stale. */
  version: number;
}

export interface CallEntry {
  readonly call: HeldCall;
  readonly version: number;
}

/**
 * Queue order: calls returned after a no-answer first, then higher priority, then earlier arrival,
 * then the arrival sequence number.
 */
export function callBefore(a: HeldCall, b: HeldCall): boolean {
  if (a.returned !== b.returned) return a.returned;
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.arrivedAt !== b.arrivedAt) return a.arrivedAt < b.arrivedAt;
  return a.seq < b.seq;
}

export const isStaleEntry = (e: CallEntry): boolean => e.version !== e.call.version || e.call.state !== 'waiting';
const entryBefore = (a: CallEntry, b: CallEntry): boolean => callBefore(a.call, b.call);

/**
 * One queue's waiting callers: a FIFO per priority class (a heap, as callers moved in from another
 * queue keep their original arrival), plus the few calls returned to the head. Within one list the
 * first call has waited the longest, so its target is the widest: if a seat cannot take it, it cannot
 * take any call behind it.
 */
export interface QueueLine {
  readonly queue: QueuePlan;
  /** Calls held in this queue, waiting or ringing a seat. */
  held: number;
  waiting: number;
  add(call: HeldCall): void;
  /** Visits every returned call and the head of each priority class. */
  forEachHead(visit: (call: HeldCall) => void): void;
  /** Every waiting call in queue order. */
  ordered(): HeldCall[];
  /** Calls ahead of `call` in the queue, plus one. */
  positionOf(call: HeldCall): number;
}

export function createQueueLine(queue: QueuePlan): QueueLine {
  const classes = new Map<number, Heap<CallEntry>>();
  let returned: CallEntry[] = [];
  let entries = 0;

  const compact = (): void => {
    entries = returned.length;
    for (const [priority, heap] of classes) {
      heap.keepOnly((e) => !isStaleEntry(e));
      if (heap.size === 0) classes.delete(priority);
      entries += heap.size;
    }
  };

  const line: QueueLine = {
    queue,
    held: 0,
    waiting: 0,
    add(call) {
      const entry: CallEntry = { call, version: call.version };
      entries++;
      if (call.returned) {
        returned = returned.filter((e) => !isStaleEntry(e));
        let i = returned.length;
        while (i > 0 && callBefore(call, returned[i - 1]!.call)) i--;
        returned.splice(i, 0, entry);
      } else {
        let heap = classes.get(call.priority);
        if (heap === undefined) {
          heap = createHeap(entryBefore);
          classes.set(call.priority, heap);
        }
        heap.push(entry);
      }
      if (entries > 2 * line.waiting + 256) compact();
    },
    forEachHead(visit) {
      if (returned.length > 0) {
        returned = returned.filter((e) => !isStaleEntry(e));
        for (const e of returned) visit(e.call);
      }
      for (const [priority, heap] of classes) {
        const before = heap.size;
        const top = heap.dropWhile(isStaleEntry);
        entries -= before - heap.size;
        if (top === undefined) classes.delete(priority);
        else visit(top.call);
      }
    },
    ordered() {
      const out: HeldCall[] = returned.filter((e) => !isStaleEntry(e)).map((e) => e.call);
      for (const heap of classes.values()) {
        for (const e of heap.items()) if (!isStaleEntry(e)) out.push(e.call);
      }
      return out.sort((a, b) => (callBefore(a, b) ? -1 : callBefore(b, a) ? 1 : 0));
    },
    positionOf(call) {
      let ahead = 0;
      for (const e of returned) if (!isStaleEntry(e) && callBefore(e.call, call)) ahead++;
      for (const heap of classes.values()) {
        for (const e of heap.items()) if (!isStaleEntry(e) && callBefore(e.call, call)) ahead++;
      }
      return ahead + 1;
    },
  };
  return line;
}
