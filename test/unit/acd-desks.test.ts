import { describe, expect, it } from 'vitest';
import { createAcd, type Acd } from '../../src/domain/acd/acd.ts';
import type { AcdConfig, SkillLevels } from '../../src/domain/acd/queues.ts';

/** Issue 15: an agent on a desk (专席) takes that desk's callers only; an agent with no desk, any their skills fit. */
const config: AcdConfig = {
  lines: [
    { line: '12345', queueId: 'main' },
    { line: '12333', queueId: 'social' },
    { line: '12315', queueId: 'enterprise' },
  ],
  queues: [
    { id: 'main', target: { skills: ['general'], minLevel: 1 } },
    {
      id: 'social', target: { skills: ['social'], minLevel: 3 },
      overflowRules: [{ afterSeconds: 40, widenTo: { skills: ['general'], minLevel: 1 } }],
    },
    { id: 'enterprise', target: { skills: ['enterprise'], minLevel: 2 } },
  ],
};

type Step =
  /** A seat with its skills and desk, ready (phone registered) at the given time. */
  | ['seat', string, SkillLevels, string | null, number]
  | ['call', string, string, number]
  | ['desk', string, string | null]
  | ['skills', string, SkillLevels]
  /** A routing decision at the given time; its offers, as `call>seat@time`, are what the row expects, in order. */
  | ['route', number];

function run(steps: Step[], acd: Acd = createAcd(config)): string[] {
  const offers: string[] = [];
  for (const step of steps) {
    switch (step[0]) {
      case 'seat': {
        const [, id, skills, desk, readyAt] = step;
        acd.setSkills(id, skills);
        acd.setDesk(id, desk);
        acd.agentRegistered(id, true);
        acd.agentReady(id, readyAt);
        break;
      }
      case 'call': acd.callArrived({ id: step[1], line: step[2] }, step[3]); break;
      case 'desk': acd.setDesk(step[1], step[2]); break;
      case 'skills': acd.setSkills(step[1], step[2]); break;
      case 'route': for (const a of acd.nextAssignments(step[1])) offers.push(`${a.callId}>${a.agentId}@${step[1]}`); break;
    }
  }
  return offers;
}

