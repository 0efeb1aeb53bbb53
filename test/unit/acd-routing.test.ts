import { describe, expect, it } from 'vitest';
import { createAcd, type Acd } from '../../src/domain/acd/acd.ts';
import type { AcdConfig, SkillLevels } from '../../src/domain/acd/queues.ts';

const config: AcdConfig = {
  lines: [
    { line: '12345', queueId: 'main' },
    { line: '12333', queueId: 'social' },
    { line: '12315', queueId: 'enterprise', priority: 1 },
  ],
  queues: [
    { id: 'main', target: { skills: ['general'], minLevel: 1 } },
    {
      id: 'social', target: { skills: ['social'], minLevel: 3 },
      overflowRules: [
        { afterSeconds: 20, widenTo: { skills: ['social'], minLevel: 1 } },
        { afterSeconds: 40, widenTo: { skills: ['general'], minLevel: 1 } },
      ],
    },
    { id: 'enterprise', target: [{ skills: ['enterprise'], minLevel: 2 }], maxWaiting: 2, overflowTo: { kind: 'queue', queueId: 'main' } },
  ],
};

type Step =
  | ['seat', string, SkillLevels, number]
  | ['call', string, string, number, number?]
  | ['returned', string];

/** Seats are made ready at their given time; calls arrive at theirs; then routing runs once at `at`. */
function route(steps: Step[], at: number): Array<[string, string]> {
  const acd = createAcd(config);
  for (const step of steps) {
    if (step[0] === 'seat') {
      const [, id, skills, readyAt] = step;
      acd.setSkills(id, skills);
      acd.agentRegistered(id, true);
      acd.agentReady(id, readyAt);
    } else if (step[0] === 'call') {
      const [, id, line, arrivedAt, boost] = step;
      acd.callArrived({ id, line, priorityBoost: boost ?? 0 }, arrivedAt);
    }
  }
  return acd.nextAssignments(at).map((a) => [a.callId, a.agentId]);
}

describe('routing a call to a seat', () => {
  it.each<[string, Step[], number, Array<[string, string]>]>([
    ['two general seats are free', [['seat', 's2', { general: 1 }, 100], ['seat', 's1', { general: 1 }, 200], ['call', 'c1', '12345', 300]], 300, [['c1', 's2']]],
    ['two seats have been idle equally long', [['seat', 's9', { general: 1 }, 100], ['seat', 's3', { general: 1 }, 100], ['call', 'c1', '12345', 300]], 300, [['c1', 's3']]],
    ['the only free seat lacks the skill', [['seat', 's1', { general: 5 }, 0], ['call', 'c1', '12333', 0]], 0, []],
    ['the social seat is below the level', [['seat', 's1', { social: 2 }, 0], ['call', 'c1', '12333', 0]], 0, []],
    ['the social seat meets the level', [['seat', 's1', { social: 3 }, 0], ['call', 'c1', '12333', 0]], 0, [['c1', 's1']]],
    ['a social call has waited 19.999 s', [['seat', 's1', { social: 1 }, 0], ['call', 'c1', '12333', 0]], 19_999, []],
    ['a social call has waited exactly 20 s', [['seat', 's1', { social: 1 }, 0], ['call', 'c1', '12333', 0]], 20_000, [['c1', 's1']]],
    ['a social call has waited 39.999 s with only general seats', [['seat', 's1', { general: 1 }, 0], ['call', 'c1', '12333', 0]], 39_999, []],
    ['a social call has waited exactly 40 s with only general seats', [['seat', 's1', { general: 1 }, 0], ['call', 'c1', '12333', 0]], 40_000, [['c1', 's1']]],
    ['two calls wait and one seat frees', [['call', 'c1', '12345', 10], ['call', 'c2', '12345', 5], ['seat', 's1', { general: 1 }, 20]], 20, [['c2', 's1']]],
    ['two calls arrive at the same moment', [['call', 'c1', '12345', 10], ['call', 'c2', '12345', 10], ['seat', 's1', { general: 1 }, 20]], 20, [['c1', 's1']]],
    ['a later caller has an overdue ticket', [['call', 'c1', '12345', 0], ['call', 'c2', '12345', 5, 2], ['seat', 's1', { general: 1 }, 20]], 20, [['c2', 's1']]],
    ['the enterprise line has priority', [['call', 'c1', '12333', 0], ['call', 'c2', '12315', 5], ['seat', 's1', { social: 5, enterprise: 5 }, 20]], 20, [['c2', 's1']]],
    ['the longest-idle seat is the only one who can take the second call', [
      ['seat', 's1', { general: 1, social: 4 }, 0], ['seat', 's2', { general: 1 }, 10],
      ['call', 'c1', '12345', 20], ['call', 'c2', '12333', 30],
    ], 30, [['c1', 's1']]],
    ['a multi-skilled seat and a general seat are free', [
      ['seat', 's1', { general: 1, enterprise: 3 }, 0], ['seat', 's2', { general: 1 }, 10],
      ['call', 'c1', '12315', 20], ['call', 'c2', '12345', 30],
    ], 30, [['c1', 's1'], ['c2', 's2']]],
  ])('when %s, then the offers are as expected', (_what, steps, at, expected) => {
    expect(route(steps, at)).toEqual(expected);
  });
});

