/** The simulated Asterisk's state: every object, the id counters and how events reach the apps. */
import type { Clock, TimerHandle } from '../../clock.ts';
import type { Prng } from '../prng.ts';
import type { PhoneBehaviour } from '../types.ts';
import type { EventBus } from './events.ts';
import { ariTimestamp, AriError, hex8 } from './format.ts';
import type { SimBridge, SimChannel, SimLiveRecording, SimPlayback } from './model.ts';
import { bridgeJson, channelJson } from './model.ts';

export interface SimEndpoint {
  resource: string;
  context: string;
  registered: boolean;        // has a contact (registration or static AOR)
  staticContact: boolean;
  behaviour?: PhoneBehaviour;
}

export interface PbxOptions {
  clock: Clock;
  prng: Prng;
  bus: EventBus;
  recordingsDir: string;
  sounds: Record<string, number>;
  defaultSoundMs: number;
  asteriskId: string;
}

type Fields = Record<string, unknown>;

export class Pbx {
  readonly clock: Clock;
  readonly prng: Prng;
  readonly bus: EventBus;
  readonly channels = new Map<string, SimChannel>();
  readonly bridges = new Map<string, SimBridge>();
  readonly playbacks = new Map<string, SimPlayback>();
  readonly liveRecordings = new Map<string, SimLiveRecording>();
  readonly endpoints = new Map<string, SimEndpoint>();
  readonly citizens = new Map<string, PhoneBehaviour>();
  readonly opts: PbxOptions;
  startupTime: number;
  /** Called whenever a channel of a PJSIP endpoint appears, changes state or goes (device state for AMI). */
  onEndpointActivity?: (resource: string) => void;
  #uniqueInt = 0;
  #pjsipIdx = 0;
  #snoopIdx = 0;
  #localIdx = 0;
  #recorderIdx = 0;
  #announcerIdx = 0;
  #sipCallSeq = 0;

  constructor(opts: PbxOptions) {
    this.opts = opts;
    this.clock = opts.clock;
    this.prng = opts.prng;
    this.bus = opts.bus;
    this.startupTime = opts.clock.now();
    for (const resource of ['trunk', 'citizen']) {
      this.endpoints.set(resource, { resource, context: 'from-trunk', registered: true, staticContact: true });
    }
  }

  /** Forgets every live object and restarts the counters, as a re-executed Asterisk does. */
  resetRuntime(): void {
    for (const c of this.channels.values()) this.clearTimers(c);
    for (const p of this.playbacks.values()) this.clock.clearTimeout(p.timer);
    for (const r of this.liveRecordings.values()) this.clock.clearTimeout(r.timer);
    this.channels.clear(); this.bridges.clear(); this.playbacks.clear(); this.liveRecordings.clear();
    this.#uniqueInt = 0; this.#pjsipIdx = 0; this.#snoopIdx = 0; this.#localIdx = 0;
    this.#recorderIdx = 0; this.#announcerIdx = 0;
    this.startupTime = this.clock.now();
  }

  uniqueId(): string { return `${Math.floor(this.clock.now() / 1000)}.${this.#uniqueInt++}`; }
  pjsipName(resource: string): string { return `PJSIP/${resource}-${hex8(this.#pjsipIdx++)}`; }
  snoopName(targetId: string): string { return `Snoop/${targetId}-${hex8(this.#snoopIdx++)}`; }
  localName(dest: string): string { return `Local/${dest}-${hex8(this.#localIdx++)};1`; }
  sipCallId(): string { return `${++this.#sipCallSeq}-${10000 + this.prng.int(50000)}@127.0.0.1`; }

  /** Internal Recorder/Announcer channels: two halves, each with its own unique id; the bridge holds the ";2" half. */
  internalPair(kind: 'Recorder' | 'Announcer'): { id: string; name: string } {
    this.uniqueId();
    const id = this.uniqueId();
    const name = kind === 'Recorder'
      ? `Recorder/ARI-${hex8(++this.#recorderIdx)};2`
      : `Announcer/ARI_MOH-${hex8(++this.#announcerIdx)};2`;
    return { id, name };
  }

