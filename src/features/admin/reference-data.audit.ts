/**
 * Who changes the reference data, and the refusals of signed-in users written to the admin audit: every
 * refused change (a supervisor's, a body that breaks a rule), and a read refused to a role that may not read.
 * Attempts without a session are refused and not audited: nobody can be named.
 */
import type { FastifyError, FastifyRequest } from 'fastify';
import type { HotlineHttp } from '../../app.ts';
import { describeError } from '../../http-errors.ts';
import { sessionOf } from '../auth/auth.routes.ts';
import type { AdminAudit, AuditActor } from './admin-audit.ts';

export function actorOf(request: FastifyRequest): AuditActor {
  const { account } = sessionOf(request);
  return { id: account.id, username: account.username, client: request.ip };
}

/** Audits, in `scope`, the refusals on the routes named in `actions` ('PUT /api/admin/lines' → 'lines.update'). */
export function auditRefusals(scope: HotlineHttp, audit: AdminAudit, actions: Readonly<Record<string, string>>): void {
  scope.addHook('onError', async (request, _reply, error: FastifyError) => {
    const action = actions[`${request.method} ${request.routeOptions.url ?? ''}`];
    const { status, body } = describeError(error);
    if (!action || !request.hotlineSession || status >= 500) return;
    const read = request.method === 'GET' || request.method === 'HEAD';
    if (read && status !== 403) return;
    try {
      audit.record({
        actor: actorOf(request), action, target: null, outcome: 'refused', reason: body.code,
        after: { request: read ? null : request.body ?? null, details: body.details ?? null },
      });
    } catch (failure) {
      request.log.warn({ err: failure }, 'refusal not audited');
    }
  });
}
