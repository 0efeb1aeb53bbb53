import type { ApiDocs } from './api-docs.ts';
import type { HttpResult } from './sim-harness.ts';
import { eventLabel, eventSubject, normaliseLabels, shapeOf } from './trace-compare.ts';
import type { Section } from './trace-compare.ts';
import type { Json, TraceResponse } from './trace.ts';
import type { Replay } from './trace-replay.ts';

const ok2xx = (s: number | undefined): boolean => s !== undefined && s >= 200 && s < 300;

function statusText(res: { status?: number; error?: string }): string {
  return res.status !== undefined ? String(res.status) : (res.error ?? 'no answer');
}

/** Polling collapses to "unavailable… then 200" when it has that form on a side; otherwise the raw attempts. */
function pollText(attempts: Array<{ status?: number; error?: string }>): string {
  const last = attempts[attempts.length - 1];
  const unavailable = attempts.slice(0, -1).every((a) => a.status === undefined || a.status === 404 || a.status === 503);
  if (last && ok2xx(last.status) && unavailable) return `unavailable (refused/reset, 404 or 503) until ${last.status}`;
  return attempts.map(statusText).join(',');
}

function shortPath(path: string, r: Replay): string {
  let p = path.replace(/^\/ari/, '');
  for (const [id, role] of r.roles) p = p.split(id).join(`{${role}}`);
  return p.length > 90 ? `${p.slice(0, 87)}...` : p;
}

function statusSection(r: Replay): Section {
  const trace: string[] = [];
  const sim: string[] = [];
  const seen = new Set<number>();
  const polls: string[] = [];
  for (const ex of r.trace.rest) {
    if (ex.pollGroup !== undefined) {
      if (seen.has(ex.pollGroup)) continue;
      seen.add(ex.pollGroup);
      const group = r.trace.rest.filter((x) => x.pollGroup === ex.pollGroup);
      const head = `#${ex.id}… poll ${ex.method} ${shortPath(ex.path, r)} →`;
      trace.push(`${head} ${pollText(group.map((g) => g.response ?? {}))}`);
      sim.push(`${head} ${pollText(r.results.get(ex.id) ?? [])}`);
      polls.push(`#${ex.id} polling: trace ${group.map((g) => statusText(g.response ?? {})).join(',')}; simulator ${(r.results.get(ex.id) ?? []).map(statusText).join(',')}`);
      continue;
    }
    const head = `#${ex.id} ${ex.method} ${shortPath(ex.path, r)} →`;
    trace.push(`${head} ${statusText(ex.response ?? {})}`);
    const res = r.results.get(ex.id)?.[0];
    sim.push(`${head} ${res ? statusText(res) : 'not sent'}`);
  }
  return { title: 'REST status codes, in order', trace, sim, ok: trace.join('\n') === sim.join('\n'), note: polls.join('; ') || undefined };
}

function bodyLines(res: { status?: number; body: unknown; contentType?: string; headers?: Record<string, string> }): string[] {
  const type = res.contentType ?? res.headers?.['content-type'] ?? '';
  const raw: unknown = res.body;
  if (res.status === undefined) return [];
  if (typeof raw === 'string') return [type.includes('html') || raw.trimStart().startsWith('<') ? 'HTML page' : `text ${raw.slice(0, 40)}`];
  const b = raw as Json | null | undefined;
  if (b && typeof b === 'object' && ('omitted' in b || 'binary' in b)) return [`file ${type} ${String(b.first_bytes_ascii)}…`];
  if (b === null || b === undefined) return ['(no body)'];
  if (!ok2xx(res.status) && !Array.isArray(b)) {
    const keys = Object.keys(b).sort().join(',');
    return [`error {${keys}}: ${String(b.message ?? b.error ?? '')}`];
  }
  return shapeOf(b);
}

