/**
 * The handling-unit directory and the holiday calendar, run by the administrators (issue 15): their routes, with
 * every refused attempt of a signed-in user written to the admin audit (a supervisor trying a change, a change
 * that breaks a rule, a role that may not even read). Attempts without a session are refused and not audited:
 * nobody can be named, and anyone could fill the audit with them.
 */
import type { FastifyError, FastifyRequest } from 'fastify';
import type { FeatureContext } from '../../app.ts';
import type { BusinessCalendar } from '../../domain/business-calendar.ts';
import { describeError } from '../../http-errors.ts';
import { createCalendarBook } from '../dispatch/dispatch.calendar.ts';
import { createAdminAudit } from './admin-audit.ts';
import type { AdminAudit } from './admin-audit.ts';
import { createCalendarAdmin } from './calendar-admin.service.ts';
import { registerCalendarAdminRoutes } from './calendar.routes.ts';
import { createUnitsAdminRepo } from './units-admin.repo.ts';
import { createUnitsAdmin } from './units-admin.service.ts';
import { actorOf, registerUnitAdminRoutes } from './units.routes.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The admin audit's name for what the route does ('unit.create'); refusals on the route are recorded under it. */
    adminAction?: string;
  }
}

const READS = new Set(['GET', 'HEAD']);

/** Records a refusal of a signed-in user: every one on a change, and on a read those of a role that may not read. */
function auditRefusal(audit: AdminAudit, request: FastifyRequest, error: FastifyError): void {
  const action = request.routeOptions.config?.adminAction;
  const { status, body } = describeError(error);
  if (!action || !request.hotlineSession || status >= 500) return;
  if (READS.has(request.method) && status !== 403) return;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const target = params.code ?? params.year ?? (request.body as { code?: unknown } | undefined)?.code ?? null;
  audit.record({
    actor: actorOf(request), action, target: target === null ? null : String(target).slice(0, 64), outcome: 'refused', reason: body.code,
    after: { request: READS.has(request.method) ? null : request.body ?? null, details: body.details, context: body.context ?? null },
  });
}

export interface DirectoryAdminOptions {
  /** The built-in and configured calendar (calendarFrom(config.calendar)), under the administrators' years. */
  calendar: BusinessCalendar;
}

export async function registerDirectoryAdmin(ctx: FeatureContext, options: DirectoryAdminOptions): Promise<void> {
  const { deps } = ctx;
  const audit = createAdminAudit(deps.db, () => deps.clock.now());
  const units = createUnitsAdmin({ repo: createUnitsAdminRepo(deps.db), audit, clock: deps.clock, log: deps.log });
  const calendar = createCalendarAdmin({
    book: createCalendarBook(deps.db, options.calendar), audit, clock: deps.clock, log: deps.log,
    transaction: (fn) => deps.db.transaction(fn)(),
  });
  await ctx.app.register(async (scope) => {
    // Audited, then handed on to the service's error handler, which answers as it does everywhere.
    scope.setErrorHandler((error: FastifyError, request) => {
      try { auditRefusal(audit, request, error); } catch (failure) { request.log.warn({ err: failure }, 'refusal not audited'); }
      throw error;
    });
    registerUnitAdminRoutes(scope, { units });
    registerCalendarAdminRoutes(scope, { calendar });
  });
}
