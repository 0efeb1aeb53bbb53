import AsteriskManager from 'asterisk-manager';
import { realClock } from '../../clock.ts';
import type { TimerHandle } from '../../clock.ts';
import { eventParsers, header, isEmptyListError, isEventName, toContactListItem, toCoreSettings, toEndpointListItem } from './parse.ts';
import { AmiError } from './types.ts';
import type { AmiClient, AmiClientOptions, AmiEventMap, AmiEventName, AmiState, AmiStats } from './types.ts';

type AmiMessage = AsteriskManager.AmiMessage;
type Manager = AsteriskManager.Manager;
type ActionRequest = AsteriskManager.ActionRequest;

interface ActionResult { response: AmiMessage; items: AmiMessage[] }
interface Pending {
  action: string;
  list: boolean;
  response?: AmiMessage;
  items: AmiMessage[];
  timer: TimerHandle;
  resolve(result: ActionResult): void;
  reject(err: Error): void;
}

export function createAmiClient(opts: AmiClientOptions): AmiClient {
  const clock = opts.clock ?? realClock;
  const backoff = opts.reconnect ?? { initialMs: 500, maxMs: 30_000 };
  const actionTimeoutMs = opts.actionTimeoutMs ?? 10_000;
  const pingIntervalMs = opts.pingIntervalMs ?? 20_000;
  const log = opts.log.child({ component: 'ami', host: opts.host, port: opts.port });

  let state: AmiState = 'disconnected';
  let manager: Manager | undefined;
  let generation = 0;
  let failures = 0;
  let everConnected = false;
  let closing = false;
  let seq = 0;
  let retryTimer: TimerHandle | undefined;
  let pingTimer: TimerHandle | undefined;
  let loginTimer: TimerHandle | undefined;
  let waiting: { promise: Promise<void>; resolve(): void; reject(err: Error): void } | undefined;
  const pending = new Map<string, Pending>();
  const tcpUp = new WeakSet<Manager>();
  const handlers = new Map<AmiEventName, Set<(event: never) => void>>();
  const stateHandlers = new Set<(s: AmiState) => void>();
  const counters: AmiStats = { reconnects: 0, drops: 0, malformed: 0, errors: 0 };

  function setState(next: AmiState): void {
    if (state === next) return;
    state = next;
    for (const h of stateHandlers) guarded(() => h(next), 'state');
  }

  function guarded(fn: () => void, event: string): void {
    try { fn(); } catch (err) {
      counters.errors++;
      log.error({ event, err: (err as Error).message }, 'ami event handler failed');
    }
  }

  function rejectAll(err: AmiError): void {
    for (const [id, p] of pending) {
      clock.clearTimeout(p.timer);
      pending.delete(id);
      p.reject(new AmiError(`${p.action}: ${err.message}`, err.code, p.action));
    }
  }

  function open(): void {
    const gen = ++generation;
    setState('connecting');
    const m = AsteriskManager(undefined, opts.host, opts.username, opts.secret, true);
    manager = m;
    let loggedIn = false;
    let lastError: Error | undefined;
    m.on('error', (err) => { if (gen === generation) lastError = err; });
    m.on('close', () => { if (gen === generation) lost(loggedIn, lastError); });
    m.on('response', (r) => { if (gen === generation) onResponse(r); });
    m.on('managerevent', (e) => { if (gen === generation) onEvent(e); });
    m.on('asterisk', (msg) => {
      if (gen !== generation || Object.keys(msg).length === 0) return;
      if (msg.response === undefined) malformed(msg, 'neither response nor event');
      else if (msg.actionid === undefined) malformed(msg, 'response without ActionID');
    });
    m.connect(opts.port, opts.host, () => {
      tcpUp.add(m);
      if (gen !== generation) { m.disconnect(); return; }
      loginTimer = clock.setTimeout(() => {
        if (gen === generation) drop(m, false, `no answer to Login within ${actionTimeoutMs} ms`);
      }, actionTimeoutMs);
      m.login((err) => {
        clock.clearTimeout(loginTimer);
        if (gen !== generation) return;
        if (err) return authFailed(m, header(err, 'Message'));
        loggedIn = true;
        onLoggedIn();
      });
    });
  }

  function onLoggedIn(): void {
    if (everConnected) counters.reconnects++;
    log.info({ reconnect: everConnected, afterFailures: failures }, 'ami connected');
    everConnected = true;
    failures = 0;
    setState('connected');
    schedulePing();
    waiting?.resolve();
    waiting = undefined;
  }

  function authFailed(m: Manager, message: string): void {
    generation++;
    counters.errors++;
    log.error({ username: opts.username, reply: message }, 'ami login rejected');
    m.disconnect();
    manager = undefined;
    setState('disconnected');
    waiting?.reject(new AmiError(`AMI login as "${opts.username}" rejected: ${message || 'no reason given'}`, 'ERR_AMI_AUTH_FAILED'));
    waiting = undefined;
  }

  function drop(m: Manager, wasLoggedIn: boolean, reason: string): void {
    m.disconnect();
    lost(wasLoggedIn, new Error(reason));
  }

  function lost(wasLoggedIn: boolean, err: Error | undefined): void {
    generation++;
    manager = undefined;
    clock.clearTimeout(pingTimer);
    clock.clearTimeout(loginTimer);
    rejectAll(new AmiError('AMI connection lost before a response', 'ERR_AMI_CONNECTION_LOST'));
    if (state === 'closed' || closing) return;
    counters.errors++;
    if (wasLoggedIn) {
      counters.drops++;
      log.warn({ err: err?.message }, 'ami connection lost');
    } else if (failures === 0) {
      log.warn({ err: err?.message }, 'ami connect failed');
    } else {
      log.debug({ err: err?.message, failures }, 'ami connect failed again');
    }
    setState('disconnected');
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures, 30));
    failures++;
    retryTimer = clock.setTimeout(() => { retryTimer = undefined; if (state === 'disconnected') open(); }, delay);
  }

  function schedulePing(): void {
    if (pingIntervalMs <= 0) return;
    const gen = generation;
    pingTimer = clock.setTimeout(() => {
      if (gen !== generation || state !== 'connected') return;
      send({ action: 'Ping' }, false).then(schedulePing, (err: AmiError) => {
        if (gen !== generation || err.code !== 'ERR_AMI_TIMEOUT' || !manager) return;
        drop(manager, true, 'ping timed out');
      });
    }, pingIntervalMs);
  }

  function malformed(msg: AmiMessage, why: string): void {
    counters.malformed++;
    counters.errors++;
    log.warn({ why, keys: Object.keys(msg).slice(0, 8) }, 'ami malformed message ignored');
  }

  function onResponse(r: AmiMessage): void {
    const id = header(r, 'ActionID');
    const p = pending.get(id);
    if (!p) return;
    if (header(r, 'Response').toLowerCase() === 'error') {
      settle(id, p);
      p.reject(new AmiError(`AMI ${p.action} failed: ${header(r, 'Message')}`, 'ERR_AMI_ACTION_FAILED', p.action));
    } else if (p.list && header(r, 'EventList').toLowerCase() === 'start') {
      p.response = r;
    } else {
      settle(id, p);
      p.resolve({ response: r, items: [] });
    }
  }

  function onEvent(e: AmiMessage): void {
    const id = header(e, 'ActionID');
    const p = id ? pending.get(id) : undefined;
    if (p?.list && p.response) {
      if (header(e, 'EventList').toLowerCase() === 'complete') {
        settle(id, p);
        p.resolve({ response: p.response, items: p.items });
      } else {
        p.items.push(e);
      }
      return;
    }
    const name = header(e, 'Event');
    if (!isEventName(name)) return;
    const set = handlers.get(name);
    if (!set || set.size === 0) return;
    const parsed = eventParsers[name](e);
    if (parsed === undefined) return malformed(e, `${name} without its fields`);
    for (const h of set) guarded(() => (h as (ev: typeof parsed) => void)(parsed), name);
  }

  function settle(id: string, p: Pending): void {
    pending.delete(id);
    clock.clearTimeout(p.timer);
  }

  function send(action: ActionRequest, list: boolean): Promise<ActionResult> {
    const m = manager;
    if (state !== 'connected' || !m) {
      return Promise.reject(new AmiError(`AMI ${action.action}: not connected (${state})`, 'ERR_AMI_NOT_CONNECTED', action.action));
    }
    const id = `hl-${++seq}`;
    return new Promise<ActionResult>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        if (!pending.delete(id)) return;
        counters.errors++;
        log.warn({ action: action.action, timeoutMs: actionTimeoutMs }, 'ami action timed out');
        reject(new AmiError(`AMI ${action.action} timed out after ${actionTimeoutMs} ms`, 'ERR_AMI_TIMEOUT', action.action));
      }, actionTimeoutMs);
      pending.set(id, { action: action.action, list, items: [], timer, resolve, reject });
      m.action({ ...action, actionid: id });
    });
  }

  /** A list action; Asterisk answers an empty list with an error ("No endpoints found", "No Contacts found"). */
  async function listOrEmpty(action: string): Promise<AmiMessage[]> {
    try {
      return (await send({ action }, true)).items;
    } catch (err) {
      if (err instanceof AmiError && err.code === 'ERR_AMI_ACTION_FAILED' && isEmptyListError(err.message)) return [];
      throw err;
    }
  }

  return {
    connect() {
      if (state === 'closed' || closing) return Promise.reject(new AmiError('AMI client closed', 'ERR_AMI_CLOSED'));
      if (state === 'connected') return Promise.resolve();
      if (!waiting) {
        let resolve!: () => void;
        let reject!: (err: Error) => void;
        const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
        waiting = { promise, resolve, reject };
      }
      if (state === 'disconnected' && retryTimer === undefined) open();
      return waiting.promise;
    },
    async close() {
      if (state === 'closed' || closing) return;
      closing = true;
      const m = manager;
      if (state === 'connected' && m) await send({ action: 'Logoff' }, false).catch(() => undefined);
      generation++;
      setState('closed');
      clock.clearTimeout(retryTimer);
      clock.clearTimeout(pingTimer);
      clock.clearTimeout(loginTimer);
      if (m && tcpUp.has(m)) m.disconnect();
      manager = undefined;
      rejectAll(new AmiError('AMI client closed', 'ERR_AMI_CLOSED'));
      waiting?.reject(new AmiError('AMI client closed before it connected', 'ERR_AMI_CLOSED'));
      waiting = undefined;
    },
    state: () => state,
    onStateChange(handler) {
      stateHandlers.add(handler);
      return () => { stateHandlers.delete(handler); };
    },
    on<K extends AmiEventName>(name: K, handler: (event: AmiEventMap[K]) => void) {
      const set = handlers.get(name) ?? new Set();
      handlers.set(name, set);
      set.add(handler as (event: never) => void);
      return () => { set.delete(handler as (event: never) => void); };
    },
    async coreSettings() {
      return toCoreSettings((await send({ action: 'CoreSettings' }, false)).response);
    },
    async pjsipShowEndpoints() {
      return (await listOrEmpty('PJSIPShowEndpoints')).map(toEndpointListItem);
    },
    async pjsipShowContacts() {
      return (await listOrEmpty('PJSIPShowContacts')).map(toContactListItem);
    },
    async ping() {
      const started = clock.now();
      await send({ action: 'Ping' }, false);
      return clock.now() - started;
    },
    stats: () => ({ ...counters }),
  };
}
