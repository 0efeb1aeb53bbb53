/**
 * The route table: every route and socket of the running hotline, asked by every role and without a session,
 * with its own path and with other spellings of it (percent-encoded letters and slashes, doubled and trailing
 * slashes, dot segments, upper case). The answer is the one the route's declared roles allow, or a plain 404 for
 * a spelling the router does not match: nothing else reaches a handler. Requests go out byte for byte as
 * written (node:http), since fetch would tidy dot segments away.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { concrete, ROLES, startSecured } from './security-harness.ts';
import type { Secured } from './security-harness.ts';
import type { Role } from '../../src/features/auth/auth.service.ts';
import type { RouteAccess } from '../../src/features/auth/route-access.ts';

let s: Secured;
let table: RouteAccess[];
beforeAll(async () => {
  s = await startSecured({ logLevel: 'info' });
  table = s.hotline.app.routeAccess.filter((r) => r.method !== 'HEAD');
});
afterAll(async () => { await s?.close(); });

interface Answer { status: number; code: string | undefined; reason: string | undefined }

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const { hostname, port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let code: string | undefined; let reason: string | undefined;
        try {
          const e = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string; context?: { reason?: string } } }).error;
          code = e?.code; reason = e?.context?.reason;
        } catch { code = undefined; }
        resolve({ status: res.statusCode ?? 0, code, reason });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
const letterAt = (segment: string) => segment.search(/[a-z]/i);

/** Other spellings of a concrete path: some the router matches (percent-encoded letters), most it does not. */
export function spellings(path: string): string[] {
  const segs = path.split('/');
  const out = new Set<string>();
  for (const at of [1, segs.length - 1]) {
    const i = letterAt(segs[at]!);
    if (i < 0) continue;
    const copy = [...segs];
    copy[at] = copy[at]!.slice(0, i) + hex(copy[at]![i]!) + copy[at]!.slice(i + 1);
    out.add(copy.join('/'));
    out.add(copy.join('/').replace(/%([0-9a-f]{2})/, (_m, h: string) => `%${h.toUpperCase()}`));
  }
  out.add(`/${path}`);
  if (segs.length > 2) out.add([...segs.slice(0, 2), '', ...segs.slice(2)].join('/'));
  out.add(`${path}/`);
  out.add(path.toUpperCase());
  out.add([segs[0], segs[1]!.toUpperCase(), ...segs.slice(2)].join('/'));
  if (segs.length > 2) {
    out.add([...segs.slice(0, 2), '.', ...segs.slice(2)].join('/'));
    out.add([...segs.slice(0, 2), 'x', '..', ...segs.slice(2)].join('/'));
    out.add([segs[0], segs[1], ...segs.slice(2)].join('%2F').replace('%2F', '/'));
  }
  out.add(`/x/..${path}`);
  out.add(`/%2e%2e${path}`);
  out.delete(path);
  return [...out];
}

type Who = Role | 'none';
const WHO: readonly Who[] = ['none', ...ROLES];
const bearer = (who: Who): Record<string, string> => (who === 'none' ? {} : { authorization: `Bearer ${s.sessions[who].token}` });
const isSocketRoute = (r: RouteAccess) => r.socket;
const guarded = () => table.filter((r) => !r.public && !isSocketRoute(r));
const body = (method: string) => (['POST', 'PUT', 'PATCH'].includes(method) ? '{}' : undefined);

/** What the guard must answer `who` on route `r`: a refusal, or 'through' to the handler. */
function expected(r: RouteAccess, who: Who): Answer | 'through' {
  if (who === 'none') return { status: 401, code: 'ERR_UNAUTHENTICATED', reason: undefined };
  if (!r.roles.includes(who)) return { status: 403, code: 'ERR_FORBIDDEN', reason: 'role' };
  return 'through';
}

