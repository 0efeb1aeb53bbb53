import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/hotline.ts';
import type { Hotline, HotlineTuning } from '../../src/hotline.ts';
import type { PhoneBehaviour } from '../../src/sim/types.ts';

export const GREETING = 'sound:hotline/greeting';

export interface TestAgent {
  username: string;
  agentId: string;
  seat: string;
  token: string;
}

export interface Harness {
  hotline: Hotline;
  dir: string;
  addAgent(name: string, opts?: { phone?: PhoneBehaviour | null; ready?: boolean }): Promise<TestAgent>;
  api(agent: TestAgent | string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startHarness(opts: { tuning?: Partial<HotlineTuning>; wrapUpSeconds?: number; rateAfterCall?: boolean } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-calls-'));
  const config = loadConfig({
    env: {},
    values: {
      service: { host: '127.0.0.1', port: 0 },
      pbx: { mode: 'simulator' },
      database: { path: join(dir, 'hotline.sqlite') },
      recordings: { dir: join(dir, 'recordings') },
      lines: [{ number: '12345', wrapUpSeconds: opts.wrapUpSeconds ?? 1, rateAfterCall: opts.rateAfterCall ?? false }],
      log: { level: 'silent' },
    },
  });
  const log = createLogger({ level: (process.env.TEST_LOG_LEVEL as 'info' | undefined) ?? 'silent' });
  const hotline = await startHotline({
    config, log,
    tuning: {
      ringTimeoutMs: 1500,
      sounds: { [GREETING]: 150 },
      recordings: { finishWaitMs: 500, retryBaseMs: 100 },
      ...opts.tuning,
    },
  });

  async function api(agent: TestAgent | string, method: string, path: string, body?: unknown) {
    const token = typeof agent === 'string' ? agent : agent.token;
    const res = await fetch(hotline.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  return {
    hotline,
    dir,
    async addAgent(name, o = {}) {
      const seat = `seat-${name}`;
      const account = await hotline.app.auth.createUser({ username: name, password: 'secret-pass-1', role: 'agent', displayName: name, agent: { seat } });
      if (o.phone !== null) hotline.sim!.control.registerPhone(seat, o.phone ?? { mode: 'answer', ringMs: 200 });
      const res = await fetch(hotline.url + '/api/login', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password: 'secret-pass-1' }),
      });
      const { token } = (await res.json()) as { token: string };
      const agent = { username: name, agentId: account.agentId!, seat, token };
      const login = await api(agent, 'POST', '/api/agents/me/login', {});
      if (login.status !== 200) throw new Error(`agent login failed: ${JSON.stringify(login.body)}`);
      if (o.ready !== false) await api(agent, 'POST', '/api/agents/me/state', { state: 'ready' });
      return agent;
    },
    api,
    async close() {
      await hotline.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 8000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

export interface DesktopSocket {
  frames: any[];
  socket: WebSocket;
  close(): void;
}

export async function openDesktop(url: string, token: string): Promise<DesktopSocket> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  const frames: any[] = [];
  socket.on('message', (data) => { frames.push(JSON.parse(String(data))); });
  await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); });
  return { frames, socket, close: () => socket.close() };
}

/** Nothing of the call left in the simulated Asterisk, and no agent stuck in ringing or on a call. */
export async function expectClean(h: Harness): Promise<void> {
  const sim = h.hotline.sim!;
  await waitFor('no channels and no bridges left', () => sim.control.channels().length === 0 && sim.control.bridges().length === 0);
  await waitFor('no call left in the service', () => h.hotline.calls.live().length === 0);
  for (const a of h.hotline.agents.list()) {
    if (a.state === 'ringing' || a.state === 'on_call') throw new Error(`agent ${a.id} is stuck in ${a.state}`);
  }
}
