import { createHeap, type Heap } from './heap.ts';
import { MAX_SKILL_LEVEL, MIN_SKILL_LEVEL, type SkillLevels, type SkillNeeds } from './queues.ts';

/** What the service last told the engine about a seat. */
export type SeatState = 'ready' | 'busy' | 'unavailable';

export interface Seat {
  readonly id: string;
  state: SeatState;
  registered: boolean;
  skills: Map<string, number>;
  /** When the agent last became ready; the longest idle is offered first. */
  idleSince: number;
  /** The call this seat is being offered (ringing), set by the engine. */
  offeredCallId: string | null;
  /** The desk (a queue id) the agent is on, as the service last said; null for none. */
  desk: string | null;
  /** The plan's index of the desk's queue while that desk is in force; -1: the seat serves every queue its skills fit. */
  deskIndex: number;
  /** Bumped on every change; pool entries carrying an older one are stale. */
  version: number;
}

interface PoolEntry {
  readonly seat: Seat;
  readonly version: number;
  readonly idleSince: number;
}

export function isFree(seat: Seat): boolean {
  return seat.state === 'ready' && seat.registered && seat.offeredCallId === null;
}

export function toSkillMap(skills: SkillLevels): Map<string, number> {
  const map = new Map<string, number>();
  for (const [skill, level] of Object.entries(skills)) {
    if (!(level >= MIN_SKILL_LEVEL)) continue;
    map.set(skill, Math.min(MAX_SKILL_LEVEL, Math.floor(level)));
  }
  return map;
}

export function longerIdle(a: Seat, aIdle: number, b: Seat, bIdle: number): boolean {
  return aIdle < bIdle || (aIdle === bIdle && a.id < b.id);
}

const entryBefore = (a: PoolEntry, b: PoolEntry): boolean => longerIdle(a.seat, a.idleSince, b.seat, b.idleSince);
const isStale = (e: PoolEntry): boolean => e.version !== e.seat.version || !isFree(e.seat);

/**
 * Free seats (ready, phone registered, not ringing) in one bucket per skill and level, each ordered by
 * idle time then id: the longest-idle seat for a target is found by peeking at most five buckets per
 * skill the target names.
 */
export interface SeatPool {
  /** Call after every change to a seat (after bumping its version): adds it back when it is free. */
  refresh(seat: Seat): void;
  /** Takes the seat out (it moves to another pool); bump its version first, so its entries here go stale. */
  remove(seat: Seat): void;
  /** The longest-idle free seat holding one of `needs` at its level; ties go to the smaller id. */
  longestIdle(needs: SkillNeeds): Seat | undefined;
  readonly freeCount: number;
}

export function createSeatPool(): SeatPool {
  const buckets = new Map<string, Array<Heap<PoolEntry> | undefined>>();
  const pooled = new Map<Seat, number>();
  let liveEntries = 0;
  let allEntries = 0;

  const bucket = (skill: string, level: number): Heap<PoolEntry> => {
    let levels = buckets.get(skill);
    if (levels === undefined) {
      levels = new Array<Heap<PoolEntry> | undefined>(MAX_SKILL_LEVEL + 1);
      buckets.set(skill, levels);
    }
    let heap = levels[level];
    if (heap === undefined) {
      heap = createHeap(entryBefore);
      levels[level] = heap;
    }
    return heap;
  };

  const compact = (): void => {
    allEntries = 0;
    for (const levels of buckets.values()) {
      for (const heap of levels) {
        if (heap === undefined) continue;
        heap.keepOnly((e) => !isStale(e));
        allEntries += heap.size;
      }
    }
  };

  const remove = (seat: Seat): void => {
    const was = pooled.get(seat);
    if (was !== undefined) {
      liveEntries -= was;
      pooled.delete(seat);
    }
  };

  return {
    remove,
    refresh(seat) {
      remove(seat);
      if (isFree(seat)) {
        const entry: PoolEntry = { seat, version: seat.version, idleSince: seat.idleSince };
        for (const [skill, level] of seat.skills) bucket(skill, level).push(entry);
        pooled.set(seat, seat.skills.size);
        liveEntries += seat.skills.size;
        allEntries += seat.skills.size;
      }
      if (allEntries > 2 * liveEntries + 4096) compact();
    },
    longestIdle(needs) {
      let best: PoolEntry | undefined;
      for (const [skill, min] of needs) {
        const levels = buckets.get(skill);
        if (levels === undefined) continue;
        for (let level = min; level <= MAX_SKILL_LEVEL; level++) {
          const heap = levels[level];
          if (heap === undefined || heap.size === 0) continue;
          const before = heap.size;
          const top = heap.dropWhile(isStale);
          allEntries -= before - heap.size;
          if (top !== undefined && (best === undefined || entryBefore(top, best))) best = top;
        }
      }
      return best?.seat;
    },
    get freeCount() { return pooled.size; },
  };
}
