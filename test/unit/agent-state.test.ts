import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AGENT_EVENT_KINDS, AGENT_STATES, AGENT_TRANSITIONS, newAgentStatus, restoreAgentStatus, resumeAgentCall, transition,
  type AgentEvent, type StoredAgentState, type AgentEventKind, type AgentState, type AgentStatus,
} from '../../src/domain/agent-state.ts';

const T0 = Date.UTC(2026, 10, 23, 1, 0, 0);
const NOW = T0 + 60_000;

function agentIn(state: AgentState, over: Partial<AgentStatus> = {}): AgentStatus {
  const onCall = state === 'ringing' || state === 'on_call' || state === 'wrap_up';
  return {
    id: 'a1', state, reason: state === 'paused' ? 'lunch' : null, since: T0,
    idleSince: state === 'ready' || state === 'ringing' ? T0 - 5_000 : null,
    registered: true, callId: onCall ? 'c1' : null, ...over,
  };
}

function eventOf(kind: AgentEventKind, callId = 'c1'): AgentEvent {
  switch (kind) {
    case 'pause': return { kind, reason: 'training' };
    case 'force_pause': return { kind, reason: 'meeting', by: 'sup1' };
    case 'force_ready': case 'force_logout': return { kind, by: 'sup1' };
    case 'offer': case 'answered': case 'no_answer': case 'reject': case 'busy': case 'offer_withdrawn': return { kind, callId };
    case 'call_ended': return { kind, callId };
    default: return { kind } as AgentEvent;
  }
}

// The expected outcome of every (state, event) pair, written out by hand: '-' means refused.
const EXPECTED: Record<AgentState, string> = {
  //         login  ready  pause  logout offer  answ   noans  reject busy   withdr ended  wudone preg   punreg fready fpause flogout
  offline: 'paused -      -      -      -      -      -      -      -      -      -      -      offline offline -      -      -',
  ready:   '-      -      paused offline ringing -    -      -      -      -      -      -      ready  ready  -      paused offline',
  ringing: '-      -      paused offline -    on_call paused paused paused ready  -      -      ringing paused -      paused offline',
  on_call: '-      -      -      -      -      -      -      -      -      -      wrap_up -     on_call on_call -     -      -',
  wrap_up: '-      ready  paused offline -      -      -      -      -      -      -      ready  wrap_up wrap_up ready paused offline',
  paused:  '-      ready  paused offline -      -      -      -      -      -      -      -      paused paused ready  paused offline',
};

const pairs = AGENT_STATES.flatMap((state) => {
  const row = EXPECTED[state].split(/\s+/);
  return AGENT_EVENT_KINDS.map((kind, i) => ({ state, kind, expected: row[i]! }));
});

