import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/types.ts';
import { sleep, waitFor } from './call-harness.ts';
import { restartRigs } from './call-restart-rig.ts';

const rigs = restartRigs('hotline-restart-ring-');
const { rig, stopped } = rigs;

/** A call placed and left ringing anna's seat; the service is then stopped without touching it. */
async function ringingThenStopped(phone: Parameters<Simulator['control']['registerPhone']>[1], ringTimeoutMs = 6000) {
  rigs.sim.control.registerPhone('seat-anna', phone);
  const first = await rig({ ringTimeoutMs });
  await first.addAgent('anna');
  const { channelId } = rigs.sim.control.placeCall({ line: '12345', from: '13700000001' });
  const live = await waitFor('the seat ringing', () => first.calls.live().find((l) => l.call.state === 'offering'));
  const callId = live.call.id;
  const legId = live.call.agentChannelId!;
  await stopped(first);
  return { callId, legId, caller: channelId! };
}

describe('a call ringing a seat when the service stops', () => {
  it('when the seat still rings after the restart, then the offer goes on and the answer connects the same agent', async () => {
    const { callId, legId, caller } = await ringingThenStopped({ mode: 'answer', ringMs: 2500 });
    const second = await rig({ ringTimeoutMs: 6000 });
    const live = await waitFor('the call taken up', () => second.calls.byId(callId));
    expect(live.call).toMatchObject({ state: 'offering', agentId: 'anna', agentChannelId: legId });
    expect(second.agents.get('anna')).toMatchObject({ state: 'ringing', callId });
    await waitFor('connected after the answer', () => second.calls.byId(callId)?.call.state === 'connected', 8000);
    const bridge = await waitFor('caller and agent bridged', () => rigs.sim.control.bridges().find((b) => b.bridge_type === 'mixing' && b.channels.length === 2));
    expect(bridge.channels.sort()).toEqual([caller, legId].sort());
    expect(second.agents.get('anna')).toMatchObject({ state: 'on_call', callId });
    expect(second.repo.legs(callId)).toHaveLength(1);
    rigs.sim.control.remoteHangup(caller);
    await waitFor('nothing left', () => rigs.sim.control.channels().length === 0 && rigs.sim.control.bridges().length === 0);
    expect(second.repo.call(callId)).toMatchObject({ state: 'ended', end_reason: 'caller_hangup' });
    expect(second.collected).toEqual([callId]);
  });

  it('when the seat answered while the service was down, then the restart connects the call and records it', async () => {
    const { callId, legId, caller } = await ringingThenStopped({ mode: 'answer', ringMs: 400 });
    await waitFor('the seat answered in the gap', () => rigs.sim.control.channels().find((c) => c.id === legId && c.state === 'Up'));
    const second = await rig();
    await waitFor('connected', () => second.calls.byId(callId)?.call.state === 'connected');
    await waitFor('caller and agent bridged', () => rigs.sim.control.bridges().find((b) => b.bridge_type === 'mixing' && b.channels.length === 2));
    expect(rigs.sim.control.bridges().filter((b) => b.bridge_type === 'holding')).toHaveLength(0);
    expect(second.agents.get('anna')).toMatchObject({ state: 'on_call', callId });
    expect(second.calls.byId(callId)?.recording?.name).toBe(callId);
    rigs.sim.control.remoteHangup(legId);
    await waitFor('nothing left', () => rigs.sim.control.channels().length === 0 && rigs.sim.control.bridges().length === 0);
    expect(second.repo.call(callId)).toMatchObject({ state: 'ended', end_reason: 'agent_hangup' });
    expect(rigs.sim.control.channels().find((c) => c.id === caller)).toBeUndefined();
  });

  it('when the seat stopped ringing during the gap, then the caller goes back to the head of the queue and the next free agent takes the call', async () => {
    const { callId, legId, caller } = await ringingThenStopped({ mode: 'no-answer' }, 800);
    await waitFor('the ring timed out in the gap', () => !rigs.sim.control.channels().some((c) => c.id === legId));
    rigs.sim.control.registerPhone('seat-bo', { mode: 'answer', ringMs: 100 });
    const second = await rig({ ringTimeoutMs: 800 });
    await waitFor('the call back in the queue', () => second.calls.byId(callId)?.call.state === 'queued');
    expect(second.calls.waiting()).toEqual([callId]);
    expect(second.agents.get('anna')).toMatchObject({ state: 'paused', reason: 'no_answer' });
    expect(second.repo.legs(callId)[0]).toMatchObject({ channel_id: legId, outcome: 'no_answer' });
    await second.addAgent('bo');
    await waitFor('bo on the call', () => second.calls.byId(callId)?.call.state === 'connected' && second.calls.byId(callId)?.call.agentId === 'bo');
    rigs.sim.control.remoteHangup(caller);
    await waitFor('nothing left', () => rigs.sim.control.channels().length === 0 && rigs.sim.control.bridges().length === 0);
    expect(second.repo.call(callId)).toMatchObject({ state: 'ended', agent_id: 'bo', end_reason: 'caller_hangup' });
    expect(second.missed).toEqual([]);
  });

  it('when the caller hung up while the seat rang and the service was down, then the call ends abandoned, the seat is hung up, the agent is ready and a callback is asked for', async () => {
    const { callId, legId, caller } = await ringingThenStopped({ mode: 'no-answer' });
    rigs.sim.control.remoteHangup(caller);
    await sleep(100);
    const second = await rig();
    await waitFor('the call over', () => second.repo.call(callId)?.state === 'ended');
    expect(second.repo.call(callId)).toMatchObject({ end_reason: 'abandoned', answered_at: null });
    await waitFor('the seat hung up', () => !rigs.sim.control.channels().some((c) => c.id === legId));
    expect(second.agents.get('anna')).toMatchObject({ state: 'ready', callId: null });
    expect(second.missed).toMatchObject([{ callId, reason: 'abandoned' }]);
    expect(second.calls.live()).toEqual([]);
    await waitFor('nothing left', () => rigs.sim.control.channels().length === 0 && rigs.sim.control.bridges().length === 0);
  });
});
