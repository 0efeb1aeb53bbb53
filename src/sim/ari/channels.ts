/** Channel lifecycle: creation, Stasis entry, answer, hangups of every kind, snoop channels, DTMF. */
import { AriError } from './format.ts';
import type { CallerId, ChannelOrigin, SimChannel } from './model.ts';
import { CAUSE_TEXT } from './model.ts';
import type { Pbx } from './state.ts';
import { leaveBridge } from './bridges.ts';
import { bridgePeerVars, deferConnectedUpdate } from './bridge-media.ts';
import { stopPlaybacksOn } from './playbacks.ts';
import { finishRecording, recordingsOnTarget } from './recordings.ts';

export interface NewChannel {
  id?: string;
  name: string;
  state: SimChannel['state'];
  protocolId: string;
  caller?: CallerId;
  connected?: CallerId;
  dialplan: SimChannel['dialplan'];
  origin: ChannelOrigin;
  endpoint?: string;
  app?: string;
  appArgs?: string[];
}

export function newChannel(pbx: Pbx, n: NewChannel): SimChannel {
  const generated = pbx.uniqueId();
  const c: SimChannel = {
    id: n.id || generated, name: n.name, state: n.state, protocolId: n.protocolId,
    caller: n.caller ?? { name: '', number: '' }, connected: n.connected ?? { name: '', number: '' },
    dialplan: n.dialplan, creationtime: pbx.clock.now(), language: 'en', origin: n.origin,
    endpoint: n.endpoint, app: n.app, appArgs: n.appArgs ?? [], inStasis: false, subscribed: false,
    vars: new Map(), gone: false, timers: new Set(), snoops: new Set(), moh: false,
  };
  pbx.channels.set(c.id, c);
  pbx.touch(c);
  return c;
}

export function parseCallerId(text: string | undefined): CallerId {
  if (!text) return { name: '', number: '' };
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(text);
  if (m) return { name: (m[1] ?? m[2] ?? '').trim(), number: m[3] ?? '' };
  return { name: '', number: text.trim() };
}

