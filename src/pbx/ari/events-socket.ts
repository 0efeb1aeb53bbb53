import WebSocket from 'ws';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';

export interface Backoff { initialMs: number; maxMs: number }

export type EventsSocketState = 'connecting' | 'reconciling' | 'connected' | 'disconnected' | 'closed';

export interface EventsSocketOptions {
  /** ws(s)://host/ari/events?app=…&api_key=… ; never logged. */
  url: string;
  clock: Clock;
  log: Logger;
  backoff: Backoff;
  random?: () => number;
  /** A ping every so often; a socket that does not answer within the next interval is dropped. 0 turns it off. */
  pingIntervalMs?: number;
  /** Runs after every open, before any frame received after the open is handed on. Rejecting drops the socket and retries. */
  onOpen: (reconnect: boolean) => Promise<void>;
  onFrame: (data: string) => void;
  onState: (state: EventsSocketState) => void;
}

/** The events websocket URL Asterisk expects: credentials in api_key, no subscribeAll. */
export function eventsUrl(baseUrl: string, app: string, username: string, password: string): string {
  const u = new URL(baseUrl.replace(/\/+$/, '') + '/events');
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.username = '';
  u.password = '';
  u.search = new URLSearchParams({ app, api_key: `${username}:${password}` }).toString();
  return u.toString();
}

/** Delay before reconnect attempt n (0-based): capped exponential, with jitter between half and all of it. */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const full = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(full / 2 + (full / 2) * random());
}

export interface EventsSocket {
  start(): void;
  close(): Promise<void>;
}

export function createEventsSocket(o: EventsSocketOptions): EventsSocket {
  const log = o.log;
  const random = o.random ?? Math.random;
  const pingIntervalMs = o.pingIntervalMs ?? 30_000;
  let ws: WebSocket | undefined;
  let generation = 0;
  let attempt = 0;
  let everOpened = false;
  let closed = false;
  let retryTimer: TimerHandle | undefined;
  let pingTimer: TimerHandle | undefined;

  function setState(s: EventsSocketState): void { o.onState(s); }

  function scheduleRetry(): void {
    if (closed || retryTimer) return;
    const delay = backoffDelay(attempt, o.backoff, random);
    attempt += 1;
    setState('disconnected');
    log.info({ delayMs: delay, attempt }, 'ari events socket reconnect scheduled');
    retryTimer = o.clock.setTimeout(() => { retryTimer = undefined; open(); }, delay);
  }

  function drop(socket: WebSocket): void {
    socket.removeAllListeners('message');
    try { socket.terminate(); } catch { /* already gone */ }
  }

  function schedulePing(socket: WebSocket, gen: number): void {
    if (pingIntervalMs <= 0) return;
    let answered = true;
    socket.on('pong', () => { answered = true; });
    const tick = (): void => {
      if (gen !== generation || closed) return;
      if (!answered) {
        log.warn({ pingIntervalMs }, 'ari events socket stopped answering pings');
        drop(socket);
        return;
      }
      answered = false;
      try { socket.ping(); } catch { /* the close handler reconnects */ }
      pingTimer = o.clock.setTimeout(tick, pingIntervalMs);
    };
    pingTimer = o.clock.setTimeout(tick, pingIntervalMs);
  }

  function open(): void {
    if (closed) return;
    const gen = ++generation;
    setState('connecting');
    const socket = new WebSocket(o.url, { perMessageDeflate: false });
    ws = socket;
    let buffer: string[] | undefined = [];
    let live = true;

    socket.on('message', (data: WebSocket.RawData) => {
      if (gen !== generation) return;
      const text = typeof data === 'string' ? data : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      if (buffer) buffer.push(text);
      else o.onFrame(text);
    });

    socket.on('open', () => {
      if (gen !== generation || closed) return;
      const reconnect = everOpened;
      everOpened = true;
      log.info({ reconnect }, 'ari events socket open');
      setState('reconciling');
      schedulePing(socket, gen);
      o.onOpen(reconnect).then(() => {
        if (gen !== generation || closed || !live) return;
        attempt = 0;
        setState('connected');
        const pending = buffer ?? [];
        buffer = undefined;
        for (const frame of pending) o.onFrame(frame);
      }, (err: unknown) => {
        if (gen !== generation || closed || !live) return;
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'ari reconcile failed, reconnecting');
        drop(socket);
      });
    });

    socket.on('error', (err: Error) => {
      if (gen !== generation) return;
      log.warn({ err: err.message }, 'ari events socket error');
    });

    socket.on('close', (code: number) => {
      live = false;
      if (gen !== generation) return;
      o.clock.clearTimeout(pingTimer);
      pingTimer = undefined;
      ws = undefined;
      buffer = undefined;
      if (closed) return;
      log.warn({ code }, 'ari events socket closed');
      scheduleRetry();
    });
  }

  return {
    start() {
      if (closed || ws || retryTimer) return;
      open();
    },
    async close() {
      if (closed) return;
      closed = true;
      o.clock.clearTimeout(retryTimer);
      o.clock.clearTimeout(pingTimer);
      retryTimer = undefined;
      const socket = ws;
      ws = undefined;
      generation += 1;
      setState('closed');
      if (!socket || socket.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        const forced = setTimeout(() => { socket.terminate(); resolve(); }, 1000);
        forced.unref();
        const done = (): void => { clearTimeout(forced); resolve(); };
        socket.once('close', done);
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(1000, 'client closing');
      });
    },
  };
}
