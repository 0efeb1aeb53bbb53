/**
 * 三方通话 across a restart of the service (killed with SIGKILL, or stopped with SIGTERM): the unit's leg stays in the call bridge and the conference is
 * taken up again (the agent's desktop told of it when it reconnects, dropping the unit still works); a call
 * the agent had left goes on between the citizen and the unit and ends when the unit hangs up; a unit that
 * hung up while the service was down leaves nobody waiting alone in the bridge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/types.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/database.ts';
import { serviceApi, serviceLogin, startService } from './call-restart-process.ts';
import type { ServiceProcess } from './call-restart-process.ts';
import { waitFor } from './call-harness.ts';

const GREETING = 'sound:hotline/greeting';
const UNIT_NUMBER = '01062345678';

let sim: Simulator;
let dir: string;
let db: Database | undefined;
let services: ServiceProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-conference-restart-'));
  sim = await startSimulator({
    recordingsDir: join(dir, 'spool'), sounds: { [GREETING]: 100 },
    dialplan: [{ line: '12345', app: 'hotline', args: ['inbound', '12345'] }],
  });
  sim.control.setCitizen(UNIT_NUMBER, { mode: 'answer', ringMs: 100 });
});

afterEach(async () => {
  for (const s of services) await s.kill('SIGKILL');
  services = [];
  for (const ch of sim.control.channels()) sim.control.remoteHangup(ch.id);
});

afterAll(async () => {
  db?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serviceOn(): Promise<ServiceProcess> {
  const s = await startService({ RESTART_DIR: dir, RESTART_ARI_URL: sim.ariUrl, RESTART_RING_MS: '4000', RESTART_WRAP_UP_SECONDS: '2', RESTART_AGENTS: 'lin:seat-lin' });
  services.push(s);
  db ??= openDatabase(join(dir, 'hotline.sqlite'));
  return s;
}

const api = serviceApi;
const login = (s: ServiceProcess): Promise<string> => serviceLogin(s, 'lin');

/** The desktop's first frames after it connects: hello, then whatever the service sends after it. */
async function desktopFrames(s: ServiceProcess, token: string, count: number): Promise<any[]> {
  const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  const frames: any[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  try {
    await waitFor(`${count} desktop frames`, () => frames.length >= count, 10_000);
    return frames;
  } finally { ws.close(); }
}

interface Talk { token: string; callId: string; callerId: string; agentChannelId: string; bridgeId: string; unitId: string; conferenceId: string }

/** A citizen's call answered by the agent, and the unit called into it and connected. */
async function threeWayCall(s: ServiceProcess, from: string): Promise<Talk> {
  sim.control.registerPhone('seat-lin', { mode: 'answer', ringMs: 100 });
  const token = await login(s);
  expect((await api(s, token, 'POST', '/api/agents/me/login', {})).status).toBe(200);
  expect((await api(s, token, 'POST', '/api/agents/me/state', { state: 'ready' })).status).toBe(200);
  const callerId = sim.control.placeCall({ line: '12345', from }).channelId!;
  const row = await waitFor('the call connected', () => {
    const r = db!.prepare("SELECT id, agent_channel_id FROM calls WHERE caller_number = ? AND state = 'connected'").get(from) as { id: string; agent_channel_id: string } | undefined;
    return r && sim.control.bridges().some((b) => b.bridge_type === 'mixing' && b.channels.includes(callerId) && b.channels.includes(r.agent_channel_id)) ? r : undefined;
  }, 15_000);
  const bridgeId = sim.control.bridges().find((b) => b.bridge_type === 'mixing' && b.channels.includes(callerId))!.id;
  const started = await api(s, token, 'POST', `/api/calls/${row.id}/conference`, { number: UNIT_NUMBER });
  expect(started.status).toBe(201);
  const conferenceId = started.body.conference.id as string;
  const unitId = `hl-outbound-${conferenceId}`;
  await waitFor('the unit in the call bridge', () => sim.control.bridges().find((b) => b.id === bridgeId)?.channels.includes(unitId));
  await waitFor('the conference stored as connected', () => (conferenceRow(conferenceId)?.status === 'connected' ? true : undefined));
  return { token, callId: row.id, callerId, agentChannelId: row.agent_channel_id, bridgeId, unitId, conferenceId };
}

const conferenceRow = (id: string) => db!.prepare('SELECT * FROM conferences WHERE id = ?').get(id) as
  { status: string; answered_at: number | null; agent_left_at: number | null; ended_at: number | null } | undefined;
const callRow = (id: string) => db!.prepare('SELECT * FROM calls WHERE id = ?').get(id) as
  { state: string; end_reason: string | null; agent_id: string | null; ended_at: number | null; agent_released_at: number | null };
const bridgeChannels = (id: string) => [...(sim.control.bridges().find((b) => b.id === id)?.channels ?? [])].sort();
const nothingLeft = () => sim.control.channels().length === 0 && sim.control.bridges().length === 0;

describe('three-way calls across a restart of the service', () => {
  it('when the service is killed while agent, citizen and unit talk, then after the start all three are still together, the desktop is told, and dropping the unit works', async () => {
    const first = await serviceOn();
    const t = await threeWayCall(first, '13700000001');
    expect(await first.kill('SIGKILL')).toBeNull();

    const second = await serviceOn();
    const recovered = await second.line((l) => l.msg === 'conferences recovered after a restart', 'conferences recovered');
    expect(recovered).toMatchObject({ open: 1, resumed: 1, ended: 0 });
    await second.line((l) => l.msg === 'calls recovered after a restart', 'calls recovered');
    expect(bridgeChannels(t.bridgeId)).toEqual([t.agentChannelId, t.callerId, t.unitId].sort());

    const token = await login(second);
    const frames = await desktopFrames(second, token, 2);
    expect(frames[0].type).toBe('hello');
    expect(frames[1]).toMatchObject({ type: 'conference.status', conference: { id: t.conferenceId, callId: t.callId, status: 'connected', agentLeft: false } });

    expect((await api(second, token, 'POST', `/api/conferences/${t.conferenceId}/drop-unit`)).status).toBe(200);
    await waitFor('the unit gone', () => !sim.control.channels().some((c) => c.id === t.unitId));
    expect(bridgeChannels(t.bridgeId)).toEqual([t.agentChannelId, t.callerId].sort());
    expect(conferenceRow(t.conferenceId)).toMatchObject({ status: 'dropped' });
    expect(callRow(t.callId).state).toBe('connected');

    sim.control.remoteHangup(t.callerId);
    await waitFor('no channels and no bridges left', nothingLeft, 15_000);
    await waitFor('the call ended', () => callRow(t.callId).ended_at !== null);
    expect(callRow(t.callId)).toMatchObject({ state: 'ended', end_reason: 'caller_hangup' });
  }, 120_000);

  it('when the service is stopped (SIGTERM) after the agent left the citizen and the unit talking, then they talk on after the start, and the unit hanging up ends the call', async () => {
    const first = await serviceOn();
    const t = await threeWayCall(first, '13700000002');
    expect((await api(first, t.token, 'POST', `/api/conferences/${t.conferenceId}/leave`)).status).toBe(200);
    await waitFor('the agent leg gone', () => !sim.control.channels().some((c) => c.id === t.agentChannelId));
    await waitFor('the release stored', () => callRow(t.callId).agent_released_at !== null && conferenceRow(t.conferenceId)?.agent_left_at !== null);
    const agentId = callRow(t.callId).agent_id;
    expect(await first.kill('SIGTERM')).toBe(0);
    expect(bridgeChannels(t.bridgeId)).toEqual([t.callerId, t.unitId].sort());

    const second = await serviceOn();
    expect(await second.line((l) => l.msg === 'conferences recovered after a restart', 'conferences recovered')).toMatchObject({ resumed: 1 });
    expect(await second.line((l) => l.msg === 'calls recovered after a restart', 'calls recovered')).toMatchObject({ open: 1, talking: 1, ended: 0 });
    await second.line((l) => l.msg === 'calls reconciled', 'calls reconciled');
    expect(bridgeChannels(t.bridgeId)).toEqual([t.callerId, t.unitId].sort());
    expect(callRow(t.callId).state).toBe('connected');
    // The agent is free to take the next call, not held on this one.
    const me = await api(second, await login(second), 'GET', '/api/agents/me');
    expect(['ready', 'wrap_up']).toContain(me.body.state);

    sim.control.remoteHangup(t.unitId);
    await waitFor('the citizen hung up with the unit, nothing left', nothingLeft, 15_000);
    await waitFor('the call ended', () => callRow(t.callId).ended_at !== null);
    expect(callRow(t.callId)).toMatchObject({ state: 'ended', agent_id: agentId });
    expect(conferenceRow(t.conferenceId)).toMatchObject({ status: 'ended' });
    expect(conferenceRow(t.conferenceId)!.ended_at).not.toBeNull();
  }, 120_000);

  it('when the unit hangs up while the service is down after the agent left, then after the start the citizen is not left alone in the bridge', async () => {
    const first = await serviceOn();
    const t = await threeWayCall(first, '13700000003');
    expect((await api(first, t.token, 'POST', `/api/conferences/${t.conferenceId}/leave`)).status).toBe(200);
    await waitFor('the release stored', () => callRow(t.callId).agent_released_at !== null && conferenceRow(t.conferenceId)?.agent_left_at !== null);
    expect(await first.kill('SIGKILL')).toBeNull();
    sim.control.remoteHangup(t.unitId);
    await waitFor('the unit gone in the simulator', () => !sim.control.channels().some((c) => c.id === t.unitId));

    const second = await serviceOn();
    expect(await second.line((l) => l.msg === 'conferences recovered after a restart', 'conferences recovered')).toMatchObject({ open: 1, resumed: 0, ended: 1 });
    await waitFor('the citizen hung up, nothing left', nothingLeft, 15_000);
    await waitFor('the call ended', () => callRow(t.callId).ended_at !== null);
    expect(callRow(t.callId).state).toBe('ended');
    expect(conferenceRow(t.conferenceId)).toMatchObject({ status: 'ended' });
  }, 120_000);
});