export function enterStasis(pbx: Pbx, c: SimChannel, app: string, args: string[]): void {
  c.app = app;
  c.appArgs = args;
  c.dialplan = { ...c.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
  c.inStasis = true;
  c.subscribed = true;
  pbx.emitChannel(c, 'StasisStart', { args: [...args] });
}

export function setState(pbx: Pbx, c: SimChannel, state: SimChannel['state']): void {
  if (c.state === state) return;
  c.state = state;
  pbx.emitChannel(c, 'ChannelStateChange');
  pbx.touch(c);
}

export function answer(pbx: Pbx, c: SimChannel): void {
  if (c.state === 'Up') return;
  c.answeredAt = pbx.clock.now();
  setState(pbx, c, 'Up');
  scheduleKeys(pbx, c);
}

export function scheduleKeys(pbx: Pbx, c: SimChannel): void {
  for (const k of c.pendingKeys ?? []) pbx.after(c, k.afterMs, () => pressKey(pbx, c, k.digit, k.durationMs));
  c.pendingKeys = undefined;
}

export function pressKey(pbx: Pbx, c: SimChannel, digit: string, durationMs = 280): void {
  pbx.after(c, durationMs, () => {
    if (c.inStasis) pbx.emitChannel(c, 'ChannelDtmfReceived', { digit, duration_ms: durationMs });
  });
}

function rtpQos(pbx: Pbx, c: SimChannel, suffix = ''): void {
  if (!c.answeredAt || !c.name.startsWith('PJSIP/')) return;
  const packets = Math.floor((pbx.clock.now() - c.answeredAt) / 20);
  const ssrc = 100000000 + pbx.prng.int(2000000000);
  const z = '000.000000';
  const vars: Array<[string, string]> = [
    ['RTPAUDIOQOS', `ssrc=${ssrc};themssrc=3390111744;lp=0;rxjitter=0.000000;rxcount=${packets};txjitter=0.000125;txcount=${packets};rlp=0;rtt=0.000000;rxmes=0.000000;txmes=0.000000`],
    ['RTPAUDIOQOSJITTER', `minrxjitter=${z};maxrxjitter=${z};avgrxjitter=${z};stdevrxjitter=${z};mintxjitter=${z};maxtxjitter=${z};avgtxjitter=${z};stdevtxjitter=${z};`],
    ['RTPAUDIOQOSLOSS', `  minrxlost=${z};  maxrxlost=${z};  avgrxlost=${z};  stdevrxlost=${z};  mintxlost=${z};  maxtxlost=${z};  avgtxlost=${z};  stdevtxlost=${z};`],
    ['RTPAUDIOQOSRTT', `     minrtt=${z};     maxrtt=${z};     avgrtt=${z};     stdevrtt=${z};`],
    ['RTPAUDIOQOSMES', `   minrxmes=${z};   maxrxmes=${z};   avgrxmes=${z};   stdevrxmes=${z};   mintxmes=${z};   maxtxmes=${z};   avgtxmes=${z};   stdevtxmes=${z};`],
  ];
  for (const [name, value] of vars) { c.vars.set(name + suffix, value); pbx.emitVarset(c, name + suffix, value); }
}

export interface Teardown {
  request?: Record<string, unknown>;   // ChannelHangupRequest fields (cause/soft/tech_cause); none for a snoop ending by itself
  cause?: number;                      // ChannelDestroyed cause for originated channels
  qos?: boolean;
  requestSent?: boolean;               // the ChannelHangupRequest was already sent (restart)
}

/** Hangs up a channel that is up (or in Stasis): the event sequence of the traces, then it is gone. */
export function teardown(pbx: Pbx, c: SimChannel, t: Teardown): void {
  if (c.gone) return;
  pbx.clearTimers(c);
  if (t.qos !== false && !t.requestSent) rtpQos(pbx, c);
  if (t.request && !t.requestSent) pbx.emitChannel(c, 'ChannelHangupRequest', {}, t.request);
  stopPlaybacksOn(pbx, `channel:${c.id}`);
  for (const rec of recordingsOnTarget(pbx, `channel:${c.id}`)) finishRecording(pbx, rec);
  const bridge = leaveBridge(pbx, c, 'hangup');
  const wasInStasis = c.inStasis;
  if (c.inStasis) { c.inStasis = false; pbx.emitChannel(c, 'StasisEnd'); }
  c.gone = true;
  pbx.channels.delete(c.id);
  if (c.origin === 'originate' && wasInStasis) pbx.emitVarset(c, 'STASISSTATUS', 'SUCCESS');
  if (bridge && !t.requestSent) deferConnectedUpdate(pbx, bridge);
  for (const snoopId of [...c.snoops]) {
    const s = pbx.channels.get(snoopId);
    if (s) teardown(pbx, s, { qos: false });
  }
  const spied = c.snoopOf ? pbx.channels.get(c.snoopOf) : undefined;
  if (spied) {
    spied.snoops.delete(c.id);
    const spiedBridge = spied.bridgeId ? pbx.bridges.get(spied.bridgeId) : undefined;
    if (spiedBridge) bridgePeerVars(pbx, spiedBridge);
  }
  if (c.origin === 'originate') destroyed(pbx, c, t.cause ?? 16);
  c.subscribed = false;
  pbx.touch(c);
}

export function destroyed(pbx: Pbx, c: SimChannel, cause: number, techCause?: number): void {
  const fields: Record<string, unknown> = { cause, cause_txt: CAUSE_TEXT[cause] ?? 'Unknown' };
  if (techCause !== undefined) fields.tech_cause = techCause;
  pbx.emitChannel(c, 'ChannelDestroyed', fields);
  c.gone = true;
  c.subscribed = false;
  pbx.channels.delete(c.id);
  pbx.clearTimers(c);
  pbx.touch(c);
}

/** The far end sends BYE. A dialplan caller in a two-party call reports cause 16; otherwise the cause is absent, as seen in the traces. */
export function remoteBye(pbx: Pbx, c: SimChannel): void {
  const inMixing = c.bridgeId ? pbx.bridges.get(c.bridgeId)?.type === 'mixing' : false;
  const request = c.origin === 'dialplan' && inMixing ? { cause: 16 } : {};
  teardown(pbx, c, { request, cause: 16 });
}

export interface SnoopRequest { spy?: string; whisper?: string; app?: string; appArgs?: string; snoopId?: string }

export function createSnoop(pbx: Pbx, targetId: string, q: SnoopRequest): SimChannel {
  const target = pbx.channel(targetId, 'Provided channel was not found');
  if (!q.app) throw new AriError(400, 'Application name is required');
  const dirs = ['none', 'both', 'out', 'in'];
  if (q.spy && !dirs.includes(q.spy)) throw new AriError(400, 'Invalid direction specified for spy');
  if (q.whisper && !dirs.includes(q.whisper)) throw new AriError(400, 'Invalid direction specified for whisper');
  if (q.snoopId && pbx.channels.has(q.snoopId)) throw new AriError(409, 'Channel with given unique ID already exists');
  const c = newChannel(pbx, {
    id: q.snoopId, name: pbx.snoopName(target.id), state: 'Up', protocolId: '',
    dialplan: { context: 'default', exten: 's', priority: 1, app_name: '', app_data: '' },
    origin: 'snoop', endpoint: undefined,
  });
  c.snoopOf = target.id;
  target.snoops.add(c.id);
  const bridge = target.bridgeId ? pbx.bridges.get(target.bridgeId) : undefined;
  if (bridge) bridgePeerVars(pbx, bridge);           // the snoop's audiohook makes the bridge re-evaluate its members
  return c;
}
