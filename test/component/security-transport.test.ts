/**
 * The security review's probes, run again: a path spelled differently no longer skips CSRF, Origin or the
 * session check; cookies get Secure and answers Strict-Transport-Security over HTTPS (directly or through a
 * trusted proxy, and only a trusted one); sign-in is throttled per address across usernames and per account,
 * and a stranger's failures never keep a user out of the browser they signed in from.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PASSWORD, startSecured } from './security-harness.ts';
import type { Secured } from './security-harness.ts';
import { trustedProxyList } from '../../src/http-transport.ts';

let s: Secured | undefined;
afterEach(async () => { await s?.close(); s = undefined; });

async function login(url: string, username: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password }) });
}
const cookieOf = (res: Response, name: string): string | undefined =>
  res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));

function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); ws.terminate(); });
    ws.once('error', () => resolve(-1));
  });
}

describe('the review\'s probes (finding 1)', () => {
  it('when a supervisor\'s cookie closes a month through /%61pi/… from another origin without the CSRF token, then 403 and the month stays open', async () => {
    s = await startSecured();
    const res = await fetch(`${s.url}/%61pi/reports/months/2026-10/close`, {
      method: 'POST', headers: { cookie: `hl_session=${s.sessions.supervisor.token}`, origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{}',
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_CSRF');
    const months = s.hotline.db.prepare("SELECT count(*) AS n FROM report_months WHERE month = '2026-10'").get() as { n: number };
    expect(months.n).toBe(0);
  });

  it('when /%77s/wallboard is opened with a cookie from another origin, or /%77s without a session, then it is refused and the service stays up', async () => {
    s = await startSecured();
    const ws = s.url.replace(/^http/, 'ws');
    expect(await upgrade(`${ws}/%77s/wallboard`, { cookie: `hl_session=${s.sessions.supervisor.token}`, origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(`${ws}/%77s`, {})).toBe(401);
    expect(await upgrade(`${ws}/%77s/wallboard`, { cookie: `hl_session=${s.sessions.supervisor.token}`, origin: new URL(s.url).origin })).toBe(101);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });

  it('when /%61pi/openapi.json is asked without a session, then 401', async () => {
    s = await startSecured();
    const res = await fetch(`${s.url}/%61pi/openapi.json`);
    expect(res.status).toBe(401);
  });
});

describe('cookies and TLS behind a proxy (finding 2)', () => {
  it('when a trusted proxy forwards HTTPS, then the session cookie is Secure, answers carry HSTS and the client address is the forwarded one', async () => {
    s = await startSecured({ values: { http: { trustedProxies: '127.0.0.1, ::1' } } });
    const res = await login(s.url, 'sec-agent', PASSWORD, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.23' });
    expect(res.status).toBe(200);
    expect(cookieOf(res, 'hl_session')).toMatch(/;\s*Secure/i);
    expect(cookieOf(res, 'hl_device')).toMatch(/;\s*Secure/i);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    const refused = await login(s.url, 'sec-agent', 'wrong-password-1', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.24' });
    expect(refused.status).toBe(401);
    expect(s.logs.some((l) => l.includes('"login refused"') && l.includes('"address":"198.51.100.24"'))).toBe(true);
    const plain = await login(s.url, 'sec-agent', PASSWORD);
    expect(cookieOf(plain, 'hl_session')).not.toMatch(/Secure/i);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });

  it('when an address that is not a trusted proxy sends X-Forwarded-Proto and -For, then neither is believed', async () => {
    s = await startSecured();
    const res = await login(s.url, 'sec-agent', PASSWORD, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.23' });
    expect(cookieOf(res, 'hl_session')).not.toMatch(/Secure/i);
    expect(res.headers.get('strict-transport-security')).toBeNull();
    await login(s.url, 'sec-agent', 'wrong-password-2', { 'x-forwarded-for': '198.51.100.99' });
    const refusal = s.logs.find((l) => l.includes('"login refused"') && l.includes('"address"'));
    expect(refusal).toMatch(/"address":"(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)"/);
  });

  it('when cookieSecure is always, then the cookie is Secure over plain HTTP too', async () => {
    s = await startSecured({ values: { http: { cookieSecure: 'always' } } });
    expect(cookieOf(await login(s.url, 'sec-agent', PASSWORD), 'hl_session')).toMatch(/;\s*Secure/i);
  });

  it('when the trusted proxies are not addresses, then the start is refused naming the key', () => {
    expect(trustedProxyList('10.0.0.1, 10.1.0.0/16, ::1')).toEqual(['10.0.0.1', '10.1.0.0/16', '::1']);
    for (const bad of ['10.0.0', '10.0.0.1/33', 'proxy.local', '10.0.0.1/8/1']) expect(() => trustedProxyList(bad)).toThrow(/http\.trustedProxies/);
  });
});

describe('sign-in throttling (finding 3)', () => {
  it('when strangers from many addresses fail one account fifteen and more times, then the user still signs in from the browser they used before; a new browser waits', async () => {
    s = await startSecured({ values: { http: { trustedProxies: '127.0.0.1, ::1' } } });
    const first = await login(s.url, 'sec-unit', PASSWORD, { 'x-forwarded-for': '192.0.2.10' });
    const device = cookieOf(first, 'hl_device')!.split(';')[0]!;
    for (let i = 0; i < 25; i++) await login(s.url, 'sec-unit', `wrong-${i}-xxxxxxxx`, { 'x-forwarded-for': `198.51.100.${i + 1}` });
    const owner = await login(s.url, 'sec-unit', PASSWORD, { 'x-forwarded-for': '192.0.2.10', cookie: device });
    expect(owner.status).toBe(200);
    const fromElsewhere = await login(s.url, 'sec-unit', PASSWORD, { 'x-forwarded-for': '203.0.113.77', cookie: device });
    expect(fromElsewhere.status).toBe(200);
    const newBrowser = await login(s.url, 'sec-unit', PASSWORD, { 'x-forwarded-for': '203.0.113.78' });
    expect(newBrowser.status).toBe(429);
    expect(Number(newBrowser.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('when one address sprays a guess across many usernames, then it is stopped even for a right password, and other addresses are not', async () => {
    s = await startSecured({ values: { http: { trustedProxies: '127.0.0.1, ::1', loginFailuresPerAddress: 10 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await login(s.url, `user${i}`, 'Spring2026!!', { 'x-forwarded-for': '203.0.113.5' })).status);
    expect(statuses.slice(0, 10).every((x) => x === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect((await login(s.url, 'sec-agent', PASSWORD, { 'x-forwarded-for': '203.0.113.5' })).status).toBe(429);
    expect((await login(s.url, 'sec-agent', PASSWORD, { 'x-forwarded-for': '203.0.113.6' })).status).toBe(200);
    expect(s.logs.some((l) => l.includes('"login throttled"') && l.includes('"by":"address"'))).toBe(true);
  });
});

describe('the service\'s own origins', () => {
  it('when HOTLINE_PUBLIC_URL names the address the browsers use, then a page from it may post with its cookie; another origin may not', async () => {
    s = await startSecured({ values: { service: { host: '127.0.0.1', port: 0, publicUrl: 'https://hotline.example.gov.cn' } } });
    const cookie = `hl_session=${s.sessions.agent.token}`;
    const post = (origin: string) => fetch(`${s!.url}/api/agents/me/state`, {
      method: 'POST', headers: { cookie, origin, 'x-csrf-token': s!.sessions.agent.csrf, 'content-type': 'application/json' }, body: JSON.stringify({ state: 'paused', reason: 'break' }),
    });
    expect((await post('https://hotline.example.gov.cn')).status).not.toBe(403);
    const foreign = await post('https://hotline.example.gov.cn.evil.example');
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('ERR_CSRF');
  });
});
