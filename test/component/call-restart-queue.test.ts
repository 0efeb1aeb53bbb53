import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from './call-harness.ts';
import { restartRigs } from './call-restart-rig.ts';

const rigs = restartRigs('hotline-restart-queue-');
const { rig, stopped } = rigs;

describe('callers waiting in the queue when the service restarts', () => {
  it('when a caller had waited part of the maximum wait, then after the restart only the rest is waited before the callback message', async () => {
    const acd = {
      lines: [{ line: '12345', queueId: 'main' }],
      queues: [{ id: 'main', target: { skills: ['general'], minLevel: 1 }, maxWaitSeconds: 4, overflowTo: { kind: 'callback' as const } }],
    };
    const first = await rig({ acd });
    rigs.sim.control.placeCall({ line: '12345', from: '13700000001' });
    const live = await waitFor('the caller waiting', () => first.calls.live().find((l) => l.call.state === 'queued'));
    const callId = live.call.id;
    const joinedAt = (await waitFor('the queue stored', () => first.repo.call(callId)?.queue_joined_at ?? undefined));
    expect(first.repo.call(callId)!.queue_id).toBe('main');
    expect(joinedAt - first.repo.call(callId)!.queued_at!).toBeLessThan(1000);
    await sleep(Math.max(0, joinedAt + 2000 - Date.now()));
    await stopped(first);
    await sleep(500);

    const restartedAt = Date.now();
    const second = await rig({ acd });
    await waitFor('the call taken up', () => second.calls.byId(callId)?.call.state === 'queued');
    await waitFor('the wait run out', () => second.calls.byId(callId)?.overflowed === 'max_wait', 6000);
    const ranOutAt = Date.now();
    // 4 s from joining the queue, not from the restart (that would be 4 s after restartedAt)
    expect(ranOutAt - joinedAt).toBeGreaterThanOrEqual(4000);
    expect(ranOutAt - restartedAt).toBeLessThan(3500);
    await waitFor('the call over', () => second.repo.call(callId)?.ended_at != null, 8000);
    expect(second.repo.call(callId)).toMatchObject({ end_reason: 'overflow', queue_id: 'main', queue_joined_at: joinedAt });
    expect(second.missed.map((m) => m.callId)).toEqual([callId]);
  });

  it('when a caller was back at the head of the queue after an unanswered offer, then after the restart it is still ahead of a later caller with a higher priority', async () => {
    const priorityFor = (n: string) => (n === '13700000002' ? 5 : 0);
    rigs.sim.control.registerPhone('seat-anna', { mode: 'no-answer' });
    const first = await rig({ ringTimeoutMs: 600, priorityFor });
    await first.addAgent('anna');
    rigs.sim.control.placeCall({ line: '12345', from: '13700000001' });
    const a = (await waitFor('anna rung', () => first.calls.live().find((l) => l.call.state === 'offering'))).call.id;
    await waitFor('back in the queue', () => first.calls.byId(a)?.call.state === 'queued', 5000);
    await waitFor('anna paused for not answering', () => first.agents.get('anna')?.reason === 'no_answer');
    rigs.sim.control.placeCall({ line: '12345', from: '13700000002' });
    await waitFor('the second caller waiting', () => first.calls.waiting().length === 2);
    const b = first.calls.live().find((l) => l.call.id !== a)!.call.id;
    expect(first.calls.waiting()).toEqual([a, b]);
    await stopped(first);

    const second = await rig({ ringTimeoutMs: 600, priorityFor });
    await waitFor('both taken up', () => second.calls.waiting().length === 2);
    expect(second.calls.waiting()).toEqual([a, b]);
  });
});
