import type { Clock, TimerHandle } from '../../clock.ts';
import { createAcd } from '../../domain/acd/acd.ts';
import type { Acd } from '../../domain/acd/acd.ts';
import type { AcdConfig, SkillLevels, SkillTarget } from '../../domain/acd/queues.ts';
import { estimateWait, nextAht } from '../../domain/acd/wait-estimate.ts';
import type { AgentStatus } from '../../domain/agent-state.ts';

export interface CallQueueDeps {
  config: AcdConfig;
  clock: Clock;
  skillsOf(agentId: string): SkillLevels;
  statuses(): AgentStatus[];
  /** A waiting caller's target widened or its wait ran out: route again. */
  onWake(): void;
  /** Handle time assumed before any call has been handled, seconds. */
  initialAhtSeconds?: number;
}

export type CallQueue = ReturnType<typeof createCallQueue>;

/**
 * The one queue engine of the hotline, kept in step with the agents' states, and the one timer that
 * wakes it when a waiting caller's target widens or a maximum wait runs out.
 */
export function createCallQueue(deps: CallQueueDeps) {
  const { clock } = deps;
  const acd: Acd = createAcd(deps.config);
  const known = new Set<string>();
  /** Per agent: the queues the skills qualify for, and whether the agent counts as staffed (logged in, not paused). */
  const qualifies = new Map<string, readonly string[]>();
  const staffedAgents = new Set<string>();
  let staffed = new Map<string, number>(deps.config.queues.map((q) => [q.id, 0]));
  let queueIds = deps.config.queues.map((q) => q.id);
  let targets = new Map(deps.config.queues.map((q) => [q.id, asTargets(q.target)]));
  let wakeAt: number | null = null;
  let wakeTimer: TimerHandle | undefined;
  let quietSince: number | null = clock.now();
  let ahtSeconds = deps.initialAhtSeconds ?? 180;

  function queuesFor(skills: SkillLevels): string[] {
    return queueIds.filter((id) => (targets.get(id) ?? []).some((t) => t.skills.some((k) => (skills[k] ?? 0) >= t.minLevel)));
  }

  function count(agentId: string, delta: 1 | -1): void {
    for (const id of qualifies.get(agentId) ?? []) staffed.set(id, (staffed.get(id) ?? 0) + delta);
  }

  function ensure(agentId: string): void {
    if (known.has(agentId)) return;
    known.add(agentId);
    const skills = deps.skillsOf(agentId);
    qualifies.set(agentId, queuesFor(skills));
    acd.setSkills(agentId, skills);
  }

  /** Tells the engine what the agent's state means for routing; a ringing seat is the engine's own business. */
  function seatChanged(s: AgentStatus): void {
    ensure(s.id);
    const isStaffed = s.state !== 'offline' && s.state !== 'paused';
    if (isStaffed !== staffedAgents.has(s.id)) {
      if (isStaffed) staffedAgents.add(s.id); else staffedAgents.delete(s.id);
      count(s.id, isStaffed ? 1 : -1);
    }
    const seat = acd.seat(s.id);
    if (seat?.registered !== s.registered) acd.agentRegistered(s.id, s.registered);
    switch (s.state) {
      case 'ready': acd.agentReady(s.id, s.idleSince ?? clock.now()); return;
      case 'ringing': return;
      case 'on_call':
      case 'wrap_up': acd.agentBusy(s.id); return;
      default: acd.agentUnavailable(s.id);
    }
  }

  function skillsChanged(agentId: string, skills: SkillLevels): void {
    known.add(agentId);
    if (staffedAgents.has(agentId)) count(agentId, -1);
    qualifies.set(agentId, queuesFor(skills));
    if (staffedAgents.has(agentId)) count(agentId, 1);
    acd.setSkills(agentId, skills);
  }

  function waitingTotal(): number {
    let n = 0;
    for (const id of queueIds) n += acd.queueCounts(id)?.waiting ?? 0;
    return n;
  }

  /** Re-arms the wake-up timer at the engine's next moment, and notes whether anyone is waiting. */
  function settle(): void {
    const now = clock.now();
    if (waitingTotal() > 0) quietSince = null;
    else quietSince ??= now;
    const next = acd.nextWakeAt(now);
    if (next === wakeAt) return;
    clock.clearTimeout(wakeTimer);
    wakeAt = next;
    wakeTimer = next === null ? undefined : clock.setTimeout(() => {
      wakeAt = null;
      wakeTimer = undefined;
      deps.onWake();
    }, Math.max(0, next - now));
  }

  /**
   * A new version of the lines and desks: the engine keeps every held caller (see Acd.reconfigure) and each
   * agent's desks are worked out again, a removed desk still serving its callers with the targets it had.
   */
  function reconfigure(config: AcdConfig): void {
    acd.reconfigure(config, clock.now());
    const kept = new Map(targets);
    for (const q of config.queues) kept.set(q.id, asTargets(q.target));
    queueIds = acd.queueIds();
    targets = new Map(queueIds.map((id) => [id, kept.get(id) ?? []]));
    staffed = new Map(queueIds.map((id) => [id, 0]));
    for (const agentId of known) {
      qualifies.set(agentId, queuesFor(deps.skillsOf(agentId)));
      if (staffedAgents.has(agentId)) count(agentId, 1);
    }
  }

  for (const s of deps.statuses()) seatChanged(s);

  return {
    acd,
    seatChanged,
    skillsChanged,
    reconfigure,
    settle,
    waitingTotal,
    /** Since when no caller has been waiting; null while someone waits. */
    quietSince: (): number | null => quietSince,
    /** Agents logged in and not paused whose skills meet the queue's own target. */
    staffedFor: (queueId: string): number => staffed.get(queueId) ?? 0,
    handled(handleSeconds: number): void { ahtSeconds = nextAht(ahtSeconds, handleSeconds); },
    ahtSeconds: (): number => ahtSeconds,
    /** Expected wait (s) of a waiting call, from its position, the seats staffed for its queue and recent handle times. */
    estimateWait(callId: string): number | undefined {
      const position = acd.positionOf(callId);
      const call = acd.call(callId);
      if (position === undefined || call === undefined) return undefined;
      return estimateWait(position, { ahtSeconds, agentsStaffed: staffed.get(call.queueId) ?? 0 });
    },
    close(): void { clock.clearTimeout(wakeTimer); wakeTimer = undefined; wakeAt = null; },
  };
}

function asTargets(target: SkillTarget | readonly SkillTarget[]): readonly SkillTarget[] {
  return 'skills' in target ? [target as SkillTarget] : (target as readonly SkillTarget[]);
}
