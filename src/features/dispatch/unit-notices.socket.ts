import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import { badMessage, parseInbound } from '../live/live.messages.ts';
import type { UnitNotice } from './unit-notices.ts';

/**
 * Who holds a notice socket: a unit user acting for their unit, or a centre user at the review desk
 * (`unitCode` is then CENTRE_DESK). Notices go to the sockets of one `unitCode` only.
 */
export interface PortalViewer { userId: string; username: string; displayName: string; unitCode: string; unitName: string }

/** The `unitCode` of the centre's review desk sockets: not a unit's code (those have no '@'). */
export const CENTRE_DESK = '@centre';

export interface NoticeFanoutSettings {
  /** A socket whose send buffer is above this when a frame is due ... */
  maxBufferedBytes: number;
  /** ... for this long is closed with 1013 (a client that stopped reading). */
  slowGraceMs: number;
  heartbeatMs: number;
  maxMessageBytes: number;
  maxMessagesPerSecond: number;
}

export const DEFAULT_NOTICE_FANOUT: NoticeFanoutSettings = {
  maxBufferedBytes: 1024 * 1024, slowGraceMs: 2000, heartbeatMs: 25_000, maxMessageBytes: 4096, maxMessagesPerSecond: 20,
};

export interface NoticeSource<N extends object = UnitNotice> {
  /** The first frame's unread notices and count for this viewer. */
  unread(viewer: PortalViewer): { notices: N[]; unread: number };
  unreadCount(viewer: PortalViewer): number;
}

export interface NoticeFanout<N extends object = UnitNotice> {
  attach(socket: WebSocket, viewer: PortalViewer): void;
  /** Sends a stored notice to every open socket of one unit (or the centre's desk), and of no other; returns how many got it. */
  push(unitCode: string, notice: N): number;
  /** Tells the viewer's other sockets (another tab) that notices were read. */
  readChanged(userId: string, unitCode: string): void;
  stats(): { sockets: number; frames: number; dropped: number };
  close(): void;
}

interface Peer { socket: WebSocket; viewer: PortalViewer; alive: boolean; overSince: number | undefined; windowStart: number; windowCount: number }

/**
 * The unit portal's sockets (`GET /ws/portal`): one set per unit, so a notice only ever reaches its
 * own unit's users. Bounded like the desktop's: a slow reader is dropped, never waited for.
 */
