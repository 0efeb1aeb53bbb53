import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import WebSocket from 'ws';
import { trackRoutes } from '../../src/openapi.ts';
import { changesState, concrete, isPublic, isSocket, isStatic, startSecured } from './security-harness.ts';
import type { RouteEntry, Secured, Session } from './security-harness.ts';

const SEED = 12345;
const PER_SOCKET = 10_000;
const PER_ROUTE = Number(process.env.FUZZ_PER_ROUTE ?? 150);
const PARALLEL = 16;

const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'type', 'ref', 'username', 'password',
  'state', 'reason', 'seat', 'data', 'version', 'callId', 'action', 'description', 'category', 'unitCode', 'skills', 'title', 'body', 'phone'];
const HOSTILE = ["' OR 1=1 --", "'); DROP TABLE tickets; --", '" OR ""="', '%00', '\u0000', '\ud800', '\udfff', '../../etc/passwd',
  '<script>alert(1)</script>', '${7*7}', '{{7*7}}', 'NaN', 'Infinity', '-0', '1e309', '0x1F', '９', '١٢٣', '\u202e', ' ', ''];

const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', maxDepth: 4 },
    fc.constantFrom(...HOSTILE), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.integer(), fc.double(), fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 63), 1e308, -1e308, Number.MIN_VALUE), fc.boolean(), fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 4 })),
})).v;

/** A request body: its bytes and content type. */
interface Payload { body: string | Buffer | undefined; type: string | undefined }

const deep = (n: number, open: string, close: string) => open.repeat(n) + close.repeat(n);
const payloads: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), hostileValue, { maxKeys: 6 }).map((o) => ({ body: JSON.stringify(o), type: 'application/json' })) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ body: JSON.stringify(v), type: 'application/json' })) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 20_000 }).map((n) => ({ body: deep(n, '{"a":', '}').replace(/}$/, '1}'), type: 'application/json' })) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 20_000 }).map((n) => ({ body: deep(n, '[', ']'), type: 'application/json' })) },
  { weight: 1, arbitrary: fc.integer({ min: 33, max: 5_000 }).map((n) => ({ body: `{"data":${deep(n, '{"a":', '}').replace(/}/, '1}')},"version":0}`, type: 'application/json' })) },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 200_000, 300_000).map((n) => ({ body: JSON.stringify({ description: 'x'.repeat(n), data: { text: '长'.repeat(n / 10) } }), type: 'application/json' })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => ({ body: Buffer.concat([Buffer.from('{"x":"'), Buffer.from(b), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]), type: 'application/json' })) },
  { weight: 2, arbitrary: fc.constantFrom(
    '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"a":{"__proto__":{"polluted":1}}}',
    '{"version": NaN}', '{"version": 1e999}', '{"version": -0}', '{"version": 0x10}', '{"version": Infinity}', '{,}', '{"a":1,}', '"just a string"',
    'null', '[]', '', '\uFEFF{}', '{"a":"\\ud800"}', '{"a":"\\u0000"}', `{"${'k'.repeat(10_000)}":1}`, '{"type":"ping"}'.repeat(100),
  ).map((body) => ({ body, type: 'application/json' })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/xml', undefined), fc.string({ maxLength: 200 }))
    .map(([type, body]) => ({ body, type })) },
  { weight: 1, arbitrary: fc.constant({ body: undefined, type: 'application/json' }) },
);

/** A path segment: hostile text percent-encoded byte by byte, or raw malformed escapes. */
const pathValues = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(fc.constantFrom(...HOSTILE.filter((h) => h !== '')), fc.string({ minLength: 1, maxLength: 30 }), fc.constant('9'.repeat(400)))
    .map((v) => [...Buffer.from(v)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')) },
  { weight: 1, arbitrary: fc.constantFrom('%ff', '%E0%A4%A', '%', '%00', '..%2F..%2Fetc', '%C0%AE%C0%AE', '%uD800') },
);

let s: Secured;
const crashes: unknown[] = [];
const onCrash = (e: unknown) => { crashes.push(e); };
beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  s = await startSecured({ logLevel: 'info', tuning: { app: { live: { maxMessagesPerSecond: 1_000_000 } } } });
});
afterAll(async () => {
  await s?.close();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});

