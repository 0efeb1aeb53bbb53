/** Agent skills: skill name -> level, 1 (trainee) to 5 (expert). */
export type SkillLevels = Readonly<Record<string, number>>;

/** Agents holding any of `skills` at `minLevel` or above. */
export interface SkillTarget {
  readonly skills: readonly string[];
  readonly minLevel: number;
}

/** After the caller has waited `afterSeconds` (counted from arrival at the hotline), widen the target. */
export interface OverflowRule {
  readonly afterSeconds: number;
  readonly widenTo: SkillTarget;
}

export type OverflowDestination =
  | { readonly kind: 'queue'; readonly queueId: string }
  | { readonly kind: 'callback' };

export type OverflowReason = 'max_waiting' | 'max_wait' | 'unknown_line';

export interface QueueConfig {
  readonly id: string;
  readonly target: SkillTarget | readonly SkillTarget[];
  readonly overflowRules?: readonly OverflowRule[];
  /** Higher is answered first. */
  readonly priority?: number;
  /** Callers held (waiting or ringing a seat) before new ones overflow. */
  readonly maxWaiting?: number;
  /** Seconds a caller may wait in this queue before overflowing. */
  readonly maxWaitSeconds?: number;
  /** Where overflowing callers go; a message and a callback entry when unset. */
  readonly overflowTo?: OverflowDestination;
}

export interface LineConfig {
  /** The number dialled (DID), e.g. 12345, 12315. */
  readonly line: string;
  readonly queueId: string;
  /** Added to the queue's priority for callers on this line. */
  readonly priority?: number;
}

export interface AcdConfig {
  readonly lines: readonly LineConfig[];
  readonly queues: readonly QueueConfig[];
}

export const MIN_SKILL_LEVEL = 1;
export const MAX_SKILL_LEVEL = 5;

/** Skill -> the lowest level accepted, for one stage of a queue's widening. */
export type SkillNeeds = ReadonlyMap<string, number>;

export interface QueueStage {
  /** Milliseconds after arrival from which this stage applies. */
  readonly fromMs: number;
  readonly needs: SkillNeeds;
}

export interface QueuePlan {
  readonly id: string;
  readonly index: number;
  readonly priority: number;
  readonly maxWaiting: number;
  readonly maxWaitMs: number;
  readonly overflowTo: OverflowDestination;
  /** Stage 0 is the target; each overflow rule adds a stage whose needs include every earlier one. */
  readonly stages: readonly QueueStage[];
}

export interface AcdPlan {
  readonly queues: readonly QueuePlan[];
  readonly queueById: ReadonlyMap<string, QueuePlan>;
  readonly lineById: ReadonlyMap<string, LineConfig>;
  /** Skill -> the queues that may, at some stage, take an agent with that skill, with the lowest level. */
  readonly reach: ReadonlyMap<string, ReadonlyArray<{ readonly queue: QueuePlan; readonly minLevel: number }>>;
}

/** Every problem with a queue configuration; empty when it can be used. */
export function acdConfigProblems(config: AcdConfig): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const q of config.queues) {
    if (ids.has(q.id)) problems.push(`queue ${q.id}: defined twice`);
    ids.add(q.id);
  }
  const lines = new Set<string>();
  for (const l of config.lines) {
    if (lines.has(l.line)) problems.push(`line ${l.line}: defined twice`);
    lines.add(l.line);
    if (!ids.has(l.queueId)) problems.push(`line ${l.line}: no queue ${l.queueId}`);
  }
  for (const q of config.queues) {
    const targets = [...asTargets(q.target), ...(q.overflowRules ?? []).map((r) => r.widenTo)];
    if (asTargets(q.target).every((t) => t.skills.length === 0)) problems.push(`queue ${q.id}: targets no skill`);
    for (const t of targets) {
      if (!Number.isInteger(t.minLevel) || t.minLevel < MIN_SKILL_LEVEL || t.minLevel > MAX_SKILL_LEVEL) {
        problems.push(`queue ${q.id}: level ${t.minLevel} is not 1..5`);
      }
    }
    for (const r of q.overflowRules ?? []) {
      if (!(r.afterSeconds >= 0)) problems.push(`queue ${q.id}: overflow after ${r.afterSeconds} s`);
    }
    if (q.overflowTo?.kind === 'queue' && !ids.has(q.overflowTo.queueId)) {
      problems.push(`queue ${q.id}: overflows to unknown queue ${q.overflowTo.queueId}`);
    }
  }
  return problems;
}

