import type { WebSocket } from 'ws';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import { hourStart } from '../../domain/acd/service-level.ts';
import type { Wallboard } from './wallboard.service.ts';

export interface WallboardViewer { userId: string; username: string; role: string; displayName: string }

export interface WallboardFanoutSettings {
  /** No socket gets two board frames closer than this; a change waits at most this long (plus the build). */
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
}

export interface WallboardFanout {
  attach(socket: WebSocket, who: WallboardViewer): void;
  stats(): { sockets: number; frames: number; skipped: number; dropped: number; lastBuildMs: number };
  close(): void;
}

/**
 * The supervisors' sockets. Every frame goes out in one push to every socket, and pushes are at least
 * `minIntervalMs` apart, timed from the moment the last one was written:
 *
 * - a change when the last push is a second old or more is pushed at once (leading edge);
 * - a change sooner than that marks the board as changed, and one push is scheduled at last push + 1 s;
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
  const viewers = new Set<Viewer>();
  let timer: TimerHandle | undefined;
  let hourTimer: TimerHandle | undefined;
  let heartbeat: TimerHandle | undefined;
  let lastPushAt = -Infinity;
  let changed = false;
  let seq = 0;
  let closed = false;
  const counters = { frames: 0, skipped: 0, dropped: 0, lastBuildMs: 0 };

  const waitingForWhole = () => { for (const v of viewers) if (v.needsWhole) return true; return false; };

  /** Arms the one push timer for the earliest moment allowed. */
  function arm(): void {
    if (timer || closed || viewers.size === 0) return;
    timer = clock.setTimeout(push, Math.max(0, lastPushAt + settings.minIntervalMs - clock.now()));
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
    return true;
  }

  function push(): void {
    timer = undefined;
    if (closed) return;
    const due = lastPushAt + settings.minIntervalMs;
    if (clock.now() < due) { timer = clock.setTimeout(push, due - clock.now()); return; }
    const whole = waitingForWhole();
    if (!changed && !whole) return;
    const started = performance.now();
    const at = clock.now();
    const snapshot = wallboard.snapshot();
    seq++;
    let delta: Buffer | undefined;
    if (changed) {
      changed = false;
      delta = Buffer.from(JSON.stringify({ type: 'wallboard', seq, serverTime: at, snapshot, agents: wallboard.takeChangedAgents() }));
    }
    // The whole board for sockets that need it: one shared body behind a short per-socket head (the user).
    let body: Buffer | undefined;
    for (const v of [...viewers]) {
      if (!v.needsWhole) { if (delta) write(v, delta, at); continue; }
      body ??= Buffer.from(JSON.stringify({ snapshot, agents: wallboard.agents() }).slice(1));
      const head = Buffer.from(`{"type":"hello","seq":${seq},"serverTime":${at},"user":${JSON.stringify(v.who)},`);
      if (write(v, Buffer.concat([head, body]), at)) v.needsWhole = false;
    }
    counters.frames++;
    lastPushAt = clock.now();
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
      const v: Viewer = { socket, who, alive: true, needsWhole: true, slowSince: undefined };
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
      for (const v of [...viewers]) drop(v, 1001, 'service stopping');
    },
  };
}
