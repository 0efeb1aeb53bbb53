import type { Logger } from 'pino';
import type { Bus } from '../../bus.ts';
import type { Clock, TimerHandle } from '../../clock.ts';
import { newAgentStatus, restoreAgentStatus, resumeAgentCall, transitionAgent } from '../../domain/agent-state.ts';
import type { AgentEffect, AgentEvent, AgentStatus, AgentTransition } from '../../domain/agent-state.ts';
import type { SkillLevels } from '../../domain/acd/queues.ts';
import { pickAgent } from '../../domain/routing.ts';
import { err, hotlineError, ok } from '../../domain/errors.ts';
import type { Result } from '../../domain/errors.ts';
import type { AgentAccount, AgentsRepo } from './agents.repo.ts';
import { createAccountChanges } from './agents.account-changes.ts';

export interface AgentView {
  id: string;
  userId: string | null;
  name: string;
  seat: string;
  state: string;
  reason: string | null;
  since: number;
  registered: boolean;
  callId: string | null;
}

export interface AgentHooks {
  /** An agent became ready: waiting calls may be routed. */
  agentFree(agentId: string): void;
  /** The agent's offer ended for a reason outside the call (logout, pause, phone unregistered). */
  offerCancelled(agentId: string, callId: string): void;
  /** The agent's state, reason or phone registration changed (before any effect of the change runs). */
  stateChanged(status: AgentStatus): void;
  /** A supervisor set the agent's skill levels. */
  skillsChanged(agentId: string, skills: SkillLevels): void;
  /** An administrator put the agent on a desk (a queue id) or on none. */
  deskChanged(agentId: string, desk: string | null): void;
}

export interface SkillSettings {
  /** Skills of an agent with none stored. */
  defaults: SkillLevels;
  /** The level of skills listed (without levels) on the agent account. */
  listedLevel: number;
}

const SKILL_NAME = /^[a-z0-9_-]{1,32}$/;

export interface AgentsServiceDeps {
  repo: AgentsRepo;
  clock: Clock;
  bus: Bus;
  log: Logger;
  wrapUpMs: number;
  skills?: SkillSettings;
}

export interface Seated {
  account: AgentAccount;
  /** The seat the agent is logged in at (the assigned seat unless they chose another). */
  seat: string;
  status: AgentStatus;
  wrapUpTimer: TimerHandle | undefined;
  /** When the wrap-up under way ends (stored, so a restart gives the agent only what was left). */
  wrapUpUntil: number | null;
  log: Logger;
}

export type AgentsService = ReturnType<typeof createAgentsService>;

