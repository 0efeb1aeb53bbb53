import { afterEach, describe, expect, it } from 'vitest';
import { expectClean, openDesktop, sleep, startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';

describe('an agent who does not take the call', () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.close(); h = undefined; });

  it('when the first agent does not answer within the ring timeout, then that agent is paused no_answer and the next agent rings and gets the call', async () => {
    h = await startHarness({ tuning: { ringTimeoutMs: 1000 } });
    const first = await h.addAgent('anna', { phone: { mode: 'no-answer' } });
    await sleep(20);
    const second = await h.addAgent('bo', { phone: { mode: 'answer', ringMs: 200 } });
    const deskB = await openDesktop(h.hotline.url, second.token);
    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13700137000' });

    await waitFor('the first (longest idle) agent ringing', () => h!.hotline.agents.get(first.agentId)?.state === 'ringing');
    await waitFor('the second agent on the call', () => h!.hotline.agents.get(second.agentId)?.state === 'on_call', 5000);
    const anna = h.hotline.agents.get(first.agentId)!;
    expect(anna.state).toBe('paused');
    expect(anna.reason).toBe('no_answer');
    await waitFor('the pop on the second desk', () => deskB.frames.find((f) => f.type === 'pop'));
    expect(sim.control.channels().filter((c) => c.id.startsWith('hl-agent-'))).toHaveLength(1);

    const callId = h.hotline.calls.live()[0]!.call.id;
    expect(h.hotline.callsRepo.legs(callId).map((l) => [l.agent_id, l.outcome])).toEqual([
      [first.agentId, 'no_answer'], [second.agentId, 'answered'],
    ]);
    sim.control.remoteHangup(channelId!);
    await expectClean(h);
    expect(h.hotline.callsRepo.call(callId)!.end_reason).toBe('caller_hangup');
    deskB.close();
  });

  it('when the agent phone answers busy, then the agent is paused busy and the call goes to the next agent', async () => {
    h = await startHarness();
    const first = await h.addAgent('anna', { phone: { mode: 'busy', sendsRinging: false } });
    await sleep(20);
    const second = await h.addAgent('bo');
    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13700137001' });
    await waitFor('the second agent on the call', () => h!.hotline.agents.get(second.agentId)?.state === 'on_call');
    expect(h.hotline.agents.get(first.agentId)).toMatchObject({ state: 'paused', reason: 'busy' });
    sim.control.remoteHangup(channelId!);
    await expectClean(h);
  });

  it('when a ready agent has no registered phone, then the agent is never offered the call, and a registered one gets it', async () => {
    h = await startHarness();
    const unregistered = await h.addAgent('anna', { phone: null });
    expect(h.hotline.agents.get(unregistered.agentId)).toMatchObject({ state: 'ready', registered: false });
    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13700137002' });
    await waitFor('the call queued', () => h!.hotline.calls.live()[0]?.call.state === 'queued');
    await sleep(300);
    expect(h.hotline.agents.get(unregistered.agentId)?.state).toBe('ready');
    expect(sim.control.channels().some((c) => c.id.startsWith('hl-agent-'))).toBe(false);

    const registered = await h.addAgent('bo');
    await waitFor('the registered agent on the call', () => h!.hotline.agents.get(registered.agentId)?.state === 'on_call');
    expect(h.hotline.agents.get(unregistered.agentId)?.state).toBe('ready');
    sim.control.remoteHangup(channelId!);
    await expectClean(h);
  });

  it('when the agent phone is registered but unreachable (originate fails), then the agent is paused unreachable and the call stays queued at the head', async () => {
    h = await startHarness();
    const a = await h.addAgent('anna');
    h.hotline.sim!.control.unregisterPhone(a.seat);
    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13700137003' });
    await waitFor('the agent paused unreachable', () => h!.hotline.agents.get(a.agentId)?.reason === 'unreachable');
    const live = h.hotline.calls.live()[0]!;
    expect(live.call.state).toBe('queued');
    expect(h.hotline.calls.waiting()).toEqual([live.call.id]);
    expect(h.hotline.callsRepo.legs(live.call.id).map((l) => l.outcome)).toEqual(['unreachable']);
    sim.control.remoteHangup(channelId!);
    await expectClean(h);
  });
});