function seatUp(acd: Acd, id: string, skills: SkillLevels, at: number): void {
  acd.setSkills(id, skills);
  acd.agentRegistered(id, true);
  acd.agentReady(id, at);
}

describe('seats that cannot take calls', () => {
  it.each<[string, (acd: Acd) => void]>([
    ['paused', (acd) => acd.agentUnavailable('s1')],
    ['on a call', (acd) => acd.agentBusy('s1')],
    ['without a registered phone', (acd) => acd.agentRegistered('s1', false)],
    ['stripped of the skill', (acd) => acd.setSkills('s1', { social: 5 })],
  ])('when the only seat is %s, then no call is offered', (_what, change) => {
    const acd = createAcd(config);
    seatUp(acd, 's1', { general: 1 }, 0);
    change(acd);
    acd.callArrived({ id: 'c1', line: '12345' }, 10);
    expect(acd.nextAssignments(10)).toEqual([]);
    expect(acd.call('c1')?.state).toBe('waiting');
  });
});

describe('a seat that does not answer', () => {
  it('when the offered seat does not answer, then the call goes back ahead of earlier callers and the seat is unavailable', () => {
    const acd = createAcd(config);
    acd.callArrived({ id: 'c1', line: '12345' }, 0);
    seatUp(acd, 's1', { general: 1 }, 5);
    expect(acd.nextAssignments(5)).toEqual([{ callId: 'c1', agentId: 's1', queueId: 'main' }]);
    acd.callArrived({ id: 'c2', line: '12345', priorityBoost: 3 }, 6);
    acd.callReturnedToHead('c1');
    expect(acd.seat('s1')?.state).toBe('unavailable');
    expect(acd.waitingOrder('main')).toEqual(['c1', 'c2']);
    seatUp(acd, 's2', { general: 1 }, 30);
    expect(acd.nextAssignments(30).map((a) => a.callId)).toEqual(['c1']);
  });

  it('when two returned calls wait and the seat may take only the one further back, then it takes that one', () => {
    const acd = createAcd(config);
    acd.callArrived({ id: 'c1', line: '12333' }, 0);
    acd.callArrived({ id: 'c2', line: '12333', priorityBoost: 2 }, 15_000);
    seatUp(acd, 'x1', { social: 5 }, 15_000);
    seatUp(acd, 'x2', { social: 5 }, 15_000);
    expect(acd.nextAssignments(15_000).map((a) => a.callId)).toEqual(['c2', 'c1']);
    acd.callReturnedToHead('c1');
    acd.callReturnedToHead('c2');
    expect(acd.waitingOrder('social')).toEqual(['c2', 'c1']);
    expect(acd.nextAssignments(21_000)).toEqual([]);
    seatUp(acd, 'junior', { social: 1 }, 25_000);
    expect(acd.nextAssignments(25_000)).toEqual([{ callId: 'c1', agentId: 'junior', queueId: 'social' }]);
  });

  it('when the caller hangs up while a seat rings, then the seat is free again with its idle time kept', () => {
    const acd = createAcd(config);
    seatUp(acd, 's1', { general: 1 }, 5);
    seatUp(acd, 's2', { general: 1 }, 7);
    acd.callArrived({ id: 'c1', line: '12345' }, 10);
    expect(acd.nextAssignments(10)[0]?.agentId).toBe('s1');
    acd.callLeft('c1');
    expect(acd.seat('s1')).toMatchObject({ free: true, idleSince: 5 });
    acd.callArrived({ id: 'c2', line: '12345' }, 11);
    expect(acd.nextAssignments(11)[0]?.agentId).toBe('s1');
  });
});

