import { afterEach, describe, expect, it } from 'vitest';
import { numberPrompts } from '../../src/features/calls/queue-settings.ts';
import { leftovers, startCore } from './call-core.ts';
import type { CoreRig } from './call-core.ts';

const desks = {
  lines: [{ number: '12345' }, { number: '12333', queue: 'social' }],
  queues: [
    { id: 'main', target: { skills: ['general'], minLevel: 1 } },
    {
      id: 'social', target: { skills: ['social'], minLevel: 3 },
      overflowRules: [{ afterSeconds: 20, widenTo: { skills: ['general'], minLevel: 1 } }],
      maxWaitSeconds: 90, overflowTo: 'callback',
    },
  ],
  callbacks: { quietSeconds: 0, minReadyAgents: 1 },
};

describe('desks, skills and overflow', () => {
  let rig: CoreRig | undefined;
  afterEach(async () => { await rig?.close(); rig = undefined; });

  it('when a social-security caller waits and only a general agent is ready, then nobody rings for 20 s and then the general agent gets the call', async () => {
    rig = await startCore(desks);
    const [general] = await rig.core.addAgents(1, { skills: { general: 3 }, phone: { mode: 'answer', ringMs: 500, talkMs: 30_000 } });
    rig.core.sim.control.placeCall({ line: '12333', from: '13800000001' });
    await rig.run(19_000);
    expect(rig.core.agents.get(general!)?.state).toBe('ready');
    expect(rig.core.calls.waiting()).toHaveLength(1);
    await rig.run(3_000);
    expect(rig.core.agents.get(general!)?.state).toBe('on_call');
    const callId = rig.core.calls.live()[0]!.call.id;
    expect(rig.core.calls.live()[0]!.queueId).toBe('social');
    await rig.run(60_000);
    expect(leftovers(rig)).toEqual({ channels: 0, bridges: 0, calls: 0, stuck: [] });
    expect(rig.core.db.prepare('SELECT queue_id, answered_at IS NOT NULL AS answered FROM calls WHERE id = ?').get(callId)).toEqual({ queue_id: 'social', answered: 1 });
  });

  it('when a desk agent and a general agent are both ready, then the social-security call goes to the desk agent even though the general agent waited longer', async () => {
    rig = await startCore(desks);
    const [general] = await rig.core.addAgents(1, { skills: { general: 3 } });
    await rig.run(5_000);
    const [desk] = await rig.core.addAgents(1, { skills: { social: 4 } });
    rig.core.sim.control.placeCall({ line: '12333', from: '13800000002' });
    await rig.run(3_000);
    expect(rig.core.agents.get(desk!)?.state).toBe('on_call');
    expect(rig.core.agents.get(general!)?.state).toBe('ready');
  });

  it('when the caller waits longer than the queue allows, then the message plays, the call ends as an overflow and it is on the callback list once', async () => {
    rig = await startCore(desks);
    rig.core.sim.control.placeCall({ line: '12333', from: '13800000003' });
    await rig.run(85_000);
    expect(rig.core.calls.live()[0]?.call.state).toBe('queued');
    await rig.run(10_000);
    expect(leftovers(rig)).toEqual({ channels: 0, bridges: 0, calls: 0, stuck: [] });
    const row = rig.core.db.prepare('SELECT end_reason, queue_id FROM calls').get();
    expect(row).toEqual({ end_reason: 'overflow', queue_id: 'social' });
    const list = rig.core.callbacks.list({ all: true }).callbacks;
    expect(list.map((c) => [c.caller_number, c.reason, c.status])).toEqual([['13800000003', 'overflow', 'pending']]);
  });

  it('when an agent does not answer, then the agent is paused and the call returns to the head of its queue ahead of later callers', async () => {
    rig = await startCore(desks);
    const [slow] = await rig.core.addAgents(1, { skills: { general: 3 }, phone: { mode: 'no-answer' } });
    rig.core.sim.control.placeCall({ line: '12345', from: '13800000004' });
    await rig.run(3_000);
    rig.core.sim.control.placeCall({ line: '12345', from: '13800000005' });
    await rig.run(25_000);
    expect(rig.core.agents.get(slow!)).toMatchObject({ state: 'paused', reason: 'no_answer' });
    const order = rig.core.calls.waiting().map((id) => rig!.core.calls.byId(id)!.call.callerNumber);
    expect(order).toEqual(['13800000004', '13800000005']);
    const [next] = await rig.core.addAgents(1, { skills: { general: 3 }, phone: { mode: 'answer', ringMs: 500, talkMs: 5_000 } });
    await rig.run(2_000);
    expect(rig.core.agents.get(next!)?.callId).toBe(rig.core.calls.live().find((l) => l.call.callerNumber === '13800000004')!.call.id);
  });

  it('when a queue announces, then a waiting caller hears how many are ahead after the first interval and again every interval (no wait is promised while nobody is staffed); numbers are said the Mandarin way', async () => {
    rig = await startCore({
      queues: [{ id: 'main', target: { skills: ['general'] }, announcements: { enabled: true, firstAfterSeconds: 30, everySeconds: 60 } }],
    });
    const played: string[] = [];
    const ari = rig.core.sim.client;
    const play = ari.channels.play;
    ari.channels.play = (id, p) => { played.push(([] as string[]).concat(p.media).join(' ')); return play(id, p); };
    rig.core.sim.control.placeCall({ line: '12345', from: '13800000011' });
    rig.core.sim.control.placeCall({ line: '12345', from: '13800000012' });
    await rig.run(29_000);
    expect(played.filter((m) => m.includes('queue-'))).toEqual([]);
    await rig.run(3_000);
    const first = played.filter((m) => m.includes('queue-'));
    expect(first).toEqual(['sound:hotline/queue-ahead sound:hotline/num-1 sound:hotline/queue-callers']);
    await rig.run(60_000);
    expect(played.filter((m) => m.includes('queue-'))).toHaveLength(2);
    expect(numberPrompts(2)).toEqual(['num-2-liang']);
    expect(numberPrompts(12)).toEqual(['num-10', 'num-2']);
    expect(numberPrompts(45)).toEqual(['num-4', 'num-10', 'num-5']);
    expect(numberPrompts(105)).toEqual(['num-1', 'num-100', 'num-0', 'num-5']);
    expect(numberPrompts(110)).toEqual(['num-1', 'num-100', 'num-1', 'num-10']);
  });
});
