import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { reportsFeature } from '../../src/features/reports/reports.feature.ts';
import type { ReportsPolicyInput } from '../../src/features/reports/reports.policy.ts';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';
import { A, B, C, CHAOYANG, D, DONGCHENG, insertReportsDataset, insertSurvey } from './reports-dataset.ts';

let desk: DeskApp | undefined;
afterEach(async () => { await desk?.close(); desk = undefined; });

const ONE_EACH: ReportsPolicyInput = { ranking: { advancedCount: 1, progressCount: 1, rectificationCount: 1, governanceCount: 1, minDispatched: 1 } };

async function reportsApp(policy: ReportsPolicyInput = ONE_EACH) {
  const clock = new VirtualClock(Date.UTC(2026, 11, 5, 2, 0, 0));
  desk = await startDeskApp({ clock, features: [reportsFeature({ policy, sweepHotspots: false })] });
  insertReportsDataset(desk.db);
  await desk.addUser('boss', 'supervisor');
  return { clock, boss: await desk.login('boss') };
}

function call(s: Session, path: string, method = 'GET') {
  return fetch(`${desk!.url}${path}`, { method, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
}
async function json<T = Record<string, unknown>>(s: Session, path: string): Promise<T> {
  const res = await call(s, path);
  expect(res.status, path).toBe(200);
  return await res.json() as T;
}

interface Row { code: string; name: string; rank: number | null; classes: string[]; gain: number | null; volume: number; dispatched: number; signedInTime: number; responseRate: number | null; resolutionRate: number | null; satisfactionRate: number | null; composite: number | null; points: number | null }
interface Report { basis: string; closed: boolean; previousBasis: string; rows: Row[] }
const byCode = (r: Report) => Object.fromEntries(r.rows.map((x) => [x.code, x]));

describe('rates and ranking from the stored dispatches and surveys', () => {
  it('when November is reported per unit, then the three rates and the composite match the hand-worked figures', async () => {
    const { boss } = await reportsApp();
    const rows = byCode(await json<Report>(boss, '/api/reports/rates?month=2026-11&level=unit'));
    expect(Object.keys(rows).sort()).toEqual([A, B, C]);
    // A: 3 of 4 signed within the day = .75; resolved 2 of 3 answered (a4 unreached) = .6667;
    //    satisfaction (100 + 80 + 0) / 300 = .6; composite 10 × .75 + 45 × .6667 + 45 × .6 = 7.5 + 30 + 27 = 64.5
    expect(rows[A]).toMatchObject({ dispatched: 4, signedInTime: 3, responseRate: 0.75, satisfactionRate: 0.6, name: '东华门街道' });
    expect(rows[A]!.resolutionRate).toBeCloseTo(2 / 3, 12);
    expect(rows[A]!.composite).toBeCloseTo(64.5, 9);
    // B: 2 of 2, 2 of 2, 200 / 200: composite 10 + 45 + 45 = 100
    expect(rows[B]).toMatchObject({ responseRate: 1, resolutionRate: 1, satisfactionRate: 1, composite: 100 });
    // C: 1 of 5 in time = .2 (25 h, 48 h, never, never); c1's unreached attempt gives way to its answered one:
    //    resolved 1 of 2 = .5; satisfaction 80 / 100 = .8 (c2 hung up before Q2); composite 2 + 22.5 + 36 = 60.5
    expect(rows[C]).toMatchObject({ dispatched: 5, signedInTime: 1, responseRate: 0.2, resolutionRate: 0.5, satisfactionRate: 0.8 });
    expect(rows[C]!.composite).toBeCloseTo(60.5, 9);
  });

  it('when reported per district and per department, then streets add up to their district and departments stand alone', async () => {
    const { boss } = await reportsApp();
    const districts = byCode(await json<Report>(boss, '/api/reports/rates?month=2026-11&level=district'));
    // 东城 = A + B: 5 of 6 in time; resolved 4 of 5; satisfaction (180 + 200) / 500 = .76
    // composite 10 × 5/6 + 45 × .8 + 45 × .76 = 8.3333 + 36 + 34.2 = 78.5333
    expect(districts[DONGCHENG]).toMatchObject({ dispatched: 6, signedInTime: 5, resolutionRate: 0.8, satisfactionRate: 0.76, name: '东城区' });
    expect(districts[DONGCHENG]!.composite).toBeCloseTo(78.533333333, 6);
    expect(districts[CHAOYANG]!.composite).toBeCloseTo(60.5, 9);
    const departments = byCode(await json<Report>(boss, '/api/reports/rates?month=2026-11&level=department'));
    // D: 0 of 1 signed; 1 of 1 resolved; 100 / 100: composite 0 + 45 + 45 = 90
    expect(Object.keys(departments)).toEqual([D]);
    expect(departments[D]).toMatchObject({ responseRate: 0, resolutionRate: 1, satisfactionRate: 1, composite: 90 });
  });

  it('when November is ranked, then B is advanced, A progresses most, C is to rectify and has the most requests', async () => {
    const { boss } = await reportsApp();
    const ranking = await json<Report>(boss, '/api/reports/ranking?month=2026-11');
    // October composites: A 0 (both late, unresolved, unsatisfied), B 100, C 10 + 45 + 36 = 91
    // gains: A +64.5, B 0, C −30.5; volume = rounds dispatched: A 4, B 2, C 5
    expect(ranking.rows.map((r) => [r.code, r.rank, r.classes])).toEqual([
      [B, 1, ['advanced']],
      [A, 2, ['progress']],
      [C, 3, ['rectification', 'governance']],
    ]);
    expect(byCode(ranking)[A]!.gain).toBeCloseTo(64.5, 9);
    expect(byCode(ranking)[C]!.gain).toBeCloseTo(-30.5, 9);
    expect(ranking).toMatchObject({ basis: 'computed', closed: false, previousBasis: 'computed' });
  });

  it('when months are closed, then the published figures are served and recomputing from the events gives the same numbers', async () => {
    const { boss } = await reportsApp();
    const early = await call(boss, '/api/reports/months/2026-12/close', 'POST');
    expect(early.status).toBe(400);
    expect((await call(boss, '/api/reports/months/2026-10/close', 'POST')).status).toBe(201);
    expect((await call(boss, '/api/reports/months/2026-11/close', 'POST')).status).toBe(201);
    expect((await call(boss, '/api/reports/months/2026-11/close', 'POST')).status).toBe(409);
    for (const level of ['unit', 'district', 'department']) {
      const published = await json<Report>(boss, `/api/reports/ranking?month=2026-11&level=${level}`);
      const recomputed = await json<Report>(boss, `/api/reports/ranking?month=2026-11&level=${level}&recompute=true`);
      expect(published).toMatchObject({ basis: 'published', closed: true, previousBasis: 'published' });
      expect(recomputed.basis).toBe('computed');
      expect(recomputed.rows).toEqual(published.rows);
    }
    expect(desk!.db.prepare("SELECT count(*) AS n FROM report_month_figures WHERE month = '2026-11'").get()).toEqual({ n: 3 + 2 + 1 });
  });

  it('when a published month later gets a late survey, then the published figures stay and only a recompute shows it', async () => {
    const { boss } = await reportsApp();
    await call(boss, '/api/reports/months/2026-10/close', 'POST');
    insertSurvey(desk!.db, { ticketId: 'a6', resolved: 'resolved', satisfaction: 'satisfied', answered: true, endedAt: Date.UTC(2026, 9, 30, 2) });
    const published = byCode(await json<Report>(boss, '/api/reports/rates?month=2026-10'));
    const recomputed = byCode(await json<Report>(boss, '/api/reports/rates?month=2026-10&recompute=true'));
    expect(published[A]!.composite).toBe(0);
    // A in October with a6 resolved and satisfied: 0 + 45 × 1/2 + 45 × 100/200 = 45
    expect(recomputed[A]!.composite).toBeCloseTo(45, 9);
  });

  it('when per-ticket points are on, then each survey adds +1, −0.5 or −1', async () => {
    const { boss } = await reportsApp({ ...ONE_EACH, rates: { perTicketPoints: { bothYes: 1, oneNo: -0.5, bothNo: -1 } } });
    const rows = byCode(await json<Report>(boss, '/api/reports/rates?month=2026-11'));
    // A: a1 +1, a2 +1 (basically counts as yes), a3 −1 → 1; C: c1 −0.5, c2 has one answer → 0; B: +2
    expect([rows[A]!.points, rows[B]!.points, rows[C]!.points]).toEqual([1, 2, -0.5]);
  });
});
