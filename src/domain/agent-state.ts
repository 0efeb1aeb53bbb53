export const AGENT_STATES = ['offline', 'ready', 'ringing', 'on_call', 'wrap_up', 'paused'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

export const AGENT_EVENT_KINDS = [
  'login', 'ready', 'pause', 'logout',
  'offer', 'answered', 'no_answer', 'reject', 'busy', 'offer_withdrawn',
  'call_ended', 'wrap_up_done',
  'phone_registered', 'phone_unregistered',
  'force_ready', 'force_pause', 'force_logout',
] as const;
export type AgentEventKind = (typeof AGENT_EVENT_KINDS)[number];

/**
 * What can happen to an agent. `reject` is the agent declining an offer on the desktop; `busy` is the
 * seat's phone reporting busy; `no_answer` is the ring timeout; `offer_withdrawn` is the caller hanging
 * up (or the call going elsewhere) while the seat rings. `force_*` come from a supervisor.
 */
export type AgentEvent =
  | { kind: 'login' }
  | { kind: 'ready' }
  | { kind: 'pause'; reason: string }
  | { kind: 'logout' }
  | { kind: 'offer'; callId: string }
  | { kind: 'answered'; callId: string }
  | { kind: 'no_answer'; callId: string }
  | { kind: 'reject'; callId: string }
  | { kind: 'busy'; callId: string }
  | { kind: 'offer_withdrawn'; callId: string }
  | { kind: 'call_ended'; callId: string; wrapUpMs?: number }
  | { kind: 'wrap_up_done' }
  | { kind: 'phone_registered' }
  | { kind: 'phone_unregistered' }
  | { kind: 'force_ready'; by: string }
  | { kind: 'force_pause'; by: string; reason: string }
  | { kind: 'force_logout'; by: string };

export interface AgentStatus {
  readonly id: string;
  readonly state: AgentState;
  /** Why the agent is paused; null in every other state. */
  readonly reason: string | null;
  /** When the state (or the pause reason) last changed. */
  readonly since: number;
  /** When the agent last became free for a call; kept while ringing, null when not ready. */
  readonly idleSince: number | null;
  readonly registered: boolean;
  /** The call offered, being talked on, or being wrapped up. */
  readonly callId: string | null;
}

export type AgentEffect =
  | { kind: 'start_wrap_up_timer'; ms: number }
  | { kind: 'cancel_wrap_up_timer' }
  | { kind: 'cancel_offer'; callId: string }
  | { kind: 'route_waiting_calls' };

export type AgentTransition =
  | { ok: true; agent: AgentStatus; effects: AgentEffect[] }
  | { ok: false; refused: string };

export interface AgentRules {
  readonly wrapUpMs: number;
  readonly noAnswerPauseReason: string;
}

export const DEFAULT_AGENT_RULES: AgentRules = { wrapUpMs: 15_000, noAnswerPauseReason: 'no_answer' };

/**
 * Every allowed (state, event) pair and the state it leads to; a pair not listed is refused.
 * Logging out (or pausing) while on a call is refused, not deferred: the agent finishes the call, then
 * pauses or logs out from wrap-up. A supervisor cannot force an agent off a live call either.
 */
export const AGENT_TRANSITIONS = {
  offline: { login: 'paused', phone_registered: 'offline', phone_unregistered: 'offline' },
  ready: {
    pause: 'paused', logout: 'offline', offer: 'ringing', phone_registered: 'ready', phone_unregistered: 'ready',
    force_pause: 'paused', force_logout: 'offline',
  },
  ringing: {
    answered: 'on_call', no_answer: 'paused', reject: 'paused', busy: 'paused', offer_withdrawn: 'ready',
    pause: 'paused', logout: 'offline', phone_registered: 'ringing', phone_unregistered: 'paused',
    force_pause: 'paused', force_logout: 'offline',
  },
  on_call: { call_ended: 'wrap_up', phone_registered: 'on_call', phone_unregistered: 'on_call' },
  wrap_up: {
    wrap_up_done: 'ready', ready: 'ready', pause: 'paused', logout: 'offline',
    phone_registered: 'wrap_up', phone_unregistered: 'wrap_up',
    force_ready: 'ready', force_pause: 'paused', force_logout: 'offline',
  },
  paused: {
    ready: 'ready', pause: 'paused', logout: 'offline', phone_registered: 'paused', phone_unregistered: 'paused',
    force_ready: 'ready', force_pause: 'paused', force_logout: 'offline',
  },
} as const satisfies Record<AgentState, Partial<Record<AgentEventKind, AgentState>>>;

/** The state a (state, event) pair leads to, or undefined when the pair is refused. */
export function agentTarget(state: AgentState, kind: AgentEventKind): AgentState | undefined {
  const row: Partial<Record<AgentEventKind, AgentState>> = AGENT_TRANSITIONS[state];
  return row[kind];
}

export function newAgentStatus(id: string, now: number, registered = false): AgentStatus {
  return { id, state: 'offline', reason: null, since: now, idleSince: null, registered, callId: null };
}

export function transition(
  agent: AgentStatus,
  event: AgentEvent,
  now: number,
  rules: AgentRules = DEFAULT_AGENT_RULES,
): AgentTransition {
  const from = agent.state;
  const to = agentTarget(from, event.kind);
  if (to === undefined) return { ok: false, refused: `${event.kind}_while_${from}` };
  if ('callId' in event && event.kind !== 'offer' && agent.callId !== event.callId) {
    return { ok: false, refused: 'other_call' };
  }

  const effects: AgentEffect[] = [];
  if (from === 'wrap_up' && to !== 'wrap_up') effects.push({ kind: 'cancel_wrap_up_timer' });
  if (from === 'ringing' && to !== 'ringing' && offerNeedsCancelling(event.kind) && agent.callId !== null) {
    effects.push({ kind: 'cancel_offer', callId: agent.callId });
  }
  if (event.kind === 'call_ended') {
    effects.push({ kind: 'start_wrap_up_timer', ms: Math.max(0, event.wrapUpMs ?? rules.wrapUpMs) });
  }
  if (to === 'ready' && from !== 'ready') effects.push({ kind: 'route_waiting_calls' });

  const reason = to === 'paused' ? pauseReason(event, agent, rules) : null;
  const registered =
    event.kind === 'phone_registered' ? true : event.kind === 'phone_unregistered' ? false : agent.registered;
  const next: AgentStatus = {
    id: agent.id,
    state: to,
    reason,
    since: to !== from || reason !== agent.reason ? now : agent.since,
    idleSince: idleSince(agent, to, now),
    registered,
    callId: callIdAfter(agent, event, to),
  };
  return { ok: true, agent: next, effects };
}

function offerNeedsCancelling(kind: AgentEventKind): boolean {
  return kind !== 'answered' && kind !== 'no_answer' && kind !== 'busy' && kind !== 'offer_withdrawn';
}

function pauseReason(event: AgentEvent, agent: AgentStatus, rules: AgentRules): string {
  switch (event.kind) {
    case 'pause':
    case 'force_pause':
      return event.reason;
    case 'login':
      return 'login';
    case 'no_answer':
      return rules.noAnswerPauseReason;
    case 'reject':
      return 'rejected';
    case 'busy':
      return 'busy';
    case 'phone_unregistered':
      return agent.state === 'paused' && agent.reason !== null ? agent.reason : 'phone_unregistered';
    default:
      return agent.reason ?? 'paused';
  }
}

function idleSince(agent: AgentStatus, to: AgentState, now: number): number | null {
  if (to === 'ringing') return agent.idleSince;
  if (to !== 'ready') return null;
  if (agent.state === 'ready' || agent.state === 'ringing') return agent.idleSince ?? now;
  return now;
}

function callIdAfter(agent: AgentStatus, event: AgentEvent, to: AgentState): string | null {
  if (event.kind === 'offer') return event.callId;
  if (to === 'ringing' || to === 'on_call' || to === 'wrap_up') return agent.callId;
  return null;
}

export const transitionAgent = transition;

/** What the agents table keeps of an agent's state, read back when the service starts again. */
export interface StoredAgentState {
  readonly state: string;
  readonly reason: string | null;
  readonly since: number | null;
  readonly idleSince: number | null;
  /** The call offered, talked on or wrapped up. */
  readonly callId: string | null;
  /** When the wrap-up under way ends. */
  readonly wrapUpUntil: number | null;
}

function isAgentState(state: string): state is AgentState {
  return (AGENT_STATES as readonly string[]).includes(state);
}

/**
 * An agent's status after the service restarted, from what was stored. Ready and paused agents (with
 * their reason) stay so; a wrap-up goes on for the time it had left, or is over (ready from the moment
 * it ended); an agent ringing or on a call keeps that call, for the calls recovery to settle. A stored
 * ringing or on-call state without its call ends as a call would: ringing → ready, on a call → wrap-up.
 */
export function restoreAgentStatus(
  id: string,
  stored: StoredAgentState,
  now: number,
  registered: boolean,
  rules: AgentRules = DEFAULT_AGENT_RULES,
): { agent: AgentStatus; effects: AgentEffect[] } {
  const since = Math.min(stored.since ?? now, now);
  const base = { id, registered, reason: null, callId: null, idleSince: null, since };
  const state = isAgentState(stored.state) ? stored.state : 'offline';
  switch (state) {
    case 'offline':
      return { agent: { ...base, state }, effects: [] };
    case 'ready':
      return { agent: { ...base, state, idleSince: Math.min(stored.idleSince ?? since, now) }, effects: [] };
    case 'paused':
      return { agent: { ...base, state, reason: stored.reason ?? 'paused' }, effects: [] };
    case 'wrap_up': {
      const until = stored.wrapUpUntil ?? since + rules.wrapUpMs;
      if (until > now) {
        return { agent: { ...base, state, callId: stored.callId }, effects: [{ kind: 'start_wrap_up_timer', ms: until - now }] };
      }
      return { agent: { ...base, state: 'ready', since: until, idleSince: until }, effects: [{ kind: 'route_waiting_calls' }] };
    }
    case 'ringing':
      if (stored.callId === null) return { agent: { ...base, state: 'ready', since: now, idleSince: Math.min(stored.idleSince ?? now, now) }, effects: [{ kind: 'route_waiting_calls' }] };
      return { agent: { ...base, state, callId: stored.callId, idleSince: stored.idleSince === null ? null : Math.min(stored.idleSince, now) }, effects: [] };
    case 'on_call':
      if (stored.callId === null) return { agent: { ...base, state: 'wrap_up', since: now }, effects: [{ kind: 'start_wrap_up_timer', ms: rules.wrapUpMs }] };
      return { agent: { ...base, state, callId: stored.callId }, effects: [] };
  }
}

/**
 * The calls recovery found the agent's seat ringing for, or talking on, a call that outlived a restart:
 * the agent's status says so whatever was stored (a state written a moment before the stop may lag).
 */
export function resumeAgentCall(agent: AgentStatus, callId: string, state: 'ringing' | 'on_call', now: number): AgentStatus {
  if (agent.state === state && agent.callId === callId) return agent;
  const idle = state === 'ringing' ? (agent.idleSince ?? now) : null;
  return { ...agent, state, reason: null, since: agent.state === state ? agent.since : now, idleSince: idle, callId };
}
