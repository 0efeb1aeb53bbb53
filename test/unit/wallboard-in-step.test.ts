/**
 * The wallboard's sockets kept in step, on a clock that tells fractions of a millisecond: writes take
 * time (a delta 0.06 ms, the whole board 0.6 ms), and reading the clock moves it on by a microsecond, as
 * real time does while the service waits in place. Every write is recorded with its start and end, so
 * that "no socket gets two frames within a second" is checked from the end of one write to the start
 * of the next.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createWallboardFanout } from '../../src/features/supervision/supervision.socket.ts';
import type { Wallboard } from '../../src/features/supervision/wallboard.service.ts';

/** A clock with fractional time that moves on by 1 µs at every precise reading, and timers fired by run(). */
class TickingClock implements Clock {
  t = Date.UTC(2026, 11, 5, 2, 0, 0);
  /** `lateMs`: how late each timer fires (the event loop busy elsewhere); on time by default. */
  constructor(private lateMs: () => number = () => 0) {}
  #seq = 0;
  #timers = new Map<number, { at: number; seq: number; fn: () => void }>();
  now(): number { return Math.floor(this.t); }
  preciseNow(): number { this.t += 0.001; return this.t; }
  setTimeout(fn: () => void, ms: number): TimerHandle { return this.setPreciseTimer(fn, this.t + Math.max(0, ms)); }
  setPreciseTimer(fn: () => void, at: number): TimerHandle {
    const id = ++this.#seq;
    this.#timers.set(id, { at: at + this.lateMs(), seq: id, fn });
    return { id };
  }
  clearTimeout(h: TimerHandle | undefined): void { if (h) this.#timers.delete(h.id); }
  /** Fires every timer due up to `until`, in time order; time stands at `until` afterwards. */
  run(until: number): void {
    for (;;) {
      let next: { at: number; seq: number; fn: () => void; id: number } | undefined;
      for (const [id, x] of this.#timers) if (x.at <= until && (!next || x.at < next.at || (x.at === next.at && x.seq < next.seq))) next = { ...x, id };
      if (!next) break;
      this.#timers.delete(next.id);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = Math.max(this.t, until);
  }
}

interface Write { start: number; end: number; type: string; serverTime: number }

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  writes: Write[] = [];
  /** Extra time the next write takes (a pause while it is written). */
  stall = 0;
  constructor(private clock: TickingClock) { super(); }
  send(data: Buffer): void {
    const start = this.clock.t;
    const type = /^\{"type":"(\w+)"/.exec(data.subarray(0, 24).toString('latin1'))?.[1] ?? '?';
    this.clock.t += (type === 'hello' ? 0.6 : 0.06) + this.stall;
    this.stall = 0;
    const serverTime = Number(/"serverTime":(\d+)/.exec(data.subarray(0, 80).toString('latin1'))?.[1]);
    this.writes.push({ start, end: this.clock.t, type, serverTime });
  }
  ping(): void { /* the pong is not needed here */ }
  close(): void { this.readyState = 3; this.emit('close'); }
  terminate(): void { this.close(); }
}

/** A board whose figures do not matter here: only that it changed, and when. */
function fakeWallboard(clock: TickingClock, buildMs: () => number) {
  const listeners = new Set<() => void>();
  const board = {
    snapshot: () => { clock.t += buildMs(); return { at: clock.now(), options: { utcOffsetMinutes: 480 } }; },
    agents: () => [],
    takeChangedAgents: () => [],
    onChange(fn: () => void) { listeners.add(fn); return () => { listeners.delete(fn); }; },
  };
  return { board: board as unknown as Wallboard, change: () => { for (const fn of listeners) fn(); } };
}

/** `buildMs`: how long building the board takes, each time, and `lateMs` how late timers fire (neither by default). */
function rig(sockets: number, buildMs: () => number = () => 0, lateMs?: () => number) {
  const clock = new TickingClock(lateMs);
  const { board, change } = fakeWallboard(clock, buildMs);
  const fanout = createWallboardFanout({ wallboard: board, clock, log: createLogger({ level: 'silent' }) });
  const all = Array.from({ length: sockets }, () => new FakeSocket(clock));
  for (const s of all) fanout.attach(s as unknown as WebSocket, { userId: 'u', username: 'sup', role: 'supervisor', displayName: '班长' });
  /** A change every 20 ms from now until `until`. */
  const busyUntil = (until: number) => { while (clock.t + 20 < until) { clock.run(clock.t + 20); change(); } clock.run(until); };
  return { clock, all, busyUntil, fanout };
}

/** Every socket's frames at least 1000 ms apart, from the end of one write to the start of the next. */
function expectPaced(all: FakeSocket[]): void {
  for (const s of all) for (let i = 1; i < s.writes.length; i++) expect(s.writes[i]!.start - s.writes[i - 1]!.end).toBeGreaterThanOrEqual(1000);
}

/** For each push after `from`, how far apart its first and last writes began. */
function pushSpreads(all: FakeSocket[], from: number): number[] {
  const starts = all.flatMap((s) => s.writes.filter((w) => w.start >= from).map((w) => w.start)).sort((a, b) => a - b);
  const spreads: number[] = [];
  let first = starts[0]!;
  let last = first;
  for (const t of starts.slice(1)) {
    if (t - last > 500) { spreads.push(last - first); first = t; }
    last = t;
  }
  spreads.push(last - first);
  return spreads;
}

describe('the wallboard keeps its sockets in step', () => {
  it('when 50 supervisors join at once and the board changes every 20 ms, then after the first whole boards every push reaches all 50 within a few milliseconds, once a second', () => {
    const r = rig(50);
    const t0 = r.clock.t;
    r.busyUntil(t0 + 20_000);
    expectPaced(r.all);
    for (const s of r.all) {
      expect(s.writes[0]!.type).toBe('hello');
      expect(s.writes.filter((w) => w.type === 'hello')).toHaveLength(1);
      expect(s.writes.length).toBeGreaterThanOrEqual(19);
    }
    // 50 deltas take 3 ms to write; a push waits at most 2 ms in place for sockets not quite due.
    const spreads = pushSpreads(r.all, t0 + 2500);
    expect(spreads.length).toBeGreaterThanOrEqual(17);
    expect(Math.max(...spreads)).toBeLessThan(50 * 0.06 + 2 + 0.5);
    // and the beat stays at a second: the last frame came no later than a second per push after the first
    const firsts = r.all[0]!.writes.map((w) => w.start);
    const gaps = firsts.slice(2).map((t, i) => t - firsts[i + 1]!);
    expect(Math.max(...gaps)).toBeLessThan(1000 + 50 * 0.06 + 2 + 1);
  });

  it('when a write stalls for 30 ms, then the sockets written after it bring the next push later once, and every push after that is in step', () => {
    const r = rig(20);
    const t0 = r.clock.t;
    r.busyUntil(t0 + 5000);
    r.all[10]!.stall = 30;
    r.busyUntil(t0 + 15_000);
    expectPaced(r.all);
    for (const s of r.all) expect(s.writes.filter((w) => w.type === 'hello')).toHaveLength(1);
    const spreads = pushSpreads(r.all, t0 + 2500);
    const stalled = spreads.findIndex((x) => x > 30);
    expect(stalled).toBeGreaterThanOrEqual(0);
    expect(Math.max(...spreads.slice(stalled + 1))).toBeLessThan(20 * 0.06 + 2 + 0.5);
  });

  it('when a write stalls for 300 ms, then the sockets written after it skip one frame and get the whole board with the next push, in step from then on', () => {
    const r = rig(20);
    const t0 = r.clock.t;
    r.busyUntil(t0 + 5000);
    const pushes = r.all[0]!.writes.length;
    r.all[5]!.stall = 300;
    r.busyUntil(t0 + 15_000);
    expectPaced(r.all);
    // the sockets before the stall were not held back for it: only, once, by the whole boards written after the deltas
    const early = r.all[0]!.writes.slice(pushes - 1).map((w) => w.start);
    expect(Math.max(...early.slice(1).map((t, i) => t - early[i]!))).toBeLessThan(1000 + 20 * 0.6 + 2 + 1);
    // those after it: one hello more (the whole board after the skipped frame)
    const resent = r.all.filter((s) => s.writes.filter((w) => w.type === 'hello').length === 2);
    expect(resent.length).toBeGreaterThan(0);
    const spreads = pushSpreads(r.all, t0 + 9000);
    expect(Math.max(...spreads)).toBeLessThan(20 * 0.6 + 2 + 0.5);
    r.fanout.close();
  });

  it('when boards take between 1 and 9 ms to build and timers fire up to 3 ms late, then every socket\'s frames are stamped a second apart or more, each with the moment its writes began', () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const r = rig(10, () => 1 + 8 * random(), () => 3 * random());
    const t0 = r.clock.t;
    r.busyUntil(t0 + 30_000);
    expectPaced(r.all);
    for (const s of r.all) {
      expect(s.writes.length).toBeGreaterThanOrEqual(28);
      for (const w of s.writes) {
        // stamped in whole milliseconds, no later than the write, and earlier only by a build that ran
        // over, a timer that fired late, the writes before it in the push and the wait in place
        expect(Number.isInteger(w.serverTime)).toBe(true);
        expect(w.serverTime).toBeLessThanOrEqual(w.start);
        expect(w.start - w.serverTime).toBeLessThan(9 + 3 + 10 * 0.6 + 2 + 1);
      }
      for (let i = 1; i < s.writes.length; i++) expect(s.writes[i]!.serverTime - s.writes[i - 1]!.serverTime).toBeGreaterThanOrEqual(1000);
    }
  });
});
