/**
 * What an administrator changes on an agent's account while the service runs: the seat, the desk, the name.
 * Each is stored and applied to the agent the service holds; the queue engine hears of a desk change through
 * `deskChanged`, and a call ringing or talking is never touched.
 */
import { err, hotlineError, ok } from '../../domain/errors.ts';
import type { Result } from '../../domain/errors.ts';
import type { AgentsRepo } from './agents.repo.ts';
import type { AgentView, Seated } from './agents.service.ts';

export interface AccountChangeDeps {
  agents: ReadonlyMap<string, Seated>;
  repo: AgentsRepo;
  find(agentId: string): Seated | undefined;
  view(a: Seated): AgentView;
  refusal(a: Seated, refused: string): Result<never>;
  deskChanged(agentId: string, desk: string | null): void;
}

export function createAccountChanges(deps: AccountChangeDeps) {
  const { agents, repo, find, view, refusal } = deps;

  /**
   * An administrator assigns the agent another seat: refused while the agent is signed in at a seat (or on a
   * call), and when another agent has that seat (ERR_SEAT_TAKEN).
   */
  function setSeat(agentId: string, seat: string): Result<AgentView> {
    const a = find(agentId);
    if (!a) return err(hotlineError('ERR_NO_SUCH_AGENT'));
    if (a.account.seat === seat) return ok(view(a));
    if (a.status.state !== 'offline') return refusal(a, 'seat_change_while_signed_in');
    if (repo.all().some((other) => other.id !== agentId && other.seat === seat)) return err(hotlineError('ERR_SEAT_TAKEN', { seat }));
    repo.saveSeat(agentId, seat);
    a.account = { ...a.account, seat };
    a.seat = seat;
    a.log.info({ seat }, 'agent seat assigned');
    return ok(view(a));
  }

  /**
   * An administrator puts the agent on a desk (a queue id), or on none: routing follows from its next decision,
   * a call ringing or talking is not touched.
   */
  function setDesk(agentId: string, desk: string | null): Result<AgentView> {
    const a = find(agentId);
    if (!a) return err(hotlineError('ERR_NO_SUCH_AGENT'));
    repo.saveDesk(agentId, desk);
    a.account = { ...a.account, desk };
    a.log.info({ desk }, 'agent desk set');
    deps.deskChanged(agentId, desk);
    return ok(view(a));
  }

  /** The desk the agent is on (a queue id), or null. */
  function deskOf(agentId: string): string | null {
    return (agents.get(agentId)?.account ?? repo.byId(agentId))?.desk ?? null;
  }

  /** The agent's name as shown on the wallboard and the grid, changed with the account's display name. */
  function rename(agentId: string, name: string): Result<AgentView> {
    const a = find(agentId);
    if (!a) return err(hotlineError('ERR_NO_SUCH_AGENT'));
    repo.saveName(agentId, name);
    a.account = { ...a.account, name };
    return ok(view(a));
  }

  return { setSeat, setDesk, deskOf, rename };
}
