import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import type { HotspotAlertEvent } from '../../src/bus.ts';
import { reportsFeature } from '../../src/features/reports/reports.feature.ts';
import type { HotspotsService } from '../../src/features/hotspots/hotspots.service.ts';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';
import { A, B, C, D, day, insertReportsDataset, insertTicket } from './reports-dataset.ts';

let desk: DeskApp | undefined;
afterEach(async () => { await desk?.close(); desk = undefined; });

async function reportsApp(now = Date.UTC(2026, 11, 5, 2, 0, 0)) {
  const clock = new VirtualClock(now);
  let hotspots: HotspotsService | undefined;
  desk = await startDeskApp({
    clock,
    features: [reportsFeature({ sweepHotspots: false, policy: { hotspot: { windowHours: 24, threshold: 3 }, ranking: { advancedCount: 1, progressCount: 1, rectificationCount: 1, governanceCount: 1 } }, onReady: (b) => { hotspots = b.hotspots; } })],
  });
  insertReportsDataset(desk.db);
  await desk.addUser('boss', 'supervisor');
  await desk.addUser('street-a', 'unit');
  await desk.addUser('agent001', 'agent', 'agent001');
  desk.db.prepare('UPDATE users SET unit_id = ? WHERE username = ?').run(A, 'street-a');
  return { clock, hotspots: hotspots!, boss: await desk.login('boss'), unitA: await desk.login('street-a'), agent: await desk.login('agent001') };
}

const get = (s: Session, path: string) => fetch(`${desk!.url}${path}`, { headers: { cookie: s.cookie } });

