import { createSeatPool, longerIdle, type Seat, type SeatPool } from './agent-pool.ts';
import type { AcdPlan, QueuePlan, SkillNeeds } from './queues.ts';

/**
 * The seats the engine knows, the free ones indexed for a call looking for the longest-idle seat that may take
 * it. A seat with no desk, or whose desk is not in force, is in the open pool: any queue's caller its skills fit
 * may have it. A seat on a desk in force is in that desk's own pool, looked at for that queue's callers only.
 * So a call looks in the open pool, as it would with no desks at all, and, only when its queue is a desk with
 * free seats, in that desk's pool as well.
 */
export interface SeatIndex {
  /** The seat of `agentId`, made (unavailable, no skills, no desk) when new. */
  seatFor(agentId: string): Seat;
  get(agentId: string): Seat | undefined;
  values(): IterableIterator<Seat>;
  /** After every change to a seat: bumps its version and puts it back in its pool when it is free. */
  touch(seat: Seat): void;
  /** Puts the seat on a desk (a queue id) or on none; touch it afterwards. */
  setDesk(seat: Seat, desk: string | null): void;
  /** A new plan: every seat's desk is looked up in it again; `inForce` tells a desk in force from one that is draining. */
  replan(plan: AcdPlan, inForce: (queueId: string) => boolean): void;
  /** The longest-idle free seat that may take a caller of `queue` with these needs; ties go to the smaller id. */
  longestIdle(queue: QueuePlan, needs: SkillNeeds): Seat | undefined;
  readonly freeCount: number;
}

export function createSeatIndex(plan: AcdPlan, inForce: (queueId: string) => boolean = () => true): SeatIndex {
  const seats = new Map<string, Seat>();
  const open = createSeatPool();
  /** One pool per desk ever named, by queue id; made when a seat is first put on the desk. */
  const deskPools = new Map<string, SeatPool>();
  /** The desks in force: queue id -> the plan's index. */
  let deskIndexOf = new Map<string, number>();
  /** The plan's queue index -> that desk's pool, when a seat was ever on it. */
  let poolAt: Array<SeatPool | undefined> = [];

  const poolOf = (seat: Seat): SeatPool => (seat.deskIndex < 0 ? open : deskPools.get(seat.desk!)!);

  const deskPool = (desk: string, index: number): SeatPool => {
    let pool = deskPools.get(desk);
    if (pool === undefined) {
      pool = createSeatPool();
      deskPools.set(desk, pool);
    }
    poolAt[index] = pool;
    return pool;
  };

  /** Moves the seat to the pool of its desk as the plan has it; its version is bumped by the touch that follows. */
  const place = (seat: Seat): boolean => {
    const index = seat.desk === null ? -1 : deskIndexOf.get(seat.desk) ?? -1;
    const from = poolOf(seat);
    if (index >= 0) deskPool(seat.desk!, index);
    seat.deskIndex = index;
    if (poolOf(seat) === from) return false;
    from.remove(seat);
    return true;
  };

  const touch = (seat: Seat): void => {
    seat.version++;
    poolOf(seat).refresh(seat);
  };

  const replan = (next: AcdPlan, desks: (queueId: string) => boolean): void => {
    deskIndexOf = new Map(next.queues.filter((q) => desks(q.id)).map((q) => [q.id, q.index]));
    poolAt = new Array<SeatPool | undefined>(next.queues.length);
    for (const [desk, pool] of deskPools) {
      const index = deskIndexOf.get(desk);
      if (index !== undefined) poolAt[index] = pool;
    }
    for (const seat of seats.values()) {
      if (seat.desk === null) continue;
      if (place(seat)) touch(seat);
    }
  };
  replan(plan, inForce);

  return {
    seatFor(agentId) {
      let seat = seats.get(agentId);
      if (seat === undefined) {
        seat = {
          id: agentId, state: 'unavailable', registered: false, skills: new Map(), idleSince: 0, offeredCallId: null,
          desk: null, deskIndex: -1, version: 0,
        };
        seats.set(agentId, seat);
      }
      return seat;
    },
    get: (agentId) => seats.get(agentId),
    values: () => seats.values(),
    touch,
    setDesk(seat, desk) {
      if (seat.desk !== desk && seat.deskIndex >= 0) {
        // Out of the old desk's pool before the desk it is filed under changes.
        poolOf(seat).remove(seat);
        seat.deskIndex = -1;
      }
      seat.desk = desk;
      place(seat);
    },
    replan,
    longestIdle(queue, needs) {
      const any = open.longestIdle(needs);
      const desk = poolAt[queue.index];
      if (desk === undefined || desk.freeCount === 0) return any;
      const own = desk.longestIdle(needs);
      if (own === undefined) return any;
      return any === undefined || longerIdle(own, own.idleSince, any, any.idleSince) ? own : any;
    },
    get freeCount() {
      let n = open.freeCount;
      if (deskPools.size > 0) for (const pool of deskPools.values()) n += pool.freeCount;
      return n;
    },
  };
}
