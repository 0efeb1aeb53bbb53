import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import { hourStart } from '../../domain/acd/service-level.ts';
import type { Wallboard } from './wallboard.service.ts';

export interface WallboardViewer { userId: string; username: string; role: string; displayName: string }

export interface WallboardFanoutSettings {
  /** Frames go out at most this often ... */
  minIntervalMs: number;
  /** ... a socket whose send buffer is above this when a frame is due is closed with 1013. */
  maxBufferedBytes: number;
  heartbeatMs: number;
}

export const DEFAULT_FANOUT: WallboardFanoutSettings = { minIntervalMs: 1000, maxBufferedBytes: 4 * 1024 * 1024, heartbeatMs: 25_000 };

interface Viewer { socket: WebSocket; who: WallboardViewer; alive: boolean }

export interface WallboardFanout {
  attach(socket: WebSocket, who: WallboardViewer): void;
  stats(): { sockets: number; frames: number; dropped: number };
  close(): void;
}

/**
 * The supervisors' sockets. Changes are coalesced: the first change after a quiet second goes out at
 * once, later ones with the next frame, so a socket gets at most one frame a second and every change
 * reaches it within a second. A frame is serialised once and sent to every socket.
 */
export function createWallboardFanout(deps: { wallboard: Wallboard; clock: Clock; log: Logger; settings?: Partial<WallboardFanoutSettings> }): WallboardFanout {
  const settings = { ...DEFAULT_FANOUT, ...deps.settings };
  const { wallboard, clock } = deps;
  const log = deps.log.child({ component: 'wallboard' });
  const viewers = new Set<Viewer>();
  let timer: TimerHandle | undefined;
  let hourTimer: TimerHandle | undefined;
  let heartbeat: TimerHandle | undefined;
  let lastFrameAt = -Infinity;
  let pending = false;
  let seq = 0;
  let closed = false;
  const counters = { frames: 0, dropped: 0 };

  function schedule(): void {
    pending = true;
    if (timer || closed || viewers.size === 0) return;
    timer = clock.setTimeout(flush, Math.max(0, lastFrameAt + settings.minIntervalMs - clock.now()));
  }

  function armHourTimer(): void {
    clock.clearTimeout(hourTimer);
    const now = clock.now();
    const next = hourStart(now, wallboard.snapshot().options.utcOffsetMinutes) + 3_600_000;
    hourTimer = clock.setTimeout(() => { hourTimer = undefined; schedule(); armHourTimer(); }, next - now + 5);
  }

  function send(v: Viewer, text: string): void {
    if (v.socket.readyState !== v.socket.OPEN) return;
    if (v.socket.bufferedAmount > settings.maxBufferedBytes) {
      counters.dropped++;
      log.warn({ userId: v.who.userId, bufferedAmount: v.socket.bufferedAmount }, 'wallboard socket dropped');
      viewers.delete(v);
      try { v.socket.close(1013, 'client too slow, reconnect'); } catch { v.socket.terminate(); }
      return;
    }
    v.socket.send(text);
  }

  function flush(): void {
    timer = undefined;
    if (!pending || closed) return;
    const now = clock.now();
    if (now < lastFrameAt + settings.minIntervalMs) { timer = clock.setTimeout(flush, lastFrameAt + settings.minIntervalMs - now); return; }
    pending = false;
    lastFrameAt = now;
    const snapshot = wallboard.snapshot();
    const agents = wallboard.takeChangedAgents();
    if (viewers.size === 0) return;
    const text = JSON.stringify({ type: 'wallboard', seq: ++seq, serverTime: now, snapshot, agents });
    counters.frames++;
    for (const v of [...viewers]) send(v, text);
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

  const offChange = wallboard.onChange(schedule);

  return {
    attach(socket, who) {
      if (closed) { socket.close(1001, 'service stopping'); return; }
      const v: Viewer = { socket, who, alive: true };
      if (viewers.size === 0) wallboard.takeChangedAgents();
      viewers.add(v);
      socket.on('pong', () => { v.alive = true; });
      socket.on('message', (raw, isBinary) => {
        v.alive = true;
        if (isBinary || String(raw).length > 4096) return;
        let frame: { type?: unknown; ref?: unknown };
        try { frame = JSON.parse(String(raw)) as typeof frame; } catch { return; }
        if (frame?.type === 'ping') {
          send(v, JSON.stringify({ type: 'pong', serverTime: clock.now(), ...(typeof frame.ref === 'string' ? { ref: frame.ref.slice(0, 64) } : {}) }));
        }
      });
      socket.on('close', () => { viewers.delete(v); });
      socket.on('error', () => { viewers.delete(v); });
      const now = clock.now();
      send(v, JSON.stringify({
        type: 'hello', serverTime: now, user: who, seq,
        snapshot: wallboard.snapshot(), agents: wallboard.agents(),
      }));
      if (!heartbeat) heartbeat = clock.setTimeout(beat, settings.heartbeatMs);
      if (!hourTimer) armHourTimer();
      if (pending) schedule();
    },
    stats: () => ({ sockets: viewers.size, ...counters }),
    close() {
      closed = true;
      offChange();
      clock.clearTimeout(timer);
      clock.clearTimeout(hourTimer);
      clock.clearTimeout(heartbeat);
      for (const v of [...viewers]) {
        viewers.delete(v);
        try { v.socket.close(1001, 'service stopping'); } catch { v.socket.terminate(); }
      }
    },
  };
}
