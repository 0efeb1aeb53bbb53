import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CALL_EVENT_KINDS, CALL_STATES, CALL_TRANSITIONS, callDurations, newInboundCall, transitionCall,
  type CallEvent, type CallEventKind, type CallState, type InboundCall,
} from '../../src/domain/call-state.ts';

const T0 = Date.UTC(2026, 10, 23, 1, 0, 0);
const NOW = T0 + 12_000;

function callIn(state: CallState): InboundCall {
  const base = newInboundCall({ id: 'call1', line: '12345', callerNumber: '13800138000', now: T0 });
  const withAgent = state === 'offering' || state === 'connected';
  return {
    ...base, state,
    channelId: state === 'arriving' ? null : 'hl-caller-1',
    queuedAt: ['queued', 'offering', 'connected'].includes(state) ? T0 + 3_000 : null,
    agentId: withAgent ? 'a7' : null,
    agentChannelId: withAgent ? 'hl-agent-1' : null,
    offeredAt: withAgent ? T0 + 4_000 : null,
    answeredAt: state === 'connected' ? T0 + 8_000 : null,
    offers: withAgent ? 1 : 0,
  };
}

function eventOf(kind: CallEventKind, agentChannelId = 'hl-agent-1'): CallEvent {
  switch (kind) {
    case 'stasis_start': return { kind, channelId: 'hl-caller-1' };
    case 'agent_offered': return { kind, agentId: 'a9', agentChannelId: 'hl-agent-2' };
    case 'agent_answered': case 'agent_hangup': case 'agent_released': return { kind, agentChannelId };
    case 'agent_failed': return { kind, agentChannelId, reason: 'no_answer' };
    default: return { kind } as CallEvent;
  }
}

// Every (state, event) pair, written out by hand: '-' means refused.
const EXPECTED: Record<CallState, string> = {
  //          stasis   greetd  offered  answered  failed hangupC hangupA pbxlost released
  arriving:  'greeting -       -        -         -      ended   -       ended   -',
  greeting:  '-        queued  -        -         -      ended   -       ended   -',
  queued:    '-        -       offering -         -      ended   -       ended   -',
  offering:  '-        -       -        connected queued ended   queued  ended   -',
  connected: '-        -       -        -         -      ended   ended   ended   connected',
  ended:     '-        -       -        -         -      -       -       -       -',
};

const pairs = CALL_STATES.flatMap((state) => {
  const row = EXPECTED[state].split(/\s+/);
  return CALL_EVENT_KINDS.map((kind, i) => ({ state, kind, expected: row[i]! }));
});

const kinds = (r: ReturnType<typeof transitionCall>) => (r.ok ? r.effects.map((e) => e.kind) : r.refused);

