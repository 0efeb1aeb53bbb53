import type { Logger } from 'pino';
import type { Bus, TicketSummary } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import type { CallbackSettings } from '../../config/config.ts';
import { err, hotlineError, ok } from '../../domain/errors.ts';
import type { Result } from '../../domain/errors.ts';
import { maskPhone } from '../../domain/phone.ts';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import type { AgentsService } from '../agents/agents.service.ts';
import type { MissedCall } from '../calls/calls.types.ts';
import { createCallbackCalls } from './callbacks.call.ts';
import type { CallbackOutcome, CallbackRow, CallbackStatus, CallbacksRepo } from './callbacks.repo.ts';

export type CallbacksService = ReturnType<typeof createCallbacksService>;

export const CALLBACK_PAUSE_REASON = 'callback';

/**
 * 漏接回拨: every missed or abandoned call lands on the callback list (one task per number per
 * window); when the queues are quiet, agents claim tasks and call back from the desktop.
 */
export function createCallbacksService(deps: {
  repo: CallbacksRepo; agents: AgentsService; ari: AriClient; clock: Clock; bus: Bus; log: Logger;
  settings: CallbackSettings & { app: string; historyDays?: number };
  /** Since when no caller has waited in any queue; null while someone waits. */
  quietSince: () => number | null;
  history?: (callerNumber: string, now: number, days: number) => TicketSummary[];
}) {
  const { repo, agents, clock, settings } = deps;
  const log = deps.log.child({ component: 'callbacks' });
  const calls = createCallbackCalls({
    ari: deps.ari, repo, clock, bus: deps.bus, log, history: deps.history,
    settings: { app: settings.app, callerId: settings.callerId, dialTemplate: settings.dialTemplate, ringTimeoutSeconds: settings.ringTimeoutSeconds, historyDays: settings.historyDays ?? 90 },
    onUnreached(callbackId, agentId, outcome) { settle(callbackId, agentId, outcome); },
  });

  function missed(m: MissedCall): void {
    if (!settings.enabled || !/^[0-9+]{3,20}$/.test(m.callerNumber)) return;
    if (m.reason === 'abandoned' && m.waitedMs < settings.shortAbandonSeconds * 1000) return;
    const filed = repo.record({ callId: m.callId, callerNumber: m.callerNumber, line: m.line, queueId: m.queueId, reason: m.reason, at: m.endedAt }, settings.dedupeHours * 3_600_000);
    if (filed) log.info({ callbackId: filed.callbackId, created: filed.created, caller: maskPhone(m.callerNumber), reason: m.reason }, 'missed call on the callback list');
  }

  function readyAgents(): number {
    let n = 0;
    for (const s of agents.statuses()) if (s.state === 'ready' && s.registered) n++;
    return n;
  }

  /** Quiet enough to call back: nobody has waited for `quietSeconds` and at least `minReadyAgents` are ready. */
  function offerable(): boolean {
    const since = deps.quietSince();
    return settings.enabled && since !== null && clock.now() - since >= settings.quietSeconds * 1000 && readyAgents() >= settings.minReadyAgents;
  }

  function mine(agentId: string, id: string, states: readonly CallbackStatus[]): Result<CallbackRow> {
    const row = repo.get(id);
    if (!row) return err(hotlineError('ERR_NOT_FOUND', { callbackId: id }));
    if (row.claimed_by !== agentId || !states.includes(row.status)) return err(hotlineError('ERR_CALL_STATE', { status: row.status, claimedBy: row.claimed_by }));
    return ok(row);
  }

  function backToWork(agentId: string): void {
    const s = agents.statusOf(agentId);
    if (s?.state === 'paused' && s.reason === CALLBACK_PAUSE_REASON) agents.setState(agentId, 'ready');
  }

  function settle(id: string, agentId: string, outcome: CallbackOutcome): void {
    const row = repo.get(id);
    if (!row) return;
    const retry = (outcome === 'no_answer' || outcome === 'busy') && row.attempts < settings.maxAttempts;
    repo.finish(id, outcome, clock.now(), retry);
    log.info({ callbackId: id, outcome, retry }, 'callback outcome');
    backToWork(agentId);
  }

  return {
    missed,
    offerable,
    list(viewer: { agentId?: string; all: boolean }, status?: CallbackStatus, limit = 200) {
      const open = offerable();
      if (viewer.all) return { offerable: open, callbacks: repo.list({ status, limit }) };
      const own = viewer.agentId ? repo.list({ claimedBy: viewer.agentId, limit }).filter((r) => r.status !== 'done') : [];
      const pending = open ? repo.list({ status: 'pending', limit }) : [];
      return { offerable: open, callbacks: [...own, ...pending] };
    },
    get: (id: string) => repo.get(id),
    missedCalls: (id: string) => repo.missedCalls(id),
    claim(agentId: string, id: string): Result<CallbackRow> {
      const row = repo.get(id);
      if (!row) return err(hotlineError('ERR_NOT_FOUND', { callbackId: id }));
      const agent = agents.statusOf(agentId);
      if (!agent || (agent.state !== 'ready' && agent.state !== 'paused')) return err(hotlineError('ERR_AGENT_STATE', { state: agent?.state ?? 'offline' }));
      if (!offerable()) return err(hotlineError('ERR_CALL_STATE', { reason: 'queues_busy' }));
      if (!repo.move(id, ['pending'], 'claimed', { claimedBy: agentId, at: clock.now() })) return err(hotlineError('ERR_CONFLICT', { status: row.status }));
      agents.setState(agentId, 'paused', CALLBACK_PAUSE_REASON);
      return ok(repo.get(id)!);
    },
    async dial(agentId: string, id: string): Promise<Result<CallbackRow>> {
      const owned = mine(agentId, id, ['claimed']);
      if (!owned.ok) return owned;
      if (calls.active(id)) return err(hotlineError('ERR_CALL_STATE', { reason: 'already_dialing' }));
      const seat = agents.seatOf(agentId);
      if (!seat) return err(hotlineError('ERR_AGENT_STATE', { state: 'offline' }));
      try {
        await calls.start(owned.value, agentId, seat);
      } catch (error) {
        return err(hotlineError('ERR_PBX_UNAVAILABLE', { reason: 'seat not reachable' }, { cause: error }));
      }
      return ok(repo.get(id)!);
    },
    outcome(agentId: string, id: string, outcome: CallbackOutcome): Result<CallbackRow> {
      const owned = mine(agentId, id, ['claimed', 'talking', 'dialing']);
      if (!owned.ok) return owned;
      calls.hangUp(id);
      settle(id, agentId, outcome);
      return ok(repo.get(id)!);
    },
    release(agentId: string, id: string): Result<CallbackRow> {
      const owned = mine(agentId, id, ['claimed']);
      if (!owned.ok) return owned;
      repo.move(id, ['claimed'], 'pending', { claimedBy: null });
      backToWork(agentId);
      return ok(repo.get(id)!);
    },
    close(): void { calls.close(); },
  };
}
