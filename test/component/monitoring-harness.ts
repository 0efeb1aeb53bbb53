import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/hotline.ts';
import type { Hotline } from '../../src/hotline.ts';
import type { Role } from '../../src/features/auth/auth.service.ts';
import type { MonitoringFeature } from '../../src/features/monitoring/monitoring.feature.ts';
import type { ConferenceFeature } from '../../src/features/conference/conference.feature.ts';
import type { RecordingsFeature } from '../../src/features/recordings/recordings.feature.ts';
import type { PhoneBehaviour } from '../../src/sim/types.ts';
import { GREETING, waitFor } from './call-harness.ts';
import type { TestAgent } from './call-harness.ts';

export interface LiveHarness {
  hotline: Hotline;
  url: string;
  dir: string;
  recordingsDir: string;
  monitoring: MonitoringFeature;
  conference: ConferenceFeature;
  recordings: RecordingsFeature;
  addAgent(name: string, opts?: { phone?: PhoneBehaviour | null; ready?: boolean }): Promise<TestAgent>;
  addUser(name: string, role: Role, opts?: { seat?: string }): Promise<{ id: string; token: string; agentId: string | null }>;
  api(token: string | { token: string }, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** A caller on line 12345 connected to a ready agent; resolves with the call's channels and mixing bridge. */
  connectCall(from?: string): Promise<{ callId: string; callerChannelId: string; agentChannelId: string; bridgeId: string }>;
  close(): Promise<void>;
}

/** The hotline with monitoring, three-way calls and recordings registered the way hotline.ts is told to. */
export async function startLiveHarness(opts: { retentionDays?: number } = {}): Promise<LiveHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-live-'));
  const config = loadConfig({
    env: {},
    values: {
      service: { host: '127.0.0.1', port: 0 },
      pbx: { mode: 'simulator' },
      database: { path: join(dir, 'hotline.sqlite') },
      recordings: { dir: join(dir, 'recordings') },
      lines: [{ number: '12345', wrapUpSeconds: 1 }],
      log: { level: 'silent' },
    },
  });
  const log = createLogger({ level: (process.env.TEST_LOG_LEVEL as 'info' | undefined) ?? 'silent' });
  const hotline = await startHotline({
    config, log, listen: false,
    tuning: {
      ringTimeoutMs: 1500, sounds: { [GREETING]: 150 },
      recordings: { finishWaitMs: 300, retryBaseMs: 100 },
      monitorRingSeconds: 5, conferenceRingSeconds: 3,
      recordingsRetention: { firstSweepMs: 3_600_000, ...(opts.retentionDays ? { retentionDays: opts.retentionDays } : {}) },
    },
  });
  const recordingsDir = resolve(config.recordings.dir);
  const monitoring = hotline.monitoring!;
  const conference = hotline.conference!;
  const recordings = hotline.recordingsAccess!;
  const url = (await hotline.app.app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
  const sim = hotline.sim!;

  async function api(who: string | { token: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const token = typeof who === 'string' ? who : who.token;
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const type = res.headers.get('content-type') ?? '';
    const buf = Buffer.from(await res.arrayBuffer());
    return { status: res.status, body: type.includes('json') ? JSON.parse(buf.toString('utf8')) : buf, headers: res.headers };
  }

  async function login(name: string): Promise<string> {
    const res = await fetch(url + '/api/login', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password: 'secret-pass-1' }),
    });
    return ((await res.json()) as { token: string }).token;
  }

  const harness: LiveHarness = {
    hotline, url, dir, recordingsDir, monitoring, conference, recordings, api,
    async addAgent(name, o = {}) {
      const seat = `seat-${name}`;
      const account = await hotline.app.auth.createUser({ username: name, password: 'secret-pass-1', role: 'agent', displayName: name, agent: { seat } });
      if (o.phone !== null) sim.control.registerPhone(seat, o.phone ?? { mode: 'answer', ringMs: 100 });
      const agent = { username: name, agentId: account.agentId!, seat, token: await login(name) };
      const res = await api(agent, 'POST', '/api/agents/me/login', {});
      if (res.status !== 200) throw new Error(`agent login failed: ${JSON.stringify(res.body)}`);
      if (o.ready !== false) await api(agent, 'POST', '/api/agents/me/state', { state: 'ready' });
      return agent;
    },
    async addUser(name, role, o = {}) {
      const account = await hotline.app.auth.createUser({
        username: name, password: 'secret-pass-1', role, displayName: name, ...(o.seat ? { agent: { seat: o.seat } } : {}),
      });
      return { id: account.id, token: await login(name), agentId: account.agentId };
    },
    async connectCall(from = '13800138000') {
      const placed = sim.control.placeCall({ line: '12345', from });
      const callerChannelId = placed.channelId!;
      const live = await waitFor('the call connected', () => {
        const l = hotline.calls.live().find((c) => c.call.channelId === callerChannelId);
        if (!l || l.call.state !== 'connected' || !l.mixingBridgeId || !l.recording) return undefined;
        const bridge = sim.control.bridges().find((b) => b.id === l.mixingBridgeId);
        return bridge && bridge.channels.length === 2 ? l : undefined;
      });
      return { callId: live.call.id, callerChannelId, agentChannelId: live.call.agentChannelId!, bridgeId: live.mixingBridgeId! };
    },
    async close() {
      await monitoring.close();
      await conference.close();
      recordings.close();
      await hotline.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
