import { createHash } from 'node:crypto';
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/types.ts';
import type { LineSettings, RatingHandoff } from '../../src/features/calls/calls.types.ts';
import { expectClean, openDesktop, startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';
import { GREETING as RIG_GREETING, startCallsRig } from './call-restart-rig.ts';
import type { CallsRig } from './call-restart-rig.ts';

describe('an answered call', () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.close(); h = undefined; });

  it('when a citizen calls, the ready agent answers and later hangs up first, then both are bridged, the pop reaches that agent only, the caller is hung up and the recording is stored', async () => {
    h = await startHarness();
    const a = await h.addAgent('anna', { phone: { mode: 'answer', ringMs: 200, talkMs: 1200 } });
    const b = await h.addAgent('bo', { phone: null, ready: false });
    const deskA = await openDesktop(h.hotline.url, a.token);
    const deskB = await openDesktop(h.hotline.url, b.token);
    const sim = h.hotline.sim!;

    const placed = sim.control.placeCall({ line: '12345', from: '13800138000', callerName: 'Zhang' });
    expect(placed.outcome).toBe('stasis');

    const pop = await waitFor('the pop on agent A', () => deskA.frames.find((f) => f.type === 'pop'));
    expect(pop.pop.callerNumber).toBe('13800138000');
    expect(pop.pop.line).toBe('12345');
    expect(pop.pop.waitedMs).toBeGreaterThan(0);
    expect(Array.isArray(pop.pop.history)).toBe(true);
    const callId: string = pop.pop.callId;

    const bridged = await waitFor('a mixing bridge with both legs', () => sim.control.bridges().find((x) => x.bridge_type === 'mixing' && x.channels.length === 2));
    expect(bridged.id).toMatch(/^hl-call-/);
    expect(h.hotline.agents.get(a.agentId)?.state).toBe('on_call');

    await waitFor('the agent hangs up after the talk time', () => h!.hotline.calls.live().length === 0);
    await expectClean(h);
    expect(deskB.frames.some((f) => f.type === 'pop')).toBe(false);

    await h.hotline.recordings.idle();
    const rows = await waitFor('the recording row', () => { const r = h!.hotline.recordingsRepo.byCall(callId); return r.length > 0 && r[0]!.path ? r : undefined; });
    const row = rows[0]!;
    const file = join(h.dir, 'recordings', row.path!);
    expect(existsSync(file)).toBe(true);
    const bytes = readFileSync(file);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256);
    expect(row.size_bytes).toBe(bytes.length);
    expect(row.agent_id).toBe(a.agentId);
    expect(row.path).toMatch(new RegExp(`^\\d{4}/\\d{2}/\\d{2}/${callId}\\.wav$`));
    expect(row.duration_ms).toBeGreaterThan(0);

    const call = h.hotline.callsRepo.call(callId)!;
    expect(call.state).toBe('ended');
    expect(call.end_reason).toBe('agent_hangup');
    expect(call.answered_at).not.toBeNull();
    expect(call.wait_ms).toBeGreaterThan(0);
    expect(call.talk_ms).toBeGreaterThan(0);
    const legs = h.hotline.callsRepo.legs(callId);
    expect(legs).toHaveLength(1);
    expect(legs[0]!.outcome).toBe('answered');
    expect(legs[0]!.ended_at).not.toBeNull();

    await waitFor('agent back to ready after wrap-up', () => h!.hotline.agents.get(a.agentId)?.state === 'ready', 4000);
    deskA.close(); deskB.close();
  });
});

describe('the hand-off for the after-call rating (一次一评)', () => {
  let sim: Simulator | undefined;
  let rig: CallsRig | undefined;
  let dir = '';
  afterEach(async () => {
    await rig?.stop();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
    rig = undefined;
    sim = undefined;
  });

  async function talkEndedByAgent(rateAfterCall: (h: RatingHandoff) => boolean, line: Partial<LineSettings> = { rateAfterCall: true }) {
    dir = mkdtempSync(join(tmpdir(), 'hotline-rating-'));
    sim = await startSimulator({ sounds: { [RIG_GREETING]: 100 }, dialplan: [{ line: '12345', app: 'hotline', args: ['inbound', '12345'] }] });
    sim.control.registerPhone('seat-anna', { mode: 'answer', ringMs: 100, talkMs: 600 });
    rig = await startCallsRig({ sim, dbPath: join(dir, 'hotline.sqlite'), line, rateAfterCall });
    await rig.addAgent('anna');
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13800138009' });
    const callId = (await waitFor('the call taken', () => rig!.calls.live()[0])).call.id;
    await waitFor('the call over', () => rig!.repo.call(callId)?.state === 'ended', 8000);
    await rig.calls.drained();
    return { callId, caller: channelId! };
  }

  it('when the agent hangs up first on a line that rates its calls, then the caller stays up in no bridge, is handed over and is no longer the calls service\'s', async () => {
    const handoffs: RatingHandoff[] = [];
    const { callId, caller } = await talkEndedByAgent((h) => { handoffs.push(h); return true; });
    expect(handoffs).toEqual([{ callId, callerChannelId: caller, line: '12345', agentId: 'anna' }]);
    const channel = sim!.control.channels().find((c) => c.id === caller);
    expect(channel).toMatchObject({ inStasis: true });
    expect(channel?.bridgeId).toBeUndefined();
    expect(sim!.control.bridges()).toEqual([]);
    expect(rig!.calls.owns(caller)).toBe(false);
    expect(rig!.repo.call(callId)).toMatchObject({ end_reason: 'agent_hangup' });
    expect(rig!.agents.get('anna')?.state).toMatch(/wrap_up|ready/);
    expect(rig!.collected).toEqual([callId]);
    sim!.control.remoteHangup(caller);
    await waitFor('the caller gone', () => sim!.control.channels().length === 0);
    await rig!.calls.drained();
    expect(rig!.calls.live()).toEqual([]);
    expect(rig!.db.prepare('SELECT COUNT(*) AS n FROM calls').get()).toEqual({ n: 1 });
  });

  const declines = (): boolean => false;
  const fails = (): boolean => { throw new Error('survey unavailable'); };
  it.each([['declines', declines], ['throws', fails]] as const)('when the rating %s, then the caller is hung up as before', async (_name, rate) => {
    const { callId, caller } = await talkEndedByAgent(rate);
    await waitFor('the caller hung up', () => !sim!.control.channels().some((c) => c.id === caller));
    expect(sim!.control.bridges()).toEqual([]);
    expect(rig!.repo.call(callId)).toMatchObject({ end_reason: 'agent_hangup' });
  });

  it('when the line does not rate its calls, then the rating is never asked and the caller is hung up', async () => {
    const handoffs: RatingHandoff[] = [];
    const { caller } = await talkEndedByAgent((h) => { handoffs.push(h); return true; }, {});
    await waitFor('the caller hung up', () => !sim!.control.channels().some((c) => c.id === caller));
    expect(handoffs).toEqual([]);
  });
});
