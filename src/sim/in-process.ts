/**
 * The simulator without sockets: an AriClient bound directly to the simulated Asterisk's state. Each
 * REST operation keeps the method, path and query the HTTP client (rest.ts) sends and runs through the
 * same simulator routes as over HTTP; only the wire and the JSON encoding are left out. Events are queued and handed over once the current step of work
 * is done (a microtask later), in order. With a virtual clock, a day of traffic runs in seconds.
 *
 * The events socket can drop and come back as the real client's does (events-socket.ts): events of the
 * gap are lost, calls arriving in the gap are declined, then after a capped, jittered backoff the client
 * lists channels and bridges, runs every reconcile handler and only then hands over events that arrived
 * meanwhile. An Asterisk restart hangs everything up (cause 4), drops the socket and refuses REST until
 * it is back with a new startup time.
 */
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.ts';
import { AriError } from '../pbx/ari/client.types.ts';
import type { AriClient, AriClientStats, AriConnectionState, AriRest, AriSnapshot, PlayParams, RecordParams } from '../pbx/ari/client.types.ts';
import type { AriEvent, Bridge, Channel } from '../pbx/ari/models.ts';
import { EventBus } from './ari/events.ts';
import type { Reply } from './ari/http.ts';
import { errorReply, Router } from './ari/http.ts';
import { bridgeRoutes } from './ari/routes-bridges.ts';
import { channelRoutes } from './ari/routes-channels.ts';
import { otherRoutes } from './ari/routes-other.ts';
import { Pbx } from './ari/state.ts';
import { createControl } from './control.ts';
import type { DialplanLine } from './ari/dialing.ts';
import { hangUpEverything } from './faults.ts';
import { createPrng } from './prng.ts';
import type { SimControl, SimFaults } from './types.ts';

/** Events the simulated Asterisk sends, collected instead of written to a socket. */
class InProcessEvents extends EventBus {
  readonly queued: Array<Record<string, unknown>> = [];
  readonly active = new Set<string>();
  onQueued: () => void = () => {};
  override isActive(name: string): boolean { return this.active.has(name); }
  override reset(): void { this.active.clear(); super.reset(); }
  keep: ReadonlySet<string> | undefined;
  override send(appName: string, event: Record<string, unknown>): void {
    if (!this.active.has(appName) || (this.keep && !this.keep.has(event.type as string))) return;
    const full = { ...event, asterisk_id: 'in-process', application: appName };
    this.queued.push(full);
    this.onDelivered?.(appName, full);
    this.onQueued();
  }
}

