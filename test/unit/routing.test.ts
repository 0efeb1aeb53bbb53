import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pickAgent, type RoutableAgent } from '../../src/domain/routing.ts';

const agent = (id: string, idleSince: number | null, over: Partial<RoutableAgent> = {}): RoutableAgent => ({
  id, state: 'ready', idleSince, registered: true, ...over,
});

describe('picking an agent for a call', () => {
  it('when nobody is there, then no agent is picked', () => {
    expect(pickAgent([])).toBeUndefined();
  });

  it('when several agents are ready, then the one idle the longest is picked', () => {
    expect(pickAgent([agent('a1', 3_000), agent('a2', 1_000), agent('a3', 2_000)])).toBe('a2');
  });

  it('when two agents have been idle equally long, then the smaller id wins', () => {
    expect(pickAgent([agent('seat0009', 1_000), agent('seat0002', 1_000), agent('seat0005', 1_000)])).toBe('seat0002');
  });

  it('when the longest-idle agent\'s phone is not registered, then the next one is picked', () => {
    expect(pickAgent([agent('a1', 1_000, { registered: false }), agent('a2', 2_000)])).toBe('a2');
  });

  it.each(['offline', 'ringing', 'on_call', 'wrap_up', 'paused'])('when the only agent is %s, then nobody is picked', (state) => {
    expect(pickAgent([agent('a1', 1_000, { state })])).toBeUndefined();
  });

  it('when a ready agent has no idle time recorded, then they count as idle the longest', () => {
    expect(pickAgent([agent('a1', 1_000), agent('a2', null)])).toBe('a2');
  });

  it('when the call needs a skill, then only agents with that skill are picked', () => {
    const agents = [agent('a1', 1_000, { skills: ['粤语'] }), agent('a2', 500), agent('a3', 2_000, { skills: ['企业', '粤语'] })];
    expect(pickAgent(agents, { skill: '粤语' })).toBe('a1');
    expect(pickAgent(agents, { skill: '英语' })).toBeUndefined();
    expect(pickAgent(agents)).toBe('a2');
  });

  it('when agents come in any order, then the pick equals sorting by idle time then id', () => {
    const arb = fc.uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 4 }),
        state: fc.constantFrom('ready', 'paused', 'on_call'),
        idleSince: fc.integer({ min: 0, max: 20 }),
        registered: fc.boolean(),
      }),
      { selector: (a) => a.id, maxLength: 30 },
    );
    fc.assert(fc.property(arb, (agents) => {
      const eligible = agents.filter((a) => a.state === 'ready' && a.registered)
        .sort((a, b) => a.idleSince - b.idleSince || (a.id < b.id ? -1 : 1));
      expect(pickAgent(agents)).toBe(eligible[0]?.id);
    }));
  });
});