export function createNoticeFanout<N extends object = UnitNotice>(deps: {
  source: NoticeSource<NoInfer<N>>; clock: Clock; log: Logger; settings?: Partial<NoticeFanoutSettings>;
}): NoticeFanout<N> {
  const settings = { ...DEFAULT_NOTICE_FANOUT, ...deps.settings };
  const { clock, source } = deps;
  const log = deps.log.child({ component: 'portal-socket' });
  const byUnit = new Map<string, Set<Peer>>();
  const counters = { frames: 0, dropped: 0 };
  let heartbeat: TimerHandle | undefined;
  let closed = false;

  const all = () => [...byUnit.values()].flatMap((s) => [...s]);

  function forget(peer: Peer): void {
    const set = byUnit.get(peer.viewer.unitCode);
    if (!set) return;
    set.delete(peer);
    if (set.size === 0) byUnit.delete(peer.viewer.unitCode);
  }

  function send(peer: Peer, frame: object): boolean {
    const { socket } = peer;
    if (socket.readyState !== socket.OPEN) return false;
    if (socket.bufferedAmount > settings.maxBufferedBytes) {
      const now = clock.now();
      peer.overSince ??= now;
      if (now - peer.overSince >= settings.slowGraceMs) {
        counters.dropped++;
        log.warn({ userId: peer.viewer.userId, unit: peer.viewer.unitCode, bufferedAmount: socket.bufferedAmount }, 'portal socket dropped');
        forget(peer);
        try { socket.close(1013, 'client too slow, reconnect'); } catch { socket.terminate(); }
        return false;
      }
    } else {
      peer.overSince = undefined;
    }
    socket.send(JSON.stringify(frame));
    counters.frames++;
    return true;
  }

  function receive(peer: Peer, raw: unknown, isBinary: boolean): void {
    peer.alive = true;
    const now = clock.now();
    if (now - peer.windowStart >= 1000) { peer.windowStart = now; peer.windowCount = 0; }
    if (++peer.windowCount > settings.maxMessagesPerSecond) { send(peer, badMessage('too_fast')); return; }
    const parsed = parseInbound(raw, isBinary, settings.maxMessageBytes);
    if (!parsed.ok) { send(peer, badMessage(parsed.reason, parsed.ref)); return; }
    const { message } = parsed;
    if (message.type !== 'ping') { send(peer, badMessage('unknown_type', message.ref)); return; }
    send(peer, { type: 'pong', serverTime: now, ...(message.ref ? { ref: message.ref } : {}) });
  }

  function beat(): void {
    heartbeat = undefined;
    if (closed) return;
    for (const peer of all()) {
      if (!peer.alive) { forget(peer); peer.socket.terminate(); continue; }
      peer.alive = false;
      try { peer.socket.ping(); } catch { /* closing */ }
    }
    if (byUnit.size > 0) heartbeat = clock.setTimeout(beat, settings.heartbeatMs);
  }

  return {
    attach(socket, viewer) {
      if (closed) { socket.close(1001, 'service stopping'); return; }
      const peer: Peer = { socket, viewer, alive: true, overSince: undefined, windowStart: clock.now(), windowCount: 0 };
      let set = byUnit.get(viewer.unitCode);
      if (!set) { set = new Set(); byUnit.set(viewer.unitCode, set); }
      set.add(peer);
      socket.on('pong', () => { peer.alive = true; });
      socket.on('message', (raw, isBinary) => receive(peer, raw, isBinary));
      socket.on('close', () => forget(peer));
      socket.on('error', (error) => { log.debug({ err: error, userId: viewer.userId }, 'portal socket error'); forget(peer); });
      const { notices, unread } = source.unread(viewer);
      send(peer, {
        type: 'hello', serverTime: clock.now(),
        user: { id: viewer.userId, username: viewer.username, displayName: viewer.displayName },
        unit: { code: viewer.unitCode, name: viewer.unitName }, unread, notices,
      });
      if (!heartbeat) heartbeat = clock.setTimeout(beat, settings.heartbeatMs);
    },
    push(unitCode, notice) {
      let n = 0;
      for (const peer of [...(byUnit.get(unitCode) ?? [])]) {
        if (send(peer, { type: 'notice', notice: { ...notice, read: false }, unread: source.unreadCount(peer.viewer) })) n++;
      }
      return n;
    },
    readChanged(userId, unitCode) {
      for (const peer of [...(byUnit.get(unitCode) ?? [])]) {
        if (peer.viewer.userId === userId) send(peer, { type: 'notices.read', unread: source.unreadCount(peer.viewer) });
      }
    },
    stats: () => ({ sockets: all().length, ...counters }),
    close() {
      closed = true;
      clock.clearTimeout(heartbeat);
      for (const peer of all()) {
        forget(peer);
        try { peer.socket.close(1001, 'service stopping'); } catch { peer.socket.terminate(); }
      }
    },
  };
}

/**
 * Stores a notice, then pushes it once the change that raised it is committed: a rolled-back change
 * leaves no notice to push (and its id may already belong to a later notice, hence the comparison).
 * A notice that can't be stored is logged; the change that raised it stands.
 */
export function storeThenPush<N extends { id: number; about: string; ticketId: string; at: number }>(deps: {
  store: () => N; find: (id: number) => N | undefined; push: (committed: N) => void; log: Logger; context: object;
}): void {
  let stored: N;
  try {
    stored = deps.store();
  } catch (error) {
    deps.log.error({ err: error, ...deps.context }, 'notice not stored');
    return;
  }
  const { id, about, ticketId, at } = stored;
  queueMicrotask(() => {
    try {
      const committed = deps.find(id);
      if (committed && committed.about === about && committed.ticketId === ticketId && committed.at === at) deps.push(committed);
    } catch (error) {
      deps.log.warn({ err: error, noticeId: id }, 'notice not pushed');
    }
  });
}