describe('inbound call state machine', () => {
  it('when the hand-written table is read, then it covers every state and event', () => {
    for (const state of CALL_STATES) expect(EXPECTED[state].split(/\s+/)).toHaveLength(CALL_EVENT_KINDS.length);
  });

  it.each(pairs)('when a $state call gets $kind, then the outcome is $expected', ({ state, kind, expected }) => {
    const result = transitionCall(callIn(state), eventOf(kind), NOW);
    const exported = (CALL_TRANSITIONS[state] as Partial<Record<CallEventKind, CallState>>)[kind];
    if (expected === '-') {
      expect(result).toEqual({ ok: false, refused: `${kind}_while_${state}` });
      expect(exported).toBeUndefined();
    } else {
      expect(result.ok && result.call.state).toBe(expected);
      expect(exported).toBe(expected);
    }
  });

  it('when the caller enters Stasis, then the call is answered and greeted', () => {
    const r = transitionCall(callIn('arriving'), eventOf('stasis_start'), NOW);
    expect(r).toMatchObject({ ok: true, call: { channelId: 'hl-caller-1' } });
    expect(kinds(r)).toEqual(['answer_caller', 'play_greeting']);
  });

  it('when the greeting is done, then the caller is held and routing is asked for', () => {
    const r = transitionCall(callIn('greeting'), { kind: 'greeting_done' }, NOW);
    expect(r).toMatchObject({ ok: true, call: { queuedAt: NOW } });
    expect(kinds(r)).toEqual(['start_hold', 'route_call']);
  });

  it('when an agent is offered, then their seat rings with the ring timeout', () => {
    const r = transitionCall(callIn('queued'), eventOf('agent_offered'), NOW, { ringTimeoutMs: 9_000 });
    expect(r).toEqual({
      ok: true,
      call: expect.objectContaining({ agentId: 'a9', agentChannelId: 'hl-agent-2', offeredAt: NOW, offers: 1 }),
      effects: [{ kind: 'ring_agent', agentId: 'a9', agentChannelId: 'hl-agent-2' }, { kind: 'start_offer_timer', ms: 9_000 }],
    });
  });

  it('when the agent answers, then the legs are bridged and recorded', () => {
    const r = transitionCall(callIn('offering'), eventOf('agent_answered'), NOW);
    expect(r).toEqual({
      ok: true, call: expect.objectContaining({ answeredAt: NOW }),
      effects: [{ kind: 'stop_offer_timer' }, { kind: 'connect_agent', agentId: 'a7', agentChannelId: 'hl-agent-1' }, { kind: 'start_recording' }],
    });
  });

  it.each(['no_answer', 'busy', 'unreachable'] as const)('when the agent leg fails with %s, then the call queues again and the agent is told', (reason) => {
    const r = transitionCall(callIn('offering'), { kind: 'agent_failed', agentChannelId: 'hl-agent-1', reason }, NOW);
    expect(r).toEqual({
      ok: true, call: expect.objectContaining({ state: 'queued', agentId: null, agentChannelId: null }),
      effects: [
        { kind: 'stop_offer_timer' }, { kind: 'hang_up_agent_leg', agentChannelId: 'hl-agent-1' },
        { kind: 'agent_missed', agentId: 'a7', reason }, { kind: 'route_call' },
      ],
    });
  });

  it('when the seat hangs up while ringing, then it counts as busy', () => {
    const r = transitionCall(callIn('offering'), eventOf('agent_hangup'), NOW);
    expect(r.ok && r.effects).toContainEqual({ kind: 'agent_missed', agentId: 'a7', reason: 'busy' });
  });

  it.each([
    ['arriving', ['mark_abandoned']],
    ['greeting', ['mark_abandoned']],
    ['queued', ['destroy_bridges', 'mark_abandoned']],
    ['offering', ['stop_offer_timer', 'hang_up_agent_leg', 'withdraw_offer', 'destroy_bridges', 'mark_abandoned']],
  ] as const)('when the caller hangs up while %s, then the call is abandoned with teardown %j', (state, effects) => {
    const r = transitionCall(callIn(state), { kind: 'caller_hangup' }, NOW);
    expect(r).toMatchObject({ ok: true, call: { state: 'ended', endReason: 'abandoned', endedAt: NOW } });
    expect(kinds(r)).toEqual(effects);
  });

  it('when the caller hangs up while connected, then the agent leg is hung up and wrap-up follows', () => {
    const r = transitionCall(callIn('connected'), { kind: 'caller_hangup' }, NOW);
    expect(r).toMatchObject({ ok: true, call: { endReason: 'caller_hangup' } });
    expect(r.ok && r.effects).toEqual([
      { kind: 'stop_recording' }, { kind: 'hang_up_agent_leg', agentChannelId: 'hl-agent-1' },
      { kind: 'destroy_bridges' }, { kind: 'agent_call_ended', agentId: 'a7' },
    ]);
  });

  it('when the agent hangs up while connected, then the caller is hung up and wrap-up follows', () => {
    const r = transitionCall(callIn('connected'), eventOf('agent_hangup'), NOW);
    expect(r).toMatchObject({ ok: true, call: { endReason: 'agent_hangup' } });
    expect(kinds(r)).toEqual(['stop_recording', 'hang_up_caller', 'destroy_bridges', 'agent_call_ended']);
  });

  it('when the PBX is lost, then the call ends and the agent side is released', () => {
    expect(kinds(transitionCall(callIn('offering'), { kind: 'pbx_lost' }, NOW))).toEqual(['stop_offer_timer', 'withdraw_offer']);
    expect(kinds(transitionCall(callIn('connected'), { kind: 'pbx_lost' }, NOW))).toEqual(['agent_call_ended']);
    expect(transitionCall(callIn('queued'), { kind: 'pbx_lost' }, NOW)).toMatchObject({ call: { endReason: 'pbx_lost' } });
  });

  it('when the agent leaves a connected call, then the call goes on without an agent and the agent wraps up', () => {
    const r = transitionCall(callIn('connected'), eventOf('agent_released'), NOW);
    expect(r).toEqual({
      ok: true, call: expect.objectContaining({ state: 'connected', agentId: null, agentChannelId: null, answeredAt: T0 + 8_000 }),
      effects: [{ kind: 'release_agent_leg', agentChannelId: 'hl-agent-1' }, { kind: 'agent_call_ended', agentId: 'a7' }],
    });
    const again = r.ok ? transitionCall(r.call, eventOf('agent_released'), NOW) : r;
    expect(again).toEqual({ ok: false, refused: 'other_agent_leg' });
  });

  it('when the caller hangs up after the agent left, then the call ends with no agent leg to hang up and no second wrap-up', () => {
    const released = transitionCall(callIn('connected'), eventOf('agent_released'), NOW);
    const r = released.ok ? transitionCall(released.call, { kind: 'caller_hangup' }, NOW + 5_000) : released;
    expect(r).toMatchObject({ ok: true, call: { state: 'ended', endReason: 'caller_hangup', endedAt: NOW + 5_000 } });
    expect(kinds(r)).toEqual(['stop_recording', 'destroy_bridges']);
    const lost = released.ok ? transitionCall(released.call, { kind: 'pbx_lost' }, NOW) : released;
    expect(kinds(lost)).toEqual([]);
  });

  it('when news comes about an earlier agent leg, then it is refused', () => {
    for (const kind of ['agent_answered', 'agent_failed', 'agent_hangup'] as const) {
      expect(transitionCall(callIn('offering'), eventOf(kind, 'hl-agent-old'), NOW)).toEqual({ ok: false, refused: 'other_agent_leg' });
    }
    expect(transitionCall(callIn('connected'), eventOf('agent_released', 'hl-agent-old'), NOW)).toEqual({ ok: false, refused: 'other_agent_leg' });
  });

  it('when a call is answered after 8 s and ends 12 s after arrival, then wait is 8 s and talk 4 s', () => {
    const r = transitionCall(callIn('connected'), { kind: 'caller_hangup' }, NOW);
    expect(r.ok && callDurations(r.call)).toEqual({ waitMs: 8_000, talkMs: 4_000 });
    const gone = transitionCall(callIn('queued'), { kind: 'caller_hangup' }, NOW);
    expect(gone.ok && callDurations(gone.call)).toEqual({ waitMs: 12_000, talkMs: null });
  });

  it('when any sequence of events is applied, then a live call has an agent exactly while offering or connected (until the agent leaves), and an ended call keeps the last one for its record', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...CALL_EVENT_KINDS), { maxLength: 40 }), (steps) => {
      let call = newInboundCall({ id: 'c', line: '12345', callerNumber: '1', now: T0 });
      let lastAgent: string | null = null;
      let released = false;
      for (const kind of steps) {
        const event = kind === 'agent_offered' ? eventOf(kind) : eventOf(kind, call.agentChannelId ?? 'none');
        const r = transitionCall(call, event, NOW);
        if (!r.ok) continue;
        call = r.call;
        if (kind === 'agent_released') released = true;
        if (call.state !== 'ended') expect(call.agentId !== null).toBe(call.state === 'offering' || (call.state === 'connected' && !released));
        else expect(call.agentId !== null).toBe(lastAgent !== null);
        lastAgent = call.agentId;
        expect(call.endedAt !== null).toBe(call.state === 'ended');
      }
    }));
  });
});