describe('routing with desks (专席)', () => {
  it.each<[string, Step[], string[]]>([
    // A desk agent and another queue's caller: neither direction of the search pairs them.
    ['a desk agent is idle longest and a main caller arrives, then the caller goes to the agent with no desk', [
      ['seat', 'd', { general: 3, social: 4 }, 'social', 0], ['seat', 'o', { general: 1 }, null, 10], ['route', 10],
      ['call', 'c1', '12345', 20], ['route', 20],
    ], ['c1>o@20']],
    ['a main caller waits and a desk agent frees, then the caller waits on', [
      ['call', 'c1', '12345', 0], ['route', 0], ['seat', 'd', { general: 5 }, 'social', 5], ['route', 5],
    ], []],
    ['a desk agent is the only free seat and callers of two other queues wait, then nobody is offered', [
      ['seat', 'd', { general: 3, enterprise: 5 }, 'social', 0], ['call', 'c1', '12345', 1], ['call', 'c2', '12315', 2], ['route', 2],
    ], []],
    // The desk's own callers.
    ['a main caller waits, a desk agent is idle longest and their desk\'s caller arrives, then the desk agent takes that one', [
      ['call', 'c0', '12345', 0], ['seat', 'd', { general: 3, social: 4 }, 'social', 1], ['route', 1],
      ['seat', 'o', { social: 5 }, null, 10], ['route', 10], ['call', 'c1', '12333', 20], ['route', 20],
    ], ['c1>d@20']],
    ['a main and a desk caller wait and the desk agent frees, then the desk agent takes the desk caller', [
      ['call', 'c1', '12345', 0], ['call', 'c2', '12333', 1], ['route', 1], ['seat', 'd', { general: 3, social: 3 }, 'social', 5], ['route', 5],
    ], ['c2>d@5']],
    ['an agent with no desk is idle longer than the desk agent and a desk caller arrives, then the longest idle takes it', [
      ['seat', 'd', { social: 4 }, 'social', 10], ['seat', 'o', { social: 3 }, null, 0], ['route', 10],
      ['call', 'c1', '12333', 20], ['route', 20],
    ], ['c1>o@20']],
    // Skills and levels still count on a desk, widening included.
    ['a desk agent is below the desk\'s level, then they do not take its caller', [
      ['seat', 'd', { social: 2 }, 'social', 0], ['call', 'c1', '12333', 0], ['route', 0],
    ], []],
    ['a desk agent has none of the desk\'s skills, then its caller waits until the target widens to one they have (40 s)', [
      ['seat', 'd', { general: 2 }, 'social', 0], ['call', 'c1', '12333', 0], ['route', 0], ['route', 39_999], ['route', 40_000],
    ], ['c1>d@40000']],
    // No desk: as before desks.
    ['an agent with no desk is free and a main caller arrives, then they take it', [
      ['seat', 'o', { general: 2, social: 4 }, null, 0], ['call', 'c1', '12345', 1], ['route', 1],
    ], ['c1>o@1']],
    ['an agent with no desk is free and a desk caller arrives, then they take it', [
      ['seat', 'o', { general: 2, social: 4 }, null, 0], ['call', 'c1', '12333', 1], ['route', 1],
    ], ['c1>o@1']],
    ['an agent is on a desk that is not in the plan, then they take callers as if they had none', [
      ['seat', 'x', { general: 2 }, 'dialect', 0], ['call', 'c1', '12345', 1], ['route', 1],
    ], ['c1>x@1']],
    // Changes count from the next decision.
    ['a desk agent is taken off the desk while a main caller waits, then the next decision offers it to them', [
      ['seat', 'd', { general: 3 }, 'social', 0], ['call', 'c1', '12345', 1], ['route', 1], ['desk', 'd', null], ['route', 2],
    ], ['c1>d@2']],
    ['a free agent is put on a desk while a main caller waits, then the next decision does not offer it to them', [
      ['call', 'c1', '12345', 0], ['seat', 'o', { general: 3 }, null, 0], ['desk', 'o', 'social'], ['route', 1],
    ], []],
    ['a desk agent is moved to the desk of a waiting caller, then the next decision offers it to them', [
      ['seat', 'd', { general: 3, enterprise: 3 }, 'social', 0], ['call', 'c1', '12315', 1], ['route', 1], ['desk', 'd', 'enterprise'], ['route', 2],
    ], ['c1>d@2']],
    ['a desk agent is given the desk\'s skill, then the next decision offers them its waiting caller', [
      ['call', 'c0', '12345', 0], ['seat', 'd', { general: 3 }, 'social', 0], ['call', 'c1', '12333', 1], ['route', 1], ['skills', 'd', { social: 3 }], ['route', 2],
    ], ['c1>d@2']],
  ])('when %s', (_what, steps, expected) => {
    expect(run(steps)).toEqual(expected);
  });

  it('when an agent is put on a desk while a call rings for them, then the call stays theirs; the desk counts from their next call', () => {
    const acd = createAcd(config);
    run([['seat', 'o', { general: 3, social: 3 }, null, 0], ['call', 'c1', '12345', 1]], acd);
    expect(acd.nextAssignments(1)).toEqual([{ callId: 'c1', agentId: 'o', queueId: 'main' }]);
    acd.setDesk('o', 'social');
    acd.callArrived({ id: 'c2', line: '12345' }, 2);
    expect(acd.nextAssignments(2)).toEqual([]);
    expect(acd.call('c1')).toMatchObject({ state: 'offered', agentId: 'o' });
    expect(acd.seat('o')).toMatchObject({ offeredCallId: 'c1', desk: 'social', deskInForce: true });
    expect(acd.callAnswered('c1')).toBe(true);
    acd.agentReady('o', 100);
    expect(acd.nextAssignments(100)).toEqual([]);
    expect(acd.freeSeats).toBe(1);
    acd.callArrived({ id: 'c3', line: '12333' }, 101);
    expect(acd.nextAssignments(101)).toEqual([{ callId: 'c3', agentId: 'o', queueId: 'social' }]);
    expect(acd.waitingOrder('main')).toEqual(['c2']);
  });

  it('when a desk is removed from the plan, then its agents take callers as if they had no desk, even while it drains; put back, it holds them again', () => {
    const acd = createAcd(config);
    run([['call', 'c1', '12333', 0], ['call', 'c2', '12345', 1], ['route', 1], ['seat', 'd', { general: 3 }, 'social', 2], ['seat', 'e', { general: 3 }, 'social', 3]], acd);
    expect(acd.nextAssignments(3)).toEqual([]);
    const without: AcdConfig = { lines: [{ line: '12345', queueId: 'main' }, { line: '12333', queueId: 'main' }], queues: [config.queues[0]!] };
    acd.reconfigure(without, 4);
    expect(acd.queueIds()).toEqual(['main', 'social']);          // draining c1
    expect(acd.seat('d')).toMatchObject({ desk: 'social', deskInForce: false });
    expect(acd.nextAssignments(4)).toEqual([{ callId: 'c2', agentId: 'd', queueId: 'main' }]);
    acd.callArrived({ id: 'c3', line: '12345' }, 5);
    expect(acd.nextAssignments(5)).toEqual([{ callId: 'c3', agentId: 'e', queueId: 'main' }]);
    acd.callLeft('c1');
    acd.callAnswered('c2');
    acd.callAnswered('c3');
    acd.reconfigure(config, 10);
    acd.agentReady('d', 11);
    acd.callArrived({ id: 'c4', line: '12345' }, 12);
    expect(acd.seat('d')).toMatchObject({ desk: 'social', deskInForce: true, free: true });
    expect(acd.nextAssignments(12)).toEqual([]);
    expect(acd.freeSeats).toBe(1);
  });
});