function sessionFor(path: string, i: number): Session {
  if (path.startsWith('/api/agents/me') || path.startsWith('/api/calls/')) return s.sessions.agent;
  const roles = ['admin', 'supervisor', 'agent', 'unit'] as const;
  return s.sessions[roles[i % roles.length]!];
}

/** What an answer must be: a normal answer, or an error body in JSON with a 4xx, or 503 ERR_PBX_UNAVAILABLE. */
async function judge(res: Response): Promise<string | undefined> {
  const text = await res.text();
  if (res.status < 400) return undefined;
  let parsed: { error?: { code?: string } | string; code?: string };
  try { parsed = JSON.parse(text) as typeof parsed; } catch { return `${res.status} not JSON`; }
  const code = typeof parsed.error === 'object' ? parsed.error.code : undefined;
  if (!code) return `${res.status} not the uniform error body (code ${parsed.code ?? '?'})`;
  if (res.status >= 500 && !(res.status === 503 && code === 'ERR_PBX_UNAVAILABLE')) return `${res.status} ${code}`;
  return undefined;
}

async function healthy(): Promise<boolean> {
  const res = await fetch(`${s.url}/health`);
  return res.status === 200 && ((await res.json()) as { status: string }).status === 'ok';
}

function prototypeClean(): boolean {
  return Object.getOwnPropertyNames(Object.prototype).every((k) => k !== 'polluted') && ({} as Record<string, unknown>).polluted === undefined;
}

describe('fuzz: HTTP bodies and path parameters', () => {
  it(`when ${PER_ROUTE} hostile bodies hit every state-changing JSON route (and hostile ids every route with parameters), then no 500, every error is JSON, /health answers and Object.prototype is clean`, async () => {
    const targets: RouteEntry[] = s.routes.filter((r) => !isStatic(r) && !isSocket(r.path) && r.method !== 'HEAD' && r.path !== '/api/logout'
      && (changesState(r.method) || r.path.includes(':')) && (isPublic(r) || r.path.startsWith('/api')));
    expect(targets.length).toBeGreaterThan(10);
    const failures = new Map<string, Set<string>>();
    const examples = new Map<string, string>();
    let sent = 0;
    for (const [ri, route] of targets.entries()) {
      const bodies = fc.sample(payloads, { seed: SEED + ri, numRuns: PER_ROUTE });
      const ids = fc.sample(pathValues, { seed: SEED - ri, numRuns: PER_ROUTE });
      for (let i = 0; i < PER_ROUTE; i += PARALLEL) {
        await Promise.all(bodies.slice(i, i + PARALLEL).map(async (p, k) => {
          const n = i + k;
          const path = concrete(route.path, ids[n]!);
          const who = sessionFor(route.path, n);
          const withBody = changesState(route.method) && p.body !== undefined;
          const headers: Record<string, string> = { authorization: `Bearer ${who.token}` };
          if (withBody && p.type) headers['content-type'] = p.type;
          const res = await fetch(s.url + path, { method: route.method, headers, body: withBody ? (p.body as BodyInit) : undefined });
          sent++;
          const bad = await judge(res);
          if (!bad) return;
          if (!failures.has(bad)) { failures.set(bad, new Set()); examples.set(bad, `${route.method} ${path.slice(0, 60)} ← ${String(p.body).slice(0, 100)}`); }
          failures.get(bad)!.add(`${route.method} ${route.path}`);
        }));
      }
    }
    expect(sent).toBe(targets.length * PER_ROUTE);
    const report = [...failures.entries()].map(([bad, routes]) => ({ bad, example: examples.get(bad), routes: routes.size, first: [...routes].slice(0, 4) }));
    expect(await healthy()).toBe(true);
    expect(prototypeClean()).toBe(true);
    expect(crashes).toEqual([]);
    expect(report).toEqual([]);
  }, 120_000);
});