/** The simulated Asterisk, able to leave out events nobody in the process listens to. */
class InProcessPbx extends Pbx {
  #tsAt = Number.NaN;
  #ts = '';
  constructor(opts: ConstructorParameters<typeof Pbx>[0], private readonly keep: ReadonlySet<string> | undefined) { super(opts); }
  override ts(): string {
    const now = this.clock.now();
    if (now !== this.#tsAt) { this.#tsAt = now; this.#ts = super.ts(); }
    return this.#ts;
  }
  override emitChannel(...args: Parameters<Pbx['emitChannel']>): void {
    if (!this.keep || this.keep.has(args[1])) super.emitChannel(...args);
  }
  override emitVarset(...args: Parameters<Pbx['emitVarset']>): void {
    if (!this.keep || this.keep.has('ChannelVarset')) super.emitVarset(...args);
  }
  override emitBridgeMember(...args: Parameters<Pbx['emitBridgeMember']>): void {
    if (!this.keep || this.keep.has(args[0])) super.emitBridgeMember(...args);
  }
  override emitToTarget(...args: Parameters<Pbx['emitToTarget']>): void {
    if (!this.keep || this.keep.has(args[1])) super.emitToTarget(...args);
  }
  override emitBridge(...args: Parameters<Pbx['emitBridge']>): void {
    if (!this.keep || this.keep.has(args[1])) super.emitBridge(...args);
  }
}

/** The events the calls and agents features act on: enough for a simulated day. */
export const CALL_HANDLING_EVENTS: ReadonlySet<string> = new Set([
  'StasisStart', 'StasisEnd', 'ChannelHangupRequest', 'ChannelDestroyed', 'Dial', 'PlaybackFinished', 'EndpointStateChange',
]);

export interface InProcessOptions {
  clock: Clock;
  app?: string;
  seed?: number;
  dialplan?: DialplanLine[];
  sounds?: Record<string, number>;
  defaultSoundMs?: number;
  recordingsDir?: string;
  /** When false, stopping a recording cancels it: a day of calls would otherwise write gigabytes of WAV. */
  storeRecordings?: boolean;
  /** Only these event types are built and delivered (all when unset): a day-long run skips what no feature reads. */
  eventTypes?: ReadonlySet<string>;
  log?: Logger;
  /** Reconnect delays after a drop, as the real client's (capped exponential, half to full jitter, seeded). */
  backoff?: { initialMs: number; maxMs: number };
}

export interface InProcessSimulator {
  readonly client: AriClient;
  readonly control: SimControl;
  readonly pbx: Pbx;
  /** Events not yet handed to the client. */
  pendingEvents(): number;
  /** True while the caller's channel exists and sits in a mixing bridge (talking to someone). */
  isTalking(channelId: string): boolean | undefined;
  /** Lets every queued event and every promise settle (real event-loop turns; no virtual time passes). */
  settle(): Promise<void>;
  /**
   * The events socket drops: with 1000 (close frame) events already sent still arrive, with 1006 (no frame)
   * they are lost; either way nothing sent in the gap arrives. The client reconnects after its backoff and
   * reconciles before any new event. No-op while not connected.
   */
  dropEvents(code?: 1000 | 1006): void;
  /** `core restart now`, as SimFaults.restart: resolves when ARI answers again (the client reconnects by itself). */
  restart(downMs?: number): Promise<void>;
  /** Connection figures: drops, reconnects (reconciles after a drop), failed reconnect attempts, events lost in gaps. */
  connection(): { drops: number; reconnects: number; failedAttempts: number; eventsLost: number };
}

const unavailable = (what: string) => (): never => { throw new Error(`${what} is not simulated in process`); };

export function createInProcessSimulator(opts: InProcessOptions): InProcessSimulator {
  const app = opts.app ?? 'hotline';
  const clock = opts.clock;
  const bus = new InProcessEvents('in-process');
  bus.keep = opts.eventTypes;
  const recordingsDir = opts.recordingsDir ?? mkdtempSync(join(tmpdir(), 'hotline-inproc-'));
  mkdirSync(recordingsDir, { recursive: true, mode: 0o700 });
  const pbx = new InProcessPbx({
    clock, prng: createPrng(opts.seed ?? 12345), bus, recordingsDir,
    sounds: opts.sounds ?? {}, defaultSoundMs: opts.defaultSoundMs ?? 3000, asteriskId: 'in-process',
  }, opts.eventTypes);
  const router = new Router();
  channelRoutes(router, pbx);
  bridgeRoutes(router, pbx);
  otherRoutes(router, pbx);
  /** ARI refuses connections (restart in progress, or setAriDown). */
  let down = false;
  const faults: SimFaults = {
    dropEventSockets: (code) => { dropEvents(code ?? 1000); },
    restart: (downMs) => restart(downMs),
    setRest: unavailable('setRest'),
    setAriDown: (isDown) => { down = isDown; if (isDown) dropEvents(1006); },
    dropAmi: unavailable('dropAmi'),
  };
  const control = createControl({
    pbx, dialplan: opts.dialplan ?? [{ line: '12345', app, args: ['inbound', '12345'] }], faults, ami: () => undefined,
  });

  const handlers = new Set<(event: AriEvent) => void>();
  const reconcilers = new Set<(s: AriSnapshot) => Promise<void> | void>();
  const stateHandlers = new Set<(s: AriConnectionState) => void>();
  const stats: AriClientStats = { eventsReceived: 0, eventsMalformed: 0, eventsUnknown: 0, eventsDuplicate: 0, restErrors: 0, transportErrors: 0, reconnects: 0 };
  let current: AriConnectionState = 'disconnected';
  let flushing = false;
  /** Events wait while the client reconciles (the real client buffers frames received before its reconcile ends). */
  let holding = false;
  let closed = false;
  let everConnected = false;
  let attempt = 0;
  let retryTimer: TimerHandle | undefined;
  const backoff = opts.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const jitter = createPrng((opts.seed ?? 12345) + 7);
  const connection = { drops: 0, reconnects: 0, failedAttempts: 0, eventsLost: 0 };

  function flush(): void {
    flushing = false;
    if (holding) return;
    for (let e = bus.queued.shift(); e !== undefined; e = bus.queued.shift()) {
      stats.eventsReceived++;
      for (const h of handlers) {
        try { h(e as unknown as AriEvent); } catch (error) { opts.log?.error({ err: error, type: e.type }, 'ari event handler failed'); }
      }
    }
  }
  bus.onQueued = () => {
    if (flushing) return;
    flushing = true;
    queueMicrotask(flush);
  };

  function route(method: string, url: URL, body: Record<string, unknown> | undefined): Reply {
    for (const [k, v] of Object.entries(body ?? {})) {
      if (k !== 'variables' && (typeof v !== 'object' || v === null) && !url.searchParams.has(k)) url.searchParams.set(k, String(v));
    }
    let segments = url.pathname.split('/').filter(Boolean).slice(1).map((s) => decodeURIComponent(s));
    if (opts.storeRecordings === false && method === 'POST' && segments[0] === 'recordings' && segments[3] === 'stop') {
      method = 'DELETE';
      segments = segments.slice(0, 3);
    }
    const match = router.match(method, segments);
    if (!match.handler) return match.pathKnown ? { status: 405, json: { message: 'Invalid method' } } : { status: 404, json: { message: 'Resource not found' } };
    try {
      return match.handler({ method, params: match.params, query: url.searchParams, body });
    } catch (error) {
      return errorReply(error);
    }
  }

  /** One REST operation, as the HTTP server would run it, minus the wire: query in, JSON object out. */
  async function call<T>(method: string, path: string, query: Record<string, unknown> = {}, body?: Record<string, unknown>): Promise<T> {
    if (down) {
      stats.transportErrors++;
      throw new AriError({ status: undefined, message: 'connect ECONNREFUSED (in-process Asterisk is down)', method, path });
    }
    const url = new URL(`http://in-process/ari${path}`);
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined) url.searchParams.append(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    let reply = route(method, url, body);
    const delayed = reply.delayed;
    if (delayed) {
      await new Promise<void>((resolve) => { clock.setTimeout(resolve, delayed.ms); });
      try { delayed.run(); } catch (error) { reply = errorReply(error); }
    }
    reply.after?.();
    if (reply.status >= 400) {
      stats.restErrors++;
      const j = (reply.json ?? {}) as { message?: string; error?: string };
      throw new AriError({ status: reply.status, message: j.message ?? j.error ?? `HTTP ${reply.status}`, method, path });
    }
    if (reply.file) return new Uint8Array(reply.file.bytes) as T;
    return reply.json as T;
  }
  const rest = inProcessRest(call);

  function setState(s: AriConnectionState): void {
    if (s === current) return;
    current = s;
    for (const h of [...stateHandlers]) h(s);
  }

  /** Opens the events "socket": the app becomes active, then list, reconcile, and only then the held events. */
  async function open(reconnect: boolean): Promise<void> {
    setState('connecting');
    if (down) throw new AriError({ status: undefined, message: 'connect ECONNREFUSED (in-process Asterisk is down)', method: 'GET', path: '/events' });
    bus.active.add(app);
    bus.apps.set(app, { name: app, sockets: new Set() });
    holding = true;
    setState('reconciling');
    try {
      const snapshot: AriSnapshot = {
        channels: await rest.channels.list() as Channel[], bridges: await rest.bridges.list() as Bridge[], reconnect,
      };
      if (reconnect) { stats.reconnects++; connection.reconnects++; }
      for (const h of [...reconcilers]) {
        try { await h(snapshot); } catch (error) { opts.log?.error({ err: error, reconnect }, 'ari reconcile handler failed'); }
      }
    } catch (error) {
      holding = false;
      loseEvents(true);
      throw error;
    }
    holding = false;
    if (closed || !bus.active.has(app)) return;
    everConnected = true;
    attempt = 0;
    setState('connected');
    flush();
  }

  /** The app is no longer connected: Asterisk stops sending its events and declines new calls to it. */
  function loseEvents(discardQueued: boolean): void {
    bus.active.delete(app);
    bus.apps.delete(app);
    if (discardQueued) {
      connection.eventsLost += bus.queued.length;
      bus.queued.length = 0;
    }
  }

  function scheduleRetry(): void {
    if (closed || retryTimer) return;
    const full = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
    const delay = Math.round(full / 2 + (full / 2) * jitter.next());
    attempt++;
    setState('disconnected');
    retryTimer = clock.setTimeout(() => {
      retryTimer = undefined;
      open(true).catch((error: unknown) => {
        connection.failedAttempts++;
        opts.log?.warn({ err: error instanceof Error ? error.message : String(error) }, 'ari reconnect failed');
        scheduleRetry();
      });
    }, delay);
  }

  function dropEvents(code: 1000 | 1006 = 1006): void {
    if (closed || !everConnected || (current !== 'connected' && current !== 'reconciling')) return;
    connection.drops++;
    if (code === 1000) flush();
    loseEvents(true);
    holding = false;
    scheduleRetry();
  }

  /** Mirrors createFaults().restart without the HTTP server: hangups ~12 ms in, the socket drops at 3/4 of downMs, REST refused until downMs. */
  async function restart(downMs = 1500): Promise<void> {
    const wait = (ms: number): Promise<void> => new Promise((resolve) => { clock.setTimeout(resolve, ms); });
    await wait(12);
    hangUpEverything(pbx, opts.storeRecordings === false ? 'cancel' : 'finish');
    await wait(Math.max(0, downMs * 0.75 - 12));
    dropEvents(1006);
    down = true;
    bus.reset();
    pbx.resetRuntime();
    await wait(downMs * 0.25);
    pbx.startupTime = clock.now();
    down = false;
  }

  const client: AriClient = {
    ...rest,
    app,
    async connect() {
      if (current === 'connected') return;
      if (closed) throw new Error('ari client closed');
      await open(false);
    },
    async close() {
      closed = true;
      clock.clearTimeout(retryTimer);
      retryTimer = undefined;
      bus.active.delete(app);
      bus.apps.delete(app);
      setState('closed');
    },
    state: () => current,
    stats: () => ({ ...stats }),
    onEvent(handler) { handlers.add(handler); return () => { handlers.delete(handler); }; },
    onReconcile(handler) { reconcilers.add(handler); return () => { reconcilers.delete(handler); }; },
    onStateChange(handler) { stateHandlers.add(handler); return () => { stateHandlers.delete(handler); }; },
  };

  return {
    client,
    control,
    pbx,
    pendingEvents: () => bus.queued.length,
    isTalking(channelId) {
      const c = pbx.channels.get(channelId);
      if (!c || c.gone) return undefined;
      return c.bridgeId !== undefined && pbx.bridges.get(c.bridgeId)?.type === 'mixing';
    },
    async settle() {
      do {
        await new Promise<void>((resolve) => setImmediate(resolve));
      } while (bus.queued.length > 0 && !holding);
    },
    dropEvents,
    restart,
    connection: () => ({ ...connection }),
  };
}

type Call = <T>(method: string, path: string, query?: Record<string, unknown>, body?: Record<string, unknown>) => Promise<T>;

const seg = encodeURIComponent;
const play = (p: PlayParams) => ({ media: p.media, lang: p.lang, offsetms: p.offsetms, skipms: p.skipms, playbackId: p.playbackId });
const record = (p: RecordParams) => ({
  name: p.name, format: p.format, maxDurationSeconds: p.maxDurationSeconds, maxSilenceSeconds: p.maxSilenceSeconds,
  ifExists: p.ifExists, beep: p.beep, terminateOn: p.terminateOn,
});

/** The ARI operations of rest.ts, each mapped to the same method, path and query, handed straight to the simulator's routes. */
function inProcessRest(call: Call): AriRest {
  const ch = (id: string): string => `/channels/${seg(id)}`;
  const br = (id: string): string => `/bridges/${seg(id)}`;
  return {
    channels: {
      list: () => call('GET', '/channels'),
      get: (id) => call('GET', ch(id)),
      originate: (p) => call('POST', '/channels', {
        endpoint: p.endpoint, app: p.app, appArgs: p.appArgs, channelId: p.channelId, otherChannelId: p.otherChannelId,
        callerId: p.callerId, timeout: p.timeout, originator: p.originator, formats: p.formats,
      }, p.variables && Object.keys(p.variables).length > 0 ? { variables: p.variables } : undefined),
      answer: (id) => call('POST', `${ch(id)}/answer`),
      hangup: (id, reason) => call('DELETE', ch(id), { reason }),
      ring: (id) => call('POST', `${ch(id)}/ring`),
      ringStop: (id) => call('DELETE', `${ch(id)}/ring`),
      play: (id, p) => call('POST', `${ch(id)}/play`, play(p)),
      record: (id, p) => call('POST', `${ch(id)}/record`, record(p)),
      snoop: (id, p) => call('POST', `${ch(id)}/snoop`, { spy: p.spy, whisper: p.whisper, app: p.app, appArgs: p.appArgs, snoopId: p.snoopId }),
      sendDtmf: (id, dtmf, o = {}) => call('POST', `${ch(id)}/dtmf`, { dtmf, before: o.before, between: o.between, duration: o.duration, after: o.after }),
      getVariable: (id, variable) => call('GET', `${ch(id)}/variable`, { variable }),
      setVariable: (id, variable, value) => call('POST', `${ch(id)}/variable`, { variable, value }),
      continueInDialplan: (id, o = {}) => call('POST', `${ch(id)}/continue`, { context: o.context, extension: o.extension, priority: o.priority, label: o.label }),
      startMoh: (id, mohClass) => call('POST', `${ch(id)}/moh`, { mohClass }),
      stopMoh: (id) => call('DELETE', `${ch(id)}/moh`),
    },
    bridges: {
      list: () => call('GET', '/bridges'),
      get: (id) => call('GET', br(id)),
      create: (p) => call('POST', '/bridges', { type: p.type, bridgeId: p.bridgeId, name: p.name }),
      destroy: (id) => call('DELETE', br(id)),
      addChannel: (id, channel, o = {}) => call('POST', `${br(id)}/addChannel`, {
        channel, role: o.role, absorbDTMF: o.absorbDTMF, mute: o.mute, inhibitConnectedLineUpdates: o.inhibitConnectedLineUpdates,
      }),
      removeChannel: (id, channel) => call('POST', `${br(id)}/removeChannel`, { channel }),
      startMoh: (id, mohClass) => call('POST', `${br(id)}/moh`, { mohClass }),
      stopMoh: (id) => call('DELETE', `${br(id)}/moh`),
      play: (id, p) => call('POST', `${br(id)}/play`, play(p)),
      record: (id, p) => call('POST', `${br(id)}/record`, record(p)),
    },
    playbacks: {
      get: (id) => call('GET', `/playbacks/${seg(id)}`),
      stop: (id) => call('DELETE', `/playbacks/${seg(id)}`),
      control: (id, operation) => call('POST', `/playbacks/${seg(id)}/control`, { operation }),
    },
    recordings: {
      getLive: (name) => call('GET', `/recordings/live/${seg(name)}`),
      stopLive: (name) => call('POST', `/recordings/live/${seg(name)}/stop`),
      cancelLive: (name) => call('DELETE', `/recordings/live/${seg(name)}`),
      listStored: () => call('GET', '/recordings/stored'),
      getStored: (name) => call('GET', `/recordings/stored/${seg(name)}`),
      downloadStored: (name) => call('GET', `/recordings/stored/${seg(name)}/file`),
      deleteStored: (name) => call('DELETE', `/recordings/stored/${seg(name)}`),
    },
    endpoints: {
      list: () => call('GET', '/endpoints'),
      get: (tech, resource) => call('GET', `/endpoints/${seg(tech)}/${seg(resource)}`),
    },
    applications: {
      get: (app) => call('GET', `/applications/${seg(app)}`),
      subscribe: (app, eventSource) => call('POST', `/applications/${seg(app)}/subscription`, { eventSource }),
    },
    asterisk: {
      info: () => call('GET', '/asterisk/info'),
      ping: () => call('GET', '/asterisk/ping'),
    },
  };
}

export { SimulationClock } from './actors/simulation-clock.ts';
