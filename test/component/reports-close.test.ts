import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { reportsFeature } from '../../src/features/reports/reports.feature.ts';
import { reportsPolicy } from '../../src/features/reports/reports.policy.ts';
import type { ReportsPolicyInput } from '../../src/features/reports/reports.policy.ts';
import { createReportsRepo } from '../../src/features/reports/reports.repo.ts';
import { createReportsService } from '../../src/features/reports/reports.service.ts';
import { createReportsSource } from '../../src/features/reports/reports.source.ts';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';
import { A, insertReportsDataset, insertSurvey } from './reports-dataset.ts';

/** 关账: closing (freezing) a month's ranking. */
let desk: DeskApp | undefined;
afterEach(async () => { await desk?.close(); desk = undefined; });

const ONE_EACH: ReportsPolicyInput = { ranking: { advancedCount: 1, progressCount: 1, rectificationCount: 1, governanceCount: 1, minDispatched: 1 } };
const NOW = Date.UTC(2026, 11, 5, 2, 0, 0);

async function reportsApp() {
  const clock = new VirtualClock(NOW);
  desk = await startDeskApp({ clock, features: [reportsFeature({ policy: ONE_EACH, sweepHotspots: false })] });
  insertReportsDataset(desk.db);
  await desk.addUser('boss', 'supervisor');
  await desk.addUser('root', 'admin');
  await desk.addUser('street-a', 'unit');
  await desk.addUser('agent001', 'agent', 'agent001');
  desk.db.prepare('UPDATE users SET unit_id = ? WHERE username = ?').run(A, 'street-a');
  return {
    clock, boss: await desk.login('boss'), root: await desk.login('root'), unit: await desk.login('street-a'), agent: await desk.login('agent001'),
  };
}

const close = (s: Session, month: string, csrf = true) => fetch(`${desk!.url}/api/reports/months/${month}/close`, {
  method: 'POST', headers: { cookie: s.cookie, ...(csrf ? { 'x-csrf-token': s.csrf } : {}) },
});
async function ranking(s: Session, query: string): Promise<{ closed: boolean; basis: string; closedAt: number | null; closedBy: string | null; rows: unknown[] }> {
  const res = await fetch(`${desk!.url}/api/reports/ranking?${query}`, { headers: { cookie: s.cookie } });
  expect(res.status).toBe(200);
  return await res.json() as never;
}
const audit = () => desk!.db.prepare("SELECT actor, action, subject, details FROM audit_log WHERE action LIKE 'report.%' ORDER BY id").all() as
  Array<{ actor: string; action: string; subject: string; details: string }>;

describe('closing a month', () => {
  it('when agents, units or a request without the CSRF token try to close, then they are refused and nothing is published', async () => {
    const { agent, unit, boss } = await reportsApp();
    expect((await close(agent, '2026-11')).status).toBe(403);
    expect((await close(unit, '2026-11')).status).toBe(403);
    expect((await close(boss, '2026-11', false)).status).toBe(403);
    expect((await fetch(`${desk!.url}/api/reports/months/2026-11/close`, { method: 'POST' })).status).toBe(401);
    expect((await close(boss, '2026-13')).status).toBe(400);
    expect(await ranking(boss, 'month=2026-11')).toMatchObject({ closed: false, basis: 'computed', closedAt: null, closedBy: null });
    expect(audit()).toEqual([]);
  });

  it('when a supervisor closes November and an admin tries again, then it is published once, audited once, and the repeat changes nothing', async () => {
    const { boss, root, clock } = await reportsApp();
    const first = await close(boss, '2026-11');
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ month: '2026-11', closed: true, units: 3, closedAt: NOW, closedBy: 'boss' });
    const published = await ranking(boss, 'month=2026-11');
    expect(published).toMatchObject({ closed: true, basis: 'published', closedAt: NOW, closedBy: 'boss' });

    clock.advance(60_000);
    const again = await close(root, '2026-11');
    expect(again.status).toBe(409);
    const body = await again.json() as { error: { code: string; details: unknown; context: unknown } };
    expect(body.error).toMatchObject({
      code: 'ERR_CONFLICT', details: [{ field: 'month', message: '该月已关账，排名已发布' }],
      context: { month: '2026-11', reason: 'already_closed', closedAt: NOW, closedBy: 'boss' },
    });
    expect(await ranking(root, 'month=2026-11')).toEqual(published);

    const rows = audit();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'report.month_closed', subject: 'report-month:2026-11' });
    expect(JSON.parse(rows[0]!.details)).toMatchObject({ month: '2026-11', by: 'boss', units: { unit: 3, district: 2, department: 1 } });
    const bossId = (desk!.db.prepare("SELECT id FROM users WHERE username = 'boss'").get() as { id: string }).id;
    expect(rows[0]!.actor).toBe(bossId);
  });

  it('when late surveys arrive after closing, then the published month stays and only a recompute shows them', async () => {
    const { boss } = await reportsApp();
    expect((await close(boss, '2026-10')).status).toBe(201);
    const published = await ranking(boss, 'month=2026-10');
    insertSurvey(desk!.db, { ticketId: 'a6', resolved: 'resolved', satisfaction: 'satisfied', answered: true, endedAt: Date.UTC(2026, 9, 30, 2) });
    expect(await ranking(boss, 'month=2026-10')).toEqual(published);
    expect((await ranking(boss, 'month=2026-10&recompute=true')).rows).not.toEqual(published.rows);
  });
});

describe('recomputing a closed month after the policy changed', () => {
  it('when the weights change after a month was closed, then its recompute uses the policy it was closed with, while open months use the new one', async () => {
    const { boss } = await reportsApp();
    expect((await close(boss, '2026-11')).status).toBe(201);
    const published = await ranking(boss, 'month=2026-11');
    const db = desk!.db;
    const clock = new VirtualClock(NOW);
    const changed = reportsPolicy({ ...ONE_EACH, rates: { compositeWeights: { response: 50, resolution: 25, satisfaction: 25 }, satisfactionWeights: { basically_satisfied: 50 } } });
    const later = createReportsService({ source: createReportsSource(db), repo: createReportsRepo(db), clock, policy: changed });
    const recomputed = later.month('2026-11', 'unit', { recompute: true });
    expect(recomputed.basis).toBe('computed');
    expect(recomputed.rows).toEqual(later.month('2026-11', 'unit').rows);
    const open = later.month('2026-10', 'unit');
    const before = createReportsService({ source: createReportsSource(db), repo: createReportsRepo(db), clock, policy: reportsPolicy(ONE_EACH) }).month('2026-10', 'unit');
    expect(open.rows.map((r) => r.figures.composite)).not.toEqual(before.rows.map((r) => r.figures.composite));
    expect(published.rows).toHaveLength(recomputed.rows.length);
  });
});
