import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { changesState, concrete, isPublic, isSocket, isStatic, startSecured } from './security-harness.ts';
import type { RouteEntry, Secured } from './security-harness.ts';

let s: Secured;
beforeAll(async () => { s = await startSecured({ logLevel: 'info' }); });
afterAll(async () => { await s?.close(); });

const guardedRoutes = (): RouteEntry[] => s.routes.filter((r) => r.method !== 'HEAD' && !isPublic(r) && !isStatic(r));

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<{ status: number; code: string | undefined }> {
  const withBody = body !== undefined || (changesState(method) && method !== 'DELETE');
  const res = await fetch(s.url + path, {
    method,
    headers: { ...(withBody ? { 'content-type': 'application/json' } : {}), ...headers },
    body: withBody ? JSON.stringify(body ?? {}) : undefined,
  });
  const text = await res.text();
  let code: string | undefined;
  try { code = (JSON.parse(text) as { error?: { code?: string } }).error?.code; } catch { code = undefined; }
  return { status: res.status, code };
}

/** The status a websocket upgrade is refused with, or 101 when it opens. */
function upgrade(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(s.url.replace(/^http/, 'ws') + path, { headers });
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); ws.terminate(); });
    ws.once('error', (e) => reject(e));
  });
}

describe('every route and socket needs a session', () => {
  it('when the running hotline is enumerated, then it has the login, health, desktop socket and API routes', () => {
    const paths = new Set(s.routes.map((r) => `${r.method} ${r.path}`));
    for (const p of ['POST /api/login', 'GET /health', 'GET /ws', 'GET /api/me', 'POST /api/tickets']) expect(paths).toContain(p);
    expect(guardedRoutes().length).toBeGreaterThan(20);
  });

  it('when any route other than login, health and static files is requested without a session, then 401 ERR_UNAUTHENTICATED', async () => {
    const open: string[] = [];
    for (const r of guardedRoutes()) {
      const got = await call(r.method, concrete(r.path));
      if (got.status !== 401 || got.code !== 'ERR_UNAUTHENTICATED') open.push(`${r.method} ${r.path} -> ${got.status} ${got.code ?? ''}`);
    }
    expect(open).toEqual([]);
  });

  it('when any route is requested with an unknown bearer token or cookie, then 401', async () => {
    const open: string[] = [];
    for (const r of guardedRoutes()) {
      for (const headers of [{ authorization: 'Bearer forged-token-value' }, { cookie: 'hl_session=forged-cookie-value' }] as Array<Record<string, string>>) {
        const got = await call(r.method, concrete(r.path), headers);
        if (got.status !== 401) open.push(`${r.method} ${r.path} ${Object.keys(headers)[0]} -> ${got.status}`);
      }
    }
    expect(open).toEqual([]);
  });

  it('when a websocket is opened without a session, with a forged token, or by a role it is not for, then the upgrade is refused', async () => {
    const sockets = [...new Set(s.routes.filter((r) => isSocket(r.path)).map((r) => r.path))];
    expect(sockets).toContain('/ws');
    for (const path of sockets) {
      expect([path, await upgrade(path)]).toEqual([path, 401]);
      expect([path, await upgrade(`${path}?token=forged`)]).toEqual([path, 401]);
      expect([path, await upgrade(path, { cookie: 'hl_session=forged' })]).toEqual([path, 401]);
    }
    expect(await upgrade(`/ws?token=${s.sessions.agent.token}`)).toBe(101);
    if (sockets.includes('/ws/wallboard')) {
      expect(await upgrade(`/ws/wallboard?token=${s.sessions.agent.token}`)).toBe(403);
      expect(await upgrade(`/ws/wallboard?token=${s.sessions.supervisor.token}`)).toBe(101);
    }
  });

  it('when routes are asked by a role they are not for, then 403 ERR_FORBIDDEN', async () => {
    const refused: Record<string, ReadonlyArray<'agent' | 'unit'>> = {
      '/api/agents': ['agent', 'unit'], '/api/wallboard': ['agent', 'unit'], '/metrics': ['agent', 'unit'],
      '/api/portal/centre': ['unit'],
    };
    const present = s.routes.filter((r) => r.method === 'GET' && r.path in refused);
    expect(present.length).toBeGreaterThan(0);
    const open: string[] = [];
    for (const r of present) {
      for (const role of refused[r.path]!) {
        const got = await call('GET', r.path, { authorization: `Bearer ${s.sessions[role].token}` });
        if (got.status !== 403) open.push(`GET ${r.path} as ${role} -> ${got.status}`);
      }
    }
    expect(open).toEqual([]);
  });
});

describe('CSRF for cookie sessions', () => {
  it('when a state-changing route is called with an allowed role\'s session cookie but no x-csrf-token, or a wrong one, then 403 ERR_CSRF', async () => {
    const open: string[] = [];
    for (const r of guardedRoutes().filter((x) => changesState(x.method) && x.path !== '/api/logout')) {
      const access = s.hotline.app.routeAccess.find((a) => a.method === r.method && a.url === r.path);
      const role = access?.roles[0];
      if (!role) { open.push(`${r.method} ${r.path}: no declared role`); continue; }
      const cookie = `hl_session=${s.sessions[role].token}`;
      for (const extra of [{}, { 'x-csrf-token': 'wrong-token-of-the-same-length-00000' }] as Array<Record<string, string>>) {
        const got = await call(r.method, concrete(r.path), { cookie, ...extra });
        if (got.status !== 403 || got.code !== 'ERR_CSRF') open.push(`${r.method} ${r.path} -> ${got.status} ${got.code ?? ''}`);
      }
    }
    expect(open).toEqual([]);
    const right = await call('GET', '/api/me', { cookie: `hl_session=${s.sessions.admin.token}` });
    expect(right.status).toBe(200);
  });

  it('when a cookie-authenticated websocket upgrade comes from another origin, then it is refused (cross-site websocket hijacking)', async () => {
    const cookie = `hl_session=${s.sessions.agent.token}`;
    const host = new URL(s.url).host;
    expect(await upgrade('/ws', { cookie, origin: `http://${host}` })).toBe(101);
    expect(await upgrade('/ws', { cookie, origin: 'http://evil.example' })).toBe(403);
  });
});

describe('security headers', () => {
  it('when the health, an API answer, an error and a page are fetched, then CSP with frame-ancestors, nosniff, frame options and referrer policy are set', async () => {
    for (const path of ['/health', '/api/me', '/no-such-page', '/desktop/']) {
      const res = await fetch(s.url + path, { headers: { authorization: `Bearer ${s.sessions.agent.token}` } });
      await res.arrayBuffer();
      const h = res.headers;
      expect([path, h.get('content-security-policy') ?? '']).toEqual([path, expect.stringMatching(/default-src 'self'.*frame-ancestors 'none'/)]);
      expect(h.get('content-security-policy')).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect([path, h.get('x-content-type-options')]).toEqual([path, 'nosniff']);
      expect([path, h.get('x-frame-options')]).toEqual([path, 'SAMEORIGIN']);
      expect([path, h.get('referrer-policy')]).toEqual([path, 'no-referrer']);
      expect(h.get('x-powered-by')).toBeNull();
    }
  });
});
