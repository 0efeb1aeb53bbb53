import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { AgentEvent, AgentTransition } from '../../domain/agent-state.ts';
import { err, hotlineError, ok } from '../../domain/errors.ts';
import type { Result } from '../../domain/errors.ts';
import type { Database } from '../../store/database.ts';
import type { AgentView } from '../agents/agents.service.ts';

export const FORCE_ACTIONS = ['ready', 'pause', 'logout'] as const;
export type ForceAction = (typeof FORCE_ACTIONS)[number];

/** The pause reason an agent paused by a supervisor carries. */
export const SUPERVISOR_PAUSE_REASON = 'supervisor';

export interface Supervisor { userId: string; username: string }

export interface SupervisorActionsDeps {
  agents: {
    get(agentId: string): AgentView | undefined;
    apply(agentId: string, event: AgentEvent): AgentTransition;
  };
  db: Database;
  clock: Clock;
  log: Logger;
}

export interface SupervisorActions {
  /** Forces an agent ready, paused or logged out, for a reason; every attempt, done or refused, goes to audit_log. */
  force(by: Supervisor, agentId: string, action: ForceAction, reason: string): Result<AgentView>;
}

export function createSupervisorActions(deps: SupervisorActionsDeps): SupervisorActions {
  const log = deps.log.child({ component: 'supervision' });
  const audit = deps.db.prepare('INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)');

  function eventFor(action: ForceAction, by: string): AgentEvent {
    switch (action) {
      case 'ready': return { kind: 'force_ready', by };
      case 'pause': return { kind: 'force_pause', by, reason: SUPERVISOR_PAUSE_REASON };
      case 'logout': return { kind: 'force_logout', by };
    }
  }

  return {
    force(by, agentId, action, reason) {
      const before = deps.agents.get(agentId);
      if (!before) return err(hotlineError('ERR_NO_SUCH_AGENT'));
      const t = deps.agents.apply(agentId, eventFor(action, by.userId));
      const after = deps.agents.get(agentId) ?? before;
      const details = {
        reason, by: by.username, from: before.state,
        ...(t.ok ? { to: after.state, outcome: 'done' } : { outcome: 'refused', refused: t.refused }),
      };
      audit.run(deps.clock.now(), by.userId, `agent.force_${action}`, agentId, JSON.stringify(details));
      log.info({ agentId, action, by: by.userId, outcome: details.outcome }, 'supervisor forced an agent state');
      if (!t.ok) return err(hotlineError('ERR_AGENT_STATE', { state: before.state, refused: t.refused }));
      return ok(after);
    },
  };
}
