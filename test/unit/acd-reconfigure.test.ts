import { describe, expect, it } from 'vitest';
import { createAcd } from '../../src/domain/acd/acd.ts';
import type { AcdConfig, QueueConfig } from '../../src/domain/acd/queues.ts';

const main: QueueConfig = { id: 'main', target: { skills: ['general'], minLevel: 1 }, maxWaitSeconds: 600 };
const social: QueueConfig = { id: 'social', target: { skills: ['social'], minLevel: 3 } };
const before: AcdConfig = { lines: [{ line: '12345', queueId: 'main' }, { line: '12333', queueId: 'social' }], queues: [main, social] };

const S = 1000;

describe('a new version of the lines and desks in the queue engine', () => {
  it('when the desks change, then the callers held keep their order, their time and their maximum wait; a new caller gets the new ones', () => {
    const acd = createAcd(before);
    acd.callArrived({ id: 'a', line: '12345' }, 0);
    acd.callArrived({ id: 'b', line: '12345' }, 10 * S);
    acd.reconfigure({ lines: before.lines, queues: [{ ...main, maxWaitSeconds: 30, priority: 5 }, social] }, 20 * S);
    acd.callArrived({ id: 'c', line: '12345' }, 25 * S);
    expect(acd.waitingOrder('main')).toEqual(['a', 'b', 'c']);
    expect(acd.call('a')).toMatchObject({ queuedAt: 0, priority: 5 });
    expect(acd.expiredWaits(56 * S).map((e) => e.callId)).toEqual(['c']);
    expect(acd.expiredWaits(599 * S)).toEqual([]);
    expect(acd.expiredWaits(600 * S).map((e) => e.callId)).toEqual(['a']);
  });

  it('when a desk\'s target changes, then its waiting callers are routed by the new one', () => {
    const acd = createAcd(before);
    acd.setSkills('x', { general: 3 });
    acd.agentRegistered('x', true);
    acd.callArrived({ id: 'a', line: '12333' }, 0);
    acd.agentReady('x', 0);
    expect(acd.nextAssignments(1 * S)).toEqual([]);
    acd.reconfigure({ lines: before.lines, queues: [main, { ...social, target: { skills: ['social', 'general'], minLevel: 3 } }] }, 2 * S);
    expect(acd.nextAssignments(2 * S)).toEqual([{ callId: 'a', agentId: 'x', queueId: 'social' }]);
  });

  it('when a desk holding callers is removed, then it keeps them, takes no new one, and is forgotten at a later change once empty', () => {
    const acd = createAcd(before);
    acd.callArrived({ id: 'a', line: '12333' }, 0);
    const after: AcdConfig = { lines: [{ line: '12345', queueId: 'main' }, { line: '12333', queueId: 'main' }], queues: [main] };
    acd.reconfigure(after, 5 * S);
    expect(acd.queueIds()).toEqual(['main', 'social']);
    expect(acd.callArrived({ id: 'b', line: '12333' }, 6 * S)).toEqual({ accepted: true, queueId: 'main' });
    expect(acd.callArrived({ id: 'r', line: '12333', resume: { queueId: 'social', joinedAt: 0 } }, 6 * S)).toMatchObject({ accepted: true, queueId: 'main' });
    acd.setSkills('s', { social: 4 });
    acd.agentRegistered('s', true);
    acd.agentReady('s', 7 * S);
    expect(acd.nextAssignments(7 * S)).toEqual([{ callId: 'a', agentId: 's', queueId: 'social' }]);
    acd.reconfigure(after, 8 * S);
    expect(acd.queueIds()).toEqual(['main', 'social']);       // still ringing a seat
    acd.callAnswered('a');
    acd.reconfigure(after, 9 * S);
    expect(acd.queueIds()).toEqual(['main']);
    expect(acd.waitingOrder('main')).toEqual(['b', 'r']);
  });
});
