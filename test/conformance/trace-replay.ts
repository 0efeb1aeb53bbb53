import type { Simulator } from '../../src/sim/types.ts';
import type { ApiDocs } from './api-docs.ts';
import { ariFetch, openEvents, sleep, startSim, waitFor } from './sim-harness.ts';
import type { EventsConnection, HttpResult } from './sim-harness.ts';
import { eventLabel, eventSubject } from './trace-compare.ts';
import { partyActions, traceRoles } from './trace.ts';
import type { Action, Json, RestExchange, Trace } from './trace.ts';
import { compareReplay } from './trace-verdict.ts';
import type { Section } from './trace-compare.ts';

export interface Replay {
  trace: Trace;
  roles: Map<string, string>;
  /** trace id -> simulator id, learned from responses, placeCall results and StasisStart events. */
  idMap: Map<string, string>;
  rev: Map<string, string>;
  results: Map<number, HttpResult[]>;
  sentPaths: Map<number, string>;
  sentAt: Map<number, number>;
  events: EventsConnection['events'];
  lifecycle: string[];
  lifecycleAt: number[];
  calls: Array<{ party: string; expect: string; got: string }>;
  harnessErrors: string[];
  /** Objects whose events are not compared, with why (the set-up had to differ from the trace). */
  excluded: Map<string, string>;
  notes: string[];
  /** Trace time of the last SIP/websocket/fault action performed, so REST never overtakes them. */
  partiesAt: number;
}

export interface ReplayResult { sections: Section[]; notes: string[]; timeline: string[] }

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces trace ids by simulator ids in a request path, respecting path, query and %2C-list boundaries. */
export function substituteIds(path: string, idMap: Map<string, string>): string {
  let out = path;
  for (const [from, to] of [...idMap].sort((a, b) => b[0].length - a[0].length)) {
    if (from === to) continue;
    out = out.replace(new RegExp(`(?<=^|[/=,:]|%2C|%3A)${escapeRe(from)}(?=$|[/?&,]|%2C)`, 'g'), to);
  }
  return out;
}

function requestTokens(path: string): string[] {
  const [p, q = ''] = path.split('?');
  const tokens = p!.split('/').map((s) => decodeURIComponent(s));
  for (const v of new URLSearchParams(q).values()) tokens.push(...v.split(','), v.replace(/^(channel|bridge):/, ''));
  return tokens;
}

function clientGivenIds(trace: Trace): Set<string> {
  const ids = new Set<string>();
  for (const ex of trace.rest) {
    const q = new URLSearchParams(ex.path.split('?')[1] ?? '');
    for (const k of ['channelId', 'playbackId', 'snoopId', 'name', 'bridgeId', 'otherChannelId']) {
      const v = q.get(k);
      if (v) ids.add(v);
    }
  }
  return ids;
}

function learnFromEvents(r: Replay): void {
  const traceStarts = r.trace.events.filter((e) => e.event.type === 'StasisStart');
  for (const { event } of r.events) {
    if (event.type !== 'StasisStart') continue;
    const ch = event.channel as Json;
    const simId = String(ch.id);
    if (r.rev.has(simId)) continue;
    const tech = String(ch.name).split('/')[0];
    const match = traceStarts.find((e) => {
      const tc = e.event.channel as Json;
      return !r.idMap.has(String(tc.id)) && String(tc.name).split('/')[0] === tech && JSON.stringify(e.event.args) === JSON.stringify(event.args);
    });
    if (match) map(r, String((match.event.channel as Json).id), simId);
  }
}

function map(r: Replay, traceId: string, simId: string): void {
  if (r.idMap.has(traceId) || r.rev.has(simId)) return;
  r.idMap.set(traceId, simId);
  r.rev.set(simId, traceId);
}

function learnFromResponse(r: Replay, ex: RestExchange, res: HttpResult): void {
  const tb = ex.response?.body as Json | undefined;
  const sb = res.body as Json | undefined;
  if (tb && sb && typeof tb === 'object' && typeof sb === 'object' && !Array.isArray(tb) && typeof tb.id === 'string' && typeof sb.id === 'string') {
    map(r, tb.id, sb.id);
  }
}

/** Waits until the simulator sent the event the trace had for `subject` as its `last`, as often as the trace had it by then. */
async function awaitEvent(r: Replay, subject: string, until: number, deadline: number): Promise<void> {
  const same = (x: string) => x;
  const back = (x: string) => r.rev.get(x) ?? x;
  const before = r.trace.events.filter((e) => e.t <= until && eventSubject(e.event).id === subject && e.event.type !== 'ChannelVarset');
  const last = before[before.length - 1];
  if (!last) return;
  const label = eventLabel(last.event, same);
  const need = before.filter((e) => eventLabel(e.event, same) === label).length;
  const simId = r.idMap.get(subject) ?? subject;
  await waitFor(() => r.events.filter((e) => eventSubject(e.event).id === simId && eventLabel(e.event, back) === label).length >= need,
    deadline - performance.now());
}

