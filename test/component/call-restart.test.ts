import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/types.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/database.ts';
import { serviceApi, serviceLogin, startService } from './call-restart-process.ts';
import type { ServiceProcess } from './call-restart-process.ts';
import { waitFor } from './call-harness.ts';

const GREETING = 'sound:hotline/greeting';
const AGENTS = ['anna', 'bing', 'chen', 'dong'] as const;
type Name = (typeof AGENTS)[number];

interface CallRowView { id: string; caller_number: string; arrived_at: number; channel_id: string | null; state: string; agent_id: string | null;
  offered_at: number | null; answered_at: number | null; ended_at: number | null; end_reason: string | null }

let sim: Simulator;
let dir: string;
let db: Database | undefined;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-restart-'));
  sim = await startSimulator({
    recordingsDir: join(dir, 'spool'), sounds: { [GREETING]: 100 },
    dialplan: [{ line: '12345', app: 'hotline', args: ['inbound', '12345'] }],
  });
});

afterAll(async () => {
  // RESTART_DUMP=<file> keeps both services' log lines, to see what a failing run did.
  if (process.env.RESTART_DUMP) (await import('node:fs')).writeFileSync(process.env.RESTART_DUMP, services.map((s) => s.lines.map((l) => JSON.stringify(l)).join('\n')).join('\n=====\n'));
  for (const s of services) await s.kill('SIGKILL');
  db?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serviceOn(): Promise<ServiceProcess> {
  const s = await startService({
    RESTART_DIR: dir, RESTART_ARI_URL: sim.ariUrl, RESTART_RING_MS: '4000', RESTART_WRAP_UP_SECONDS: '3',
    RESTART_AGENTS: AGENTS.map((a) => `${a}:seat-${a}`).join(','),
  });
  services.push(s);
  return s;
}

const api = serviceApi;
const login = serviceLogin;

const rows = (): CallRowView[] => db!.prepare('SELECT * FROM calls ORDER BY arrived_at, id').all() as CallRowView[];
const rowOf = (number: string): CallRowView | undefined => rows().find((r) => r.caller_number === number);
const channelsAlive = (): Set<string> => new Set(sim.control.channels().map((c) => c.id));

describe('the service killed with SIGKILL and started again', () => {
  it('when calls are talking and queued at the kill, then none is lost, talks go on with their agents, the queue keeps its order, and states come back', async () => {
    const first = await serviceOn();
    db = openDatabase(join(dir, 'hotline.sqlite'));
    const tokens = {} as Record<Name, string>;
    const agentIds = {} as Record<Name, string>;
    for (const name of AGENTS) {
      sim.control.registerPhone(`seat-${name}`, { mode: 'answer', ringMs: 100 });
      tokens[name] = await login(first, name);
      const me = await api(first, tokens[name], 'POST', '/api/agents/me/login', {});
      expect(me.status).toBe(200);
      agentIds[name] = me.body.id as string;
    }
    const nameOf = (agentId: string | null): Name | undefined => AGENTS.find((n) => agentIds[n] === agentId);
    for (const name of ['anna', 'bing', 'dong'] as const) expect((await api(first, tokens[name], 'POST', '/api/agents/me/state', { state: 'ready' })).status).toBe(200);
    expect((await api(first, tokens.chen, 'POST', '/api/agents/me/state', { state: 'paused', reason: 'training' })).body).toMatchObject({ state: 'paused', reason: 'training' });

    // Three calls talking (one of them ends just before the kill, leaving its agent in wrap-up), four waiting.
    const talking = ['13900000001', '13900000002', '13900000003'];
    const callerOf: Record<string, string> = {};
    for (const from of talking) {
      callerOf[from] = sim.control.placeCall({ line: '12345', from }).channelId!;
      await waitFor(`${from} connected`, () => rowOf(from)?.state === 'connected', 15_000);
    }
    const waiting = ['13800000001', '13800000002', '13800000003', '13800000004'];
    for (const from of waiting) {
      callerOf[from] = sim.control.placeCall({ line: '12345', from }).channelId!;
      await waitFor(`${from} queued`, () => rowOf(from)?.state === 'queued', 15_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    const wrapping = rowOf(talking[2]!)!;
    sim.control.remoteHangup(callerOf[talking[2]!]!);
    const mixing = () => sim.control.bridges().filter((b) => b.bridge_type === 'mixing').map((b) => [...b.channels].sort());
    await waitFor('the third talk over', () => rowOf(talking[2]!)?.ended_at !== null && mixing().length === 2, 10_000);
    const talkBefore = talking.slice(0, 2).map((from) => rowOf(from)!);
    const mixingBefore = mixing();

    expect(await first.kill('SIGKILL')).toBeNull();
    const gone = waiting[3]!;
    // Past the short-abandon limit (5 s): a caller who waited that long is owed a callback.
    await new Promise((r) => setTimeout(r, Math.max(0, rowOf(gone)!.arrived_at + 5_500 - Date.now())));
    sim.control.remoteHangup(callerOf[gone]!);
    await waitFor('the caller gone in the simulator', () => !channelsAlive().has(callerOf[gone]!));

    const second = await serviceOn();
    const reconciled = await second.line((l) => l.msg === 'calls reconciled', 'calls reconciled');
    const recovered = await second.line((l) => l.msg === 'calls recovered after a restart', 'calls recovered');
    const routed = await second.line((l) => l.msg === 'call offered to agent', 'the first call routed after the restart', 20_000);
    console.info(`restart recovery: child start → calls reconciled ${reconciled.at - second.startedAt} ms `
      + `(recovery itself ${String(recovered.ms)} ms), → first routed call ${routed.at - second.startedAt} ms`);
    expect(recovered).toMatchObject({ open: 6, queued: 3, talking: 2, ended: 1, ringing: 0 });

    // Nobody was hung up by the restart; the talks go on in their bridges with the same agents.
    const alive = channelsAlive();
    for (const from of [...talking.slice(0, 2), ...waiting.slice(0, 3)]) expect(alive.has(callerOf[from]!)).toBe(true);
    expect(mixing()).toEqual(expect.arrayContaining(mixingBefore));
    for (const row of talkBefore) {
      const me = await api(second, tokens[nameOf(row.agent_id)!], 'GET', '/api/agents/me');
      expect(me.body).toMatchObject({ state: 'on_call', callId: row.id });
    }
    expect((await api(second, tokens.chen, 'GET', '/api/agents/me')).body).toMatchObject({ state: 'paused', reason: 'training' });

    // The caller who left during the gap: one row, abandoned, on the callback list.
    const abandoned = rows().filter((r) => r.caller_number === gone);
    expect(abandoned).toHaveLength(1);
    expect(abandoned[0]).toMatchObject({ state: 'ended', end_reason: 'abandoned', answered_at: null });
    expect(db.prepare('SELECT callback_id FROM callback_missed_calls WHERE call_id = ?').get(abandoned[0]!.id)).toBeDefined();

    // The agent whose wrap-up ran through the restart takes the head of the queue; the rest follow as agents free up.
    const served: string[] = [];
    const connectedNow = (): string[] => waiting.slice(0, 3).filter((from) => rowOf(from)?.answered_at !== null && !served.includes(from));
    const next = async (): Promise<string> => {
      const [from] = await waitFor('the next waiting caller answered', () => { const c = connectedNow(); return c.length > 0 ? c : undefined; }, 20_000);
      served.push(from!);
      return from!;
    };
    const firstServed = rowOf(await next())!;
    expect(nameOf(firstServed.agent_id)).toBe(nameOf(wrapping.agent_id));
    for (const row of talkBefore) {
      sim.control.remoteHangup(row.channel_id!);
      await next();
    }
    expect(served).toEqual(waiting.slice(0, 3));
    await waitFor('the last one bridged with its agent', () => mixing().some((b) => b.includes(callerOf[served[2]!]!) && b.length === 2));
    for (const from of served) sim.control.remoteHangup(callerOf[from]!);

    await waitFor('no channels and no bridges left', () => sim.control.channels().length === 0 && sim.control.bridges().length === 0, 20_000);
    await waitFor('every call ended', () => rows().every((r) => r.ended_at !== null), 10_000);
    const all = rows();
    expect(all).toHaveLength(talking.length + waiting.length);
    for (const r of all) {
      expect(r.state).toBe('ended');
      expect(r.end_reason).toBe(r.answered_at === null ? 'abandoned' : 'caller_hangup');
    }
    await waitFor('both recordings of the talks that outlived the restart stored', () => talkBefore.every((row) => {
      const rec = db!.prepare('SELECT sha256, size_bytes FROM recordings WHERE call_id = ?').get(row.id) as { sha256: string | null; size_bytes: number | null } | undefined;
      return rec?.sha256 && (rec.size_bytes ?? 0) > 44;
    }), 15_000);
    for (const name of AGENTS) {
      const me = await api(second, tokens[name], 'GET', '/api/agents/me');
      expect(['ready', 'wrap_up', 'paused']).toContain(me.body.state);
    }
    expect(await second.kill('SIGTERM')).toBe(0);
  }, 180_000);
});