export function createAgentsService(deps: AgentsServiceDeps) {
  const { repo, clock, bus } = deps;
  const log = deps.log.child({ component: 'agents' });
  const agents = new Map<string, Seated>();
  const byUser = new Map<string, string>();
  const seatRegistered = new Map<string, boolean>();
  const hooks: AgentHooks = { agentFree: () => {}, offerCancelled: () => {}, stateChanged: () => {}, skillsChanged: () => {}, deskChanged: () => {} };
  const skillSettings: SkillSettings = deps.skills ?? { defaults: { general: 3 }, listedLevel: 3 };
  let storedSkills: Map<string, Record<string, number>> | undefined;

  function view(a: Seated): AgentView {
    const s = a.status;
    return {
      id: a.account.id, userId: a.account.userId, name: a.account.name, seat: a.seat,
      state: s.state, reason: s.reason, since: s.since, registered: s.registered, callId: s.callId,
    };
  }

  function remember(a: Seated): void {
    agents.set(a.account.id, a);
    if (a.account.userId) byUser.set(a.account.userId, a.account.id);
  }

  const rules = () => ({ wrapUpMs: deps.wrapUpMs, noAnswerPauseReason: 'no_answer' });

  function persist(a: Seated): void {
    const s = a.status;
    repo.saveState(s.id, {
      state: s.state, reason: s.reason, since: s.since, idleSince: s.idleSince, callId: s.callId,
      wrapUpUntil: s.state === 'wrap_up' ? a.wrapUpUntil : null, seat: s.state === 'offline' ? null : a.seat,
    });
  }

  function adopt(account: AgentAccount): Seated {
    const known = agents.get(account.id);
    if (known) return known;
    const registered = seatRegistered.get(account.seat) ?? false;
    const a: Seated = {
      account, seat: account.seat, status: newAgentStatus(account.id, clock.now(), registered),
      wrapUpTimer: undefined, wrapUpUntil: null, log: log.child({ agentId: account.id }),
    };
    remember(a);
    persist(a);
    // An account added since the skill levels were read (by an administrator, or the admin CLI in another process).
    if (storedSkills && !storedSkills.has(account.id)) storedSkills.set(account.id, repo.skillLevelsOf(account.id));
    return a;
  }

  function startWrapUpTimer(a: Seated, ms: number): void {
    clock.clearTimeout(a.wrapUpTimer);
    a.wrapUpUntil = clock.now() + ms;
    a.wrapUpTimer = clock.setTimeout(() => { a.wrapUpTimer = undefined; apply(a.account.id, { kind: 'wrap_up_done' }); }, ms);
  }

  /**
   * Takes in every agent account in the database (new ones too; known ones keep their state). An agent
   * not yet known to this process comes back in the state stored for it: ready, paused with its reason,
   * the rest of a wrap-up, or ringing / on a call for the calls recovery to settle.
   */
  function load(): void {
    const stored = repo.storedStates();
    const now = clock.now();
    const counts: Record<string, number> = {};
    for (const account of repo.all()) {
      if (agents.has(account.id)) continue;
      const before = stored.get(account.id);
      if (!before || before.state === 'offline') { adopt(account); continue; }
      const seat = before.seat ?? account.seat;
      const r = restoreAgentStatus(account.id, before, now, seatRegistered.get(seat) ?? false, rules());
      const a: Seated = { account, seat, status: r.agent, wrapUpTimer: undefined, wrapUpUntil: null, log: log.child({ agentId: account.id }) };
      remember(a);
      for (const effect of r.effects) if (effect.kind === 'start_wrap_up_timer') startWrapUpTimer(a, effect.ms);
      persist(a);
      counts[a.status.state] = (counts[a.status.state] ?? 0) + 1;
      a.log.info({ state: a.status.state, reason: a.status.reason, callId: a.status.callId, seat }, 'agent state restored');
    }
    if (Object.keys(counts).length > 0) log.info({ restored: counts }, 'agent states restored');
  }

  function find(agentId: string): Seated | undefined {
    const a = agents.get(agentId);
    if (a) return a;
    const account = repo.byId(agentId);
    return account ? adopt(account) : undefined;
  }

  function publish(a: Seated): void {
    const s = a.status;
    bus.publish('agent.state', s.reason === null
      ? { agentId: s.id, state: s.state, since: s.since }
      : { agentId: s.id, state: s.state, reason: s.reason, since: s.since });
  }

  /** Runs one agent event through the domain machine and carries out its effects. */
  function apply(agentId: string, event: AgentEvent, opts: { wrapUpMs?: number; cancelOffer?: boolean } = {}): AgentTransition {
    const a = agents.get(agentId);
    if (!a) return { ok: false, refused: 'no_such_agent' };
    const ev: AgentEvent = event.kind === 'call_ended' && opts.wrapUpMs !== undefined ? { ...event, wrapUpMs: opts.wrapUpMs } : event;
    const before = a.status;
    const t = transitionAgent(before, ev, clock.now(), { wrapUpMs: deps.wrapUpMs, noAnswerPauseReason: 'no_answer' });
    if (!t.ok) {
      a.log.debug({ event: event.kind, refused: t.refused }, 'agent event refused');
      return t;
    }
    a.status = t.agent;
    const wrapUp = t.effects.find((e): e is Extract<AgentEffect, { kind: 'start_wrap_up_timer' }> => e.kind === 'start_wrap_up_timer');
    if (wrapUp) a.wrapUpUntil = clock.now() + wrapUp.ms;
    const changed = before.state !== t.agent.state || before.reason !== t.agent.reason || before.registered !== t.agent.registered;
    if (changed || before.idleSince !== t.agent.idleSince) hooks.stateChanged(t.agent);
    if (before.state !== t.agent.state || before.reason !== t.agent.reason || wrapUp) {
      a.log.info({ from: before.state, to: t.agent.state, reason: t.agent.reason, event: event.kind }, 'agent state changed');
      persist(a);
    }
    if (changed) publish(a);
    for (const effect of t.effects) {
      switch (effect.kind) {
        case 'start_wrap_up_timer':
          startWrapUpTimer(a, effect.ms);
          break;
        case 'cancel_wrap_up_timer':
          clock.clearTimeout(a.wrapUpTimer);
          a.wrapUpTimer = undefined;
          break;
        case 'cancel_offer':
          if (opts.cancelOffer !== false) hooks.offerCancelled(agentId, effect.callId);
          break;
        case 'route_waiting_calls':
          hooks.agentFree(agentId);
          break;
      }
    }
    return t;
  }

  function refusal(a: Seated, refused: string) {
    return err(hotlineError('ERR_AGENT_STATE', { state: a.status.state, refused }));
  }

  function login(agentId: string, seat?: string): Result<AgentView> {
    const a = find(agentId);
    if (!a) return err(hotlineError('ERR_NO_SUCH_AGENT'));
    const wanted = seat ?? (a.status.state === 'offline' ? a.account.seat : a.seat);
    for (const other of agents.values()) {
      if (other !== a && other.seat === wanted && other.status.state !== 'offline') {
        return err(hotlineError('ERR_SEAT_TAKEN', { seat: wanted }));
      }
    }
    if (a.status.state !== 'offline') {
      if (wanted === a.seat) return ok(view(a));
      if (a.status.state !== 'paused' && a.status.state !== 'ready') return refusal(a, 'seat_change_while_' + a.status.state);
    }
    a.seat = wanted;
    const registered = seatRegistered.get(wanted) ?? false;
    if (registered !== a.status.registered) apply(agentId, { kind: registered ? 'phone_registered' : 'phone_unregistered' });
    if (a.status.state === 'offline') {
      const t = apply(agentId, { kind: 'login' });
      if (!t.ok) return refusal(a, t.refused);
    } else {
      persist(a);
    }
    a.log.info({ seat: wanted, registered }, 'agent logged in');
    return ok(view(a));
  }

  function setState(agentId: string, state: 'ready' | 'paused', reason?: string): Result<AgentView> {
    const a = find(agentId);
    if (!a) return err(hotlineError('ERR_NO_SUCH_AGENT'));
    if (a.status.state === state && (state === 'ready' || a.status.reason === (reason ?? 'paused'))) return ok(view(a));
    const t = apply(agentId, state === 'ready' ? { kind: 'ready' } : { kind: 'pause', reason: reason ?? 'paused' });
    return t.ok ? ok(view(a)) : refusal(a, t.refused);
  }

  function logout(agentId: string): Result<AgentView> {
    const a = find(agentId);
    if (!a) return err(hotlineError('ERR_NO_SUCH_AGENT'));
    if (a.status.state === 'offline') return ok(view(a));
    const t = apply(agentId, { kind: 'logout' });
    return t.ok ? ok(view(a)) : refusal(a, t.refused);
  }

  /** A seat's phone registered or went away (ARI endpoint state). */
  function phoneState(seat: string, registered: boolean): void {
    const was = seatRegistered.get(seat);
    seatRegistered.set(seat, registered);
    if (was === registered) return;
    // The first reading of every seat at start is routine (hundreds of lines); a change after it is news.
    if (was === undefined) log.debug({ seat, registered }, 'seat phone registration');
    else log.info({ seat, registered }, 'seat phone registration');
    for (const a of agents.values()) {
      if (a.seat === seat && a.status.registered !== registered) {
        apply(a.account.id, { kind: registered ? 'phone_registered' : 'phone_unregistered' });
        if (registered && a.status.state === 'ready') hooks.agentFree(a.account.id);
      }
    }
  }

  function skillsOf(agentId: string): SkillLevels {
    storedSkills ??= repo.skillLevels();
    const stored = storedSkills.get(agentId);
    if (stored && Object.keys(stored).length > 0) return stored;
    const listed = agents.get(agentId)?.account.skills ?? repo.byId(agentId)?.skills ?? [];
    if (listed.length > 0) return Object.fromEntries(listed.map((skill) => [skill, skillSettings.listedLevel]));
    return skillSettings.defaults;
  }

  /** A supervisor sets an agent's skills (skill -> level 1..5); an empty set brings back the defaults. */
  function setSkills(agentId: string, levels: Readonly<Record<string, number>>): Result<SkillLevels> {
    const a = find(agentId);
    if (!a) return err(hotlineError('ERR_NO_SUCH_AGENT'));
    for (const [skill, level] of Object.entries(levels)) {
      if (!SKILL_NAME.test(skill) || !Number.isInteger(level) || level < 1 || level > 5) {
        return err(hotlineError('ERR_VALIDATION', { skill, level, reason: 'a skill is a-z0-9_- and a level 1..5' }));
      }
    }
    repo.saveSkillLevels(agentId, levels);
    storedSkills ??= repo.skillLevels();
    storedSkills.set(agentId, { ...levels });
    const now = skillsOf(agentId);
    a.log.info({ skills: now }, 'agent skills set');
    hooks.skillsChanged(agentId, now);
    return ok(now);
  }

  const accountChanges = createAccountChanges({ agents, repo, find, view, refusal, deskChanged: (id, desk) => hooks.deskChanged(id, desk) });

  /**
   * After a restart the calls recovery found this agent's seat ringing for, or talking on, a call that
   * is still going: the agent's status names that call (whatever was stored a moment before the stop).
   */
  function resumeCall(agentId: string, callId: string, state: 'ringing' | 'on_call'): boolean {
    const a = agents.get(agentId);
    if (!a) return false;
    const before = a.status;
    const next = resumeAgentCall(before, callId, state, clock.now());
    if (next === before) return true;
    clock.clearTimeout(a.wrapUpTimer);
    a.wrapUpTimer = undefined;
    a.status = next;
    hooks.stateChanged(next);
    persist(a);
    publish(a);
    a.log.info({ from: before.state, to: next.state, callId }, 'agent put back on a recovered call');
    return true;
  }

  /**
   * After the calls recovery: an agent still ringing for, or on, a call that did not come back ends it
   * as a normal end would (ringing → ready, on a call → wrap-up of the call's line and agent.call_ended).
   * Returns how many.
   */
  function settleAfterRestart(isLive: (agentId: string, callId: string) => boolean, wrapUpMsOf?: (callId: string) => number | undefined): number {
    let settled = 0;
    for (const a of [...agents.values()]) {
      const s = a.status;
      if ((s.state !== 'ringing' && s.state !== 'on_call') || s.callId === null || isLive(s.id, s.callId)) continue;
      settled++;
      const callId = s.callId;
      if (s.state === 'ringing') { apply(s.id, { kind: 'offer_withdrawn', callId }, { cancelOffer: false }); continue; }
      const wrapUpMs = wrapUpMsOf?.(callId);
      apply(s.id, { kind: 'call_ended', callId }, wrapUpMs === undefined ? {} : { wrapUpMs });
      bus.publish('agent.call_ended', { agentId: s.id, callId, endedAt: clock.now() });
    }
    return settled;
  }

  return {
    load,
    apply,
    resumeCall,
    settleAfterRestart,
    skillsOf,
    setSkills,
    ...accountChanges,
    /** The agent's full status (idle time included), for the queue engine. */
    statusOf: (agentId: string): AgentStatus | undefined => agents.get(agentId)?.status,
    statuses: (): AgentStatus[] => [...agents.values()].map((a) => a.status),
    login,
    setState,
    logout,
    phoneState,
    setHooks(h: Partial<AgentHooks>): void { Object.assign(hooks, h); },
    get: (agentId: string): AgentView | undefined => { const a = find(agentId); return a ? view(a) : undefined; },
    forUser(userId: string): AgentView | undefined {
      const id = byUser.get(userId);
      let a = id ? agents.get(id) : undefined;
      if (!a) { const account = repo.byUser(userId); if (account) a = adopt(account); }
      return a ? view(a) : undefined;
    },
    list: (): AgentView[] => [...agents.values()].map(view),
    seatOf: (agentId: string): string | null => agents.get(agentId)?.seat ?? null,
    /** The longest-idle ready agent with a registered phone, skills aside (routing itself is the queue engine's). */
    pick: (): string | undefined => pickAgent([...agents.values()].map((a) => a.status)),
    isSeatRegistered: (seat: string): boolean => seatRegistered.get(seat) ?? false,
    stateView(agentId: string): { state: string; reason?: string; since: number } | undefined {
      const s = agents.get(agentId)?.status;
      if (!s) return undefined;
      return s.reason === null ? { state: s.state, since: s.since } : { state: s.state, reason: s.reason, since: s.since };
    },
    close(): void { for (const a of agents.values()) clock.clearTimeout(a.wrapUpTimer); },
  };
}