/**
 * Before a request, waits until the simulator has caught up with the trace: every object the request names has had its
 * latest traced event, and so has every object with an event between the previous response and this request (what the
 * application was reacting to, e.g. the caller's StasisEnd before the agent is hung up).
 */
async function gate(r: Replay, ex: RestExchange, prev: RestExchange | undefined, given: Set<string>, known: Set<string>): Promise<void> {
  const deadline = performance.now() + 2000;
  const subjects = new Set(requestTokens(ex.path).filter((tok) => known.has(tok)));
  for (const id of subjects) {
    if (!given.has(id) && !r.idMap.has(id)) {
      await waitFor(() => { learnFromEvents(r); return r.idMap.has(id); }, deadline - performance.now());
    }
  }
  const since = prev?.response?.t ?? prev?.t ?? 0;
  for (const e of r.trace.events) {
    if (e.t > since && e.t < ex.t && e.event.type !== 'ChannelVarset') subjects.add(eventSubject(e.event).id);
  }
  for (const id of subjects) {
    learnFromEvents(r);
    await awaitEvent(r, id, ex.t, deadline);
  }
}

const ok2xx = (s: number | undefined): boolean => s !== undefined && s >= 200 && s < 300;

/** rest-error-cases originates Local/wait@probe, a channel running dialplan outside Stasis; the nearest set-up the simulator offers. */
async function adaptLocalChannel(r: Replay, sim: Simulator, ex: RestExchange, res: HttpResult): Promise<HttpResult> {
  if (!/endpoint=Local%2F/.test(ex.path) || ok2xx(res.status) || !ok2xx(ex.response?.status)) return res;
  const id = new URLSearchParams(ex.path.split('?')[1]).get('channelId') ?? 'local-probe-1';
  sim.control.registerPhone('probe', { mode: 'answer', ringMs: 0 });
  const tries = [
    `/ari/channels?endpoint=PJSIP%2Fprobe&extension=wait&context=probe&priority=1&channelId=${id}`,
    `/ari/channels?endpoint=PJSIP%2Fprobe&app=hotline-probe&channelId=${id}`,
  ];
  for (const path of tries) {
    const again = await ariFetch(sim.ariUrl, 'POST', path);
    r.notes.push(`#${ex.id} Local/wait@probe answered ${res.status ?? res.error} by the simulator; replaced by ${path} → ${again.status ?? again.error}`);
    if (ok2xx(again.status)) {
      r.excluded.set(`channel:${id}`, 'stand-in for Local/wait@probe');
      await sleep(Math.max(0, 300));
      return again;
    }
  }
  return res;
}

async function runRest(r: Replay, sim: Simulator, actions: Action[], t0: number): Promise<void> {
  const given = clientGivenIds(r.trace);
  const known = new Set<string>([...r.roles.keys(), ...given]);
  for (let i = 0; i < r.trace.rest.length; i++) {
    const ex = r.trace.rest[i]!;
    await sleep(ex.t - (performance.now() - t0));
    const lastParty = Math.max(-1, ...actions.filter((a) => a.kind !== 'rest' && a.t < ex.t).map((a) => a.t));
    await waitFor(() => r.partiesAt >= lastParty, 3000);
    await gate(r, ex, r.trace.rest[i - 1], given, known);
    learnFromEvents(r);
    const path = substituteIds(ex.path, r.idMap);
    r.sentPaths.set(ex.id, path);
    r.sentAt.set(ex.id, performance.now() - t0);
    if (ex.pollGroup !== undefined) {
      const group = r.trace.rest.filter((x) => x.pollGroup === ex.pollGroup);
      const attempts: HttpResult[] = [];
      for (let n = 0; n < 100; n++) {
        const res = await ariFetch(sim.ariUrl, ex.method, path, { noAuth: ex.noAuth });
        attempts.push(res);
        if (ok2xx(res.status)) break;
        await sleep(100);
      }
      r.results.set(ex.id, attempts);
      i += group.length - 1;
      continue;
    }
    let res = await ariFetch(sim.ariUrl, ex.method, path, { noAuth: ex.noAuth, body: ex.body });
    res = await adaptLocalChannel(r, sim, ex, res);
    if (ok2xx(res.status)) learnFromResponse(r, ex, res);
    r.results.set(ex.id, [res]);
  }
}

