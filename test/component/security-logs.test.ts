import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { maskPhone } from '../../src/domain/phone.ts';
import { ARI_PASSWORD, PASSWORD, startSecured } from './security-harness.ts';
import type { Secured } from './security-harness.ts';
import { waitFor } from './call-harness.ts';

const CALLER = '13800138000';
const WRONG_PASSWORD = 'Wrong-Pass-Never-Logged-42';

let s: Secured | undefined;
afterEach(async () => { await s?.close(); s = undefined; });

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('secrets and numbers in the logs', () => {
  it('when an agent logs in, takes a masked citizen call and a refused request carries a token, then the debug log holds no password, token or full caller number', async () => {
    s = await startSecured({ logLevel: 'debug' });
    const { hotline, url } = s;
    hotline.sim!.control.registerPhone('seat-sec', { mode: 'answer', ringMs: 100, talkMs: 400 });

    expect((await post(`${url}/api/login`, { username: 'sec-agent', password: WRONG_PASSWORD })).status).toBe(401);
    const login = await post(`${url}/api/login`, { username: 'sec-agent', password: PASSWORD });
    expect(login.status).toBe(200);
    const { token, csrfToken } = (await login.json()) as { token: string; csrfToken: string };
    const bearer = { authorization: `Bearer ${token}` };
    expect((await post(`${url}/api/agents/me/login`, {}, bearer)).status).toBe(200);
    expect((await post(`${url}/api/agents/me/state`, { state: 'ready' }, bearer)).status).toBe(200);

    const desk = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
    const frames: Array<{ type: string }> = [];
    desk.on('message', (d) => { frames.push(JSON.parse(String(d)) as { type: string }); });
    await new Promise<void>((resolve, reject) => { desk.once('open', () => resolve()); desk.once('error', reject); });

    hotline.sim!.control.placeCall({ line: '12345', from: CALLER, callerName: 'Citizen' });
    await waitFor('the pop', () => frames.find((f) => f.type === 'pop'));
    await waitFor('the call ended', () => frames.find((f) => f.type === 'call.ended'));
    await waitFor('nothing live', () => hotline.calls.live().length === 0);

    const cookie = { cookie: `hl_session=${token}` };
    expect((await fetch(`${url}/api/agents?token=${encodeURIComponent(token)}`, { headers: cookie })).status).toBe(403);
    expect((await post(`${url}/api/agents/me/state`, { state: 'paused', reason: 'x' }, cookie)).status).toBe(403);
    expect((await fetch(`${url}/no-such-page?token=${encodeURIComponent(token)}`)).status).toBe(404);
    desk.close();
    await hotline.recordings.idle();
    await s.close();
    const sessions = Object.values(s.sessions);
    const logs = s.logs.join('');
    s = undefined;

    expect(logs).toContain('call ended');
    expect(logs).toContain(maskPhone(CALLER));
    const leaks: Record<string, string> = {
      password: PASSWORD, 'wrong password': WRONG_PASSWORD, 'ARI password': ARI_PASSWORD, 'session token': token, 'csrf token': csrfToken,
      'caller number': CALLER, 'caller number without prefix': CALLER.slice(1),
      ...Object.fromEntries(sessions.flatMap((x) => [[`${x.role} token`, x.token], [`${x.role} csrf`, x.csrf]])),
    };
    const found = Object.entries(leaks).filter(([, secret]) => logs.includes(secret)).map(([what]) => what);
    const lines = logs.split('\n').filter((l) => Object.values(leaks).some((v) => l.includes(v))).slice(0, 5);
    expect({ found, lines }).toEqual({ found: [], lines: [] });
  });
});
