import type { Logger } from 'pino';
import { realClock } from '../../clock.ts';
import type { Clock } from '../../clock.ts';
import type { AriEvent } from './models.ts';
import type { AriClient, AriClientStats, AriConnectionState, AriSnapshot } from './client.types.ts';
import { createAriRest } from './rest.ts';
import type { AriRequestRecord } from './rest.ts';
import { createEventsSocket, eventsUrl } from './events-socket.ts';
import type { Backoff } from './events-socket.ts';
import { createEventDispatch } from './event-dispatch.ts';

export { isKnownAriEvent } from './event-dispatch.ts';

export interface AriClientOptions {
  /** ARI base, e.g. http://127.0.0.1:8088/ari */
  url: string;
  username: string;
  password: string;
  app: string;
  log: Logger;
  clock?: Clock;
  backoff?: Backoff;
  requestTimeoutMs?: number;
  pingIntervalMs?: number;
  random?: () => number;
  onRequest?: (record: AriRequestRecord) => void;
}

export function createAriClient(opts: AriClientOptions): AriClient {
  const log = opts.log.child({ component: 'ari', app: opts.app });
  const clock = opts.clock ?? realClock;
  const stats: AriClientStats = {
    eventsReceived: 0, eventsMalformed: 0, eventsUnknown: 0, eventsDuplicate: 0, restErrors: 0, transportErrors: 0, reconnects: 0,
  };
  const rest = createAriRest({
    baseUrl: opts.url,
    username: opts.username,
    password: opts.password,
    requestTimeoutMs: opts.requestTimeoutMs,
    onRequest(record) {
      if (record.status === undefined) stats.transportErrors += 1;
      else if (record.status >= 400) stats.restErrors += 1;
      opts.onRequest?.(record);
    },
  });

  const dispatch = createEventDispatch({ log, stats });
  const reconcileHandlers = new Set<(snapshot: AriSnapshot) => Promise<void> | void>();
  const stateHandlers = new Set<(state: AriConnectionState) => void>();
  let current: AriConnectionState = 'disconnected';
  let firstConnected: { resolve: () => void; reject: (err: Error) => void } | undefined;
  let connecting: Promise<void> | undefined;

  function setState(state: AriConnectionState): void {
    if (state === current) return;
    current = state;
    for (const h of [...stateHandlers]) {
      try { h(state); } catch (err) { log.error({ err, state }, 'ari state handler failed'); }
    }
  }

  async function reconcile(reconnect: boolean): Promise<void> {
    const [channels, bridges] = await Promise.all([rest.channels.list(), rest.bridges.list()]);
    if (reconnect) stats.reconnects += 1;
    const snapshot: AriSnapshot = { channels, bridges, reconnect };
    log.info({ reconnect, channels: channels.length, bridges: bridges.length }, 'ari reconcile');
    for (const h of [...reconcileHandlers]) {
      try { await h(snapshot); } catch (err) { log.error({ err, reconnect }, 'ari reconcile handler failed'); }
    }
  }

  const socket = createEventsSocket({
    url: eventsUrl(opts.url, opts.app, opts.username, opts.password),
    clock,
    log,
    backoff: opts.backoff ?? { initialMs: 500, maxMs: 30_000 },
    random: opts.random,
    pingIntervalMs: opts.pingIntervalMs,
    onOpen: reconcile,
    onFrame: dispatch.deliver,
    onState(state) {
      setState(state);
      if (state === 'connected' && firstConnected) {
        firstConnected.resolve();
        firstConnected = undefined;
      }
    },
  });

  return {
    ...rest,
    app: opts.app,
    connect() {
      if (current === 'closed') return Promise.reject(new Error('ari client closed'));
      connecting ??= new Promise<void>((resolve, reject) => {
        firstConnected = { resolve, reject };
        socket.start();
      });
      return connecting;
    },
    async close() {
      await socket.close();
      setState('closed');
      if (firstConnected) {
        firstConnected.reject(new Error('ari client closed before connecting'));
        firstConnected = undefined;
      }
    },
    state: () => current,
    stats: () => ({ ...stats }),
    onEvent: (handler: (event: AriEvent) => void) => dispatch.subscribe(handler),
    onReconcile(handler) {
      reconcileHandlers.add(handler);
      return () => { reconcileHandlers.delete(handler); };
    },
    onStateChange(handler) {
      stateHandlers.add(handler);
      return () => { stateHandlers.delete(handler); };
    },
  };
}