async function runParties(r: Replay, sim: Simulator, actions: Action[], t0: number, conn: { current?: EventsConnection }): Promise<void> {
  for (const a of actions) {
    if (a.kind === 'rest') continue;
    await sleep(a.t - (performance.now() - t0));
    const answeredBefore = r.trace.rest.filter((ex) => ex.response && ex.response.t < a.t)
      .map((ex) => (ex.pollGroup === undefined ? ex.id : r.trace.rest.find((x) => x.pollGroup === ex.pollGroup)!.id));
    await waitFor(() => answeredBefore.every((id) => r.results.has(id)), 3000);
    if (a.kind !== 'ws-open' && a.kind !== 'ws-close') {
      const opens = r.trace.lines.filter((l) => l.kind === 'ws-open' && l.t < a.t).length;
      await waitFor(() => (conn.current?.lifecycle.filter((x) => x === 'open').length ?? 0) >= opens, 3000);
    }
    try {
      switch (a.kind) {
        case 'ws-open': conn.current = openEvents(sim.wsUrl, t0, conn.current); break;
        case 'ws-close': await conn.current?.close(); break;
        case 'register':
          sim.control.registerPhone(a.party, a.behaviour);
          if (a.unregister) sim.control.unregisterPhone(a.party);
          break;
        case 'citizen': sim.control.setCitizen(a.party, a.behaviour); break;
        case 'restart': sim.control.faults.restart(a.downMs).catch((e: unknown) => r.harnessErrors.push(`restart: ${String(e)}`)); break;
        case 'call': {
          const res = sim.control.placeCall(a.call);
          r.calls.push({ party: a.party, expect: a.expect, got: res.outcome });
          const start = r.trace.events.find((e) => e.event.type === 'StasisStart'
            && ((e.event.channel as Json).caller as Json | undefined)?.number === a.call.from);
          if (res.channelId && start) map(r, String((start.event.channel as Json).id), res.channelId);
          break;
        }
      }
    } catch (e) {
      r.harnessErrors.push(`${a.kind} at ${a.t} ms: ${String(e)}`);
    }
    r.partiesAt = a.t;
  }
}

/** What the simulator did, in arrival order, for debugging a difference (CONFORMANCE_TIMELINE=1). */
function timeline(r: Replay): string[] {
  const rows: Array<[number, string]> = r.events.map((e) => {
    const s = eventSubject(e.event);
    return [e.t, `event ${eventLabel(e.event, (x) => x)} ${s.kind}=${s.id}`];
  });
  r.lifecycle.forEach((what, i) => rows.push([r.lifecycleAt[i] ?? 0, `websocket ${what}`]));
  for (const ex of r.trace.rest) {
    for (const res of r.results.get(ex.id) ?? []) rows.push([r.sentAt.get(ex.id) ?? ex.t, `rest #${ex.id} ${ex.method} ${r.sentPaths.get(ex.id) ?? ex.path} -> ${res.status ?? res.error}`]);
  }
  return rows.sort((a, b) => a[0] - b[0]).map(([t, s]) => `${t.toFixed(1).padStart(8)} ${s}`);
}

/** Replays one trace against a fresh simulator on the real clock and compares what came back. */
export async function replayTrace(trace: Trace, docs: ApiDocs | undefined): Promise<ReplayResult> {
  const sim = await startSim();
  const conn: { current?: EventsConnection } = {};
  const r: Replay = {
    trace, roles: traceRoles(trace), idMap: new Map(), rev: new Map(), results: new Map(), sentPaths: new Map(), sentAt: new Map(),
    events: [], lifecycle: [], lifecycleAt: [], calls: [], harnessErrors: [], excluded: new Map(), notes: [], partiesAt: -1,
  };
  for (const path of ['/ari/asterisk/info', '/ari/channels', '/ari/bridges', '/ari/endpoints', '/ari/recordings/stored']) {
    await ariFetch(sim.ariUrl, 'GET', path);
  }
  const t0 = performance.now();
  try {
    const actions = partyActions(trace);
    await Promise.all([runParties(r, sim, actions, t0, conn), (async () => {
      await waitFor(() => conn.current !== undefined, 1000);
      if (conn.current) (r as { events: EventsConnection['events'] }).events = conn.current.events;
      await runRest(r, sim, actions, t0);
    })()]);
    await sleep(trace.endT + 300 - (performance.now() - t0));
    learnFromEvents(r);
    await conn.current?.close();
    r.lifecycle = conn.current?.lifecycle ?? [];
    r.lifecycleAt = conn.current?.lifecycleAt ?? [];
  } finally {
    await sim.close();
  }
  return { sections: compareReplay(r, docs), notes: r.notes, timeline: timeline(r) };
}
