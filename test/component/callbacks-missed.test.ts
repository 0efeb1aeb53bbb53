import { afterEach, describe, expect, it } from 'vitest';
import { leftovers, startCore } from './call-core.ts';
import type { CoreRig } from './call-core.ts';
import { expectClean, startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';

const quiet = { callbacks: { quietSeconds: 0, minReadyAgents: 1, dedupeHours: 24, shortAbandonSeconds: 5 } };

describe('missed calls called back (漏接回拨)', () => {
  let rig: CoreRig | undefined;
  let h: Harness | undefined;
  afterEach(async () => { await rig?.close(); rig = undefined; await h?.close(); h = undefined; });

  it('when a caller abandons twice in the window, then there is one callback task with both calls, and a short abandon makes none', async () => {
    rig = await startCore(quiet);
    const { control } = rig.core.sim;
    control.placeCall({ line: '12345', from: '13900000001', hangupAfterMs: 30_000 });
    await rig.run(40_000);
    control.placeCall({ line: '12345', from: '13900000001', hangupAfterMs: 20_000 });
    control.placeCall({ line: '12345', from: '13900000002', hangupAfterMs: 2_000 });
    await rig.run(40_000);
    const list = rig.core.callbacks.list({ all: true }).callbacks;
    expect(list.map((c) => [c.caller_number, c.reason, c.missed_count])).toEqual([['13900000001', 'abandoned', 2]]);
    expect(rig.core.callbacks.missedCalls(list[0]!.id)).toHaveLength(2);
    const repeat = rig.core.db.prepare('SELECT call_id FROM callback_missed_calls LIMIT 1').get() as { call_id: string };
    expect(() => rig!.core.db.prepare("INSERT INTO callback_missed_calls (call_id, callback_id, missed_at) VALUES (?, ?, 0)").run(repeat.call_id, list[0]!.id)).toThrow(/UNIQUE/);
  });

  it('when an agent claims and dials a callback, then the seat rings first, the citizen is called with the hotline number, both are bridged and recorded, the pop says callback, and the outcome is kept', async () => {
    rig = await startCore(quiet);
    const { control } = rig.core.sim;
    control.placeCall({ line: '12345', from: '13900000003', hangupAfterMs: 30_000 });
    await rig.run(40_000);
    const [agent] = await rig.core.addAgents(1, { phone: { mode: 'answer', ringMs: 800 } });
    control.setCitizen('13900000003', { mode: 'answer', ringMs: 3_000 });
    const pops: unknown[] = [];
    rig.core.bus.subscribe('agent.pop', (p) => pops.push(p));
    const task = rig.core.callbacks.list({ agentId: agent!, all: false });
    expect(task.offerable).toBe(true);
    const id = task.callbacks[0]!.id;
    const claimed = rig.core.callbacks.claim(agent!, id);
    expect(claimed.ok && claimed.value.status).toBe('claimed');
    expect(rig.core.agents.get(agent!)).toMatchObject({ state: 'paused', reason: 'callback' });
    const dialled = await rig.core.callbacks.dial(agent!, id);
    expect(dialled.ok).toBe(true);
    await rig.run(500);
    expect(control.channels().map((c) => c.name)).toEqual([expect.stringMatching(/^PJSIP\/seat/)]);
    await rig.run(5_000);
    const bridges = control.bridges();
    expect(bridges).toHaveLength(1);
    expect(bridges[0]!.channels).toHaveLength(2);
    const citizen = rig.core.sim.pbx.liveChannels().find((c) => c.name.startsWith('PJSIP/trunk'))!;
    expect(citizen.caller.number).toBe('12345');
    expect(rig.core.sim.pbx.liveRecordings.size).toBe(1);
    expect(pops).toEqual([{ agentId: agent, pop: expect.objectContaining({ direction: 'callback', callbackId: id, callerNumber: '13900000003' }) }]);
    expect(rig.core.callbacks.get(id)!.status).toBe('talking');
    const done = rig.core.callbacks.outcome(agent!, id, 'reached');
    expect(done.ok && [done.value.status, done.value.outcome]).toEqual(['done', 'reached']);
    await rig.run(2_000);
    expect(leftovers(rig)).toEqual({ channels: 0, bridges: 0, calls: 0, stuck: [] });
    expect(rig.core.agents.get(agent!)?.state).toBe('ready');
  });

  it('when the citizen is busy, then the outcome busy is recorded by itself and the task waits for another try', async () => {
    rig = await startCore(quiet);
    const { control } = rig.core.sim;
    control.placeCall({ line: '12345', from: '13900000004', hangupAfterMs: 30_000 });
    await rig.run(40_000);
    const [agent] = await rig.core.addAgents(1);
    control.setCitizen('13900000004', { mode: 'busy', sendsRinging: false });
    const id = rig.core.callbacks.list({ all: true }).callbacks[0]!.id;
    expect(rig.core.callbacks.claim(agent!, id).ok).toBe(true);
    await rig.core.callbacks.dial(agent!, id);
    await rig.run(5_000);
    expect(rig.core.callbacks.get(id)).toMatchObject({ status: 'pending', outcome: 'busy', attempts: 1, claimed_by: null });
    expect(leftovers(rig)).toEqual({ channels: 0, bridges: 0, calls: 0, stuck: [] });
    expect(rig.core.agents.get(agent!)?.state).toBe('ready');
  });

  it('when callers are waiting, then a callback cannot be claimed; over HTTP a supervisor sees the list and an agent is refused', async () => {
    h = await startHarness();
    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13900000005' });
    await waitFor('the caller queued', () => h!.hotline.calls.live()[0]?.call.state === 'queued');
    await new Promise((r) => setTimeout(r, 5_500));
    sim.control.remoteHangup(channelId!);
    await expectClean(h);
    const boss = await h.hotline.app.auth.createUser({ username: 'boss', password: 'secret-pass-1', role: 'supervisor', displayName: 'boss' });
    expect(boss.role).toBe('supervisor');
    const login = await fetch(h.hotline.url + '/api/login', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'boss', password: 'secret-pass-1' }),
    });
    const { token } = (await login.json()) as { token: string };
    const seen = await h.api(token, 'GET', '/api/callbacks');
    expect(seen.status).toBe(200);
    expect(seen.body.callbacks.map((c: { callerNumber: string; reason: string }) => [c.callerNumber, c.reason])).toEqual([['13900000005', 'abandoned']]);
    const agent = await h.addAgent('anna', { ready: true });
    const claim = await h.api(agent, 'POST', `/api/callbacks/${seen.body.callbacks[0].id}/claim`);
    expect(claim.status).toBe(409);
    expect(claim.body.code ?? claim.body.error?.code).toBe('ERR_CALL_STATE');
  }, 30_000);
});
