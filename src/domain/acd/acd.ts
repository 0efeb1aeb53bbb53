import { isFree, toSkillMap, type Seat, type SeatState } from './agent-pool.ts';
import { createHeap } from './heap.ts';
import { createAlarmList, placeAlong } from './overflow.ts';
import {
  canTake, nextWideningAt, planAcd, stageAt,
  type AcdConfig, type OverflowDestination, type OverflowReason, type QueuePlan, type SkillLevels,
} from './queues.ts';
import { createSeatIndex } from './seat-index.ts';
import { callBefore, createQueueLine, type HeldCall, type HeldState, type QueueLine } from './waiting-calls.ts';

export interface ArrivingCall {
  readonly id: string;
  /** The number dialled. */
  readonly line: string;
  /** Added to the priority, e.g. for a caller whose ticket is overdue. */
  readonly priorityBoost?: number;
  /** Arrival at the hotline when earlier than `now` (e.g. before the greeting). */
  readonly arrivedAt?: number;
  /**
   * For a caller taken up again after a restart: the queue it was waiting in (it goes back there, when
   * that queue still exists, instead of its line's) and when it joined it, so that its maximum wait runs on.
   */
  readonly resume?: { readonly queueId: string; readonly joinedAt: number };
}

export type ArrivalResult =
  | { readonly accepted: true; readonly queueId: string; readonly overflowedFrom?: readonly string[] }
  | { readonly accepted: false; readonly overflow: OverflowDestination; readonly reason: OverflowReason };

export interface Assignment {
  readonly callId: string;
  readonly agentId: string;
  readonly queueId: string;
}

/** A caller whose maximum wait ran out: now waiting in another queue, or handed to a callback. */
export interface ExpiredWait {
  readonly callId: string;
  readonly fromQueueId: string;
  readonly reason: 'max_wait';
  readonly destination: OverflowDestination;
}

export interface HeldCallView {
  readonly id: string;
  readonly line: string;
  readonly queueId: string;
  readonly state: HeldState;
  readonly priority: number;
  readonly arrivedAt: number;
  readonly queuedAt: number;
  readonly returned: boolean;
  readonly agentId: string | null;
}

export interface SeatView {
  readonly id: string;
  readonly state: SeatState;
  readonly registered: boolean;
  readonly idleSince: number;
  readonly offeredCallId: string | null;
  readonly skills: SkillLevels;
  /** The desk the agent is on (a queue id), or null. */
  readonly desk: string | null;
  /** False when that desk is not in force: the seat then serves every queue its skills fit. */
  readonly deskInForce: boolean;
  readonly free: boolean;
}

/**
 * The queue engine. Time is always passed in; the engine sets no timers. The service reports seat
 * and call events, then asks `nextAssignments(now)` whom to ring; at `nextWakeAt(now)` it calls
 * `expiredWaits(now)` and `nextAssignments(now)` again.
 *
 * Desks (专席): an agent with no desk takes callers from every queue their skills fit. An agent on a desk
 * takes callers from that desk's queue only, and still needs its skills and levels (widening included): with
 * none of them, they take nobody. A change of desk or skills counts from the next routing decision; a call
 * already ringing a seat is not taken from it. A desk that is not in the plan, or was removed by a new version
 * (even while it drains its callers), counts as no desk: its agents serve every queue their skills fit.
 */
export interface Acd {
  agentReady(agentId: string, now: number): void;
  agentBusy(agentId: string): void;
  agentUnavailable(agentId: string): void;
  agentRegistered(agentId: string, registered: boolean): void;
  setSkills(agentId: string, skills: SkillLevels): void;
  /** Puts the agent on a desk (a queue id), or on none. */
  setDesk(agentId: string, desk: string | null): void;
  callArrived(call: ArrivingCall, now: number): ArrivalResult;
  /** The caller hung up or went elsewhere; a seat ringing for it becomes free again, idle time kept. */
  callLeft(callId: string): boolean;
  /** The seat answered: the call leaves the engine and the seat is busy. */
  callAnswered(callId: string): boolean;
  /** The seat did not answer (or was busy): the call waits at the head of its queue, the seat is unavailable. */
  callReturnedToHead(callId: string): boolean;
  /** Greedy, in queue order: each waiting call gets the longest-idle free seat that may take it. */
  nextAssignments(now: number): Assignment[];
  expiredWaits(now: number): ExpiredWait[];
  /** When a waiting call's target next widens or its wait runs out; null when nothing is pending. */
  nextWakeAt(now: number): number | null;
  call(callId: string): HeldCallView | undefined;
  seat(agentId: string): SeatView | undefined;
  /** Waiting calls of a queue in the order they will be served. */
  waitingOrder(queueId: string): string[];
  /** 1 for the call at the head of its queue; undefined when not waiting. */
  positionOf(callId: string): number | undefined;
  queueCounts(queueId: string): { held: number; waiting: number } | undefined;
  /** The queues callers may be held in: those configured, then removed ones still serving their callers. */
  queueIds(): string[];
  /**
   * A new version of the lines and desks, from `now` on. Callers held keep their place, their time and the
   * maximum wait they joined with; from now on they are routed by their queue's new targets, widening and
   * priority (which moves all of a queue's callers alike). A removed queue that still holds callers keeps
   * serving them (and overflowing them as it did) but takes no new ones; it is forgotten at a later change
   * once empty.
   */
  reconfigure(config: AcdConfig, now: number): void;
  readonly freeSeats: number;
}

