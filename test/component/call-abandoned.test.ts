import { afterEach, describe, expect, it } from 'vitest';
import { expectClean, sleep, startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';

describe('a caller who hangs up before talking to anyone', () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.close(); h = undefined; });

  it('when the caller hangs up while waiting in the queue, then the call is abandoned and nothing is left behind', async () => {
    h = await startHarness();
    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13900139000' });
    await waitFor('the caller in a holding bridge', () => sim.control.bridges().find((b) => b.bridge_type === 'holding' && b.channels.includes(channelId!)));
    const [live] = h.hotline.calls.live();
    expect(live?.call.state).toBe('queued');
    sim.control.remoteHangup(channelId!);
    await expectClean(h);
    const row = h.hotline.callsRepo.call(live!.call.id)!;
    expect(row.state).toBe('ended');
    expect(row.end_reason).toBe('abandoned');
    expect(row.queued_at).not.toBeNull();
    expect(row.wait_ms).toBeGreaterThan(0);
    expect(h.hotline.calls.waiting()).toEqual([]);
  });

  it('when the caller hangs up during the greeting, then no bridge is ever left and the call is abandoned', async () => {
    h = await startHarness({ tuning: { sounds: { 'sound:hotline/greeting': 2000 } } });
    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13900139001' });
    await waitFor('the greeting state', () => h!.hotline.calls.live()[0]?.call.state === 'greeting');
    const callId = h.hotline.calls.live()[0]!.call.id;
    sim.control.remoteHangup(channelId!);
    await expectClean(h);
    await sleep(100);
    expect(sim.control.bridges()).toEqual([]);
    expect(h.hotline.callsRepo.call(callId)!.end_reason).toBe('abandoned');
  });

  it('when the caller hangs up while the agent rings, then the agent leg is cancelled and the agent is ready again, not stuck ringing', async () => {
    h = await startHarness({ tuning: { ringTimeoutMs: 5000 } });
    const a = await h.addAgent('anna', { phone: { mode: 'no-answer' } });
    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13900139002' });
    await waitFor('the agent ringing', () => h!.hotline.agents.get(a.agentId)?.state === 'ringing');
    await waitFor('the agent leg in the simulator', () => sim.control.channels().some((c) => c.id.startsWith('hl-agent-')));
    const callId = h.hotline.calls.live()[0]!.call.id;
    sim.control.remoteHangup(channelId!);
    await expectClean(h);
    expect(h.hotline.agents.get(a.agentId)?.state).toBe('ready');
    expect(h.hotline.callsRepo.call(callId)!.end_reason).toBe('abandoned');
    const legs = h.hotline.callsRepo.legs(callId);
    expect(legs.map((l) => l.outcome)).toEqual(['withdrawn']);
    expect(legs[0]!.ended_at).not.toBeNull();
  });
});