describe('agent state machine', () => {
  it('when the hand-written table is read, then it covers every state and event', () => {
    for (const state of AGENT_STATES) expect(EXPECTED[state].split(/\s+/)).toHaveLength(AGENT_EVENT_KINDS.length);
  });

  it.each(pairs)('when a $state agent gets $kind, then the outcome is $expected', ({ state, kind, expected }) => {
    const result = transition(agentIn(state), eventOf(kind), NOW);
    const exported = (AGENT_TRANSITIONS[state] as Partial<Record<AgentEventKind, AgentState>>)[kind];
    if (expected === '-') {
      expect(result).toEqual({ ok: false, refused: `${kind}_while_${state}` });
      expect(exported).toBeUndefined();
    } else {
      expect(result.ok && result.agent.state).toBe(expected);
      expect(exported).toBe(expected);
    }
  });

  it('when an agent logs in, then they are paused with reason login and not yet routable', () => {
    const r = transition(newAgentStatus('a1', T0), { kind: 'login' }, NOW);
    expect(r).toMatchObject({ ok: true, agent: { state: 'paused', reason: 'login', since: NOW, idleSince: null } });
  });

  it('when a paused agent becomes ready, then idleSince is now and waiting calls are routed', () => {
    const r = transition(agentIn('paused'), { kind: 'ready' }, NOW);
    expect(r).toEqual({ ok: true, agent: expect.objectContaining({ state: 'ready', reason: null, idleSince: NOW }), effects: [{ kind: 'route_waiting_calls' }] });
  });

  it('when a ringing agent does not answer, then they are paused for no_answer and keep no call', () => {
    const r = transition(agentIn('ringing'), { kind: 'no_answer', callId: 'c1' }, NOW);
    expect(r).toEqual({ ok: true, agent: expect.objectContaining({ state: 'paused', reason: 'no_answer', callId: null, idleSince: null }), effects: [] });
  });

  it('when the no-answer pause reason is configured, then that reason is used', () => {
    const r = transition(agentIn('ringing'), { kind: 'no_answer', callId: 'c1' }, NOW, { wrapUpMs: 1, noAnswerPauseReason: '未接' });
    expect(r.ok && r.agent.reason).toBe('未接');
  });

  it('when the caller leaves while the seat rings, then the agent is ready again with their place in line', () => {
    const r = transition(agentIn('ringing'), { kind: 'offer_withdrawn', callId: 'c1' }, NOW);
    expect(r).toMatchObject({ ok: true, agent: { state: 'ready', idleSince: T0 - 5_000, callId: null } });
  });

  it('when a ringing agent declines or logs out, then the offer is cancelled', () => {
    for (const kind of ['reject', 'pause', 'logout', 'force_pause', 'force_logout', 'phone_unregistered'] as const) {
      const r = transition(agentIn('ringing'), eventOf(kind), NOW);
      expect(r.ok && r.effects, kind).toContainEqual({ kind: 'cancel_offer', callId: 'c1' });
    }
    const rejected = transition(agentIn('ringing'), { kind: 'reject', callId: 'c1' }, NOW);
    expect(rejected.ok && rejected.agent.reason).toBe('rejected');
  });

  it('when an offer is answered, then the agent is on the call and idle no more', () => {
    const r = transition(agentIn('ringing'), { kind: 'answered', callId: 'c1' }, NOW);
    expect(r).toEqual({ ok: true, agent: expect.objectContaining({ state: 'on_call', callId: 'c1', idleSince: null }), effects: [] });
  });

  it('when a call ends, then wrap-up starts with the line\'s time or the default', () => {
    expect(transition(agentIn('on_call'), { kind: 'call_ended', callId: 'c1', wrapUpMs: 30_000 }, NOW)).toMatchObject({
      ok: true, agent: { state: 'wrap_up', callId: 'c1' }, effects: [{ kind: 'start_wrap_up_timer', ms: 30_000 }],
    });
    expect(transition(agentIn('on_call'), { kind: 'call_ended', callId: 'c1' }, NOW)).toMatchObject({
      effects: [{ kind: 'start_wrap_up_timer', ms: 15_000 }],
    });
  });

  it('when wrap-up is left any way, then the wrap-up timer is cancelled', () => {
    for (const kind of ['wrap_up_done', 'ready', 'pause', 'logout', 'force_ready', 'force_pause', 'force_logout'] as const) {
      const r = transition(agentIn('wrap_up'), eventOf(kind), NOW);
      expect(r.ok && r.effects, kind).toContainEqual({ kind: 'cancel_wrap_up_timer' });
    }
  });

  it('when an agent on a call tries to log out or pause, then it is refused', () => {
    expect(transition(agentIn('on_call'), { kind: 'logout' }, NOW)).toEqual({ ok: false, refused: 'logout_while_on_call' });
    expect(transition(agentIn('on_call'), { kind: 'pause', reason: 'x' }, NOW)).toEqual({ ok: false, refused: 'pause_while_on_call' });
  });

  it('when an event names another call than the agent\'s, then it is refused', () => {
    expect(transition(agentIn('ringing'), { kind: 'answered', callId: 'old' }, NOW)).toEqual({ ok: false, refused: 'other_call' });
    expect(transition(agentIn('on_call'), { kind: 'call_ended', callId: 'old' }, NOW)).toEqual({ ok: false, refused: 'other_call' });
  });

  it('when the phone unregisters or registers, then only registration changes for a ready agent', () => {
    const down = transition(agentIn('ready'), { kind: 'phone_unregistered' }, NOW);
    expect(down).toMatchObject({ ok: true, agent: { state: 'ready', registered: false, since: T0, idleSince: T0 - 5_000 } });
    const up = down.ok ? transition(down.agent, { kind: 'phone_registered' }, NOW) : down;
    expect(up).toMatchObject({ ok: true, agent: { state: 'ready', registered: true } });
  });

  it('when a paused agent changes pause reason, then since restarts; the same reason keeps it', () => {
    expect(transition(agentIn('paused'), { kind: 'pause', reason: 'training' }, NOW)).toMatchObject({ agent: { reason: 'training', since: NOW } });
    expect(transition(agentIn('paused'), { kind: 'pause', reason: 'lunch' }, NOW)).toMatchObject({ agent: { reason: 'lunch', since: T0 } });
  });

  it('when any sequence of events is applied, then the agent record stays consistent', () => {
    const kinds = fc.constantFrom(...AGENT_EVENT_KINDS);
    fc.assert(fc.property(fc.array(fc.tuple(kinds, fc.constantFrom('c1', 'c2')), { maxLength: 60 }), (steps) => {
      let agent = newAgentStatus('a1', T0);
      let now = T0;
      for (const [kind, callId] of steps) {
        now += 1_000;
        const r = transition(agent, eventOf(kind, callId), now);
        if (!r.ok) continue;
        agent = r.agent;
        expect(agent.reason !== null).toBe(agent.state === 'paused');
        expect(agent.callId !== null).toBe(['ringing', 'on_call', 'wrap_up'].includes(agent.state));
        if (agent.idleSince !== null) expect(['ready', 'ringing']).toContain(agent.state);
        if (agent.state === 'ready') expect(agent.idleSince).not.toBeNull();
      }
    }));
  });
});

