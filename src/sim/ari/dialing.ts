/** Calls entering and leaving the simulated Asterisk: trunk callers into Stasis, originates to SIP phones. */
import type { InboundCall, InboundCallResult, PhoneBehaviour } from '../types.ts';
import { AriError } from './format.ts';
import type { SimChannel } from './model.ts';
import { channelJson, REASON_CAUSE } from './model.ts';
import type { Pbx, SimEndpoint } from './state.ts';
import { answer, destroyed, enterStasis, newChannel, parseCallerId, remoteBye, scheduleKeys, setState, teardown } from './channels.ts';

export interface DialplanLine { line: string; app: string; args: string[] }

export function placeInboundCall(pbx: Pbx, dialplan: DialplanLine[], call: InboundCall): InboundCallResult {
  const route = dialplan.find((d) => d.line === call.line);
  if (!route) return { outcome: 'no-route' };
  const c = newChannel(pbx, {
    name: pbx.pjsipName('trunk'), state: 'Ring', protocolId: pbx.sipCallId(),
    caller: { name: call.callerName ?? '', number: call.from },
    dialplan: { context: 'from-trunk', exten: call.line, priority: 2, app_name: 'Stasis', app_data: [route.app, ...route.args].join(',') },
    origin: 'dialplan', endpoint: 'trunk',
  });
  if (!pbx.bus.isActive(route.app)) {
    c.gone = true;
    pbx.channels.delete(c.id);
    return { outcome: 'declined' };
  }
  c.pendingKeys = call.keys ? [...call.keys] : undefined;
  enterStasis(pbx, c, route.app, route.args);
  if (call.hangupAfterMs !== undefined) pbx.after(c, call.hangupAfterMs, () => remoteBye(pbx, c));
  return { outcome: 'stasis', channelId: c.id };
}

export interface OriginateRequest {
  endpoint?: string; extension?: string; context?: string; priority?: number; app?: string; appArgs?: string;
  callerId?: string; timeout?: number; channelId?: string; variables?: Record<string, string>;
}

interface Target { endpoint: SimEndpoint; dialstring: string; behaviour: PhoneBehaviour }

function resolveTarget(pbx: Pbx, resource: string): Target | undefined {
  let name = resource;
  let number: string | undefined;
  const slash = resource.indexOf('/');
  if (slash >= 0) {
    name = resource.slice(0, slash);
    number = /sip:([^@;>]+)/.exec(resource.slice(slash + 1))?.[1];
  } else if (resource.includes('@')) {
    [number, name] = resource.split('@') as [string, string];
  }
  const endpoint = pbx.endpoints.get(name);
  if (!endpoint || !endpoint.registered) return undefined;
  const behaviour = (number !== undefined ? pbx.citizens.get(number) : undefined)
    ?? endpoint.behaviour ?? pbx.citizens.get(name) ?? { mode: 'answer' as const };
  return { endpoint, dialstring: resource, behaviour };
}

