/**
 * The lines and desks over HTTP, for the admin console: administrators and supervisors read the version in
 * force and what is scheduled; administrators add a version (now, or at a later time). Bodies are checked
 * against the config file's own schemas (Line, Queue), then by the cross-checks of lines-check.ts.
 */
import Type from 'typebox';
import type { HotlineHttp } from '../../app.ts';
import { Line, Queue } from '../../config/config.schema.ts';
import { requireRole } from '../auth/auth.routes.ts';
import { EffectiveAt } from './categories.routes.ts';
import type { LineVersions } from './line-versions.ts';
import { actorOf } from './reference-data.audit.ts';

export const LinesBody = Type.Object({
  lines: Type.Array(Line, { minItems: 1, maxItems: 100 }),
  queues: Type.Array(Queue, { minItems: 1, maxItems: 100 }),
  effectiveAt: Type.Optional(EffectiveAt),
}, { additionalProperties: false });

export function registerLineRoutes(app: HotlineHttp, deps: { lines: LineVersions }): void {
  const { lines } = deps;

  app.get('/api/admin/lines', { preHandler: requireRole('admin', 'supervisor') }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return lines.get();
  });

  app.put('/api/admin/lines', { schema: { body: LinesBody }, preHandler: requireRole('admin') }, async (request) =>
    lines.put(actorOf(request), request.body));
}
