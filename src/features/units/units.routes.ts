import type { HotlineHttp } from '../../app.ts';
import { requireRole } from '../auth/auth.routes.ts';
import type { UnitsRepo } from './units.repo.ts';

/**
 * GET /api/units: the district → street/township tree of the units in use. An administrator's change applies at
 * once, so a browser checks again each time (the ETag spares it the body while nothing changed).
 */
export function registerUnitRoutes(app: HotlineHttp, deps: { units: UnitsRepo }): void {
  app.get('/api/units', { preHandler: requireRole('agent', 'supervisor', 'unit', 'admin') }, async (request, reply) => {
    const tag = `"units-${deps.units.version()}"`;
    reply.header('cache-control', 'private, no-cache');
    reply.header('etag', tag);
    if (request.headers['if-none-match'] === tag) return reply.code(304).send();
    return { districts: deps.units.tree() };
  });
}