export function createAcd(config: AcdConfig): Acd {
  let configs = new Map(config.queues.map((q) => [q.id, q]));
  /** Removed queues still serving the callers they hold. */
  let closing = new Set<string>();
  let plan = planAcd(config);
  let queueLines: QueueLine[] = plan.queues.map((q) => createQueueLine(q));
  const seats = createSeatIndex(plan);
  const calls = new Map<string, HeldCall>();
  const widenings = createAlarmList();
  const expiries = createAlarmList();
  const freshSeats = new Set<Seat>();
  const freshCalls = new Set<HeldCall>();
  let visited = new Uint32Array(plan.queues.length);
  let visitStamp = 0;
  let seq = 0;
  let clock = Number.NEGATIVE_INFINITY;
  let waitingTotal = 0;
  const candidates = createHeap<HeldCall>(callBefore);
  const watchers = new Map<HeldCall, Seat[]>();
  let routingNow = 0;
  const watch = (seat: Seat): void => {
    if (!isFree(seat)) return;
    const call = firstCallFor(seat, routingNow);
    if (call === undefined) return;
    candidates.push(call);
    const list = watchers.get(call);
    if (list === undefined) watchers.set(call, [seat]);
    else list.push(seat);
  };

  const seatFor = seats.seatFor;

  const touch = (seat: Seat): void => {
    seats.touch(seat);
    if (isFree(seat)) freshSeats.add(seat);
  };

  const lineOf = (call: HeldCall): QueueLine => queueLines[call.queue.index]!;
  const hasRoom = (q: QueuePlan): boolean => queueLines[q.index]!.held < q.maxWaiting;

  const wait = (call: HeldCall, now: number): void => {
    call.state = 'waiting';
    call.agentId = null;
    lineOf(call).waiting++;
    waitingTotal++;
    lineOf(call).add(call);
    expiries.set(call.queuedAt + call.maxWaitMs, call);
    const widenAt = nextWideningAt(call.queue, call.arrivedAt, now);
    if (widenAt !== undefined) widenings.set(widenAt, call);
    freshCalls.add(call);
  };

  const stopWaiting = (call: HeldCall): void => {
    call.version++;
    if (call.state === 'waiting') {
      lineOf(call).waiting--;
      waitingTotal--;
    }
  };

  const release = (call: HeldCall, seatState?: SeatState): void => {
    if (call.state !== 'offered' || call.agentId === null) return;
    const seat = seats.get(call.agentId);
    if (seat === undefined || seat.offeredCallId !== call.id) return;
    seat.offeredCallId = null;
    if (seatState !== undefined) seat.state = seatState;
    touch(seat);
  };

  const drop = (call: HeldCall): void => {
    stopWaiting(call);
    lineOf(call).held--;
    calls.delete(call.id);
  };

  let searchSeat: Seat | undefined;
  let searchQueue: QueuePlan | undefined;
  let searchNow = 0;
  let searchBest: HeldCall | undefined;
  const considerHead = (head: HeldCall): void => {
    if (searchBest !== undefined && !callBefore(head, searchBest)) return;
    if (canTake(stageAt(searchQueue!, head.arrivedAt, searchNow).needs, searchSeat!.skills)) searchBest = head;
  };

  /** The first waiting call, in queue order, that `seat` may take at `now`. */
  const firstCallFor = (seat: Seat, now: number): HeldCall | undefined => {
    searchSeat = seat;
    searchNow = now;
    searchBest = undefined;
    if (seat.deskIndex >= 0) {
      // On a desk: that desk's callers only.
      const line = queueLines[seat.deskIndex]!;
      searchQueue = line.queue;
      if (line.waiting > 0) line.forEachHead(considerHead);
    } else {
      visitStamp = (visitStamp + 1) >>> 0 || 1;
      for (const [skill, level] of seat.skills) {
        const reach = plan.reach.get(skill);
        if (reach === undefined) continue;
        for (const { queue, minLevel } of reach) {
          if (level < minLevel || visited[queue.index] === visitStamp) continue;
          visited[queue.index] = visitStamp;
          const line = queueLines[queue.index]!;
          if (line.waiting === 0) continue;
          searchQueue = queue;
          line.forEachHead(considerHead);
        }
      }
    }
    const best = searchBest;
    searchSeat = undefined;
    searchBest = undefined;
    return best;
  };

  const view = (call: HeldCall): HeldCallView => ({
    id: call.id, line: call.line, queueId: call.queue.id, state: call.state, priority: call.priority,
    arrivedAt: call.arrivedAt, queuedAt: call.queuedAt, returned: call.returned, agentId: call.agentId,
  });

  return {
    agentReady(agentId, now) {
      clock = Math.max(clock, now);
      const seat = seatFor(agentId);
      if (seat.state !== 'ready') {
        seat.state = 'ready';
        seat.idleSince = now;
      }
      touch(seat);
    },
    agentBusy(agentId) {
      const seat = seatFor(agentId);
      seat.state = 'busy';
      touch(seat);
    },
    agentUnavailable(agentId) {
      const seat = seatFor(agentId);
      seat.state = 'unavailable';
      touch(seat);
    },
    agentRegistered(agentId, registered) {
      const seat = seatFor(agentId);
      seat.registered = registered;
      touch(seat);
    },
    setSkills(agentId, skills) {
      const seat = seatFor(agentId);
      seat.skills = toSkillMap(skills);
      touch(seat);
    },
    setDesk(agentId, desk) {
      const seat = seatFor(agentId);
      seats.setDesk(seat, desk);
      touch(seat);
    },

    callArrived(arriving, now) {
      clock = Math.max(clock, now);
      const known = calls.get(arriving.id);
      if (known !== undefined) return { accepted: true, queueId: known.queue.id };
      const line = plan.lineById.get(arriving.line);
      if (line === undefined) return { accepted: false, overflow: { kind: 'callback' }, reason: 'unknown_line' };
      const resumed = arriving.resume === undefined || closing.has(arriving.resume.queueId) ? undefined : plan.queueById.get(arriving.resume.queueId);
      const placement = placeAlong(resumed ?? plan.queueById.get(line.queueId)!, 'max_waiting', hasRoom, plan.queueById);
      if (!placement.placed) return { accepted: false, overflow: placement.destination, reason: placement.reason };
      const queuedAt = resumed !== undefined && placement.queue === resumed ? Math.min(arriving.resume!.joinedAt, now) : now;
      const ownPriority = (line.priority ?? 0) + (arriving.priorityBoost ?? 0);
      const call: HeldCall = {
        id: arriving.id, line: arriving.line, queue: placement.queue, state: 'waiting', ownPriority,
        priority: placement.queue.priority + ownPriority, arrivedAt: Math.min(arriving.arrivedAt ?? now, now),
        queuedAt, maxWaitMs: placement.queue.maxWaitMs, seq: ++seq, returned: false, agentId: null, version: 0,
      };
      calls.set(call.id, call);
      queueLines[call.queue.index]!.held++;
      wait(call, now);
      return placement.path.length > 1
        ? { accepted: true, queueId: call.queue.id, overflowedFrom: placement.path.slice(0, -1) }
        : { accepted: true, queueId: call.queue.id };
    },
    callLeft(callId) {
      const call = calls.get(callId);
      if (call === undefined) return false;
      release(call);
      drop(call);
      return true;
    },
    callAnswered(callId) {
      const call = calls.get(callId);
      if (call === undefined) return false;
      release(call, 'busy');
      drop(call);
      return true;
    },
    callReturnedToHead(callId) {
      const call = calls.get(callId);
      if (call === undefined) return false;
      release(call, 'unavailable');
      stopWaiting(call);
      call.returned = true;
      wait(call, clock);
      return true;
    },

    nextAssignments(now) {
      clock = Math.max(clock, now);
      for (const { call } of widenings.due(now)) {
        freshCalls.add(call);
        const at = nextWideningAt(call.queue, call.arrivedAt, now);
        if (at !== undefined) widenings.set(at, call);
      }
      widenings.tidy(waitingTotal);
      expiries.tidy(waitingTotal);
      const out: Assignment[] = [];
      if (seats.freeCount === 0 || waitingTotal === 0) {
        freshCalls.clear();
        freshSeats.clear();
        return out;
      }
      routingNow = now;
      for (const call of freshCalls) if (call.state === 'waiting' && calls.get(call.id) === call) candidates.push(call);
      for (const seat of freshSeats) watch(seat);
      freshCalls.clear();
      freshSeats.clear();
      for (let call = candidates.pop(); call !== undefined; call = candidates.pop()) {
        if (call.state !== 'waiting' || calls.get(call.id) !== call) continue;
        const seat = seats.longestIdle(call.queue, stageAt(call.queue, call.arrivedAt, now).needs);
        if (seat !== undefined) {
          stopWaiting(call);
          call.state = 'offered';
          call.agentId = seat.id;
          seat.offeredCallId = call.id;
          touch(seat);
          out.push({ callId: call.id, agentId: seat.id, queueId: call.queue.id });
        }
        const waiting = watchers.get(call);
        if (waiting !== undefined) {
          watchers.delete(call);
          for (const w of waiting) watch(w);
        }
      }
      freshSeats.clear();
      watchers.clear();
      return out;
    },

    expiredWaits(now) {
      clock = Math.max(clock, now);
      const out: ExpiredWait[] = [];
      for (const { call } of expiries.due(now)) {
        const from = call.queue;
        const placement = placeAlong(from, 'max_wait', hasRoom, plan.queueById, true);
        drop(call);
        if (placement.placed) {
          call.queue = placement.queue;
          call.priority = placement.queue.priority + call.ownPriority;
          call.queuedAt = now;
          call.maxWaitMs = call.queue.maxWaitMs;
          calls.set(call.id, call);
          lineOf(call).held++;
          wait(call, now);
          out.push({ callId: call.id, fromQueueId: from.id, reason: 'max_wait', destination: { kind: 'queue', queueId: call.queue.id } });
        } else {
          out.push({ callId: call.id, fromQueueId: from.id, reason: 'max_wait', destination: placement.destination });
        }
      }
      return out;
    },
    nextWakeAt() {
      const a = widenings.nextAt();
      const b = expiries.nextAt();
      if (a === undefined) return b ?? null;
      return b === undefined ? a : Math.min(a, b);
    },

    call: (callId) => {
      const call = calls.get(callId);
      return call === undefined ? undefined : view(call);
    },
    seat: (agentId) => {
      const s = seats.get(agentId);
      if (s === undefined) return undefined;
      return {
        id: s.id, state: s.state, registered: s.registered, idleSince: s.idleSince, offeredCallId: s.offeredCallId,
        skills: Object.fromEntries(s.skills), desk: s.desk, deskInForce: s.deskIndex >= 0, free: isFree(s),
      };
    },
    waitingOrder(queueId) {
      const q = plan.queueById.get(queueId);
      return q === undefined ? [] : queueLines[q.index]!.ordered().map((c) => c.id);
    },
    positionOf(callId) {
      const call = calls.get(callId);
      return call === undefined || call.state !== 'waiting' ? undefined : lineOf(call).positionOf(call);
    },
    queueCounts(queueId) {
      const q = plan.queueById.get(queueId);
      if (q === undefined) return undefined;
      const line = queueLines[q.index]!;
      return { held: line.held, waiting: line.waiting };
    },
    queueIds: () => plan.queues.map((q) => q.id),
    reconfigure(next, now) {
      clock = Math.max(clock, now);
      const ids = new Set(next.queues.map((q) => q.id));
      const draining = plan.queues.filter((q) => !ids.has(q.id) && queueLines[q.index]!.held > 0).map((q) => configs.get(q.id)!);
      for (const q of draining) ids.add(q.id);
      closing = new Set(draining.map((q) => q.id));
      const closed = draining.map((q) => ({
        ...q, maxWaiting: 0,
        overflowTo: q.overflowTo?.kind === 'queue' && !ids.has(q.overflowTo.queueId) ? { kind: 'callback' as const } : q.overflowTo,
      }));
      const queues = [...next.queues, ...closed];
      plan = planAcd({ lines: next.lines, queues });
      configs = new Map(queues.map((q) => [q.id, q]));
      queueLines = plan.queues.map((q) => createQueueLine(q));
      visited = new Uint32Array(plan.queues.length);
      // A desk that is removed, even one still draining its callers, no longer holds its agents.
      seats.replan(plan, (id) => !closing.has(id));
      for (const call of calls.values()) {
        // The queue's new priority moves all its callers alike: their order within it stays.
        call.queue = plan.queueById.get(call.queue.id)!;
        call.priority = call.queue.priority + call.ownPriority;
        lineOf(call).held++;
        if (call.state !== 'waiting') continue;
        // Entries and alarms of the old plan go stale; the caller joins the new line with its place, time and maximum wait.
        call.version++;
        lineOf(call).waiting++;
        lineOf(call).add(call);
        expiries.set(call.queuedAt + call.maxWaitMs, call);
        const widenAt = nextWideningAt(call.queue, call.arrivedAt, now);
        if (widenAt !== undefined) widenings.set(widenAt, call);
        freshCalls.add(call);
      }
      for (const seat of seats.values()) if (isFree(seat)) freshSeats.add(seat);
    },
    get freeSeats() { return seats.freeCount; },
  };
}