export function originate(pbx: Pbx, q: OriginateRequest): SimChannel {
  if (!q.endpoint) throw new AriError(400, 'Endpoint must be specified');
  const slash = q.endpoint.indexOf('/');
  if (slash <= 0) throw new AriError(400, 'Invalid endpoint specified');
  if (!q.app && !q.extension) throw new AriError(400, 'Application or extension must be specified');
  if (q.channelId && pbx.channels.has(q.channelId)) throw new AriError(409, 'Channel with given unique ID already exists');
  const tech = q.endpoint.slice(0, slash);
  const resource = q.endpoint.slice(slash + 1);
  if (tech.toLowerCase() === 'local') return originateLocal(pbx, q, resource);
  const target = tech === 'PJSIP' ? resolveTarget(pbx, resource) : undefined;
  if (!target) throw new AriError(500, 'Allocation failed', 'error');
  const callerId = parseCallerId(q.callerId);
  const c = newChannel(pbx, {
    id: q.channelId, name: pbx.pjsipName(target.endpoint.resource), state: 'Down', protocolId: pbx.prng.uuid(),
    caller: callerId, connected: callerId,
    dialplan: { context: target.endpoint.context, exten: 's', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' },
    origin: 'originate', endpoint: target.endpoint.resource, app: q.app,
    appArgs: q.appArgs ? q.appArgs.split(',') : [],
  });
  c.dialstring = target.dialstring;
  c.behaviour = target.behaviour;
  c.subscribed = !!q.app;
  for (const [k, v] of Object.entries(q.variables ?? {})) c.vars.set(k, String(v));
  runDial(pbx, c, target.behaviour, (q.timeout ?? 30) * 1000);
  return c;
}

function dialEvent(pbx: Pbx, c: SimChannel, dialstatus: string): void {
  if (!c.app || !c.subscribed) return;
  pbx.bus.send(c.app, {
    type: 'Dial', timestamp: pbx.ts(), dialstatus, forward: '', dialstring: c.dialstring ?? '',
    peer: channelJson(c),
  });
}

/**
 * The SIP side of an originate, driven by the phone's behaviour and the originate timeout. Each step is scheduled
 * from the one before (Dial "" → 180 → final answer), so no clock can reorder them.
 */
function runDial(pbx: Pbx, c: SimChannel, b: PhoneBehaviour, timeoutMs: number): void {
  const ringMs = b.ringMs ?? (b.mode === 'busy' || b.mode === 'reject' ? 1000 : 2000);
  const sendsRinging = b.sendsRinging ?? (b.mode === 'answer' || b.mode === 'no-answer');
  const start = pbx.clock.now();
  const at = (ms: number): number => Math.max(0, ms - (pbx.clock.now() - start));
  if (timeoutMs > 0 && (b.mode === 'no-answer' || ringMs >= timeoutMs)) {
    pbx.after(c, timeoutMs, () => destroyed(pbx, c, 19, 480));
  }
  const outcome = (): void => {
    if (b.mode === 'no-answer' || ringMs >= timeoutMs) return;
    pbx.after(c, at(ringMs), () => finishDial(pbx, c, b));
  };
  pbx.after(c, 1, () => {
    dialEvent(pbx, c, '');
    if (!sendsRinging) return outcome();
    pbx.after(c, at(2), () => {
      setState(pbx, c, 'Ringing');
      dialEvent(pbx, c, 'RINGING');
      outcome();
    });
  });
}

function finishDial(pbx: Pbx, c: SimChannel, b: PhoneBehaviour): void {
  if (b.mode === 'busy') return failDial(pbx, c, 17, 486, 'BUSY');
  if (b.mode === 'reject') return failDial(pbx, c, 21, 603, 'CONGESTION');
  c.answeredAt = pbx.clock.now();
  setState(pbx, c, 'Up');
  dialEvent(pbx, c, 'ANSWER');
  pbx.clearTimers(c);
  pbx.emitVarset(c, 'STASISSTATUS', '');
  c.pendingKeys = b.keys ? [...b.keys] : undefined;
  if (c.app) enterStasis(pbx, c, c.app, c.appArgs);
  scheduleKeys(pbx, c);
  if (b.talkMs !== undefined) pbx.after(c, b.talkMs, () => remoteBye(pbx, c));
}

function failDial(pbx: Pbx, c: SimChannel, cause: number, techCause: number, dialstatus: string): void {
  pbx.emitChannel(c, 'ChannelHangupRequest', {}, { cause, tech_cause: techCause });
  dialEvent(pbx, c, dialstatus);
  destroyed(pbx, c, cause, techCause);
}

function originateLocal(pbx: Pbx, q: OriginateRequest, dest: string): SimChannel {
  const [exten = 's', context = 'default'] = dest.split('@');
  const c = newChannel(pbx, {
    id: q.channelId, name: pbx.localName(dest), state: 'Down', protocolId: '',
    dialplan: { context: q.context ?? context, exten: q.extension ?? exten, priority: q.priority ?? 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' },
    origin: 'local', app: q.app, appArgs: q.appArgs ? q.appArgs.split(',') : [],
  });
  pbx.uniqueId();
  c.subscribed = !!q.app;
  pbx.after(c, 1, () => {
    c.answeredAt = pbx.clock.now();
    if (q.app) { setState(pbx, c, 'Up'); enterStasis(pbx, c, q.app, c.appArgs); return; }
    c.state = 'Up';
    c.dialplan = { ...c.dialplan, priority: 2, app_name: 'Wait', app_data: '20' };
    pbx.after(c, 20000, () => teardown(pbx, c, { qos: false }));
  });
  return c;
}

/** DELETE /channels/{id}: a ringing originate is cancelled (Dial NOANSWER), anything else is hung up (soft, cause 32). */
export function hangupByApp(pbx: Pbx, c: SimChannel, reason?: string, reasonCode?: number): void {
  const cause = reasonCode ?? (reason ? REASON_CAUSE[reason] : 16);
  if (cause === undefined) throw new AriError(400, 'Invalid reason for hangup provided');
  if (c.origin === 'originate' && !c.inStasis && c.state !== 'Up') {
    pbx.emitChannel(c, 'ChannelHangupRequest', {}, { cause: 32, soft: true });
    dialEvent(pbx, c, 'NOANSWER');
    destroyed(pbx, c, 16);
    return;
  }
  teardown(pbx, c, { request: { cause: 32, soft: true }, cause, qos: true });
}

export { answer };
