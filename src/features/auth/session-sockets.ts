/**
 * Every live socket (the desktop's, the wallboard's, the portal's, the review desk's) belongs to the
 * session that opened it. While a page keeps its socket open its session is in use, so it is slid
 * forward like a request would (a wallboard on a wall TV stays signed in); when the session ends (signed
 * out, expired, swept) its sockets are closed with SESSION_ENDED, and the page signs in again instead of
 * reconnecting to a 401 for ever.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Clock, TimerHandle } from '../../clock.ts';
import type { AuthService } from './auth.service.ts';

/** The close code of a socket whose session ended: the page must sign in again, not reconnect. */
export const SESSION_ENDED = 4401;
/** How often the sessions of open sockets are looked at (and slid). */
export const SESSION_SOCKET_CHECK_MS = 60_000;

const SESSION_OF_UPGRADE = Symbol('hotline.sessionOfUpgrade');
type UpgradeRequest = IncomingMessage & { [SESSION_OF_UPGRADE]?: string };

/** Marks an upgrade request with its session, for the socket it becomes. */
export function markUpgrade(raw: IncomingMessage, sessionId: string): void {
  (raw as UpgradeRequest)[SESSION_OF_UPGRADE] = sessionId;
}

export interface SessionSockets {
  /** Closes the session's sockets now (it was signed out). */
  ended(sessionId: string): void;
  /** Looks at every session with an open socket: slides those still live, closes the sockets of the others. */
  check(): void;
  stats(): { sessions: number; sockets: number };
  close(): void;
}

export function watchSessionSockets(deps: {
  wss: Pick<WebSocketServer, 'on'>; auth: Pick<AuthService, 'authenticate'>; clock: Clock; log: Logger; everyMs?: number;
}): SessionSockets {
  const { auth, clock } = deps;
  const log = deps.log.child({ component: 'session-sockets' });
  const everyMs = deps.everyMs ?? SESSION_SOCKET_CHECK_MS;
  const bySession = new Map<string, Set<WebSocket>>();
  let timer: TimerHandle | undefined;
  let closed = false;

  function forget(sessionId: string, socket: WebSocket): void {
    const set = bySession.get(sessionId);
    if (!set) return;
    set.delete(socket);
    if (set.size === 0) bySession.delete(sessionId);
  }

  function end(sessionId: string): void {
    const set = bySession.get(sessionId);
    if (!set) return;
    bySession.delete(sessionId);
    for (const socket of set) {
      try { socket.close(SESSION_ENDED, 'session ended'); } catch { socket.terminate(); }
    }
    log.info({ sockets: set.size }, 'session ended: its sockets closed');
  }

  function check(): void {
    for (const sessionId of [...bySession.keys()]) {
      let live = true;
      try {
        live = auth.authenticate(sessionId) !== undefined;
      } catch (error) {
        // A database that can't be read says nothing about the session: its sockets stay.
        log.warn({ err: error }, 'session of an open socket not checked');
      }
      if (!live) end(sessionId);
    }
  }

  function tick(): void {
    timer = undefined;
    if (closed) return;
    check();
    timer = clock.setTimeout(tick, everyMs);
  }

  deps.wss.on('connection', (socket: WebSocket, raw: IncomingMessage) => {
    const sessionId = (raw as UpgradeRequest)[SESSION_OF_UPGRADE];
    if (sessionId === undefined || closed) return;
    let set = bySession.get(sessionId);
    if (!set) { set = new Set(); bySession.set(sessionId, set); }
    set.add(socket);
    socket.once('close', () => forget(sessionId, socket));
  });
  timer = clock.setTimeout(tick, everyMs);

  return {
    ended: end,
    check,
    stats: () => ({ sessions: bySession.size, sockets: [...bySession.values()].reduce((n, s) => n + s.size, 0) }),
    close() {
      closed = true;
      clock.clearTimeout(timer);
      bySession.clear();
    },
  };
}
