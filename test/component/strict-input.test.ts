import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { trackRoutes } from '../../src/openapi.ts';
import { startSecured } from './security-harness.ts';
import type { Secured, Session } from './security-harness.ts';

/**
 * Issue 16, findings 5 and 7: free-form JSON is bounded before it is used, and every input is taken as
 * sent (no coercion), free of NUL and lone surrogates, with every number, date and month bounded.
 */

let s: Secured;
let callId: string;
beforeAll(async () => {
  s = await startSecured({ logLevel: 'info' });
  const agentId = s.hotline.app.auth.findAccountByUsername(s.sessions.agent.username)!.agentId;
  callId = 'call-strict-1';
  s.hotline.db.prepare(`INSERT INTO calls (id, line, caller_number, state, arrived_at, answered_at, agent_id)
    VALUES (?, '12345', '13900139000', 'talking', ?, ?, ?)`).run(callId, Date.now() - 30_000, Date.now() - 10_000, agentId);
}, 60_000);
afterAll(async () => { await s?.close(); });

interface Reply { status: number; body: { error?: { code: string; details: Array<{ field: string; message: string }> } } & Record<string, unknown> }

async function send(who: Session, method: string, path: string, body?: string): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${who.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(s.url + path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) as Reply['body'] : {} };
}
const json = (who: Session, method: string, path: string, body: unknown) => send(who, method, path, JSON.stringify(body));

const nested = (levels: number): string => '{"a":'.repeat(levels - 1) + '{"a":1}' + '}'.repeat(levels - 1);

async function healthy(): Promise<boolean> {
  const res = await fetch(`${s.url}/health`);
  return res.status === 200;
}