  ts(): string { return ariTimestamp(this.clock.now()); }

  after(c: SimChannel, ms: number, fn: () => void): void {
    const h: TimerHandle = this.clock.setTimeout(() => { c.timers.delete(h); if (!c.gone) fn(); }, ms);
    c.timers.add(h);
  }

  clearTimers(c: SimChannel): void {
    for (const h of c.timers) this.clock.clearTimeout(h);
    c.timers.clear();
  }

  // ---- lookups with Asterisk's error answers ----
  channel(id: string, message = 'Channel not found', status = 404): SimChannel {
    const c = this.channels.get(id);
    if (!c || c.gone) throw new AriError(status, message);
    return c;
  }

  stasisChannel(id: string): SimChannel {
    const c = this.channel(id);
    if (!c.inStasis) throw new AriError(409, 'Channel not in Stasis application');
    return c;
  }

  bridge(id: string): SimBridge {
    const b = this.bridges.get(id);
    if (!b) throw new AriError(404, 'Bridge not found');
    return b;
  }

  // ---- events ----
  emitChannel(c: SimChannel, type: string, fields: Fields = {}, lead: Fields = {}): void {
    if (!c.app || !c.subscribed) return;
    this.bus.send(c.app, { ...lead, type, timestamp: this.ts(), ...fields, channel: channelJson(c) });
  }

  emitVarset(c: SimChannel, variable: string, value: string): void {
    if (!c.app || !c.subscribed) return;
    this.bus.send(c.app, { variable, value, type: 'ChannelVarset', timestamp: this.ts(), channel: channelJson(c) });
  }

  emitBridgeMember(type: 'ChannelEnteredBridge' | 'ChannelLeftBridge', b: SimBridge, c: SimChannel, channels: string[]): void {
    const apps = new Set(b.apps);
    if (c.app && c.subscribed) apps.add(c.app);
    const body = { type, timestamp: this.ts(), bridge: bridgeJson(b, channels), channel: channelJson(c) };
    for (const app of apps) this.bus.send(app, body);
  }

  emitToTarget(targetUri: string, type: string, fields: Fields): void {
    const [kind, id] = targetUri.split(':') as [string, string];
    const event = { type, timestamp: this.ts(), ...fields };
    if (kind === 'channel') {
      const c = this.channels.get(id);
      if (c?.app && c.subscribed) this.bus.send(c.app, event);
    } else {
      for (const app of this.bridges.get(id)?.apps ?? []) this.bus.send(app, event);
    }
  }

  emitBridge(b: SimBridge, type: string): void {
    for (const app of b.apps) this.bus.send(app, { type, timestamp: this.ts(), bridge: bridgeJson(b) });
  }

  applicationJson(name: string): Record<string, unknown> {
    const channelIds = [...this.channels.values()].filter((c) => !c.gone && c.subscribed && c.app === name).map((c) => c.id);
    const bridgeIds = [...this.bridges.values()].filter((b) => b.apps.has(name)).map((b) => b.id);
    return { name, channel_ids: channelIds, bridge_ids: bridgeIds, endpoint_ids: [], device_names: [], events_allowed: [], events_disallowed: [] };
  }

  endpointJson(e: SimEndpoint): Record<string, unknown> {
    const ids = [...this.channels.values()].filter((c) => !c.gone && c.endpoint === e.resource && c.origin !== 'snoop').map((c) => c.id);
    return { technology: 'PJSIP', resource: e.resource, state: e.registered ? 'online' : 'offline', channel_ids: ids };
  }

  touch(c: SimChannel): void { if (c.endpoint) this.onEndpointActivity?.(c.endpoint); }

  liveChannels(): SimChannel[] { return [...this.channels.values()].filter((c) => !c.gone); }
}
