import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { VirtualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/hotline.ts';
import { SESSION_ENDED } from '../../src/features/auth/session-sockets.ts';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp } from '../fixtures/desk-app.ts';
import { PASSWORD, startSecured } from './security-harness.ts';
import type { Secured } from './security-harness.ts';
import { waitFor } from './call-harness.ts';

let s: Secured | undefined;
let desk: DeskApp | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const w of sockets.splice(0)) { try { w.terminate(); } catch { /* never opened */ } }
  await s?.close();
  await desk?.close();
  s = undefined;
  desk = undefined;
});

const HEADER = 'username,display_name,role,seat,skills,desk,unit_code,initial_password';
const NEW_PASSWORD = 'Lantern-Orchid-47';

interface Reply { status: number; body: any; headers: Headers }

async function call(url: string, token: string | null, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  // Read as bytes: text() would drop a BOM, which the exports must carry.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* CSV */ }
  return { status: res.status, body: parsed, headers: res.headers };
}

async function login(url: string, username: string, password: string): Promise<Reply> {
  return call(url, null, 'POST', '/api/login', { username, password });
}

function openSocket(url: string, token: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  sockets.push(ws);
  // A refused upgrade leaves the socket connecting: ending it later emits an error, which is expected and not a failure.
  ws.on('error', () => {});
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

const unitCode = (h: Secured) => (h.hotline.db.prepare("SELECT code FROM units WHERE kind <> 'district' ORDER BY code LIMIT 1").get() as { code: string }).code;

describe('accounts API', () => {
  it('when agents, unit users or no session call an admin route, then 401/403; a supervisor may read but not write, and the refusal is audited', async () => {
    s = await startSecured({ logLevel: 'info' });
    const admin = s.sessions.admin.token;
    const routes = s.routes.filter((r) => /^\/api\/admin\/(users|audit)/.test(r.path) && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThanOrEqual(11);
    for (const r of routes) {
      const path = r.path.replace(':id', 'usr-nobody');
      expect((await call(s.url, null, r.method, path)).status, `${r.method} ${r.path} without a session`).toBe(401);
      for (const role of ['agent', 'unit'] as const) {
        const res = await call(s.url, s.sessions[role].token, r.method, path);
        expect(res.status, `${r.method} ${r.path} as ${role}`).toBe(403);
        expect(res.body.error.code).toBe('ERR_FORBIDDEN');
      }
      const asSupervisor = await call(s.url, s.sessions.supervisor.token, r.method, path);
      expect(asSupervisor.status, `${r.method} ${r.path} as supervisor`).toBe(r.method === 'GET' ? 200 : 403);
    }
    const writes = routes.filter((r) => r.method !== 'GET').length;
    const audit = await call(s.url, admin, 'GET', '/api/admin/audit?actor=sec-supervisor&limit=500');
    expect(audit.status).toBe(200);
    expect(audit.body.total).toBe(writes);
    expect(new Set(audit.body.entries.map((e: any) => e.action)).size).toBe(writes);
    for (const e of audit.body.entries) expect(e).toMatchObject({ outcome: 'refused', reason: 'ERR_FORBIDDEN', client: '127.0.0.1', actor: 'sec-supervisor' });
  });

  it('when an admin creates an account without a password, then a one-time password is returned once; its session may do nothing but change it, and then everything', async () => {
    s = await startSecured();
    const admin = s.sessions.admin.token;
    const created = await call(s.url, admin, 'POST', '/api/admin/users', { username: 'zhang.san', displayName: '张三', role: 'agent', seat: 'seat0101', skills: { general: 4 } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const initial = created.body.initialPassword as string;
    expect(initial).toMatch(/^[A-HJ-NP-Za-km-z2-9]{16}$/);
    expect(created.body.user).toMatchObject({ username: 'zhang.san', displayName: '张三', role: 'agent', seat: 'seat0101', skills: { general: 4 }, mustChangePassword: true, disabled: false, lastLoginAt: null });
    const auditText = JSON.stringify(s.hotline.db.prepare('SELECT * FROM admin_audit').all());
    expect(auditText).toContain('user.create');
    expect(auditText).not.toContain(initial);
    expect(s.logs.join('')).not.toContain(initial);

    const first = await login(s.url, 'zhang.san', initial);
    expect(first.status).toBe(200);
    expect(first.body.user.mustChangePassword).toBe(true);
    const token = first.body.token as string;
    const other = (await login(s.url, 'zhang.san', initial)).body.token as string;
    for (const [method, path] of [['GET', '/api/agents/me'], ['POST', '/api/agents/me/login'], ['GET', '/api/ticket-categories']] as const) {
      const res = await call(s.url, token, method, path, method === 'POST' ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'ERR_PASSWORD_CHANGE_REQUIRED', message: expect.stringMatching(/[\u4e00-\u9fff]/), message_en: expect.any(String) });
    }
    await expect(openSocket(s.url, token)).rejects.toThrow(/403/);
    expect((await call(s.url, token, 'GET', '/api/me')).body.user.mustChangePassword).toBe(true);

    const wrong = await call(s.url, token, 'POST', '/api/me/password', { currentPassword: 'not-it-at-all', newPassword: NEW_PASSWORD });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details[0]).toMatchObject({ field: 'currentPassword', message: '当前密码不正确' });
    const weak = await call(s.url, token, 'POST', '/api/me/password', { currentPassword: initial, newPassword: 'zhang.san1' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details.map((d: any) => d.field)).toEqual(['newPassword']);
    expect(weak.body.error.details[0].message).toMatch(/用户名/);
    const common = await call(s.url, token, 'POST', '/api/me/password', { currentPassword: initial, newPassword: 'qwerty' });
    expect(common.body.error.details.map((d: any) => d.message_en)).toEqual([expect.stringMatching(/at least 10/), expect.stringMatching(/common/)]);

    const changed = await call(s.url, token, 'POST', '/api/me/password', { currentPassword: initial, newPassword: NEW_PASSWORD });
    expect(changed).toMatchObject({ status: 200, body: { mustChangePassword: false, otherSessionsEnded: 1 } });
    expect((await call(s.url, other, 'GET', '/api/me')).status).toBe(401);
    expect((await call(s.url, token, 'GET', '/api/agents/me')).status).toBe(200);
    expect((await login(s.url, 'zhang.san', initial)).status).toBe(401);
    const again = await login(s.url, 'Zhang.San', NEW_PASSWORD);
    expect(again.body.user.mustChangePassword).toBe(false);
    const listed = await call(s.url, admin, 'GET', '/api/admin/users?q=zhang');
    expect(listed.body.total).toBe(1);
    expect(listed.body.users[0]).toMatchObject({ username: 'zhang.san', mustChangePassword: false, lastLoginAt: expect.any(Number) });

    expect((await call(s.url, admin, 'POST', '/api/admin/users', { username: 'ZHANG.SAN', displayName: 'x', role: 'supervisor' })).body.error.code).toBe('ERR_USERNAME_TAKEN');
    expect((await call(s.url, admin, 'POST', '/api/admin/users', { username: 'li.si', displayName: '李四', role: 'agent', seat: 'seat0101' })).body.error.code).toBe('ERR_SEAT_TAKEN');
    const reset = await call(s.url, admin, 'POST', `/api/admin/users/${created.body.user.id}/reset-password`);
    expect(reset.status).toBe(200);
    expect((await call(s.url, again.body.token, 'GET', '/api/me')).status).toBe(401);
    expect((await login(s.url, 'zhang.san', reset.body.initialPassword)).body.user.mustChangePassword).toBe(true);
  });

  it('when an account is disabled, then it cannot sign in (as with a wrong password), its sessions and sockets end at once and its agent leaves the queue; enabled, it signs in again', async () => {
    s = await startSecured({ logLevel: 'info' });
    const admin = s.sessions.admin.token;
    const agent = s.sessions.agent;
    s.hotline.sim!.control.registerPhone('seat-sec', { mode: 'answer', ringMs: 200 });
    expect((await call(s.url, agent.token, 'POST', '/api/agents/me/login', {})).status).toBe(200);
    expect((await call(s.url, agent.token, 'POST', '/api/agents/me/state', { state: 'ready' })).status).toBe(200);
    const agentId = s.hotline.agents.list().find((a) => a.seat === 'seat-sec')!.id;
    const socket = await openSocket(s.url, agent.token);
    const id = (await call(s.url, admin, 'GET', '/api/admin/users?q=sec-agent')).body.users[0].id as string;
    const disabled = await call(s.url, admin, 'POST', `/api/admin/users/${id}/disable`);
    expect(disabled.body.user.disabled).toBe(true);
    expect(await socket.closed).toBe(SESSION_ENDED);
    expect((await call(s.url, agent.token, 'GET', '/api/me')).status).toBe(401);
    expect(s.hotline.agents.get(agentId)?.state).toBe('offline');
    const refused = await login(s.url, 'sec-agent', PASSWORD);
    const wrong = await login(s.url, 'sec-agent', 'wrong-password-9');
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(wrong.body);
    expect(s.logs.some((l) => l.includes('"reason":"disabled"') && l.includes('login refused'))).toBe(true);
    expect((await call(s.url, admin, 'GET', '/api/admin/users?state=disabled')).body.users.map((u: any) => u.username)).toEqual(['sec-agent']);

    const adminId = (await call(s.url, admin, 'GET', '/api/admin/users?role=admin')).body.users[0].id as string;
    const self = await call(s.url, admin, 'POST', `/api/admin/users/${adminId}/disable`);
    expect(self.status).toBe(403);
    await call(s.url, admin, 'POST', `/api/admin/users/${id}/enable`);
    expect((await login(s.url, 'sec-agent', PASSWORD)).status).toBe(200);
    const actions = (await call(s.url, admin, 'GET', '/api/admin/audit?actor=sec-admin')).body.entries.map((e: any) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(['user.enable:ok', 'user.disable:refused', 'user.disable:ok']);
  });

  it('when an admin signs a person out everywhere, then their open sockets close with 4401 and their tokens stop working', async () => {
    s = await startSecured();
    const unit = s.sessions.unit;
    const desktop = await openSocket(s.url, s.sessions.supervisor.token);
    const id = (await call(s.url, s.sessions.admin.token, 'GET', '/api/admin/users?q=sec-supervisor')).body.users[0].id as string;
    expect((await call(s.url, s.sessions.admin.token, 'POST', `/api/admin/users/${id}/sign-out`)).status).toBe(200);
    expect(await desktop.closed).toBe(SESSION_ENDED);
    expect((await call(s.url, s.sessions.supervisor.token, 'GET', '/api/me')).status).toBe(401);
    expect((await call(s.url, unit.token, 'GET', '/api/me')).status).toBe(200);
  });

  it('when an import file has a bad row, then the dry run lists its errors and nothing is created; the real import refuses it whole (422); fixed, every account is created and the passwords CSV signs them in', async () => {
    s = await startSecured({ logLevel: 'info' });
    const admin = s.sessions.admin.token;
    const unit = unitCode(s);
    const good = [HEADER, 'agent.a,"坐席甲, 早班",agent,seat0201,general:3,main,,', 'agent.b,坐席乙,agent,seat0202,,,,Firefly-Harbour-29', `unit.a,承办单位甲,unit,,,,${unit},`];
    const bad = [...good.slice(0, 3), 'agent.c,坐席丙,agent,seat0201,general:8,,,', ...good.slice(3)];
    const before = (s.hotline.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;

    const dry = await call(s.url, admin, 'POST', '/api/admin/users/import?dryRun=true', `\uFEFF${bad.join('\r\n')}\r\n`, 'text/csv');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ ok: false, rows: 4 });
    expect(dry.body.errors.map((e: any) => `${e.row}:${e.column}`)).toEqual(['4:seat', '4:skills']);
    const real = await call(s.url, admin, 'POST', '/api/admin/users/import?dryRun=false', bad.join('\n'), 'text/csv; charset=utf-8');
    expect(real.status).toBe(422);
    expect(real.body.error.code).toBe('ERR_IMPORT_INVALID');
    expect(real.body.error.context.errors).toEqual(dry.body.errors);
    expect((s.hotline.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n).toBe(before);

    expect((await call(s.url, admin, 'POST', '/api/admin/users/import?dryRun=true', good.join('\n'), 'text/csv')).body).toEqual({ ok: true, rows: 3, errors: [] });
    const done = await call(s.url, admin, 'POST', '/api/admin/users/import', good.join('\n'), 'text/csv');
    expect(done.status).toBe(201);
    expect(done.body.created).toBe(3);
    const lines = (done.body.passwords as string).trim().split('\r\n');
    expect(lines[0]).toBe('username,initial_password');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['agent.a', 'unit.a']);
    for (const line of lines.slice(1)) {
      const [username, password] = line.split(',');
      expect(s.logs.join('')).not.toContain(password!);
      const signedIn = await login(s.url, username!, password!);
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.user.mustChangePassword).toBe(true);
    }
    expect((await login(s.url, 'agent.b', 'Firefly-Harbour-29')).body.user.mustChangePassword).toBe(true);
    const exported = await call(s.url, s.sessions.supervisor.token, 'GET', '/api/admin/users/export.csv');
    expect(exported.headers.get('content-type')).toMatch(/text\/csv/);
    expect(exported.body.startsWith('\uFEFFusername,display_name,role,seat,skills,desk,unit_code\r\n')).toBe(true);
    expect(exported.body).toContain('agent.a,"坐席甲, 早班",agent,seat0201,general:3,main,');
    expect(exported.body).not.toContain('Firefly');
    expect((await call(s.url, admin, 'GET', '/api/admin/users?desk=main')).body.users.map((u: any) => u.username)).toEqual(['agent.a']);
    expect((await call(s.url, admin, 'GET', `/api/admin/users?unit=${unit}&role=unit`)).body.users.map((u: any) => u.username)).toEqual(expect.arrayContaining(['unit.a']));
    const audit = (await call(s.url, admin, 'GET', '/api/admin/audit?action=users.import')).body.entries.map((e: any) => e.outcome);
    expect(audit).toEqual(['ok', 'refused']);
    // A NUL in the file is refused as in any JSON body (a lone surrogate cannot cross HTTP as UTF-8: it arrives as U+FFFD).
    const nul = await call(s.url, admin, 'POST', '/api/admin/users/import?dryRun=true', `${HEADER}\nagent.z,坐席\u0000,agent,seat0299,,,,\n`, 'text/csv');
    expect([nul.status, nul.body.error?.code]).toEqual([400, 'ERR_VALIDATION']);
  });

  it('when an admin changes an agent\'s skills, then the next waiting call routes by them at once; a seat change is refused while the agent is signed in', async () => {
    s = await startSecured({
      values: {
        queues: [{ id: 'main', target: { skills: ['general'] } }, { id: 'social', target: { skills: ['social'] } }],
        auth: { sessionIdleMinutes: 60, sessionMaxHours: 10 },
      },
    });
    expect(s.hotline.app.auth.settings).toMatchObject({ sessionTtlMs: 3_600_000, sessionMaxAgeMs: 36_000_000 });
    const admin = s.sessions.admin.token;
    const created = await call(s.url, admin, 'POST', '/api/admin/users', { username: 'anna', displayName: '安娜', role: 'agent', seat: 'seat-anna', skills: { social: 4 }, desk: 'social', password: 'Quartz-Meadow-83' });
    expect(created.status).toBe(201);
    const id = created.body.user.id as string;
    const first = (await login(s.url, 'anna', 'Quartz-Meadow-83')).body.token as string;
    await call(s.url, first, 'POST', '/api/me/password', { currentPassword: 'Quartz-Meadow-83', newPassword: NEW_PASSWORD });
    s.hotline.sim!.control.registerPhone('seat-anna', { mode: 'answer', ringMs: 200 });
    expect((await call(s.url, first, 'POST', '/api/agents/me/login', {})).status).toBe(200);
    expect((await call(s.url, first, 'POST', '/api/agents/me/state', { state: 'ready' })).status).toBe(200);
    const agentId = s.hotline.agents.list().find((a) => a.seat === 'seat-anna')!.id;

    const { channelId } = s.hotline.sim!.control.placeCall({ line: '12345', from: '13600136000' });
    await waitFor('the call queued', () => s!.hotline.calls.live()[0]?.call.state === 'queued');
    await new Promise((r) => setTimeout(r, 300));
    expect(s.hotline.agents.get(agentId)?.state).toBe('ready');

    const seat = await call(s.url, admin, 'PATCH', `/api/admin/users/${id}`, { seat: 'seat-other' });
    expect(seat.status).toBe(409);
    expect(seat.body.error.code).toBe('ERR_AGENT_STATE');
    const patched = await call(s.url, admin, 'PATCH', `/api/admin/users/${id}`, { skills: { general: 2, social: 4 }, displayName: '安娜（主台）', desk: 'main' });
    expect(patched.status).toBe(200);
    expect(patched.body.user).toMatchObject({ skills: { general: 2, social: 4 }, desk: 'main', displayName: '安娜（主台）' });
    await waitFor('anna on the call', () => s!.hotline.agents.get(agentId)?.state === 'on_call');
    expect(s.hotline.agents.get(agentId)?.name).toBe('安娜（主台）');
    const entries = (await call(s.url, admin, 'GET', '/api/admin/audit?action=user.update')).body.entries;
    expect(entries.map((e: any) => e.outcome)).toEqual(['ok', 'refused']);
    expect(entries[0].before.skills).toEqual({ social: 4 });
    expect(entries[0].after.skills).toEqual({ general: 2, social: 4 });
    s.hotline.sim!.control.remoteHangup(channelId!);
    await waitFor('the call ended', () => s!.hotline.calls.live().length === 0);
  });
});

describe('absolute session lifetime', () => {
  it('when HOTLINE_SESSION_IDLE_MINUTES and HOTLINE_SESSION_MAX_HOURS are set, then the config carries them; unset, 480 minutes and 12 hours', () => {
    expect(loadConfig({ env: {} }).auth).toEqual({ sessionIdleMinutes: 480, sessionMaxHours: 12 });
    expect(loadConfig({ env: { HOTLINE_SESSION_IDLE_MINUTES: '30', HOTLINE_SESSION_MAX_HOURS: '2' } }).auth).toEqual({ sessionIdleMinutes: 30, sessionMaxHours: 2 });
    expect(() => loadConfig({ env: { HOTLINE_SESSION_MAX_HOURS: '0' } })).toThrow(/auth\.sessionMaxHours/);
  });

  it('when a session is used all day, then it still ends 12 hours after its sign-in (its sockets too), while the idle limit keeps sliding', async () => {
    const clock = new VirtualClock();
    desk = await startDeskApp({ clock, settings: { live: { heartbeatMs: 100 * 3_600_000 } } });
    await desk.addUser('agent001', 'agent', 'agent001');
    const session = await desk.login('agent001');
    const socket = await openSocket(desk.url, session.token);
    const me = async () => (await fetch(`${desk!.url}/api/me`, { headers: { cookie: session.cookie } })).status;
    for (let minutes = 0; minutes < 11 * 60 + 50; minutes += 10) {
      clock.advance(10 * 60_000);
      expect(await me(), `after ${minutes + 10} minutes`).toBe(200);
    }
    clock.advance(10 * 60_000);
    expect(await me()).toBe(401);
    for (let i = 0; i < 2; i++) clock.advance(60_000);
    expect(await socket.closed).toBe(SESSION_ENDED);
    expect((await desk.login('agent001')).token).not.toBe(session.token);
  });
});

describe('the first administrator', () => {
  it('when the service starts against a real Asterisk with no administrator, then it warns once how to create one; with one, it does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-first-admin-'));
    const start = async () => {
      const lines: string[] = [];
      const config = loadConfig({
        env: {},
        values: {
          service: { host: '127.0.0.1', port: 0 }, pbx: { mode: 'asterisk' }, ari: { url: 'http://127.0.0.1:9/ari', password: 'ari-secret-1' },
          ami: { enabled: false }, database: { path: join(dir, 'hotline.sqlite') }, recordings: { dir: join(dir, 'recordings') },
        },
      });
      const hotline = await startHotline({ config, log: createLogger({ level: 'info', destination: { write: (l: string) => { lines.push(l); } } }) });
      return { hotline, warnings: () => lines.filter((l) => l.includes('no administrator account yet')) };
    };
    try {
      const first = await start();
      const [warning] = first.warnings();
      expect(first.warnings()).toHaveLength(1);
      expect(JSON.parse(warning!)).toMatchObject({ level: 'warn', command: expect.stringContaining('npm run admin -- create-user --username admin --role admin') });
      await first.hotline.app.auth.createUser({ username: 'admin', password: 'Velvet-Compass-58', role: 'admin', displayName: '管理员' });
      await first.hotline.close();
      const second = await start();
      expect(second.warnings()).toEqual([]);
      await second.hotline.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
