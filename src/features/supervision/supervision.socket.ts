import type { WebSocket } from 'ws';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import { hourStart } from '../../domain/acd/service-level.ts';
import { parseInbound } from '../live/live.messages.ts';
import type { Wallboard } from './wallboard.service.ts';

export interface WallboardViewer { userId: string; username: string; role: string; displayName: string }

export interface WallboardFanoutSettings {
  /** No socket gets two board frames closer than this; a change waits at most this long (plus the build and the writes). */
  minIntervalMs: number;
  /** A socket whose send buffer holds more than this when a frame is due skips it and is sent the whole board later. */
  maxBufferedBytes: number;
  /** A socket that keeps skipping frames for this long is closed with 1013 (it reconnects and starts over). */
  slowCloseAfterMs: number;
  heartbeatMs: number;
}

/** How long in all one push may wait in place (not through the event loop) for sockets whose second is not quite up. */
const SPIN_MAX_MS = 2;
/** How far out of step a socket may be and still have the others' frame held for it (once); one further out skips a frame. */
const RESYNC_MAX_MS = 100;
/** A change this large in the wall clock's offset from the precise clock is the wall clock being set, not its whole-millisecond steps. */
const WALL_CLOCK_SET_MS = 20;

const median = (xs: number[]): number => (xs.length ? [...xs].sort((a, b) => a - b)[xs.length >> 1]! : 0);

export const DEFAULT_FANOUT: WallboardFanoutSettings = { minIntervalMs: 1000, maxBufferedBytes: 1024 * 1024, slowCloseAfterMs: 30_000, heartbeatMs: 25_000 };

interface Viewer {
  socket: WebSocket;
  who: WallboardViewer;
  alive: boolean;
  /** Has not had the whole board yet (just connected), or skipped a frame while too slow. */
  needsWhole: boolean;
  /** When it first skipped a frame for a full buffer; undefined while it keeps up. */
  slowSince: number | undefined;
  /** When its last frame was written to it. */
  sentAt: number;
}

/**
 * One push: the board built once, its delta frame serialised once, the whole board for new sockets
 * serialised when first needed; `at` is its serverTime, when its writes begin.
 */
interface Frame { seq: number; at: number; snapshot: ReturnType<Wallboard['snapshot']>; delta: Buffer | undefined; body?: Buffer }

export interface WallboardFanout {
  attach(socket: WebSocket, who: WallboardViewer): void;
  stats(): { sockets: number; frames: number; skipped: number; dropped: number; lastBuildMs: number };
  close(): void;
}

/**
 * The supervisors' sockets. Every frame goes out in one push to every socket, and no socket gets two
 * frames less than `minIntervalMs` apart:
 *
 * - a change when the last frame went out a second ago or more is pushed at once (leading edge);
 * - a change sooner than that marks the board as changed, and one push is scheduled so that its frame
 *   goes out a second after the last one: it begins a second after the last frame was first written, less
 *   the time boards took to build lately (their median), so that the build does not lengthen the beat;
 *   on a real clock the push is timed to a fraction of a millisecond (`setPreciseTimer`);
 * - each socket is written only when its own last frame is a second old, and the sockets are kept in
 *   step, written one after another in the same order every push (see `deliver`);
 * - a socket that connects gets the whole board (`hello`) with the next push, or at once when none went
 *   out for a second, so it too never gets two frames within a second;
 * - a socket whose send buffer is full skips frames and is sent the whole board when it has drained.
 *
 * The board is built and serialised once per push, and the same bytes are written to every socket.
 */
