import { readFileSync } from 'node:fs';
import type { InboundCall, PhoneBehaviour } from '../../src/sim/types.ts';

export type Json = Record<string, unknown>;
export interface TraceLine { t: number; kind: string; [k: string]: unknown }

export interface TraceResponse {
  t: number; status?: number; error?: string; headers: Record<string, string>; body: unknown;
}
export interface RestExchange {
  id: number; t: number; method: string; path: string; body: unknown; noAuth: boolean; response?: TraceResponse;
  /** Set when the request is one attempt of availability polling (same request repeated until it succeeds). */
  pollGroup?: number;
}
export interface TraceEvent { t: number; event: Json }
export interface SipLine { t: number; party: string; dir: string; firstLine: string; cseq: string }
export interface SippStart { t: number; party: string; scenario: string; vars: Record<string, unknown> }

export type Action =
  | { t: number; kind: 'ws-open' }
  | { t: number; kind: 'ws-close' }
  | { t: number; kind: 'register'; party: string; behaviour?: PhoneBehaviour; unregister: boolean }
  | { t: number; kind: 'citizen'; party: string; behaviour: PhoneBehaviour }
  | { t: number; kind: 'call'; party: string; call: InboundCall; expect: 'stasis' | 'declined' | 'no-route' }
  | { t: number; kind: 'restart'; downMs: number }
  | { t: number; kind: 'rest'; exchange: RestExchange };

export interface Trace {
  name: string;
  lines: TraceLine[];
  rest: RestExchange[];
  events: TraceEvent[];
  sip: SipLine[];
  sipps: SippStart[];
  endT: number;
  /** Expected websocket lifecycle as seen by the client: open, close(<code>), error. */
  wsLifecycle: string[];
}

export function parseTrace(file: string, name: string): Trace {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as TraceLine);
  const rest: RestExchange[] = [];
  const byId = new Map<number, RestExchange>();
  const events: TraceEvent[] = [];
  const sip: SipLine[] = [];
  const sipps: SippStart[] = [];
  const wsLifecycle: string[] = [];
  for (const l of lines) {
    if (l.kind === 'rest-request') {
      const ex: RestExchange = { id: l.id as number, t: l.t, method: l.method as string, path: l.path as string, body: l.body, noAuth: l.auth === 'none' };
      rest.push(ex); byId.set(ex.id, ex);
    } else if (l.kind === 'rest-response') {
      const ex = byId.get(l.id as number);
      if (ex) ex.response = { t: l.t, status: l.status as number | undefined, error: l.error as string | undefined, headers: (l.headers ?? {}) as Record<string, string>, body: l.body };
    } else if (l.kind === 'event') events.push({ t: l.t, event: l.event as Json });
    else if (l.kind === 'sip') sip.push({ t: l.t, party: l.party as string, dir: l.dir as string, firstLine: l.first_line as string, cseq: l.cseq as string });
    else if (l.kind === 'sipp-start') sipps.push({ t: l.t, party: l.party as string, scenario: l.scenario as string, vars: (l.vars ?? {}) as Record<string, unknown> });
    else if (l.kind === 'ws-open') wsLifecycle.push('open');
    else if (l.kind === 'ws-close') wsLifecycle.push(`close(${String(l.code)})`);
    else if (l.kind === 'ws-error') wsLifecycle.push('error');
  }
  markPolling(rest);
  return { name, lines, rest, events, sip, sipps, endT: lines[lines.length - 1]?.t ?? 0, wsLifecycle };
}

const failed = (ex: RestExchange): boolean => ex.response?.status === undefined || ex.response.status >= 400;