function frames(seed: number): Array<string | Buffer> {
  const types = fc.constantFrom('ping', 'draft.save', 'pop', 'hello', '__proto__', 'constructor', 'toString', 'agent.state', 'a'.repeat(300), '', ' ping');
  const message = fc.record({ type: fc.oneof(types, hostileValue), ref: fc.oneof(fc.string({ maxLength: 80 }), hostileValue), callId: hostileValue, data: hostileValue, version: hostileValue }, { requiredKeys: [] });
  const frame: fc.Arbitrary<string | Buffer> = fc.oneof(
    { weight: 6, arbitrary: message.map((m) => JSON.stringify(m)) },
    { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.constantFrom('{"type":"ping","__proto__":{"polluted":1}}', '{"type":"draft.save","constructor":{"prototype":{"polluted":1}}}',
      deep(5000, '[', ']'), JSON.stringify({ type: 'draft.save', data: 'x'.repeat(70_000) }), '{"type":"ping","ref":"\\ud800"}', 'null', '"ping"', '{"type":1e999}',
      `{"type":"draft.save","callId":"x","version":0,"data":${deep(5000, '{"a":', '}').replace(/}/, '1}')}}`, '{"type":"draft.save","callId":"x","version":1e999,"data":{}}',
      '{"type":"draft.save","callId":"x","version":0,"data":{"d":"\\u0000"}}', '{"type":"draft.save","callId":"\\udfff","version":0,"data":{}}') },
  );
  return fc.sample(frame, { seed, numRuns: PER_SOCKET });
}

async function open(path: string, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}${path}?token=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  return ws;
}

describe('fuzz: websockets', () => {
  it(`when ${PER_SOCKET} malformed frames hit each registered websocket, then the socket stays open, a ping still gets its pong, /health answers and Object.prototype is clean`, async () => {
    const paths = [...new Set(s.routes.filter((r) => isSocket(r.path)).map((r) => r.path))];
    expect(paths).toContain('/ws');
    for (const [pi, path] of paths.entries()) {
      const who = path === '/ws' ? s.sessions.agent : path.includes('wallboard') ? s.sessions.supervisor : path.includes('portal') ? s.sessions.unit : s.sessions.admin;
      const ws = await open(path, who.token);
      let replies = 0;
      let closed: number | undefined;
      const pong = new Promise<void>((resolve) => {
        ws.on('message', (d) => { replies++; if (String(d).includes('"ref":"fuzz-final"')) resolve(); });
      });
      ws.on('close', (code) => { closed = code; });
      for (const f of frames(SEED + pi)) {
        ws.send(f, { binary: Buffer.isBuffer(f) });
        if (ws.bufferedAmount > 1_000_000) await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 200));
      expect([path, closed]).toEqual([path, undefined]);
      if (path === '/ws') {
        ws.send(JSON.stringify({ type: 'ping', ref: 'fuzz-final' }));
        await pong;
        expect(replies).toBeGreaterThan(PER_SOCKET * 0.9);
      }
      ws.close();
    }
    expect(await healthy()).toBe(true);
    expect(prototypeClean()).toBe(true);
    expect(crashes).toEqual([]);
  }, 120_000);

  it('when a text frame holds invalid UTF-8, then only that socket is closed (1007) and the service keeps answering', async () => {
    const ws = await open('/ws', s.sessions.agent.token);
    const code = await new Promise<number>((resolve) => {
      ws.once('close', (c) => resolve(c));
      ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    });
    expect(code).toBe(1007);
    expect(await healthy()).toBe(true);
    expect(crashes).toEqual([]);
  });
});

type Schema = Record<string, unknown>;
/** Each text and number field a schema declares, as a path of property names (arrays and unions looked into). */
function fieldsOf(schema: Schema | undefined, at: string[] = [], out: Array<{ path: string[]; kind: 'text' | 'number' }> = []) {
  if (!schema || typeof schema !== 'object') return out;
  for (const sub of [...((schema.anyOf as Schema[]) ?? []), ...((schema.oneOf as Schema[]) ?? [])]) fieldsOf(sub, at, out);
  const types = ([] as unknown[]).concat(schema.type ?? []);
  if (at.length && (types.includes('string') || (Array.isArray(schema.enum) && schema.enum.every((e) => typeof e === 'string')))) out.push({ path: at, kind: 'text' });
  if (at.length && (types.includes('number') || types.includes('integer'))) out.push({ path: at, kind: 'number' });
  for (const [name, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) fieldsOf(sub, [...at, name], out);
  return out;
}
const place = (path: string[], value: unknown): unknown => path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);