function openDesktop(token: string): Promise<{ ws: WebSocket; next: (ref: string) => Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  const frames: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => { frames.push(JSON.parse(String(d)) as Record<string, unknown>); for (const w of waiters.splice(0)) w(); });
  const next = async (ref: string) => {
    for (;;) {
      const found = frames.find((f) => f.ref === ref);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return new Promise((resolve, reject) => { ws.once('open', () => resolve({ ws, next })); ws.once('error', reject); });
}

describe('finding 5: deeply nested JSON', () => {
  it('when a call draft nested 5,000 levels is saved over HTTP, then 400 ERR_VALIDATION and the service still answers', async () => {
    const res = await send(s.sessions.agent, 'PUT', `/api/calls/${callId}/draft`, `{"data":${nested(5000)},"version":0}`);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('ERR_VALIDATION');
    expect(await healthy()).toBe(true);
    const draft = await send(s.sessions.agent, 'GET', `/api/calls/${callId}/draft`);
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({ version: 0 });
  });

  it('when a draft nests a few levels (the form, its handling part), then it is still saved', async () => {
    const res = await json(s.sessions.agent, 'PUT', `/api/calls/${callId}/draft`, { data: { handling: { mode: 'dispatch', cooperatingUnits: ['110105001'] }, deep: JSON.parse(nested(20)) }, version: 0 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 1 });
  });

  it('when the same 5,000-level draft comes over the desktop socket, then ERR_BAD_MESSAGE, the socket stays open and a ping gets its pong', async () => {
    const { ws, next } = await openDesktop(s.sessions.agent.token);
    let closed: number | undefined;
    ws.on('close', (code) => { closed = code; });
    ws.send(`{"type":"draft.save","ref":"deep","callId":"${callId}","version":1,"data":${nested(5000)}}`);
    expect(await next('deep')).toMatchObject({ type: 'error', code: 'ERR_BAD_MESSAGE' });
    ws.send(JSON.stringify({ type: 'ping', ref: 'after' }));
    expect(await next('after')).toMatchObject({ type: 'pong' });
    expect(closed).toBeUndefined();
    ws.close();
    expect(await healthy()).toBe(true);
  });

  it('when a socket frame holds NUL or a lone surrogate, then ERR_BAD_MESSAGE and nothing is saved', async () => {
    const { ws, next } = await openDesktop(s.sessions.agent.token);
    ws.send(`{"type":"draft.save","ref":"nul","callId":"${callId}","version":1,"data":{"description":"a\\u0000b"}}`);
    expect(await next('nul')).toMatchObject({ type: 'error', code: 'ERR_BAD_MESSAGE' });
    ws.send(`{"type":"draft.save","ref":"sur","callId":"${callId}","version":1,"data":{"description":"\\ud800"}}`);
    expect(await next('sur')).toMatchObject({ type: 'error', code: 'ERR_BAD_MESSAGE' });
    ws.close();
    const draft = await send(s.sessions.agent, 'GET', `/api/calls/${callId}/draft`);
    expect(draft.body).toMatchObject({ version: 1 });
  });
});

describe('finding 7: loose input', () => {
  it('when a number is sent where text is expected (title: 123), then 400 naming the field, nothing stored', async () => {
    const res = await json(s.sessions.supervisor, 'POST', '/api/knowledge/articles', { title: 123, body: '正文内容' });
    expect(res.status).toBe(400);
    expect(res.body.error?.details.map((d) => d.field)).toContain('title');
  });

  it('when null is sent for an optional text (reason: null), then 400 rather than an empty reason', async () => {
    const res = await json(s.sessions.supervisor, 'POST', '/api/surveys/do-not-call', { phoneNumber: '13800138000', reason: null });
    expect(res.status).toBe(400);
    expect(res.body.error?.details.map((d) => d.field)).toContain('reason');
    const list = await send(s.sessions.supervisor, 'GET', '/api/surveys/do-not-call');
    expect(JSON.stringify(list.body)).not.toContain('13800138000');
  });

  it('when text holds a lone surrogate or NUL, in a body, a free-form draft or a query string, then 400', async () => {
    for (const bad of ['\\ud800', '\\udfff', 'a\\u0000b']) {
      const article = await send(s.sessions.supervisor, 'POST', '/api/knowledge/articles', `{"title":"标题${bad}","body":"正文内容"}`);
      expect([bad, article.status]).toEqual([bad, 400]);
      expect(article.body.error?.details.map((d) => d.field)).toContain('title');
      const draft = await send(s.sessions.agent, 'PUT', `/api/calls/${callId}/draft`, `{"data":{"form":{"description":"${bad}"}},"version":1}`);
      expect([bad, draft.status]).toEqual([bad, 400]);
    }
    const query = await send(s.sessions.agent, 'GET', '/api/knowledge/search?q=a%00b');
    expect(query.status).toBe(400);
    const param = await send(s.sessions.agent, 'GET', '/api/tickets/t%00x');
    expect(param.status).toBe(400);
  });

  it('when a query number is "Infinity" or 1e308, then 400 (ajv reads "Infinity" as a number and skips its maximum)', async () => {
    for (const q of ['limit=Infinity', 'limit=-Infinity', 'limit=1e308', 'limit=NaN']) {
      const res = await send(s.sessions.supervisor, 'GET', `/api/surveys?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.body.error?.details.map((d) => d.field)).toContain('limit');
    }
  });

  it('when an extension of 1e308 (or -1e308, or "3" as text) is asked for, then 400; 3 is still taken', async () => {
    const unitCode = (s.hotline.db.prepare('SELECT unit_id FROM users WHERE username = ?').get(s.sessions.unit.username) as { unit_id: string }).unit_id;
    const created = await json(s.sessions.supervisor, 'POST', '/api/tickets', {
      type: 'complaint', category: 'sanitation/rubbish', description: '小区门口垃圾三天无人清运', districtCode: '110105', townshipCode: '110105001', address: '建国门外大街 1 号院',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await json(s.sessions.supervisor, 'POST', `/api/tickets/${id}/dispatch`, { leadUnit: unitCode })).status).toBe(200);
    expect((await json(s.sessions.unit, 'POST', `/api/tickets/${id}/sign`, {})).status).toBe(200);
    for (const amount of [1e308, -1e308, '3', 'Infinity', 91]) {
      const res = await json(s.sessions.unit, 'POST', `/api/tickets/${id}/extension`, { amount, reason: '需协调多个部门' });
      expect([amount, res.status]).toEqual([amount, 400]);
      expect(res.body.error?.details.map((d) => d.field)).toContain('amount');
    }
    const huge = await send(s.sessions.unit, 'POST', `/api/tickets/${id}/extension`, '{"amount":1e999,"reason":"需协调多个部门"}');
    expect(huge.status).toBe(400);
    const asked = await json(s.sessions.unit, 'POST', `/api/tickets/${id}/extension`, { amount: 3, reason: '需协调多个部门' });
    expect(asked.status).toBe(200);
    const approved = await json(s.sessions.supervisor, 'POST', `/api/tickets/${id}/extension/approve`, {});
    expect(approved.status).toBe(200);
  });

  it('when the month 1970-01 (or 1999-12, or 2300-01) is closed, then 400 and no ranking is published', async () => {
    for (const month of ['1970-01', '1999-12', '2300-01']) {
      const res = await send(s.sessions.supervisor, 'POST', `/api/reports/months/${month}/close`);
      expect([month, res.status]).toEqual([month, 400]);
      expect(res.body.error?.code).toBe('ERR_VALIDATION');
    }
    const rows = s.hotline.db.prepare('SELECT count(*) AS n FROM report_months').get() as { n: number };
    expect(rows.n).toBe(0);
    const read = await send(s.sessions.supervisor, 'GET', '/api/reports/rates?month=1970-01');
    expect(read.status).toBe(400);
  });

  it('when a query date is before 2000 or far in the future, then 400 naming it', async () => {
    for (const q of ['from=1970-01-01', 'from=0', 'to=9999-12-31', 'to=99999999999999']) {
      const res = await send(s.sessions.supervisor, 'GET', `/api/service-level?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
    }
    const search = await send(s.sessions.supervisor, 'GET', '/api/tickets/search?from=1970-01-01');
    expect(search.status).toBe(400);
    const ok = await send(s.sessions.supervisor, 'GET', '/api/tickets/search?from=2026-01-01&limit=5');
    expect(ok.status).toBe(200);
  });
});

type Schema = Record<string, unknown>;

/** Every place in a route's input schema that is not bounded: a string without maxLength, a number without both bounds, an open object. */
function unbounded(schema: Schema | undefined, at: string, out: string[], isBody: boolean): void {
  if (!schema || typeof schema !== 'object') return;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) for (const sub of (schema[key] as Schema[] | undefined) ?? []) unbounded(sub, at, out, isBody);
  const types = ([] as unknown[]).concat(schema.type ?? []);
  if (types.includes('string') && schema.maxLength === undefined && schema.enum === undefined && schema.const === undefined) out.push(`${at}: string without maxLength`);
  if ((types.includes('number') || types.includes('integer')) && (schema.minimum === undefined && schema.exclusiveMinimum === undefined || schema.maximum === undefined && schema.exclusiveMaximum === undefined)) {
    out.push(`${at}: number without minimum and maximum`);
  }
  if (types.includes('array')) {
    if (schema.maxItems === undefined) out.push(`${at}: array without maxItems`);
    unbounded(schema.items as Schema | undefined, `${at}[]`, out, isBody);
  }
  if (types.includes('object')) {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const patterns = (schema.patternProperties ?? {}) as Record<string, Schema>;
    if (isBody && schema.additionalProperties !== false && Object.keys(patterns).length === 0) out.push(`${at}: object open to any field`);
    if (Object.keys(patterns).length && schema.maxProperties === undefined) out.push(`${at}: map without maxProperties`);
    for (const [name, sub] of Object.entries(props)) unbounded(sub, `${at}.${name}`, out, isBody);
    for (const [name, sub] of Object.entries(patterns)) unbounded(sub, `${at}[${name}]`, out, isBody);
  }
}

describe('every route input is bounded', () => {
  it('when the running service lists its routes, then every body, query and path string has a maxLength, every number both bounds, every body and query object no stray fields', () => {
    const routes = trackRoutes(s.hotline.app.app);
    expect(routes.length).toBeGreaterThan(40);
    const found: string[] = [];
    for (const r of routes) {
      for (const part of ['body', 'querystring', 'params'] as const) {
        unbounded(r.schema[part] as Schema | undefined, `${r.method} ${r.url} ${part}`, found, part !== 'params');
      }
    }
    expect(found).toEqual([]);
  });
});