describe('agent status after a restart', () => {
  const stored = (over: Partial<StoredAgentState>): StoredAgentState => ({
    state: 'offline', reason: null, since: T0, idleSince: null, callId: null, wrapUpUntil: null, ...over,
  });
  const rules = { wrapUpMs: 15_000, noAnswerPauseReason: 'no_answer' };

  it.each([
    ['offline', stored({}), { state: 'offline', reason: null, since: T0, callId: null }, []],
    ['ready', stored({ state: 'ready', idleSince: T0 - 9_000 }), { state: 'ready', idleSince: T0 - 9_000, since: T0 }, []],
    ['paused with its reason', stored({ state: 'paused', reason: 'training' }), { state: 'paused', reason: 'training', since: T0 }, []],
    ['paused without a reason', stored({ state: 'paused' }), { state: 'paused', reason: 'paused' }, []],
    ['an unknown state', stored({ state: 'dancing', callId: 'c1' }), { state: 'offline', callId: null }, []],
    ['ringing for a call', stored({ state: 'ringing', callId: 'c1', idleSince: T0 - 1_000 }), { state: 'ringing', callId: 'c1', idleSince: T0 - 1_000 }, []],
    ['on a call', stored({ state: 'on_call', callId: 'c1' }), { state: 'on_call', callId: 'c1', since: T0, idleSince: null }, []],
    ['ringing for no known call', stored({ state: 'ringing' }), { state: 'ready', since: NOW, callId: null }, [{ kind: 'route_waiting_calls' }]],
    ['on no known call', stored({ state: 'on_call' }), { state: 'wrap_up', since: NOW }, [{ kind: 'start_wrap_up_timer', ms: 15_000 }]],
  ] as const)('when the stored state is %s, then the agent comes back as %j', (_name, s, expected, effects) => {
    const r = restoreAgentStatus('a1', s, NOW, true, rules);
    expect(r.agent).toMatchObject({ id: 'a1', registered: true, ...expected });
    expect(r.effects).toEqual(effects);
  });

  it('when a wrap-up had time left, then it goes on for exactly that time', () => {
    const r = restoreAgentStatus('a1', stored({ state: 'wrap_up', callId: 'c1', since: NOW - 4_000, wrapUpUntil: NOW + 6_000 }), NOW, false, rules);
    expect(r.agent).toMatchObject({ state: 'wrap_up', callId: 'c1', since: NOW - 4_000, registered: false });
    expect(r.effects).toEqual([{ kind: 'start_wrap_up_timer', ms: 6_000 }]);
  });

  it('when a wrap-up without a stored end started 5 s ago, then the default wrap-up time decides what is left', () => {
    const r = restoreAgentStatus('a1', stored({ state: 'wrap_up', callId: 'c1', since: NOW - 5_000 }), NOW, true, rules);
    expect(r.effects).toEqual([{ kind: 'start_wrap_up_timer', ms: 10_000 }]);
  });

  it('when the wrap-up ran out while the service was down, then the agent is ready since it ran out and calls are routed', () => {
    const r = restoreAgentStatus('a1', stored({ state: 'wrap_up', callId: 'c1', since: NOW - 20_000, wrapUpUntil: NOW - 5_000 }), NOW, true, rules);
    expect(r.agent).toMatchObject({ state: 'ready', since: NOW - 5_000, idleSince: NOW - 5_000, callId: null });
    expect(r.effects).toEqual([{ kind: 'route_waiting_calls' }]);
  });

  it('when a stored time lies in the future, then it is taken as now', () => {
    const r = restoreAgentStatus('a1', stored({ state: 'ready', since: NOW + 50_000, idleSince: NOW + 60_000 }), NOW, true, rules);
    expect(r.agent).toMatchObject({ since: NOW, idleSince: NOW });
  });

  it('when a restored ringing agent gets the call\'s news, then the machine accepts it as for any offer', () => {
    const r = restoreAgentStatus('a1', stored({ state: 'ringing', callId: 'c1', idleSince: T0 }), NOW, true, rules);
    const t = transition(r.agent, { kind: 'offer_withdrawn', callId: 'c1' }, NOW + 1);
    expect(t).toMatchObject({ ok: true, agent: { state: 'ready', idleSince: T0 } });
    expect(transition(r.agent, { kind: 'answered', callId: 'c2' }, NOW + 1)).toEqual({ ok: false, refused: 'other_call' });
  });

  it('when the recovery finds the agent on a call, then the status names that call whatever was stored', () => {
    const ready = agentIn('ready');
    expect(resumeAgentCall(ready, 'c9', 'on_call', NOW)).toMatchObject({ state: 'on_call', callId: 'c9', since: NOW, idleSince: null, reason: null });
    expect(resumeAgentCall(ready, 'c9', 'ringing', NOW)).toMatchObject({ state: 'ringing', callId: 'c9', idleSince: T0 - 5_000 });
    const onCall = agentIn('on_call');
    expect(resumeAgentCall(onCall, 'c1', 'on_call', NOW)).toBe(onCall);
    expect(resumeAgentCall(agentIn('paused'), 'c1', 'ringing', NOW)).toMatchObject({ state: 'ringing', reason: null, idleSince: NOW });
  });
});
