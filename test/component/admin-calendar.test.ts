/**
 * Issue 15: the holiday calendar administered live. The whole hotline (startSecured: one user per role) on the
 * real clock: a year stored over HTTP moves the deadlines of the next dispatch and the preview at once, the
 * missing-year warning goes, and every change and refused attempt is in the admin audit. The dates stored here
 * are test data, not a State Council notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHINA_2026_CALENDAR, calendarYearsMissing, dateOfDayNumber, shanghaiDayNumber, shanghaiMidnight } from '../../src/domain/business-calendar.ts';
import { startSecured, callAs } from './security-harness.ts';
import type { Secured } from './security-harness.ts';
import { COMPLAINT } from './dispatch-harness.ts';
import type { Role } from '../../src/features/auth/auth.service.ts';

let s: Secured;
beforeAll(async () => { s = await startSecured({ logLevel: 'info' }); }, 60_000);
afterAll(async () => { await s?.close(); });

type Body = Record<string, any>;
type Who = Role | 'none';

async function api(who: Who, method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
  return callAs(s, who === 'none' ? null : s.sessions[who], method, path, body);
}

interface AuditRow { actor_username: string; action: string; target: string | null; outcome: string; reason: string | null; before_json: string | null; after_json: string | null }
const audits = (action: string): AuditRow[] =>
  s.hotline.db.prepare('SELECT * FROM admin_audit WHERE action = ? ORDER BY id').all(action) as AuditRow[];

const NEW_YEAR_2027 = { holidays: ['2027-01-01', '2027-01-02', '2027-01-03'], makeupWorkdays: [] as string[] };

describe('who may read and change the calendar', () => {
  it('when an agent, a unit user or nobody asks, then 403, 403 and 401; a supervisor reads but a change is refused and audited', async () => {
    for (const [method, path, body] of [['GET', '/api/admin/calendar'], ['PUT', '/api/admin/calendar/2027', NEW_YEAR_2027], ['GET', '/api/admin/calendar/2027/history']] as const) {
      expect((await api('agent', method, path, body)).status, `${method} ${path}`).toBe(403);
      expect((await api('unit', method, path, body)).status, `${method} ${path}`).toBe(403);
      expect((await api('none', method, path, body)).status, `${method} ${path}`).toBe(401);
    }
    expect((await api('supervisor', 'GET', '/api/admin/calendar')).status).toBe(200);
    expect((await api('supervisor', 'PUT', '/api/admin/calendar/2027', NEW_YEAR_2027)).status).toBe(403);
    expect(audits('calendar.put').map((a) => [a.actor_username, a.target, a.outcome, a.reason])).toEqual([
      ['sec-agent', '2027', 'refused', 'ERR_FORBIDDEN'], ['sec-unit', '2027', 'refused', 'ERR_FORBIDDEN'], ['sec-supervisor', '2027', 'refused', 'ERR_FORBIDDEN'],
    ]);
    expect((await api('admin', 'GET', '/api/admin/calendar/2027/history')).body).toEqual({ year: 2027, versions: [] });
  });
});

describe('storing a year', () => {
  it('when a year breaks several rules, then every error comes back at once, in Chinese and English, and nothing is stored', async () => {
    const res = await api('admin', 'PUT', '/api/admin/calendar/2027', {
      // not a real date, another year, not a date, fine, twice; a Saturday holiday is fine (weekends inside a holiday period)
      holidays: ['2027-02-30', '2026-10-01', '27-1-1', '2027-01-01', '2027-01-01', '2027-01-02'],
      // a holiday too (and a Friday), a Monday, a Sunday (fine)
      makeupWorkdays: ['2027-01-01', '2027-01-04', '2027-01-10'],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ERR_VALIDATION');
    const details = res.body.error.details as Array<{ field: string; message: string; message_en: string }>;
    expect(details.map((d) => d.field)).toEqual(['holidays.0', 'holidays.1', 'holidays.2', 'holidays.4', 'makeupWorkdays.0', 'makeupWorkdays.1', 'makeupWorkdays']);
    expect(details.map((d) => d.message)).toEqual([
      '法定节假日 2027-02-30 不是真实存在的日期',
      '法定节假日 2026-10-01 不在 2027 年',
      '法定节假日“27-1-1”格式不正确，应为 YYYY-MM-DD',
      '法定节假日 2027-01-01 重复填写',
      '调休上班日 2027-01-01 是星期五，调休上班日只能是星期六或星期日',
      '调休上班日 2027-01-04 是星期一，调休上班日只能是星期六或星期日',
      '2027-01-01 不能既是法定节假日又是调休上班日',
    ]);
    expect(details.every((d) => d.message_en.length > 0)).toBe(true);
    const empty = await api('admin', 'PUT', '/api/admin/calendar/2027', { holidays: [], makeupWorkdays: [] });
    expect(empty.body.error.details.map((d: Body) => d.field)).toEqual(['holidays']);
    expect((await api('admin', 'PUT', '/api/admin/calendar/1999', NEW_YEAR_2027)).status).toBe(400);
    expect((await api('admin', 'PUT', '/api/admin/calendar/2027', { ...NEW_YEAR_2027, note: 'x' })).status).toBe(400);
    expect((await api('admin', 'GET', '/api/admin/calendar')).body.years.map((y: Body) => y.year)).toEqual([2026]);
    expect(audits('calendar.put').filter((a) => a.actor_username === 'sec-admin').map((a) => [a.outcome, a.reason]))
      .toEqual([['refused', 'ERR_VALIDATION'], ['refused', 'ERR_VALIDATION'], ['refused', 'ERR_VALIDATION'], ['refused', 'ERR_VALIDATION']]);
  });

  it('when the missing years are stored, then the warning goes at once, each version is kept and the latest wins', async () => {
    const missing = calendarYearsMissing(CHINA_2026_CALENDAR, Date.now());
    // From December 2026 on, a year the deadlines run into is always missing from the built-in calendar.
    expect(missing.length).toBeGreaterThan(0);
    const before = await api('admin', 'GET', '/api/admin/calendar');
    expect(before.body).toEqual({
      years: [{ year: 2026, holidays: [...CHINA_2026_CALENDAR.holidays], makeupWorkdays: [...CHINA_2026_CALENDAR.makeupWorkdays], source: 'built-in', updatedAt: null, updatedBy: null }],
      missing,
    });
    const warned = (await api('supervisor', 'GET', '/api/dispatch/calendar')).body;
    expect(warned.missing).toEqual(missing);
    expect(warned.warning).toMatchObject({ link: '/admin/#calendar' });
    expect(warned.warning.text).toContain('/admin/#calendar');
    expect((await api('agent', 'GET', '/api/dispatch/deadlines?urgency=general')).body.calendarMissing).toEqual(missing);

    for (const year of missing) {
      const first = await api('admin', 'PUT', `/api/admin/calendar/${year}`, { holidays: [`${year}-01-01`], makeupWorkdays: [] });
      expect(first.status).toBe(200);
      const stored = await api('admin', 'PUT', `/api/admin/calendar/${year}`, { holidays: [`${year}-01-02`, `${year}-01-01`], makeupWorkdays: [] });
      expect(stored.body).toEqual({ year, holidays: [`${year}-01-01`, `${year}-01-02`], makeupWorkdays: [], source: 'admin', updatedAt: expect.any(Number), updatedBy: 'sec-admin' });
      const history = (await api('supervisor', 'GET', `/api/admin/calendar/${year}/history`)).body;
      expect(history.versions.map((v: Body) => [v.holidays.length, v.author])).toEqual([[2, 'sec-admin'], [1, 'sec-admin']]);
    }
    const after = (await api('admin', 'GET', '/api/admin/calendar')).body;
    expect(after.missing).toEqual([]);
    expect(after.years.find((y: Body) => y.year === missing[0])).toMatchObject({ source: 'admin', updatedBy: 'sec-admin' });
    expect((await api('supervisor', 'GET', '/api/dispatch/calendar')).body.warning).toBeNull();
    expect((await api('agent', 'GET', '/api/dispatch/deadlines?urgency=general')).body.calendarMissing).toEqual([]);
    const put = audits('calendar.put').filter((a) => a.outcome === 'ok');
    expect(put).toHaveLength(missing.length * 2);
    expect(JSON.parse(put[1]!.before_json!)).toMatchObject({ holidays: [`${missing[0]}-01-01`] });
    expect(JSON.parse(put[1]!.after_json!)).toMatchObject({ holidays: [`${missing[0]}-01-01`, `${missing[0]}-01-02`], source: 'admin' });
  });
});

describe('deadlines follow the stored calendar without a restart', () => {
  it('when the next fortnight is stored as holidays, then the preview and a new dispatch are due after it, the same instant', async () => {
    const general = async () => ((await api('agent', 'GET', '/api/dispatch/deadlines?urgency=general')).body.classes[0]) as { acceptBy: number; completeBy: number };
    const old = await general();
    const today = shanghaiDayNumber(Date.now());
    const fortnight = Array.from({ length: 15 }, (_, i) => dateOfDayNumber(today + i));
    const calendar = (await api('admin', 'GET', '/api/admin/calendar')).body as { years: Array<{ year: number; holidays: string[]; makeupWorkdays: string[] }> };
    for (const year of new Set(fortnight.map((d) => Number(d.slice(0, 4))))) {
      const known = calendar.years.find((y) => y.year === year) ?? { holidays: [], makeupWorkdays: [] };
      const added = fortnight.filter((d) => Number(d.slice(0, 4)) === year);
      const res = await api('admin', 'PUT', `/api/admin/calendar/${year}`, {
        holidays: [...new Set([...known.holidays, ...added])], makeupWorkdays: known.makeupWorkdays.filter((d) => !added.includes(d)),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const moved = await general();
    const firstWorkingDay = shanghaiMidnight(today + 15);
    expect(old.acceptBy).toBeLessThan(firstWorkingDay);
    expect(moved.acceptBy).toBeGreaterThan(firstWorkingDay);
    expect(moved.completeBy).toBeGreaterThan(old.completeBy + 7 * 86_400_000);

    const res = await api('agent', 'POST', '/api/tickets/intake', { ...COMPLAINT, handling: { mode: 'dispatch', leadUnit: '110105004', urgency: 'general' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.dispatch).toMatchObject({ acceptBy: moved.acceptBy, completeBy: moved.completeBy });
    // The sweeper's warnings are set from the same clocks.
    expect(res.body.dispatch.completeWarnAt).toBeGreaterThan(firstWorkingDay);
  });
});
