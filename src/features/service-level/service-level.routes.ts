import type { HotlineHttp } from '../../app.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { Clock } from '../../clock.ts';
import { requireRole } from '../auth/auth.routes.ts';
import type { Grouping, ServiceLevelService } from './service-level.service.ts';
import { ServiceLevelQuery, ServiceLevelReply, dayStartOf, parseInstant } from './service-level.schemas.ts';

const MAX_RANGE_MS = 366 * 86_400_000;

/**
 * GET /api/service-level?from&to&groupBy=line|queue|agent|hour: supervisors and admins. `from`
 * defaults to the start of today (Asia/Shanghai), `to` to now; calls count in the period they arrived.
 */
export function registerServiceLevelRoutes(app: HotlineHttp, deps: { serviceLevel: ServiceLevelService; clock: Clock }): void {
  app.get('/api/service-level', {
    preHandler: requireRole('supervisor', 'admin'),
    schema: { querystring: ServiceLevelQuery, response: { 200: ServiceLevelReply } },
  }, async (request, reply) => {
    const q = request.query as { from?: string; to?: string; groupBy?: Grouping };
    const now = deps.clock.now();
    const from = q.from === undefined ? dayStartOf(now) : parseInstant(q.from);
    const to = q.to === undefined ? now : parseInstant(q.to, true);
    const fields: Array<{ field: string; message: string; message_en: string }> = [];
    if (from === undefined) fields.push({ field: 'from', message: 'from：时间格式不正确', message_en: 'from must be epoch ms, a day or an ISO date-time' });
    if (to === undefined) fields.push({ field: 'to', message: 'to：时间格式不正确', message_en: 'to must be epoch ms, a day or an ISO date-time' });
    if (from !== undefined && to !== undefined && !(to > from)) fields.push({ field: 'to', message: 'to：须晚于 from', message_en: 'to must be after from' });
    if (from !== undefined && to !== undefined && to - from > MAX_RANGE_MS) fields.push({ field: 'to', message: 'to：时间跨度不能超过 366 天', message_en: 'the period may not exceed 366 days' });
    if (fields.length) throw hotlineError('ERR_VALIDATION', { fields });
    reply.header('cache-control', 'no-store');
    return deps.serviceLevel.report(from!, to!, q.groupBy);
  });
}
