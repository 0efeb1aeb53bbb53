import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { startHotline } from '../../src/hotline.ts';
import type { Hotline } from '../../src/hotline.ts';
import { createLogger } from '../../src/log.ts';
import { GREETING, sleep, waitFor } from './call-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'hotline-agent-restart-'));
const running: Hotline[] = [];
afterAll(async () => {
  for (const h of running) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The hotline on the same database file each time (a restart keeps it). */
async function start(): Promise<Hotline> {
  const config = loadConfig({
    env: {},
    values: {
      service: { host: '127.0.0.1', port: 0 }, pbx: { mode: 'simulator' },
      database: { path: join(dir, 'hotline.sqlite') }, recordings: { dir: join(dir, 'recordings') },
      lines: [{ number: '12345', wrapUpSeconds: 1 }], log: { level: 'silent' },
    },
  });
  const hotline = await startHotline({
    config, log: createLogger({ level: 'silent' }),
    tuning: { ringTimeoutMs: 1500, sounds: { [GREETING]: 150 }, recordings: { finishWaitMs: 500, retryBaseMs: 100 } },
  });
  running.push(hotline);
  return hotline;
}

async function call(hotline: Hotline, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(hotline.url + path, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function login(hotline: Hotline, username: string): Promise<string> {
  const res = await fetch(hotline.url + '/api/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'secret-pass-1' }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** Occupancy counted by hand from a sequence of (state, since): each holds until the next, the last until `to`. */
function occupancyByHand(changes: Array<{ state: string; since: number }>, from: number, to: number): number {
  let busy = 0;
  let loggedIn = 0;
  changes.forEach((c, i) => {
    const start = Math.max(c.since, from);
    const end = Math.min(changes[i + 1]?.since ?? to, to);
    if (end <= start || c.state === 'offline') return;
    loggedIn += end - start;
    if (c.state === 'on_call' || c.state === 'wrap_up') busy += end - start;
  });
  return busy / loggedIn;
}

describe('agent occupancy across a restart', () => {
  it('when an agent takes a call and the service restarts, then the day\'s occupancy still counts the time before the restart', async () => {
    const first = await start();
    await first.app.auth.createUser({ username: 'sup', password: 'secret-pass-1', role: 'supervisor', displayName: 'sup' });
    const account = await first.app.auth.createUser({ username: 'ann', password: 'secret-pass-1', role: 'agent', displayName: 'ann', agent: { seat: 'seat-ann' } });
    const agentId = account.agentId!;
    const seen: Array<{ state: string; since: number }> = [];
    first.bus.subscribe('agent.state', (e) => { if (e.agentId === agentId) seen.push({ state: e.state, since: e.since }); });
    first.sim!.control.registerPhone('seat-ann', { mode: 'answer', ringMs: 200, talkMs: 800 });
    const ann = await login(first, 'ann');
    expect((await call(first, ann, 'POST', '/api/agents/me/login', {})).status).toBe(200);
    expect((await call(first, ann, 'POST', '/api/agents/me/state', { state: 'ready' })).status).toBe(200);
    first.sim!.control.placeCall({ line: '12345', from: '13800000001' });
    await waitFor('the call answered and wrapped up', () => seen.some((e) => e.state === 'wrap_up') && first.agents.get(agentId)?.state === 'ready', 8000);
    expect(seen.map((e) => e.state)).toEqual(expect.arrayContaining(['ready', 'ringing', 'on_call', 'wrap_up']));
    await sleep(300);
    await first.close();
    running.splice(running.indexOf(first), 1);

    const second = await start();
    const after = second.agents.get(agentId)!;
    const last = seen[seen.length - 1]!;
    const changes = after.state === last.state && after.since === last.since ? seen : [...seen, { state: after.state, since: after.since }];
    const from = seen[0]!.since - 1000;
    const to = Date.now();
    const sup = await login(second, 'sup');
    const res = await call(second, sup, 'GET', `/api/service-level?from=${from}&to=${to}&groupBy=agent`);
    expect(res.status).toBe(200);
    const mine = res.body.groups.find((g: { key: string }) => g.key === agentId);
    expect(mine.answered).toBe(1);
    const expected = occupancyByHand(changes, from, to);
    expect(expected).toBeGreaterThan(0);
    expect(mine.occupancy).toBeCloseTo(expected, 9);
    expect(res.body.total.occupancy).toBeCloseTo(expected, 9);
  }, 40_000);
});