describe('limits and overflow', () => {
  it('when the enterprise queue holds its maximum, then the next caller goes to the main queue', () => {
    const acd = createAcd(config);
    expect(acd.callArrived({ id: 'c1', line: '12315' }, 0)).toEqual({ accepted: true, queueId: 'enterprise' });
    acd.callArrived({ id: 'c2', line: '12315' }, 1);
    expect(acd.callArrived({ id: 'c3', line: '12315' }, 2)).toEqual({ accepted: true, queueId: 'main', overflowedFrom: ['enterprise'] });
  });

  it('when a queue is full and overflows to a callback, then the caller is refused with the reason', () => {
    const acd = createAcd({ lines: [{ line: '1', queueId: 'q' }], queues: [{ id: 'q', target: { skills: ['g'], minLevel: 1 }, maxWaiting: 1 }] });
    acd.callArrived({ id: 'c1', line: '1' }, 0);
    expect(acd.callArrived({ id: 'c2', line: '1' }, 0)).toEqual({ accepted: false, overflow: { kind: 'callback' }, reason: 'max_waiting' });
    expect(acd.callArrived({ id: 'c3', line: '9' }, 0)).toMatchObject({ accepted: false, reason: 'unknown_line' });
  });

  it('when a caller reaches the maximum wait, then it moves or becomes a callback, at exactly that moment', () => {
    const acd = createAcd({
      lines: [{ line: '1', queueId: 'a' }],
      queues: [
        { id: 'a', target: { skills: ['x'], minLevel: 1 }, maxWaitSeconds: 30, overflowTo: { kind: 'queue', queueId: 'b' } },
        { id: 'b', target: { skills: ['y'], minLevel: 1 }, maxWaitSeconds: 60 },
      ],
    });
    acd.callArrived({ id: 'c1', line: '1' }, 1_000);
    expect(acd.nextWakeAt(1_000)).toBe(31_000);
    expect(acd.expiredWaits(30_999)).toEqual([]);
    expect(acd.expiredWaits(31_000)).toEqual([{ callId: 'c1', fromQueueId: 'a', reason: 'max_wait', destination: { kind: 'queue', queueId: 'b' } }]);
    expect(acd.nextWakeAt(31_000)).toBe(91_000);
    expect(acd.expiredWaits(91_000)).toEqual([{ callId: 'c1', fromQueueId: 'b', reason: 'max_wait', destination: { kind: 'callback' } }]);
    expect(acd.call('c1')).toBeUndefined();
    expect(acd.nextWakeAt(91_000)).toBeNull();
  });

  it('when a caller is taken up again after a restart, then it goes back to the queue it was in and its maximum wait runs on from when it joined it', () => {
    const acd = createAcd({
      lines: [{ line: '1', queueId: 'a' }],
      queues: [
        { id: 'a', target: { skills: ['x'], minLevel: 1 }, maxWaitSeconds: 30, overflowTo: { kind: 'queue', queueId: 'b' } },
        { id: 'b', target: { skills: ['y'], minLevel: 1 }, maxWaitSeconds: 60, maxWaiting: 1 },
      ],
    });
    // waited 20 s of the 30 in a before the restart at 50 s: 10 s left
    expect(acd.callArrived({ id: 'c1', line: '1', arrivedAt: 25_000, resume: { queueId: 'a', joinedAt: 30_000 } }, 50_000)).toEqual({ accepted: true, queueId: 'a' });
    expect(acd.call('c1')).toMatchObject({ queueId: 'a', arrivedAt: 25_000, queuedAt: 30_000 });
    expect(acd.nextWakeAt(50_000)).toBe(60_000);
    // had overflowed to b 70 s before the restart: 60 s there is over, so it is handed on at once
    expect(acd.callArrived({ id: 'c2', line: '1', arrivedAt: 0, resume: { queueId: 'b', joinedAt: -20_000 } }, 50_000)).toEqual({ accepted: true, queueId: 'b' });
    expect(acd.expiredWaits(50_000)).toEqual([{ callId: 'c2', fromQueueId: 'b', reason: 'max_wait', destination: { kind: 'callback' } }]);
    // a queue no longer configured: the line's queue, from now
    acd.callArrived({ id: 'c3', line: '1', arrivedAt: 40_000, resume: { queueId: 'gone', joinedAt: 41_000 } }, 50_000);
    expect(acd.call('c3')).toMatchObject({ queueId: 'a', arrivedAt: 40_000, queuedAt: 50_000 });
    // its queue full (b holds one): overflowed along from there, from now
    acd.callArrived({ id: 'c4', line: '1', resume: { queueId: 'b', joinedAt: 45_000 } }, 50_000);
    expect(acd.callArrived({ id: 'c5', line: '1', resume: { queueId: 'b', joinedAt: 45_000 } }, 50_000)).toMatchObject({ accepted: false, reason: 'max_waiting' });
    expect(acd.call('c4')).toMatchObject({ queueId: 'b', queuedAt: 45_000 });
  });

  it('when a social call waits, then the next wake-up is its 20 s widening', () => {
    const acd = createAcd(config);
    acd.callArrived({ id: 'c1', line: '12333' }, 500);
    expect(acd.nextWakeAt(500)).toBe(20_500);
    acd.nextAssignments(20_500);
    expect(acd.nextWakeAt(20_500)).toBe(40_500);
  });

  it.each([
    [{ lines: [{ line: '1', queueId: 'nope' }], queues: [] }, 'no queue nope'],
    [{ lines: [], queues: [{ id: 'q', target: { skills: ['g'], minLevel: 7 } }] }, 'level 7'],
    [{ lines: [], queues: [{ id: 'q', target: { skills: ['g'], minLevel: 1 }, overflowTo: { kind: 'queue' as const, queueId: 'z' } }] }, 'unknown queue z'],
  ])('when the configuration is wrong (%#), then the engine refuses it by name', (bad, message) => {
    expect(() => createAcd(bad)).toThrow(message);
  });
});
