import type { WebSocket } from 'ws';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import { hourStart } from '../../domain/acd/service-level.ts';
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

/** One push: the board built once, its delta frame serialised once, the whole board for new sockets serialised when first needed. */
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
 *   the time the quickest of the last boards took to build, so that neither the build nor the writes to
 *   every socket lengthen the beat;
 * - each socket is written only when its own last frame is a second old, those due soonest first; one
 *   not due yet (this push reached it sooner than the last one did) gets the frame when it is;
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
  const viewers = new Set<Viewer>();
  let timer: TimerHandle | undefined;
  let hourTimer: TimerHandle | undefined;
  let heartbeat: TimerHandle | undefined;
  /** When the last push's frame was first written to a socket (or was built, when it was written to none). */
  let beatAt = -Infinity;
  /** How long the last few boards took to build, by the service's clock. */
  const builds: number[] = [];
  /** The earliest moment the next push may begin: early by the quickest recent build, so that a quick build seldom writes before a socket's second is up. */
  const nextPushAt = (): number => beatAt + settings.minIntervalMs - (builds.length ? Math.min(...builds) : 0);
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
    timer = clock.setTimeout(push, Math.max(0, nextPushAt() - paceNow()));
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
   * Sends `frame` to each of `targets` whose second is up, those due soonest first; one not due yet is
   * tried again once the others are written (writing them takes a while), and the last few get the frame
   * when their second is up. The beat is the first write.
   */
  function deliver(frame: Frame, targets: Viewer[]): void {
    let first: number | undefined;
    const sendNow = (v: Viewer): boolean => {
      if (!viewers.has(v)) return true;
      if (paceNow() < v.sentAt + settings.minIntervalMs) return false;
      first ??= paceNow();
      send(v, frame);
      return true;
    };
    targets.sort((a, b) => a.sentAt - b.sentAt);
    const notYet = targets.filter((v) => !sendNow(v)).filter((v) => !sendNow(v));
    if (notYet.length === 0) { beatAt = first ?? paceNow(); return; }
    const dueAt = Math.max(...notYet.map((v) => v.sentAt + settings.minIntervalMs));
    // Written to none yet: the beat is when the first held socket will be, so that the next push cannot overtake them.
    beatAt = first ?? Math.min(...notYet.map((v) => v.sentAt + settings.minIntervalMs));
    held = { frame, viewers: new Set(notYet), timer: clock.setTimeout(() => { held = undefined; if (!closed) deliver(frame, notYet); }, dueAt - paceNow()) };
  }

  function push(): void {
    timer = undefined;
    if (closed) return;
    const due = nextPushAt();
    if (paceNow() < due) { timer = clock.setTimeout(push, due - paceNow()); return; }
    // A socket still owed the last frame has missed its delta: it is sent the whole board instead.
    if (held) { clock.clearTimeout(held.timer); for (const v of held.viewers) v.needsWhole = true; held = undefined; }
    const whole = waitingForWhole();
    if (!changed && !whole) return;
    const started = performance.now();
    const at = clock.now();
    const began = paceNow();
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
        if (isBinary || String(raw).length > 4096) return;
        let frame: { type?: unknown; ref?: unknown };
        try { frame = JSON.parse(String(raw)) as typeof frame; } catch { return; }
        if (frame?.type === 'ping' && socket.readyState === socket.OPEN) {
          // A reply to the page's own ping, not a board frame.
          socket.send(JSON.stringify({ type: 'pong', serverTime: clock.now(), ...(typeof frame.ref === 'string' ? { ref: frame.ref.slice(0, 64) } : {}) }));
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
