export const CALL_STATES = ['arriving', 'greeting', 'queued', 'offering', 'connected', 'ended'] as const;
export type CallState = (typeof CALL_STATES)[number];

export const CALL_EVENT_KINDS = [
  'stasis_start', 'greeting_done', 'agent_offered', 'agent_answered', 'agent_failed',
  'caller_hangup', 'agent_hangup', 'pbx_lost', 'agent_released',
] as const;
export type CallEventKind = (typeof CALL_EVENT_KINDS)[number];

export type AgentFailure = 'no_answer' | 'busy' | 'unreachable';

/**
 * What can happen to an inbound call. `agent_hangup` while the seat still rings means the seat
 * declined, and counts as the agent being busy. Events about an agent leg carry its channel id, so
 * news about an earlier, abandoned offer is refused instead of disturbing the current one.
 * `agent_released` is the agent leaving a connected call that goes on without them (三方通话: the
 * citizen and a unit's contact stay connected); the call then ends when the caller hangs up.
 */
export type CallEvent =
  | { kind: 'stasis_start'; channelId: string }
  | { kind: 'greeting_done' }
  | { kind: 'agent_offered'; agentId: string; agentChannelId: string }
  | { kind: 'agent_answered'; agentChannelId: string }
  | { kind: 'agent_failed'; agentChannelId: string; reason: AgentFailure }
  | { kind: 'caller_hangup' }
  | { kind: 'agent_hangup'; agentChannelId: string }
  | { kind: 'pbx_lost' }
  | { kind: 'agent_released'; agentChannelId: string };

export type CallEndReason = 'abandoned' | 'caller_hangup' | 'agent_hangup' | 'pbx_lost';

export interface InboundCall {
  readonly id: string;
  readonly line: string;
  readonly callerNumber: string;
  readonly state: CallState;
  readonly channelId: string | null;
  readonly agentId: string | null;
  readonly agentChannelId: string | null;
  readonly arrivedAt: number;
  readonly queuedAt: number | null;
  readonly offeredAt: number | null;
  readonly answeredAt: number | null;
  readonly endedAt: number | null;
  readonly endReason: CallEndReason | null;
  /** How many agent legs have been rung for this call. */
  readonly offers: number;
}

export type CallEffect =
  | { kind: 'answer_caller' }
  | { kind: 'play_greeting' }
  | { kind: 'start_hold' }
  | { kind: 'route_call' }
  | { kind: 'ring_agent'; agentId: string; agentChannelId: string }
  | { kind: 'start_offer_timer'; ms: number }
  | { kind: 'stop_offer_timer' }
  | { kind: 'hang_up_agent_leg'; agentChannelId: string }
  /** The leg stays up (its owner hangs it up) but no longer belongs to the call. */
  | { kind: 'release_agent_leg'; agentChannelId: string }
  | { kind: 'agent_missed'; agentId: string; reason: AgentFailure }
  | { kind: 'withdraw_offer'; agentId: string }
  | { kind: 'connect_agent'; agentId: string; agentChannelId: string }
  | { kind: 'start_recording' }
  | { kind: 'stop_recording' }
  | { kind: 'hang_up_caller' }
  | { kind: 'destroy_bridges' }
  | { kind: 'agent_call_ended'; agentId: string }
  | { kind: 'mark_abandoned' };

export type CallTransition =
  | { ok: true; call: InboundCall; effects: CallEffect[] }
  | { ok: false; refused: string };

export interface CallRules {
  readonly ringTimeoutMs: number;
}

export const DEFAULT_CALL_RULES: CallRules = { ringTimeoutMs: 20_000 };

/** Every allowed (state, event) pair and the state it leads to; a pair not listed is refused. */
export const CALL_TRANSITIONS = {
  arriving: { stasis_start: 'greeting', caller_hangup: 'ended', pbx_lost: 'ended' },
  greeting: { greeting_done: 'queued', caller_hangup: 'ended', pbx_lost: 'ended' },
  queued: { agent_offered: 'offering', caller_hangup: 'ended', pbx_lost: 'ended' },
  offering: {
    agent_answered: 'connected', agent_failed: 'queued', agent_hangup: 'queued', caller_hangup: 'ended', pbx_lost: 'ended',
  },
  connected: { caller_hangup: 'ended', agent_hangup: 'ended', pbx_lost: 'ended', agent_released: 'connected' },
  ended: {},
} as const satisfies Record<CallState, Partial<Record<CallEventKind, CallState>>>;

export function callTarget(state: CallState, kind: CallEventKind): CallState | undefined {
  const row: Partial<Record<CallEventKind, CallState>> = CALL_TRANSITIONS[state];
  return row[kind];
}

export function newInboundCall(init: { id: string; line: string; callerNumber: string; now: number }): InboundCall {
  return {
    id: init.id, line: init.line, callerNumber: init.callerNumber, state: 'arriving',
    channelId: null, agentId: null, agentChannelId: null,
    arrivedAt: init.now, queuedAt: null, offeredAt: null, answeredAt: null, endedAt: null,
    endReason: null, offers: 0,
  };
}

