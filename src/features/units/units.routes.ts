import type { HotlineHttp } from '../../app.ts';
import { requireRole } from '../auth/auth.routes.ts';
import type { District, UnitsRepo } from './units.repo.ts';

/** GET /api/units: the district → street/township tree. The seed changes only with a restart, so it is read once. */
export function registerUnitRoutes(app: HotlineHttp, deps: { units: UnitsRepo }): void {
  let cached: District[] | undefined;
  app.get('/api/units', { preHandler: requireRole('agent', 'supervisor', 'unit', 'admin') }, async (_request, reply) => {
    cached ??= deps.units.tree();
    if (cached.length === 0) cached = undefined;
    reply.header('cache-control', 'private, max-age=300');
    return { districts: cached ?? [] };
  });
}