function bodySection(r: Replay): Section {
  const trace: string[] = [];
  const sim: string[] = [];
  for (const ex of r.trace.rest) {
    if (ex.pollGroup !== undefined || !ex.response) continue;
    const res = r.results.get(ex.id)?.[0];
    if (!res) continue;
    const t = bodyLines(ex.response as TraceResponse).map((l) => `#${ex.id} ${l}`);
    const s = bodyLines(res as HttpResult).map((l) => `#${ex.id} ${l}`);
    if (t.join('\n') !== s.join('\n')) { trace.push(...t); sim.push(...s); }
  }
  return { title: 'REST body shapes and error messages', trace, sim, ok: trace.length === 0 && sim.length === 0, note: 'only differing bodies listed' };
}

function eventSections(r: Replay): Section[] {
  const traceRole = (id: string): string => r.roles.get(id) ?? id;
  const simRole = (id: string): string => traceRole(r.rev.get(id) ?? id);
  const groups = new Map<string, { trace: string[]; sim: string[] }>();
  const group = (key: string) => {
    let g = groups.get(key);
    if (!g) { g = { trace: [], sim: [] }; groups.set(key, g); }
    return g;
  };
  for (const { event } of r.trace.events) {
    const s = eventSubject(event);
    group(`${s.kind}:${s.id}`).trace.push(eventLabel(event, traceRole));
  }
  for (const { event } of r.events) {
    const s = eventSubject(event);
    group(`${s.kind}:${s.kind === 'recording' || s.kind === 'other' ? s.id : (r.rev.get(s.id) ?? s.id)}`).sim.push(eventLabel(event, simRole));
  }
  const sections: Section[] = [];
  for (const [key, g] of groups) {
    const id = key.slice(key.indexOf(':') + 1);
    const kind = key.slice(0, key.indexOf(':'));
    const name = kind === 'recording' ? `recording ${id}` : kind === 'other' ? `events without subject (${id})` : traceRole(id);
    const excluded = r.excluded.get(key);
    const trace = normaliseLabels(g.trace, g.sim);
    const sim = normaliseLabels(g.sim, g.trace);
    sections.push({
      title: `events of ${name}`, trace, sim, ok: excluded !== undefined || trace.join('\n') === sim.join('\n'),
      note: excluded ? `not compared: ${excluded}` : undefined,
    });
  }
  return sections;
}

function modelSection(r: Replay, docs: ApiDocs): Section {
  const errors: string[] = [];
  for (const { event } of r.events) errors.push(...docs.validateMessage(event).map((e) => `event ${String(event.type)}: ${e}`));
  for (const ex of r.trace.rest) {
    const path = r.sentPaths.get(ex.id) ?? ex.path;
    for (const res of r.results.get(ex.id) ?? []) {
      if (!ok2xx(res.status) || res.body === null || !res.contentType?.includes('json')) continue;
      const m = docs.matchRoute(ex.method, path);
      if (!m) { errors.push(`#${ex.id} no route for ${ex.method} ${path}`); continue; }
      if (m.op.responseClass === 'void') { errors.push(`#${ex.id} ${m.op.nickname} is void but has a JSON body`); continue; }
      if (m.op.responseClass === 'binary') continue;
      errors.push(...docs.validate(m.op.responseClass, res.body).map((e) => `#${ex.id} ${e}`));
    }
  }
  return { title: 'simulator messages against the api-docs models', trace: [], sim: errors, ok: errors.length === 0 };
}

export function compareReplay(r: Replay, docs: ApiDocs | undefined): Section[] {
  const sections: Section[] = [];
  if (r.harnessErrors.length > 0) sections.push({ title: 'simulator control calls', trace: [], sim: r.harnessErrors, ok: false });
  sections.push({ title: 'events websocket lifecycle', trace: r.trace.wsLifecycle, sim: r.lifecycle, ok: r.trace.wsLifecycle.join() === r.lifecycle.join() });
  const expectCalls = r.calls.map((c) => `${c.party} INVITE → ${c.expect}`);
  const gotCalls = r.calls.map((c) => `${c.party} INVITE → ${c.got}`);
  sections.push({ title: 'SIP calls from the trunk', trace: expectCalls, sim: gotCalls, ok: expectCalls.join() === gotCalls.join() });
  sections.push(statusSection(r), bodySection(r), ...eventSections(r));
  if (docs) sections.push(modelSection(r, docs));
  return sections;
}