/** A run of the same request failing (transport error or >= 400) and then succeeding is availability polling. */
function markPolling(rest: RestExchange[]): void {
  let group = 0;
  for (let i = 0; i < rest.length; i++) {
    let j = i;
    while (j + 1 < rest.length && rest[j + 1]!.method === rest[i]!.method && rest[j + 1]!.path === rest[i]!.path && failed(rest[j]!)) j++;
    if (j > i && !failed(rest[j]!) && rest.slice(i, j).every(failed)) {
      group++;
      for (let k = i; k <= j; k++) rest[k]!.pollGroup = group;
      i = j;
    }
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : undefined);

function firstSip(trace: Trace, party: string, dir: string, re: RegExp, after = -1): SipLine | undefined {
  return trace.sip.find((s) => s.party === party && s.dir === dir && re.test(s.firstLine) && s.t > after);
}

/** Keys the far end pressed on this party's channel, timed from the 200 OK to the ChannelDtmfReceived (which arrives when the digit ends). */
function keysOf(trace: Trace, party: string): PhoneBehaviour['keys'] {
  const ok = firstSip(trace, party, `${party}->asterisk`, /^SIP\/2\.0 200 .*/);
  const evs = trace.events.filter((e) => e.event.type === 'ChannelDtmfReceived'
    && String((e.event.channel as Json | undefined)?.name ?? '').startsWith(`PJSIP/${party}-`));
  if (!ok || evs.length === 0) return undefined;
  return evs.map((e) => {
    const durationMs = num(e.event.duration_ms) ?? 0;
    return { afterMs: Math.max(0, Math.round(e.t - ok.t - durationMs)), digit: String(e.event.digit), durationMs };
  });
}

/** The behaviour of a UAS party from its sipp scenario template and variables. */
export function behaviourOf(trace: Trace, s: SippStart): PhoneBehaviour | undefined {
  const ringMs = num(s.vars.RING_MS);
  switch (s.scenario) {
    case 'uas-answer.xml': return { mode: 'answer', ringMs, talkMs: num(s.vars.TALK_MS) };
    case 'uas-citizen-dtmf.xml': return { mode: 'answer', ringMs, keys: keysOf(trace, s.party) };
    case 'uas-noanswer.xml': return { mode: 'no-answer' };
    case 'uas-busy.xml': return { mode: 'busy', ringMs, sendsRinging: false };
    default: return undefined;
  }
}

/** What the SIP parties did, as SimControl actions at the trace's times. */
export function partyActions(trace: Trace): Action[] {
  const actions: Action[] = [];
  const registered = new Set(trace.sipps.filter((s) => s.scenario === 'register.xml').map((s) => s.party));
  for (const s of trace.sipps) {
    if (s.scenario === 'register.xml') {
      const uas = trace.sipps.find((u) => u.party === s.party && u.t > s.t && u.scenario.startsWith('uas-'));
      const expires = num(s.vars.EXPIRES) ?? 3600;
      actions.push({ t: s.t, kind: 'register', party: s.party, behaviour: uas && behaviourOf(trace, uas), unregister: expires === 0 });
    } else if (s.scenario.startsWith('uas-') && !registered.has(s.party)) {
      const behaviour = behaviourOf(trace, s);
      if (behaviour) actions.push({ t: s.t, kind: 'citizen', party: s.party, behaviour });
    } else if (s.scenario === 'uac-caller.xml') {
      const invite = firstSip(trace, s.party, `${s.party}->asterisk`, /^INVITE /, s.t);
      if (!invite) continue;
      const bye = firstSip(trace, s.party, `${s.party}->asterisk`, /^BYE /, invite.t);
      const answer = firstSip(trace, s.party, `asterisk->${s.party}`, /^SIP\/2\.0 [4-6]\d\d /, invite.t);
      const from = String(s.vars.FROM_USER ?? '');
      const start = trace.events.find((e) => e.event.type === 'StasisStart' && (e.event.channel as Json | undefined)?.caller
        && ((e.event.channel as Json).caller as Json).number === from);
      const callerName = start ? String(((start.event.channel as Json).caller as Json).name) : undefined;
      const hangupAfterMs = bye ? Math.round(bye.t - invite.t) : num(s.vars.HOLD_MS);
      const expect = answer?.firstLine.includes(' 603 ') ? 'declined' : answer?.firstLine.includes(' 404 ') ? 'no-route' : 'stasis';
      actions.push({ t: invite.t, kind: 'call', party: s.party, call: { line: '12345', from, callerName, hangupAfterMs }, expect });
    }
  }
  for (const l of trace.lines) {
    if (l.kind === 'ws-connect') actions.push({ t: l.t, kind: 'ws-open' });
    if (l.kind === 'ws-close-request') actions.push({ t: l.t, kind: 'ws-close' });
    if (l.kind === 'cli-request' && l.command === 'core restart now') {
      const back = trace.rest.find((r) => r.t > l.t && r.path.endsWith('/asterisk/info') && r.response?.status === 200);
      actions.push({ t: l.t, kind: 'restart', downMs: Math.round((back?.response?.t ?? l.t + 1500) - l.t) });
    }
  }
  for (const ex of trace.rest) actions.push({ t: ex.t, kind: 'rest', exchange: ex });
  return actions.sort((a, b) => a.t - b.t);
}

/** Channel id -> a role name for display: the sipp party for dialled-in channels, the id prefix for pre-allocated ids. */
export function traceRoles(trace: Trace): Map<string, string> {
  const roles = new Map<string, string>();
  const callers = new Map(trace.sipps.filter((s) => s.scenario === 'uac-caller.xml').map((s) => [String(s.vars.FROM_USER), s.party]));
  const name = (id: string, fallback: string): string => {
    const m = /^([a-z][a-z-]*?)-[0-9a-f]{8}-[0-9a-f]{4}-/.exec(id);
    return m ? m[1]! : fallback;
  };
  for (const { event } of trace.events) {
    const ch = (event.channel ?? event.peer) as Json | undefined;
    if (ch && typeof ch.id === 'string' && !roles.has(ch.id)) {
      const party = callers.get(String((ch.caller as Json | undefined)?.number ?? ''));
      const chName = String(ch.name ?? '').replace(/-[0-9a-f]{8}(;\d)?$/, '');
      roles.set(ch.id, party && chName.startsWith('PJSIP/trunk') ? party : name(ch.id, chName));
    }
    const br = event.bridge as Json | undefined;
    if (br && typeof br.id === 'string' && !roles.has(br.id)) roles.set(br.id, `bridge ${String(br.name || br.bridge_type).split('-')[0]}`);
    const pb = event.playback as Json | undefined;
    if (pb && typeof pb.id === 'string' && !roles.has(pb.id)) roles.set(pb.id, `playback ${String(pb.media_uri)}`);
  }
  for (const ex of trace.rest) {
    const b = ex.response?.body as Json | undefined;
    if (b && typeof b === 'object' && !Array.isArray(b) && typeof b.id === 'string' && !roles.has(b.id)) {
      if (typeof b.bridge_type === 'string') roles.set(b.id, `bridge ${String(b.name || b.bridge_type).split('-')[0]}`);
      else if (typeof b.media_uri === 'string') roles.set(b.id, `playback ${b.media_uri}`);
      else roles.set(b.id, name(b.id, String(b.name ?? b.id).replace(/-[0-9a-f]{8}(;\d)?$/, '')));
    }
  }
  return roles;
}