describe('fuzz: every declared field refuses what it must not hold', () => {
  const TEXT = ['"a\\u0000b"', '"\\ud800"', '"x\\udfff"'];
  const NUMBER = ['1e308', '-1e308', '1e999', '"NaN"', '"Infinity"', '"1"', 'true'];

  it('when each text field of each JSON body gets NUL or a lone surrogate, and each number field 1e308, -1e308, "NaN", "Infinity" or text, then 400, never stored', async () => {
    const accepted: string[] = [];
    const routes = trackRoutes(s.hotline.app.app).filter((r) => r.schema.body && changesState(r.method));
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) {
      for (const field of fieldsOf(r.schema.body as Schema)) {
        for (const raw of field.kind === 'text' ? TEXT : NUMBER) {
          const body = JSON.stringify(place(field.path, '@@')).replace('"@@"', raw);
          let status = 0;
          for (const role of ['agent', 'supervisor', 'unit', 'admin'] as const) {
            const res = await fetch(s.url + concrete(r.url, '1001'), {
              method: r.method, headers: { authorization: `Bearer ${s.sessions[role].token}`, 'content-type': 'application/json' }, body,
            });
            await res.arrayBuffer();
            status = res.status;
            if (status !== 403) break;
          }
          if (status !== 400) accepted.push(`${r.method} ${r.url} ${field.path.join('.')}=${raw} -> ${status}`);
        }
      }
    }
    expect(accepted).toEqual([]);
    expect(await healthy()).toBe(true);
  }, 120_000);

  it('when each query field gets NUL, and each numeric one NaN, Infinity or 1e308, then 400', async () => {
    const accepted: string[] = [];
    const routes = trackRoutes(s.hotline.app.app).filter((r) => r.schema.querystring && r.method === 'GET');
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) {
      for (const field of fieldsOf(r.schema.querystring as Schema)) {
        for (const value of field.kind === 'text' ? ['a%00b'] : ['NaN', 'Infinity', '1e308', '-1e308', 'x']) {
          let status = 0;
          for (const role of ['admin', 'supervisor', 'agent', 'unit'] as const) {
            const res = await fetch(`${s.url}${concrete(r.url, '1001')}?${field.path[0]}=${value}`, { headers: { authorization: `Bearer ${s.sessions[role].token}` } });
            await res.arrayBuffer();
            status = res.status;
            if (status !== 403) break;
          }
          if (status !== 400) accepted.push(`${r.url} ${field.path[0]}=${value} -> ${status}`);
        }
      }
    }
    expect(accepted).toEqual([]);
  }, 120_000);

  it('when a frame nested 600 levels (within the notice sockets\' 4 KB), or holding NUL, a lone surrogate or 1e999, reaches each notice and desktop socket, then ERR_BAD_MESSAGE and the socket stays open', async () => {
    const sockets = [['/ws', s.sessions.agent], ['/ws/portal', s.sessions.unit], ['/ws/centre', s.sessions.supervisor]] as const;
    const bad = [`{"type":"ping","ref":"r0","a":${deep(600, '{"a":', '}').replace(/}/, '1}')}}`, '{"type":"ping","ref":"r1","a":"\\u0000"}',
      '{"type":"ping","ref":"r2","a":"\\ud800"}', '{"type":"ping","ref":"r3","a":1e999}', '{"type":"ping","ref":"r4","__proto__":{"polluted":1}}'];
    for (const [path, who] of sockets) {
      if (!s.routes.some((r) => r.path === path)) continue;
      const ws = await open(path, who.token);
      const replies = new Map<string, { type: string; code?: string }>();
      const done = new Promise<void>((resolve) => {
        ws.on('message', (d) => {
          const f = JSON.parse(String(d)) as { type: string; code?: string; ref?: string };
          if (f.ref) replies.set(f.ref, f);
          if (f.ref === 'last') resolve();
        });
      });
      for (const frame of bad) ws.send(frame);
      ws.send(JSON.stringify({ type: 'ping', ref: 'last' }));
      await done;
      for (let i = 0; i < bad.length; i++) expect([path, i, replies.get(`r${i}`)]).toMatchObject([path, i, { type: 'error', code: 'ERR_BAD_MESSAGE' }]);
      expect(replies.get('last')?.type).toBe('pong');
      ws.close();
    }
    expect(prototypeClean()).toBe(true);
  });
});