function judge(r: RouteAccess, who: Who, path: string, got: Answer, canonical: boolean): string | undefined {
  const want = expected(r, who);
  const notFound = got.status === 404 && got.code === 'ERR_NOT_FOUND';
  if (want === 'through') {
    const refused = got.status === 401 || (got.status === 403 && got.reason === 'role') || got.code === 'ERR_CSRF';
    return refused ? `${r.method} ${path} as ${who}: refused ${got.status} ${got.code ?? ''} ${got.reason ?? ''}` : undefined;
  }
  if (got.status === want.status && got.code === want.code && (want.reason === undefined || got.reason === want.reason)) return undefined;
  if (!canonical && notFound) return undefined;
  return `${r.method} ${path} as ${who}: ${got.status} ${got.code ?? ''} ${got.reason ?? ''}, expected ${want.status} ${want.code}`;
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('the route table', () => {
  it('when the hotline is up, then every route declares its access, and the OpenAPI document names the roles of each', async () => {
    expect(guarded().length).toBeGreaterThan(60);
    for (const r of table) expect([`${r.method} ${r.url}`, r.public || r.roles.length > 0]).toEqual([`${r.method} ${r.url}`, true]);
    const doc = await (await fetch(`${s.url}/api/openapi.json`, { headers: bearer('agent') })).json() as { paths: Record<string, Record<string, { 'x-roles'?: string[]; security?: unknown[] }>> };
    let described = 0;
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        described++;
        expect(op.security !== undefined || (op['x-roles'] ?? []).length > 0).toBe(true);
      }
    }
    expect(described).toBeGreaterThan(60);
  });

  it('when every route is asked by every role and without a session, in every spelling, then only its declared roles get through', async () => {
    const wrong: string[] = [];
    const jobs: Array<{ r: RouteAccess; who: Who; path: string; canonical: boolean }> = [];
    for (const r of guarded()) {
      const path = concrete(r.url);
      for (const who of WHO) {
        // Signing out would end the session the other requests use; the canonical path is judged for it below.
        if (r.url === '/api/logout' && who !== 'none') continue;
        jobs.push({ r, who, path, canonical: true });
        for (const other of spellings(path)) jobs.push({ r, who, path: other, canonical: false });
      }
    }
    expect(jobs.length).toBeGreaterThan(3000);
    // A spelling that is the path of another route (a trailing slash reading as an empty parameter) is that route's to judge.
    const another = (r: RouteAccess, path: string) => table.some((o) => o !== r && o.method === r.method
      && new RegExp(`^${o.url.replace(/:[A-Za-z0-9_]+/g, '[^/]*')}$`).test(path));
    await inBatches(jobs.filter((j) => j.canonical || !another(j.r, j.path)), 16, async ({ r, who, path, canonical }) => {
      const verdict = judge(r, who, path, await raw(r.method, path, bearer(who), body(r.method)), canonical);
      if (verdict) wrong.push(verdict);
    });
    expect(wrong).toEqual([]);
  }, 180_000);

  it('when a public route is asked in any spelling, then it never asks for a session', async () => {
    for (const r of table.filter((x) => x.public && x.url.startsWith('/api/') || x.url === '/health')) {
      const got = await raw(r.method, r.url, {}, body(r.method));
      expect([r.url, got.status === 401 || got.status === 403]).toEqual([r.url, false]);
    }
  });

  it('when a state-changing route is called with an allowed role\'s cookie in any spelling that reaches it, without the CSRF token or from another origin, then 403 ERR_CSRF', async () => {
    const wrong: string[] = [];
    const host = new URL(s.url).host;
    const routes = guarded().filter((r) => !['GET', 'OPTIONS'].includes(r.method) && r.roles.length > 0);
    expect(routes.length).toBeGreaterThan(40);
    await inBatches(routes, 8, async (r) => {
      const who = r.roles[0] as Role;
      const session = s.sessions[who];
      const cookie = `hl_session=${session.token}`;
      const path = concrete(r.url);
      for (const spelled of [path, ...spellings(path)]) {
        for (const headers of [{ cookie }, { cookie, origin: `http://${host}` }, { cookie, 'x-csrf-token': session.csrf, origin: 'http://evil.example' }] as Array<Record<string, string>>) {
          const got = await raw(r.method, spelled, headers, body(r.method));
          const refused = got.status === 403 && got.code === 'ERR_CSRF';
          if (!refused && !(spelled !== path && got.status === 404)) wrong.push(`${r.method} ${spelled} ${JSON.stringify(Object.keys(headers))}: ${got.status} ${got.code ?? ''}`);
        }
      }
    });
    expect(wrong).toEqual([]);
  }, 120_000);

  it('when sign-in is posted with a cookie from another origin, then it is refused (login CSRF)', async () => {
    const got = await raw('POST', '/api/login', { cookie: 'hl_device=x', origin: 'http://evil.example' }, JSON.stringify({ username: 'sec-agent', password: 'nope-nope-nope' }));
    expect([got.status, got.code]).toEqual([403, 'ERR_CSRF']);
  });
});

/** The status an upgrade is answered with (101 when it opens). */
function upgrade(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(s.url.replace(/^http/, 'ws') + path, { headers });
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); ws.terminate(); });
    ws.once('error', () => resolve(-1));
  });
}

describe('the sockets', () => {
  it('when every socket is opened by every role and without a session, in every spelling, then only its declared roles open it', async () => {
    const sockets = table.filter(isSocketRoute);
    expect(sockets.map((r) => r.url)).toEqual(expect.arrayContaining(['/ws', '/ws/wallboard', '/ws/portal', '/ws/centre']));
    const wrong: string[] = [];
    for (const r of sockets) {
      for (const who of WHO) {
        const want = expected(r, who);
        const wantStatus = want === 'through' ? 101 : want.status;
        for (const path of [r.url, ...spellings(r.url)]) {
          const got = await upgrade(path, bearer(who));
          if (got !== wantStatus && !(path !== r.url && got === 404)) wrong.push(`${path} as ${who}: ${got}, expected ${wantStatus}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('when a socket is opened with an allowed role\'s cookie from another origin, in every spelling, then it is refused; from its own origin it opens', async () => {
    const host = new URL(s.url).host;
    const wrong: string[] = [];
    for (const r of table.filter(isSocketRoute)) {
      const cookie = `hl_session=${s.sessions[r.roles[0] as Role].token}`;
      expect([r.url, await upgrade(r.url, { cookie, origin: `http://${host}` })]).toEqual([r.url, 101]);
      for (const path of [r.url, ...spellings(r.url)]) {
        const got = await upgrade(path, { cookie, origin: 'http://evil.example' });
        if (got !== 403 && !(path !== r.url && got === 404)) wrong.push(`${path}: ${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