export function createWallboardFanout(deps: { wallboard: Wallboard; clock: Clock; log: Logger; settings?: Partial<WallboardFanoutSettings> }): WallboardFanout {
  const settings = { ...DEFAULT_FANOUT, ...deps.settings };
  const { wallboard, clock } = deps;
  const log = deps.log.child({ component: 'wallboard' });
  /** The time the pacing goes by: to the fraction of a millisecond when the clock can tell it, so that "a second apart" is a whole second. */
  const paceNow = (): number => clock.preciseNow?.() ?? clock.now();
  /** A timer for the moment `at` by the pacing's time: exact to a fraction of a millisecond when the clock can keep it. */
  const timerAt = (fn: () => void, at: number): TimerHandle =>
    clock.setPreciseTimer ? clock.setPreciseTimer(fn, at) : clock.setTimeout(fn, Math.max(0, at - paceNow()));
  const viewers = new Set<Viewer>();
  let timer: TimerHandle | undefined;
  let hourTimer: TimerHandle | undefined;
  let heartbeat: TimerHandle | undefined;
  /** When the last push's frame was first written to a socket (or was built, when it was written to none). */
  let beatAt = -Infinity;
  /** How long the last few boards took to build, by the service's clock. */
  const builds: number[] = [];
  /**
   * The earliest moment the next push may begin: early by the median of the recent builds, so that the
   * frame is ready about when the sockets' seconds are up. A build quicker than that waits the rest
   * (exactly, on a real clock); a slower one writes a little late and the beat moves by as much.
   */
  const nextPushAt = (): number => beatAt + settings.minIntervalMs - median(builds);
  let changed = false;
  let seq = 0;
  let closed = false;
  /** The last push's frame for the sockets whose second was not up yet when it went out, and the timer that sends it. */
  let held: { frame: Frame; viewers: Set<Viewer>; timer: TimerHandle } | undefined;
  const counters = { frames: 0, skipped: 0, dropped: 0, lastBuildMs: 0 };

  const waitingForWhole = () => { for (const v of viewers) if (v.needsWhole) return true; return false; };

  /** Arms the one push timer for the earliest moment allowed. */
  function arm(): void {
    if (timer || closed || viewers.size === 0) return;
    timer = timerAt(push, nextPushAt());
  }

  function onChange(): void {
    changed = true;
    arm();
  }

  function armHourTimer(): void {
    clock.clearTimeout(hourTimer);
    const now = clock.now();
    const next = hourStart(now, wallboard.snapshot().options.utcOffsetMinutes) + 3_600_000;
    hourTimer = clock.setTimeout(() => { hourTimer = undefined; onChange(); armHourTimer(); }, next - now + 5);
  }

  function drop(v: Viewer, code: number, reason: string): void {
    viewers.delete(v);
    try { v.socket.close(code, reason); } catch { v.socket.terminate(); }
  }

  /** Writes a frame unless the socket's buffer is full; a socket that stays full too long is closed. */
  function write(v: Viewer, bytes: Buffer, now: number): boolean {
    if (v.socket.readyState !== v.socket.OPEN) return false;
    if (v.socket.bufferedAmount > settings.maxBufferedBytes) {
      counters.skipped++;
      v.needsWhole = true;
      v.slowSince ??= now;
      if (now - v.slowSince >= settings.slowCloseAfterMs) {
        counters.dropped++;
        log.warn({ userId: v.who.userId, bufferedAmount: v.socket.bufferedAmount }, 'wallboard socket too slow, closed');
        drop(v, 1013, 'client too slow, reconnect');
      }
      return false;
    }
    v.slowSince = undefined;
    v.socket.send(bytes, { binary: false });
    v.sentAt = paceNow();
    return true;
  }

  /** The frame to one socket: the whole board (one shared body behind a short head naming the user) when it needs it, else the delta. */
  function send(v: Viewer, frame: Frame): void {
    if (!v.needsWhole) { if (frame.delta) write(v, frame.delta, frame.at); return; }
    frame.body ??= Buffer.from(JSON.stringify({ snapshot: frame.snapshot, agents: wallboard.agents() }).slice(1));
    const head = Buffer.from(`{"type":"hello","seq":${frame.seq},"serverTime":${frame.at},"user":${JSON.stringify(v.who)},`);
    if (write(v, Buffer.concat([head, frame.body]), frame.at)) v.needsWhole = false;
  }

  /**
   * Which of `targets` a push writes, in what order and from when: the open sockets, those sent deltas
   * first in the order their seconds come up, then those owed the whole board; the ones in step (at most
   * RESYNC_MAX_MS behind the first); and the moment the writes begin (see `deliver`).
   */
  function planWrites(targets: Viewer[]) {
    const open = targets.filter((v) => viewers.has(v)).sort((a, b) => Number(a.needsWhole) - Number(b.needsWhole) || a.sentAt - b.sentAt);
    if (open.length === 0) return undefined;
    const dueAt = (v: Viewer) => v.sentAt + settings.minIntervalMs;
    const firstDue = Math.max(Math.min(...open.map(dueAt)), paceNow());
    const inStep = open.filter((v) => dueAt(v) <= firstDue + RESYNC_MAX_MS);
    const startAt = Math.max(firstDue, Math.max(...inStep.map(dueAt)) - (clock.preciseNow ? SPIN_MAX_MS : 0));
    return { open, inStep, startAt, dueAt };
  }

  /**
   * The service's time (ms since the epoch, whole) for a moment on the pacing's clock. Frames are stamped
   * with when their writes begin, on the pacing's clock, so that a socket's frames are stamped a whole
   * second apart as they are written (the build begins a little early and its own time would not be).
   * The pacing's clock is the precise one; its offset from the wall clock is kept while it holds to a few
   * milliseconds (the wall clock only tells whole ones), and taken anew when the wall clock is set.
   */
  let wallOffset: number | undefined;
  function serviceTimeAt(pace: number): number {
    if (!clock.preciseNow) return Math.floor(pace);
    const offset = clock.now() - clock.preciseNow();
    if (wallOffset === undefined || Math.abs(offset - wallOffset) > WALL_CLOCK_SET_MS) wallOffset = offset;
    return Math.floor(pace + wallOffset);
  }

  /**
   * Sends `frame` to `targets` in one go, so that the sockets stay in step: those sent deltas first, in
   * the order their seconds come up, then those owed the whole board (a longer write). The writes begin
   * once every socket's second is up or a moment away (until then the frame is held, the event loop
   * running on), and one whose second is not quite up when its turn comes is waited for in place, on a
   * clock that tells fractions of a millisecond. Sockets out of step (they joined or were written late)
   * bring the others' frame later by as much, once, and are in step from then on; one more than
   * RESYNC_MAX_MS out of step skips this frame and is sent the whole board with the next push. The beat
   * is the first write.
   */
  function deliver(frame: Frame, targets: Viewer[]): void {
    const plan = planWrites(targets);
    if (!plan) { beatAt = paceNow(); return; }
    const { open, inStep, startAt, dueAt } = plan;
    if (paceNow() < startAt) {
      // The beat is when the writes will begin, so that the next push cannot overtake them.
      beatAt = startAt;
      held = { frame, viewers: new Set(open), timer: timerAt(() => { held = undefined; if (!closed) deliver(frame, open); }, startAt) };
      return;
    }
    let first: number | undefined;
    for (const v of inStep) {
      const due = dueAt(v);
      while (paceNow() < due) { /* SPIN_MAX_MS at most, all sockets together */ }
      first ??= paceNow();
      send(v, frame);
    }
    if (inStep.length < open.length) { const written = new Set(inStep); for (const v of open) if (!written.has(v)) v.needsWhole = true; }
    beatAt = first ?? paceNow();
  }

  function push(): void {
    timer = undefined;
    if (closed) return;
    const due = nextPushAt();
    if (paceNow() < due) { timer = timerAt(push, due); return; }
    // A socket still owed the last frame has missed its delta: it is sent the whole board instead.
    if (held) { clock.clearTimeout(held.timer); for (const v of held.viewers) v.needsWhole = true; held = undefined; }
    const whole = waitingForWhole();
    if (!changed && !whole) return;
    const started = performance.now();
    const began = paceNow();
    const at = serviceTimeAt(planWrites([...viewers])?.startAt ?? began);
    const snapshot = wallboard.snapshot();
    seq++;
    let delta: Buffer | undefined;
    if (changed) {
      changed = false;
      delta = Buffer.from(JSON.stringify({ type: 'wallboard', seq, serverTime: at, snapshot, agents: wallboard.takeChangedAgents() }));
    }
    builds.push(paceNow() - began);
    if (builds.length > 8) builds.shift();
    deliver({ seq, at, snapshot, delta }, [...viewers]);
    counters.frames++;
    counters.lastBuildMs = performance.now() - started;
    if (waitingForWhole()) arm();
  }

  function beat(): void {
    heartbeat = undefined;
    if (closed) return;
    for (const v of [...viewers]) {
      if (!v.alive) { viewers.delete(v); v.socket.terminate(); continue; }
      v.alive = false;
      try { v.socket.ping(); } catch { /* closing */ }
    }
    if (viewers.size > 0) heartbeat = clock.setTimeout(beat, settings.heartbeatMs);
  }

  const offChange = wallboard.onChange(onChange);

  return {
    attach(socket, who) {
      if (closed) { socket.close(1001, 'service stopping'); return; }
      const v: Viewer = { socket, who, alive: true, needsWhole: true, slowSince: undefined, sentAt: -Infinity };
      if (viewers.size === 0) { wallboard.takeChangedAgents(); changed = false; }
      viewers.add(v);
      socket.on('pong', () => { v.alive = true; });
      socket.on('message', (raw, isBinary) => {
        v.alive = true;
        // Bounded like every socket's frames (src/http-json.ts); anything but a ping is not answered.
        const parsed = parseInbound(raw, isBinary, 4096);
        if (parsed.ok && parsed.message.type === 'ping' && socket.readyState === socket.OPEN) {
          // A reply to the page's own ping, not a board frame.
          socket.send(JSON.stringify({ type: 'pong', serverTime: clock.now(), ...(parsed.message.ref ? { ref: parsed.message.ref } : {}) }));
        }
      });
      socket.on('close', () => { viewers.delete(v); });
      socket.on('error', () => { viewers.delete(v); });
      if (!heartbeat) heartbeat = clock.setTimeout(beat, settings.heartbeatMs);
      if (!hourTimer) armHourTimer();
      arm();
    },
    stats: () => ({ sockets: viewers.size, ...counters }),
    close() {
      closed = true;
      offChange();
      clock.clearTimeout(timer);
      clock.clearTimeout(hourTimer);
      clock.clearTimeout(heartbeat);
      clock.clearTimeout(held?.timer);
      for (const v of [...viewers]) drop(v, 1001, 'service stopping');
    },
  };
}
