import Type from 'typebox';
import type { HotlineHttp } from '../../app.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { HotspotsRepo } from './hotspots.repo.ts';

const HotspotsQuery = Type.Object({
  sinceHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 92 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false });

/** GET /api/hotspots: alerts raised in the last `sinceHours` (default 72), newest first; a unit user sees its own unit's. */
export function registerHotspotRoutes(app: HotlineHttp, deps: {
  repo: HotspotsRepo; now: () => number; unitOfUser: (userId: string) => string | null; unitName: (code: string) => string;
}): void {
  app.get('/api/hotspots', { schema: { querystring: HotspotsQuery }, preHandler: requireRole('supervisor', 'admin', 'unit') }, async (request) => {
    const { account } = sessionOf(request);
    const since = deps.now() - (request.query.sinceHours ?? 72) * 3_600_000;
    const unitCode = account.role === 'unit' ? deps.unitOfUser(account.id) ?? '' : undefined;
    const alerts = deps.repo.list({ since, limit: request.query.limit ?? 100, ...(unitCode === undefined ? {} : { unitCode }) });
    return { alerts: alerts.map((a) => ({ ...a, unitName: deps.unitName(a.unitCode) })) };
  });
}
