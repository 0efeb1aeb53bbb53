import type { HotlineHttp } from '../../app.ts';
import { citizenDisclosure, shownNumber } from '../../domain/citizen-privacy.ts';
import type { ViewerRole } from '../../domain/citizen-privacy.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { Result } from '../../domain/errors.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { CallbackOutcome, CallbackRow, CallbackStatus } from './callbacks.repo.ts';
import type { CallbacksService } from './callbacks.service.ts';
import { CallbackIdParams, CallbackListQuery, CallbackListReply, CallbackOutcomeBody, CallbackReply } from './callbacks.schemas.ts';

/**
 * A callback task as `who` sees it. A missed call has no ticket and is never confidential: the centre's staff,
 * who make the callback, see the number in full (src/domain/citizen-privacy.ts); units never reach this list.
 */
export function callbackReply(r: CallbackRow, who: { role: string; agentId: string | null }) {
  const how = citizenDisclosure({ role: who.role as ViewerRole, own: who.agentId !== null && r.claimed_by === who.agentId }, false);
  return {
    id: r.id, callerNumber: shownNumber(r.caller_number, how.number) ?? '', line: r.line, queueId: r.queue_id, reason: r.reason, status: r.status,
    missedCount: r.missed_count, firstMissedAt: r.first_missed_at, lastMissedAt: r.last_missed_at, claimedBy: r.claimed_by,
    attempts: r.attempts, outcome: r.outcome, outcomeAt: r.outcome_at,
  };
}

function unwrap(result: Result<CallbackRow>, who: { role: string; agentId: string | null }) {
  if (!result.ok) throw result.error;
  return callbackReply(result.value, who);
}

/**
 * The callback list: agents see their own tasks, and the pending ones while the queues are quiet;
 * supervisors see all. An agent claims a task, dials (seat first, then the citizen) and records the outcome.
 */
export function registerCallbackRoutes(app: HotlineHttp, deps: { callbacks: CallbacksService }): void {
  const { callbacks } = deps;
  const asAgent = { preHandler: requireRole('agent') };
  const agentOf = (request: Parameters<typeof sessionOf>[0]): string => {
    const agentId = sessionOf(request).account.agentId;
    if (!agentId) throw hotlineError('ERR_NO_SUCH_AGENT', { reason: 'this user is not an agent' });
    return agentId;
  };
  const byId = { params: CallbackIdParams, response: { 200: CallbackReply } };

  app.get('/api/callbacks', {
    preHandler: requireRole('agent', 'supervisor', 'admin'), schema: { querystring: CallbackListQuery, response: { 200: CallbackListReply } },
  }, async (request) => {
    const q = request.query as { status?: CallbackStatus; limit?: number };
    const account = sessionOf(request).account;
    const all = account.role !== 'agent';
    const list = callbacks.list({ agentId: account.agentId ?? undefined, all }, q.status, q.limit);
    return { offerable: list.offerable, callbacks: list.callbacks.map((r) => callbackReply(r, account)) };
  });

  app.post('/api/callbacks/:id/claim', { ...asAgent, schema: byId }, async (request) =>
    unwrap(callbacks.claim(agentOf(request), (request.params as { id: string }).id), sessionOf(request).account));

  app.post('/api/callbacks/:id/dial', { ...asAgent, schema: byId }, async (request) =>
    unwrap(await callbacks.dial(agentOf(request), (request.params as { id: string }).id), sessionOf(request).account));

  app.post('/api/callbacks/:id/outcome', { ...asAgent, schema: { ...byId, body: CallbackOutcomeBody } }, async (request) =>
    unwrap(callbacks.outcome(agentOf(request), (request.params as { id: string }).id, (request.body as { outcome: CallbackOutcome }).outcome), sessionOf(request).account));

  app.post('/api/callbacks/:id/release', { ...asAgent, schema: byId }, async (request) =>
    unwrap(callbacks.release(agentOf(request), (request.params as { id: string }).id), sessionOf(request).account));
}
