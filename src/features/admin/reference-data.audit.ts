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

/** How a refused request is written: what it was about, and its body as the audit keeps it (a long text cut short). */
export interface RefusalView {
  target?: (request: FastifyRequest) => string | null;
  body?: (body: unknown) => unknown;
}

/** Audits, in `scope`, the refusals on the routes named in `actions` ('PUT /api/admin/lines' → 'lines.update'). */
export function auditRefusals(scope: HotlineHttp, audit: AdminAudit, actions: Readonly<Record<string, string>>, view: RefusalView = {}): void {
  scope.addHook('onError', async (request, _reply, error: FastifyError) => {
    const action = actions[`${request.method} ${request.routeOptions.url ?? ''}`];
    if (!action || !request.hotlineSession) return;
    const { status, body } = describeError(error);
    if (status >= 500) return;
    const read = request.method === 'GET' || request.method === 'HEAD';
    if (read && status !== 403) return;
    try {
      audit.record({
        actor: actorOf(request), action, target: view.target?.(request) ?? null, outcome: 'refused', reason: body.code,
        after: { request: read ? null : (view.body ? view.body(request.body) : request.body) ?? null, details: body.details ?? null },
      });
    } catch (failure) {
      request.log.warn({ err: failure }, 'refusal not audited');
    }
  });
}
