import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { requireRole } from '../../src/features/auth/auth.routes.ts';
import { startDeskApp, PASSWORD } from '../fixtures/desk-app.ts';
import type { DeskApp } from '../fixtures/desk-app.ts';

let desk: DeskApp | undefined;
afterEach(async () => { await desk?.close(); desk = undefined; });

const json = (body: unknown) => ({ 'content-type': 'application/json', body: JSON.stringify(body) });

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const { body: text, ...h } = json(body);
  return fetch(url, { method: 'POST', headers: { ...h, ...headers }, body: text });
}

describe('auth', () => {
  it('when an agent logs in with the right password, then the session cookie is httpOnly/SameSite=Lax and /api/me answers', async () => {
    desk = await startDeskApp();
    await desk.addUser('agent001', 'agent', 'agent001');
    const res = await post(`${desk.url}/api/login`, { username: 'agent001', password: PASSWORD });
    expect(res.status).toBe(200);
    const body = await res.json() as { user: { username: string; role: string; agentId: string }; csrfToken: string; token: string };
    expect(body.user).toMatchObject({ username: 'agent001', role: 'agent', agentId: 'agent001' });
    expect(body.csrfToken.length).toBeGreaterThan(20);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^hl_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const me = await fetch(`${desk.url}/api/me`, { headers: { cookie: setCookie.split(';')[0]! } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { username: 'agent001' }, csrfToken: body.csrfToken });
    const stored = desk.db.prepare('SELECT password_hash FROM users WHERE username = ?').get('agent001') as { password_hash: string };
    expect(stored.password_hash).toMatch(/^scrypt\$/);
    expect(stored.password_hash).not.toContain(PASSWORD);
  });

  it('when the password is wrong or the user unknown, then 401 ERR_UNAUTHENTICATED and no cookie', async () => {
    desk = await startDeskApp();
    await desk.addUser('agent001', 'agent', 'agent001');
    for (const creds of [{ username: 'agent001', password: 'wrong' }, { username: 'nobody', password: PASSWORD }]) {
      const res = await post(`${desk.url}/api/login`, creds);
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      const body = await res.json() as { error: { code: string; message: string; message_en: string } };
      expect(body.error.code).toBe('ERR_UNAUTHENTICATED');
      expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('when the login body is malformed, then 400 ERR_VALIDATION names the missing field', async () => {
    desk = await startDeskApp();
    const res = await post(`${desk.url}/api/login`, { username: 'x' });
    expect(res.status).toBe(400);
    const body = await res.json() as { error: { code: string; details: Array<{ field: string }> } };
    expect(body.error.code).toBe('ERR_VALIDATION');
    expect(body.error.details.map((d) => d.field)).toContain('password');
  });

  it('when one address fails one account past its limit, then 429 ERR_RATE_LIMITED with retry-after, while a colleague on the same address may still sign in', async () => {
    desk = await startDeskApp({ settings: { loginThrottle: { perAccountFromAddress: 3, firstBackoffMs: 60_000 } } });
    await desk.addUser('colleague', 'agent', 'colleague');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(`${desk.url}/api/login`, { username: 'a', password: 'b' })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const res = await post(`${desk.url}/api/login`, { username: 'a', password: 'b' });
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_RATE_LIMITED');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(30);
    expect((await post(`${desk.url}/api/login`, { username: 'colleague', password: PASSWORD })).status).toBe(200);
  });

  it('when a cookie-authenticated POST lacks or fakes the CSRF header, then 403 ERR_CSRF; with it, the request passes', async () => {
    desk = await startDeskApp();
    await desk.addUser('agent001', 'agent', 'agent001');
    const s = await desk.login('agent001');
    const without = await post(`${desk.url}/api/logout`, {}, { cookie: s.cookie });
    expect(without.status).toBe(403);
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe('ERR_CSRF');
    const fake = await post(`${desk.url}/api/logout`, {}, { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(s.csrf.length) });
    expect(fake.status).toBe(403);
    const ok = await post(`${desk.url}/api/logout`, {}, { cookie: s.cookie, 'x-csrf-token': s.csrf });
    expect(ok.status).toBe(204);
    const after = await fetch(`${desk.url}/api/me`, { headers: { cookie: s.cookie } });
    expect(after.status).toBe(401);
  });

  it('when a script uses Authorization: Bearer, then no CSRF header is needed; a bad token is refused', async () => {
    desk = await startDeskApp();
    await desk.addUser('agent001', 'agent', 'agent001');
    const s = await desk.login('agent001');
    const me = await fetch(`${desk.url}/api/me`, { headers: { authorization: `Bearer ${s.token}` } });
    expect(me.status).toBe(200);
    desk.addCall('call-1', 'agent001');
    const put = await fetch(`${desk.url}/api/calls/call-1/draft`, {
      method: 'PUT', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ data: { description: 'x' }, version: 0 }),
    });
    expect(put.status).toBe(200);
    const bad = await fetch(`${desk.url}/api/me`, { headers: { authorization: 'Bearer not-a-session' } });
    expect(bad.status).toBe(401);
  });

  it('when no session is presented, then every API route but login and health answers 401', async () => {
    desk = await startDeskApp();
    for (const path of ['/api/me', '/api/units', '/api/tickets/x', '/api/calls/x/draft', '/api/ticket-categories']) {
      expect((await fetch(`${desk.url}${path}`)).status, path).toBe(401);
    }
    const health = await fetch(`${desk.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'degraded', ari: false, ami: false });
  });

  it('when a role is not allowed on a route, then 403 ERR_FORBIDDEN; an allowed role passes', async () => {
    desk = await startDeskApp({
      features: [({ app }) => { app.get('/api/test/supervisors-only', { preHandler: requireRole('supervisor', 'admin') }, async () => ({ ok: true })); }],
    });
    await desk.addUser('agent001', 'agent', 'agent001');
    await desk.addUser('boss', 'supervisor');
    await desk.addUser('unit1', 'unit');
    const agent = await desk.login('agent001');
    const boss = await desk.login('boss');
    const unit = await desk.login('unit1');
    const denied = await fetch(`${desk.url}/api/test/supervisors-only`, { headers: { cookie: agent.cookie } });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('ERR_FORBIDDEN');
    expect((await fetch(`${desk.url}/api/test/supervisors-only`, { headers: { cookie: boss.cookie } })).status).toBe(200);
    const unitTicket = await post(`${desk.url}/api/tickets`, {}, { authorization: `Bearer ${unit.token}` });
    expect(unitTicket.status).toBe(403);
  });

  it('when a session sits idle past its lifetime, then it is refused; use within the lifetime slides it', async () => {
    const clock = new VirtualClock(Date.now());
    desk = await startDeskApp({ clock, settings: { auth: { sessionTtlMs: 10 * 60_000 } } });
    await desk.addUser('agent001', 'agent', 'agent001');
    const s = await desk.login('agent001');
    const me = () => fetch(`${desk!.url}/api/me`, { headers: { authorization: `Bearer ${s.token}` } });
    clock.advance(8 * 60_000);
    expect((await me()).status).toBe(200);
    clock.advance(8 * 60_000);
    expect((await me()).status).toBe(200);
    clock.advance(11 * 60_000);
    const expired = await me();
    expect(expired.status).toBe(401);
    expect(desk.db.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });
  });
});

describe('routes closed by default', () => {
  it('when a feature adds a route that declares neither roles nor public, then the service refuses to start, naming the route', async () => {
    await expect(startDeskApp({ features: [(ctx) => { ctx.app.get('/api/forgotten', async () => ({ open: true })); }] }))
      .rejects.toThrow(/declare no access.*GET \/api\/forgotten/);
  });

  it('when a feature adds a route with requireRole, then only those roles reach it, decided before its body is read', async () => {
    desk = await startDeskApp({ features: [(ctx) => {
      ctx.app.post('/api/supervisors-only', { preHandler: requireRole('supervisor'), schema: { body: { type: 'object', required: ['x'] } } }, async () => ({ ok: true }));
    }] });
    await desk.addUser('agent001', 'agent', 'agent001');
    const s = await desk.login('agent001');
    const res = await post(`${desk.url}/api/supervisors-only`, {}, { authorization: `Bearer ${s.token}` });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string; context?: { reason?: string } } }).error).toMatchObject({ code: 'ERR_FORBIDDEN', context: { reason: 'role' } });
  });
});
