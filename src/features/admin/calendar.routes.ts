/**
 * The holiday calendar over HTTP, for the admin console (/admin/#calendar): administrators store a year,
 * supervisors read it. A stored year applies to the next deadline computed; every change and refusal is audited.
 */
import Type from 'typebox';
import type { HotlineHttp } from '../../app.ts';
import { FIRST_YEAR, LAST_YEAR } from '../../input-bounds.ts';
import { requireRole } from '../auth/auth.routes.ts';
import type { CalendarAdmin } from './calendar-admin.service.ts';
import { actorOf } from './units.routes.ts';

export const YearParams = Type.Object({ year: Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR }) }, { additionalProperties: false });

/** Dates are checked by the service (real dates, in the year, Saturdays and Sundays), every error at once. */
const Dates = Type.Array(Type.String({ minLength: 1, maxLength: 10 }), { maxItems: 366 });
export const CalendarYearBody = Type.Object({ holidays: Dates, makeupWorkdays: Dates }, { additionalProperties: false });

export function registerCalendarAdminRoutes(app: HotlineHttp, deps: { calendar: CalendarAdmin }): void {
  const { calendar } = deps;

  app.get('/api/admin/calendar', { preHandler: requireRole('admin', 'supervisor'), config: { adminAction: 'calendar.read' } }, async () => calendar.read());

  app.get('/api/admin/calendar/:year/history', {
    schema: { params: YearParams }, preHandler: requireRole('admin', 'supervisor'), config: { adminAction: 'calendar.history' },
  }, async (request) => calendar.history(request.params.year));

  app.put('/api/admin/calendar/:year', {
    schema: { params: YearParams, body: CalendarYearBody }, preHandler: requireRole('admin'), config: { adminAction: 'calendar.put' },
  }, async (request) => calendar.put(actorOf(request), request.params.year, request.body));
}
