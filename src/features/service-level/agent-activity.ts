import type { Bus } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import { activityOf } from '../../domain/acd/service-level.ts';
import type { AgentActivity as ActivityState, AgentInterval } from '../../domain/acd/service-level.ts';

export interface AgentActivityLog {
  /** Every agent's state intervals overlapping [from, to), clipped to it; a state still held ends at min(to, now). */
  intervals(from: number, to: number, now: number): AgentInterval[];
  close(): void;
}

interface Current { state: ActivityState; since: number }

/**
 * The agents' state intervals from `agent.state` on the bus, kept for `keepMs`. It lives in memory:
 * it starts with the states the agents have when the service starts, and intervals before that are
 * not known. The service level counts from the database's history instead (`agent-state-log.ts`)
 * whenever its source has one; this log serves a source without a database.
 */
export function createAgentActivityLog(deps: {
  bus: Bus;
  clock: Clock;
  keepMs?: number;
  initial?: Array<{ agentId: string; state: string; since: number }>;
}): AgentActivityLog {
  const keepMs = deps.keepMs ?? 36 * 3_600_000;
  const current = new Map<string, Current>();
  let closed: AgentInterval[] = [];
  let oldestKept = 0;

  const asState = activityOf;
  for (const a of deps.initial ?? []) current.set(a.agentId, { state: asState(a.state), since: a.since });

  function prune(now: number): void {
    const horizon = now - keepMs;
    if (closed.length === 0 || oldestKept >= horizon) return;
    closed = closed.filter((iv) => iv.to > horizon);
    oldestKept = closed.reduce((m, iv) => Math.min(m, iv.from), Infinity);
  }

  const off = deps.bus.subscribe('agent.state', ({ agentId, state, since }) => {
    const was = current.get(agentId);
    const next = asState(state);
    if (was) {
      if (was.state === next) return;
      const to = Math.max(was.since, since);
      if (to > was.since) {
        closed.push({ agentId, state: was.state, from: was.since, to });
        if (closed.length === 1) oldestKept = was.since;
      }
    }
    current.set(agentId, { state: next, since });
    if (closed.length % 4096 === 0) prune(deps.clock.now());
  });

  return {
    intervals(from, to, now) {
      const out: AgentInterval[] = [];
      const clip = (iv: AgentInterval): void => {
        const f = Math.max(iv.from, from);
        const t = Math.min(iv.to, to);
        if (t > f) out.push(f === iv.from && t === iv.to ? iv : { agentId: iv.agentId, state: iv.state, from: f, to: t });
      };
      for (const iv of closed) clip(iv);
      const end = Math.min(to, now);
      for (const [agentId, c] of current) clip({ agentId, state: c.state, from: c.since, to: end });
      return out;
    },
    close() { off(); },
  };
}
