import type { HotlineHttp } from '../../app.ts';
import type { Clock } from '../../clock.ts';
import { citizenDisclosure, shownNumber } from '../../domain/citizen-privacy.ts';
import type { ViewerRole } from '../../domain/citizen-privacy.ts';
import { maskPhone } from '../../domain/phone.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { AdminAudit } from '../admin/admin-audit.ts';
import { actorOf, auditRefusals } from '../admin/reference-data.audit.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { SurveysRepo, SurveyJobRow, SurveyJobState } from './surveys.repo.ts';
import { CallRatingsQuery, DoNotCallBody, DoNotCallParams, SurveysQuery } from './surveys.schemas.ts';
import { normalisePhone } from './surveys.service.ts';
import type { SurveysService } from './surveys.service.ts';

const supervisors = requireRole('supervisor', 'admin');

export interface SurveyRouteDeps {
  repo: SurveysRepo;
  clock: Clock;
  /** Absent when the hotline runs without a PBX: the lists and the do-not-call list still work. */
  surveys?: SurveysService;
  /** Every change to the do-not-call list, and every one refused to a signed-in user. */
  audit?: AdminAudit;
}

const DNC_ACTIONS = { 'POST /api/surveys/do-not-call': 'do_not_call.add', 'DELETE /api/surveys/do-not-call/:phoneNumber': 'do_not_call.remove' } as const;

/** A survey job as `role` sees it: the list is an overview the dialer works from, so the number is masked (src/domain/citizen-privacy.ts). */
function jobView(job: SurveyJobRow, repo: SurveysRepo, role: ViewerRole) {
  const result = repo.result(job.id);
  const how = citizenDisclosure({ role }, job.confidential, 'overview');
  return {
    id: job.id, ticketId: job.ticketId, round: job.round, phoneNumber: shownNumber(job.phoneNumber, how.number) ?? '', confidential: job.confidential,
    category: job.category, closedAt: job.closedAt, dueAt: job.dueAt, status: job.status, attempts: job.attempts,
    lastAttemptAt: job.lastAttemptAt, lastOutcome: job.lastOutcome, notBefore: job.notBefore, skipReason: job.skipReason,
    result: result ? {
      resolved: result.resolved, satisfaction: result.satisfaction, keys: result.keys, completed: result.completed,
      reopen: result.reopen, startedAt: result.startedAt, endedAt: result.endedAt, channelId: result.channelId,
    } : null,
  };
}

/** Supervisors' view of the callback surveys and the do-not-call list. */
export function registerSurveyRoutes(app: HotlineHttp, deps: SurveyRouteDeps): void {
  const { repo, audit } = deps;
  if (audit) auditRefusals(app, audit, DNC_ACTIONS, { target: (request) => (request.params as { phoneNumber?: string } | undefined)?.phoneNumber ?? null });
  // The entry of a number on the list, for the audit's before and after (the whole list read: changes are rare).
  const entryOf = (phone: string) => (repo.isDoNotCall(phone) ? repo.doNotCallList(Number.MAX_SAFE_INTEGER).find((n) => n.phoneNumber === phone) ?? { phoneNumber: phone } : null);

  app.get('/api/surveys', { preHandler: supervisors, schema: { querystring: SurveysQuery } }, async (request) => {
    const q = request.query;
    const jobs = q.ticketId ? repo.jobsOfTicket(q.ticketId) : repo.jobs(q.status as SurveyJobState | undefined, q.limit ?? 100);
    const role = sessionOf(request).account.role as ViewerRole;
    return { jobs: jobs.filter((j) => !q.status || j.status === q.status).map((j) => jobView(j, repo, role)) };
  });

  app.get('/api/surveys/jobs/stats', { preHandler: supervisors }, async () => {
    if (deps.surveys) return deps.surveys.stats();
    return { jobs: repo.countByStatus(), activeChannels: 0, dialing: false };
  });

  /** 一次一评: the callers' ratings of their calls, of one call or the latest. */
  app.get('/api/surveys/call-ratings', { preHandler: supervisors, schema: { querystring: CallRatingsQuery } }, async (request) => ({
    ratings: repo.ratings(request.query.callId, request.query.limit ?? 100),
  }));

  // The do-not-call list is kept by number: supervisors and admins see the numbers they manage in full.
  app.get('/api/surveys/do-not-call', { preHandler: supervisors }, async (request) => {
    const how = citizenDisclosure({ role: sessionOf(request).account.role as ViewerRole }, false);
    return { numbers: repo.doNotCallList().map((n) => ({ ...n, phoneNumber: shownNumber(n.phoneNumber, how.number) ?? '' })) };
  });

  app.post('/api/surveys/do-not-call', { preHandler: supervisors, schema: { body: DoNotCallBody } }, async (request, reply) => {
    const session = sessionOf(request);
    const by = session.account.username;
    const reason = request.body.reason ?? null;
    const phoneNumber = normalisePhone(request.body.phoneNumber);
    const before = entryOf(phoneNumber);
    repo.addDoNotCall(phoneNumber, reason, by, deps.clock.now());
    audit?.record({ actor: actorOf(request), action: DNC_ACTIONS['POST /api/surveys/do-not-call'], target: phoneNumber, before, after: entryOf(phoneNumber), outcome: 'ok' });
    request.log.info({ phone: maskPhone(phoneNumber), by }, 'number added to do-not-call');
    return reply.code(201).send({ phoneNumber, reason });
  });

  app.delete('/api/surveys/do-not-call/:phoneNumber', { preHandler: supervisors, schema: { params: DoNotCallParams } }, async (request, reply) => {
    const phoneNumber = normalisePhone(request.params.phoneNumber);
    const before = entryOf(phoneNumber);
    const removed = repo.removeDoNotCall(phoneNumber);
    if (!removed) throw hotlineError('ERR_NOT_FOUND', { phoneNumber: maskPhone(request.params.phoneNumber) });
    audit?.record({ actor: actorOf(request), action: DNC_ACTIONS['DELETE /api/surveys/do-not-call/:phoneNumber'], target: phoneNumber, before, after: null, outcome: 'ok' });
    request.log.info({ phone: maskPhone(request.params.phoneNumber) }, 'number removed from do-not-call');
    return reply.code(204).send();
  });
}