export function transitionCall(
  call: InboundCall,
  event: CallEvent,
  now: number,
  rules: CallRules = DEFAULT_CALL_RULES,
): CallTransition {
  const from = call.state;
  const to = callTarget(from, event.kind);
  if (to === undefined) return { ok: false, refused: `${event.kind}_while_${from}` };
  if ('agentChannelId' in event && event.kind !== 'agent_offered' && event.agentChannelId !== call.agentChannelId) {
    return { ok: false, refused: 'other_agent_leg' };
  }
  if (event.kind === 'agent_released' && call.agentId === null) return { ok: false, refused: 'no_agent' };
  const agentId = call.agentId ?? '';
  const agentChannelId = call.agentChannelId ?? '';

  switch (event.kind) {
    case 'stasis_start':
      return done({ ...call, state: to, channelId: event.channelId }, [{ kind: 'answer_caller' }, { kind: 'play_greeting' }]);
    case 'greeting_done':
      return done({ ...call, state: to, queuedAt: now }, [{ kind: 'start_hold' }, { kind: 'route_call' }]);
    case 'agent_offered':
      return done(
        { ...call, state: to, agentId: event.agentId, agentChannelId: event.agentChannelId, offeredAt: now, offers: call.offers + 1 },
        [
          { kind: 'ring_agent', agentId: event.agentId, agentChannelId: event.agentChannelId },
          { kind: 'start_offer_timer', ms: rules.ringTimeoutMs },
        ],
      );
    case 'agent_answered':
      return done({ ...call, state: to, answeredAt: now }, [
        { kind: 'stop_offer_timer' },
        { kind: 'connect_agent', agentId, agentChannelId },
        { kind: 'start_recording' },
      ]);
    case 'agent_failed':
    case 'agent_hangup':
      if (from === 'offering') {
        const reason: AgentFailure = event.kind === 'agent_failed' ? event.reason : 'busy';
        return done({ ...call, state: to, agentId: null, agentChannelId: null, offeredAt: null }, [
          { kind: 'stop_offer_timer' },
          { kind: 'hang_up_agent_leg', agentChannelId },
          { kind: 'agent_missed', agentId, reason },
          { kind: 'route_call' },
        ]);
      }
      return done(ended(call, now, 'agent_hangup'), [
        { kind: 'stop_recording' },
        { kind: 'hang_up_caller' },
        { kind: 'destroy_bridges' },
        { kind: 'agent_call_ended', agentId },
      ]);
    case 'caller_hangup':
      return done(ended(call, now, from === 'connected' ? 'caller_hangup' : 'abandoned'), callerHangupEffects(call));
    case 'pbx_lost': {
      const effects: CallEffect[] = [];
      if (from === 'offering') effects.push({ kind: 'stop_offer_timer' }, { kind: 'withdraw_offer', agentId });
      if (from === 'connected' && call.agentId !== null) effects.push({ kind: 'agent_call_ended', agentId });
      return done(ended(call, now, 'pbx_lost'), effects);
    }
    case 'agent_released':
      return done({ ...call, agentId: null, agentChannelId: null }, [
        { kind: 'release_agent_leg', agentChannelId },
        { kind: 'agent_call_ended', agentId },
      ]);
  }
}

function callerHangupEffects(call: InboundCall): CallEffect[] {
  const agentId = call.agentId ?? '';
  const agentChannelId = call.agentChannelId ?? '';
  switch (call.state) {
    case 'queued':
      return [{ kind: 'destroy_bridges' }, { kind: 'mark_abandoned' }];
    case 'offering':
      return [
        { kind: 'stop_offer_timer' },
        { kind: 'hang_up_agent_leg', agentChannelId },
        { kind: 'withdraw_offer', agentId },
        { kind: 'destroy_bridges' },
        { kind: 'mark_abandoned' },
      ];
    case 'connected':
      if (call.agentId === null) return [{ kind: 'stop_recording' }, { kind: 'destroy_bridges' }];
      return [
        { kind: 'stop_recording' },
        { kind: 'hang_up_agent_leg', agentChannelId },
        { kind: 'destroy_bridges' },
        { kind: 'agent_call_ended', agentId },
      ];
    default:
      return [{ kind: 'mark_abandoned' }];
  }
}

function ended(call: InboundCall, now: number, endReason: CallEndReason): InboundCall {
  return { ...call, state: 'ended', endedAt: now, endReason };
}

function done(call: InboundCall, effects: CallEffect[]): CallTransition {
  return { ok: true, call, effects };
}

/** Wait is from arrival to answer (or to the end when never answered); talk is from answer to end. */
export function callDurations(call: InboundCall): { waitMs: number | null; talkMs: number | null } {
  const waitEnd = call.answeredAt ?? call.endedAt;
  return {
    waitMs: waitEnd === null ? null : Math.max(0, waitEnd - call.arrivedAt),
    talkMs: call.answeredAt === null || call.endedAt === null ? null : Math.max(0, call.endedAt - call.answeredAt),
  };
}