describe('who sees which report', () => {
  it('when a unit user asks, then they get their own scorecard and nothing else', async () => {
    const { unitA, agent, boss } = await reportsApp();
    const own = await get(unitA, `/api/reports/units/${A}/scorecard?month=2026-11&months=2`);
    expect(own.status).toBe(200);
    const card = await own.json() as { unit: { name: string }; months: Array<{ month: string; rank: number | null; composite: number | null; ranked: number }> };
    expect(card.unit.name).toBe('东华门街道');
    // October: A last of three with 0; November: second with 64.5
    expect(card.months.map((m) => [m.month, m.rank, m.ranked])).toEqual([['2026-10', 3, 3], ['2026-11', 2, 3]]);
    expect(card.months[1]!.composite).toBeCloseTo(64.5, 9);
    expect((await get(unitA, `/api/reports/units/${B}/scorecard`)).status).toBe(403);
    for (const path of ['/api/reports/rates', '/api/reports/ranking', '/api/reports/ranking.csv', '/api/reports/top-categories']) {
      expect((await get(unitA, path)).status, path).toBe(403);
      expect((await get(agent, path)).status, path).toBe(403);
    }
    expect((await get(agent, `/api/reports/units/${A}/scorecard`)).status).toBe(403);
    expect((await get(boss, `/api/reports/units/${B}/scorecard`)).status).toBe(200);
    expect((await get(boss, '/api/reports/units/NOPE/scorecard')).status).toBe(404);
    expect((await get(boss, '/api/reports/rates?month=2026-13')).status).toBe(400);
  });

  it('when the ranking is exported, then the CSV has a BOM, Chinese headings, and formula-like names are defused', async () => {
    const { boss } = await reportsApp();
    desk!.db.prepare("UPDATE units SET name = '=HYPERLINK(\"http://x\")' WHERE code = ?").run(C);
    desk!.db.prepare("UPDATE units SET name = '@SUM(1)' WHERE code = ?").run(D);
    const res = await get(boss, '/api/reports/ranking.csv?month=2026-11');
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('ranking-unit-2026-11.csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).split('\r\n');
    expect(lines[0]).toBe('排名,编码,名称,所属区,派单量,按时签收,响应率(%),解决率(%),满意率(%),综合得分,环比变化,诉求量,积分,类别');
    expect(lines[1]).toBe(`1,${B},景山街道,东城区,2,2,100,100,100,100,0,2,,先进`);
    expect(lines[2]).toBe(`2,${A},东华门街道,东城区,4,3,75,66.67,60,64.5,64.5,4,,进步`);
    expect(lines[3]).toBe(`3,${C},"'=HYPERLINK(""http://x"")",朝阳区,5,1,20,50,80,60.5,-30.5,5,,整改；治理`);
    const departments = await (await get(boss, '/api/reports/ranking.csv?month=2026-11&level=department')).text();
    expect(departments).toContain(`1,${D},'@SUM(1),,1,0,0,100,100,90,,1,,先进；治理`);
  });

  it('when the month\'s tickets are counted, then categories, streets and days come out in order', async () => {
    const { boss } = await reportsApp();
    const top = await (await get(boss, '/api/reports/top-categories?month=2026-11')).json() as { rows: Array<{ code: string; count: number; zh: string }> };
    // rubbish: a1–a4 and c1–c4; parking: b1, b2; water outage: c5, d1
    expect(top.rows.map((r) => [r.code, r.count])).toEqual([['sanitation/rubbish', 8], ['traffic/parking', 2], ['water/outage', 2]]);
    expect(top.rows[0]!.zh).toBe('市容环卫 / 垃圾清运');
    const streets = await (await get(boss, '/api/reports/hotspot-streets?month=2026-11')).json() as { rows: Array<{ code: string; count: number }> };
    expect(streets.rows.map((r) => [r.code, r.count])).toEqual([[C, 5], [A, 4], [B, 2]]);
    const daily = await (await get(boss, '/api/reports/daily-volume?month=2026-11')).json() as { days: Array<{ day: string; count: number }> };
    expect(daily.days).toHaveLength(30);
    // 3 Nov: a1, b1, b2; 10 Nov: c1, c2; 20 Nov: d1
    expect(daily.days.filter((d) => d.count > 0).map((d) => `${d.day.slice(8)}:${d.count}`)).toEqual(['03:3', '04:1', '05:1', '06:1', '10:2', '11:2', '12:1', '20:1']);
  });
});

describe('hotspot alerts (未诉先办)', () => {
  it('when three tickets of one category come from one street within a day, then one alert is stored and published once', async () => {
    const now = day(12, 5) + 15 * 3_600_000;
    const { hotspots, boss, unitA } = await reportsApp(now);
    const heard: HotspotAlertEvent[] = [];
    desk!.bus.subscribe('hotspot.alert', (e) => heard.push(e));
    insertTicket(desk!.db, { id: 'h1', unit: B, category: 'water/outage', createdAt: now - 5 * 3_600_000 });
    insertTicket(desk!.db, { id: 'h2', unit: B, category: 'water/outage', createdAt: now - 3 * 3_600_000 });
    insertTicket(desk!.db, { id: 'x1', unit: A, category: 'water/outage', createdAt: now - 3 * 3_600_000 });
    expect(hotspots.sweep()).toEqual([]);
    insertTicket(desk!.db, { id: 'h3', unit: B, category: 'water/outage', createdAt: now - 60_000 });
    const raised = hotspots.sweep();
    expect(raised.map((a) => [a.unitCode, a.category, a.count, a.ticketIds])).toEqual([[B, 'water/outage', 3, ['h1', 'h2', 'h3']]]);
    expect(heard).toEqual([expect.objectContaining({ unitCode: B, unitName: '景山街道', count: 3 })]);
    insertTicket(desk!.db, { id: 'h4', unit: B, category: 'water/outage', createdAt: now - 30_000 });
    expect(hotspots.sweep()).toEqual([]);
    expect(heard).toHaveLength(1);
    const listed = await (await get(boss, '/api/hotspots')).json() as { alerts: Array<{ unitCode: string; unitName: string }> };
    expect(listed.alerts).toEqual([expect.objectContaining({ unitCode: B, unitName: '景山街道' })]);
    const forA = await (await get(unitA, '/api/hotspots')).json() as { alerts: unknown[] };
    expect(forA.alerts).toEqual([]);
  });
});