export function planAcd(config: AcdConfig): AcdPlan {
  const problems = acdConfigProblems(config);
  if (problems.length > 0) throw new Error(`invalid queue configuration: ${problems.join('; ')}`);
  const queues = config.queues.map((q, index) => planQueue(q, index));
  const reach = new Map<string, Array<{ queue: QueuePlan; minLevel: number }>>();
  for (const queue of queues) {
    const last = queue.stages[queue.stages.length - 1]!;
    for (const [skill, minLevel] of last.needs) {
      const list = reach.get(skill) ?? [];
      list.push({ queue, minLevel });
      reach.set(skill, list);
    }
  }
  return {
    queues,
    queueById: new Map(queues.map((q) => [q.id, q])),
    lineById: new Map(config.lines.map((l) => [l.line, l])),
    reach,
  };
}

function asTargets(target: SkillTarget | readonly SkillTarget[]): readonly SkillTarget[] {
  return 'skills' in target ? [target as SkillTarget] : (target as readonly SkillTarget[]);
}

function planQueue(q: QueueConfig, index: number): QueuePlan {
  const needs = new Map<string, number>();
  const widen = (t: SkillTarget): void => {
    for (const s of t.skills) needs.set(s, Math.min(needs.get(s) ?? MAX_SKILL_LEVEL, t.minLevel));
  };
  asTargets(q.target).forEach(widen);
  const stages: QueueStage[] = [{ fromMs: 0, needs: new Map(needs) }];
  const rules = [...(q.overflowRules ?? [])].sort((a, b) => a.afterSeconds - b.afterSeconds);
  for (const rule of rules) {
    widen(rule.widenTo);
    const fromMs = rule.afterSeconds * 1000;
    if (stages[stages.length - 1]!.fromMs === fromMs) stages.pop();
    stages.push({ fromMs, needs: new Map(needs) });
  }
  return {
    id: q.id,
    index,
    priority: q.priority ?? 0,
    maxWaiting: q.maxWaiting ?? Number.POSITIVE_INFINITY,
    maxWaitMs: q.maxWaitSeconds === undefined ? Number.POSITIVE_INFINITY : q.maxWaitSeconds * 1000,
    overflowTo: q.overflowTo ?? { kind: 'callback' },
    stages,
  };
}

/** The stage a caller who arrived at `arrivedAt` is in at `now`; a wait of exactly `afterSeconds` counts. */
export function stageAt(queue: QueuePlan, arrivedAt: number, now: number): QueueStage {
  const waited = now - arrivedAt;
  const stages = queue.stages;
  let i = stages.length - 1;
  while (i > 0 && stages[i]!.fromMs > waited) i--;
  return stages[i]!;
}

/** When the caller's target next widens after `after`, or undefined when it is as wide as it gets. */
export function nextWideningAt(queue: QueuePlan, arrivedAt: number, after: number): number | undefined {
  for (const stage of queue.stages) if (arrivedAt + stage.fromMs > after) return arrivedAt + stage.fromMs;
  return undefined;
}

export function canTake(needs: SkillNeeds, skills: ReadonlyMap<string, number>): boolean {
  if (skills.size < needs.size) {
    for (const [skill, level] of skills) {
      const min = needs.get(skill);
      if (min !== undefined && level >= min) return true;
    }
    return false;
  }
  for (const [skill, min] of needs) if ((skills.get(skill) ?? 0) >= min) return true;
  return false;
}
