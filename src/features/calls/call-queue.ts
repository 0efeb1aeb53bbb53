import type { Logger } from 'pino';
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
  /** The desk (a queue id) the agent is on, or null. */
  deskOf(agentId: string): string | null;
  statuses(): AgentStatus[];
  log: Pick<Logger, 'warn'>;
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
  /** Per agent: the queues the skills (and desk) qualify for, and whether the agent counts as staffed (logged in, not paused). */
  const qualifies = new Map<string, readonly string[]>();
  /** Agents on a desk, and the desks in force: an agent on any other desk serves as if they had none. */
  const desks = new Map<string, string>();
  let desksInForce = new Set(deps.config.queues.map((q) => q.id));
  /** What the log was last told about desks (a desk not in force, agents lacking their desk's skills), each said once. */
  let said = new Set<string>();
  const staffedAgents = new Set<string>();
  let staffed = new Map<string, number>(deps.config.queues.map((q) => [q.id, 0]));
  let queueIds = deps.config.queues.map((q) => q.id);
  let targets = new Map(deps.config.queues.map((q) => [q.id, asTargets(q.target)]));
  let wakeAt: number | null = null;
  let wakeTimer: TimerHandle | undefined;
  let quietSince: number | null = clock.now();
  let ahtSeconds = deps.initialAhtSeconds ?? 180;

  function queuesFor(skills: SkillLevels, desk: string | null): string[] {
    const fits = (id: string): boolean => (targets.get(id) ?? []).some((t) => t.skills.some((k) => (skills[k] ?? 0) >= t.minLevel));
    if (desk !== null && desksInForce.has(desk)) return fits(desk) ? [desk] : [];
    return queueIds.filter(fits);
  }

  function count(agentId: string, delta: 1 | -1): void {
    for (const id of qualifies.get(agentId) ?? []) staffed.set(id, (staffed.get(id) ?? 0) + delta);
  }

  /** The agent's skills and desk, to the engine and the staffing counts. */
  function place(agentId: string, skills: SkillLevels, desk: string | null): void {
    if (desk === null) desks.delete(agentId);
    else desks.set(agentId, desk);
    const isStaffed = staffedAgents.has(agentId);
    if (isStaffed) count(agentId, -1);
    qualifies.set(agentId, queuesFor(skills, desk));
    if (isStaffed) count(agentId, 1);
    acd.setSkills(agentId, skills);
    acd.setDesk(agentId, desk);
  }

  function ensure(agentId: string): void {
    if (known.has(agentId)) return;
    known.add(agentId);
    place(agentId, deps.skillsOf(agentId), deps.deskOf(agentId));
  }

  /** Says once in the log which desks agents are on that are not in force, and who lacks their desk's skills. */
  function noteDesks(): void {
    const now = new Set<string>();
    const gone = new Map<string, string[]>();
    const unfit = new Map<string, string[]>();
    for (const [agentId, desk] of desks) {
      const inForce = desksInForce.has(desk);
      if (inForce && (qualifies.get(agentId)?.length ?? 0) > 0) continue;
      const key = inForce ? `unfit:${agentId}:${desk}` : `gone:${desk}`;
      now.add(key);
      if (said.has(key)) continue;
      const group = inForce ? unfit : gone;
      group.set(desk, [...(group.get(desk) ?? []), agentId]);
    }
    for (const [desk, agentIds] of gone) deps.log.warn({ desk, agentIds }, 'desk not in the lines and desks in force: its agents take callers as if they had no desk');
    for (const [desk, agentIds] of unfit) deps.log.warn({ desk, agentIds }, 'agents on a desk whose own target their skills do not meet: they take its callers only once it widens to a skill they have, if ever');
    said = now;
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
    const desk = known.has(agentId) ? desks.get(agentId) ?? null : deps.deskOf(agentId);
    known.add(agentId);
    place(agentId, skills, desk);
    noteDesks();
  }

  /** The agent's next routing decision follows the desk; a call ringing or talking stays theirs. */
  function deskChanged(agentId: string, desk: string | null): void {
    known.add(agentId);
    place(agentId, deps.skillsOf(agentId), desk);
    noteDesks();
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
   * agent's desks are worked out again, a removed desk still serving its callers with the targets it had. The
   * agents on a removed desk take callers as if they had no desk (said once in the log).
   */
  function reconfigure(config: AcdConfig): void {
    acd.reconfigure(config, clock.now());
    const kept = new Map(targets);
    for (const q of config.queues) kept.set(q.id, asTargets(q.target));
    queueIds = acd.queueIds();
    targets = new Map(queueIds.map((id) => [id, kept.get(id) ?? []]));
    staffed = new Map(queueIds.map((id) => [id, 0]));
    desksInForce = new Set(config.queues.map((q) => q.id));
    for (const agentId of known) {
      qualifies.set(agentId, queuesFor(deps.skillsOf(agentId), desks.get(agentId) ?? null));
      if (staffedAgents.has(agentId)) count(agentId, 1);
    }
    noteDesks();
  }

  for (const s of deps.statuses()) seatChanged(s);
  noteDesks();

  return {
    acd,
    seatChanged,
    skillsChanged,
    deskChanged,
    reconfigure,
    settle,
    waitingTotal,
    /** Since when no caller has been waiting; null while someone waits. */
    quietSince: (): number | null => quietSince,
    /** Agents logged in and not paused whose skills meet the queue's own target, and who are on no other desk. */
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
