import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { VirtualClock } from '../../src/clock.ts';
import { reportsFeature } from '../../src/features/reports/reports.feature.ts';
import { browserMissing, launchBrowser } from './browser.ts';
import { startDeskApp, PASSWORD } from '../fixtures/desk-app.ts';
import type { DeskApp } from '../fixtures/desk-app.ts';
import { insertReportsDataset } from '../component/reports-dataset.ts';

const missing = browserMissing();
if (missing) console.warn(`skipping the reports browser test: ${missing}`);

describe.skipIf(missing !== undefined)('reports page in Chromium', () => {
  let desk: DeskApp;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    const ranking = { advancedCount: 1, progressCount: 1, rectificationCount: 1, governanceCount: 1 };
    desk = await startDeskApp({ clock: new VirtualClock(Date.UTC(2026, 11, 5, 2)), features: [reportsFeature({ sweepHotspots: false, policy: { ranking } })] });
    insertReportsDataset(desk.db);
    await desk.addUser('boss', 'supervisor');
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1366, height: 1100 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()); });
    page.on('response', (r) => { if (r.status() >= 400 && !(r.status() === 401 && r.url().endsWith('/api/me'))) problems.push(`${r.status()} ${r.url()}`); });
    page.on('pageerror', (e) => problems.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await desk?.close();
  });

  it('when a supervisor opens November, then the ranking shows in Chinese with the classes marked and the charts draw', async () => {
    await page.goto(`${desk.url}/reports/?month=2026-11`);
    await page.fill('#login-username', 'boss');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-submit');
    await page.waitForSelector('#ranking-table tbody tr[data-code]');
    const rows = await page.$$eval('#ranking-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.map((r) => [r[0], r[1], r[10]])).toEqual([
      ['1', '景山街道', '先进'], ['2', '东华门街道', '进步'], ['3', '建外街道', '整改治理'],
    ]);
    expect(rows[1]![7]).toBe('64.50');
    expect(await page.getAttribute('#ranking-table tbody tr:first-child', 'class')).toContain('class-advanced');
    expect(await page.textContent('#ranking-panel h2')).toBe('月度排名');
    await page.waitForSelector('#trend-chart canvas');
    await page.waitForSelector('#categories-chart canvas');
    await page.waitForSelector('#daily-chart canvas');
    expect(await page.textContent('#scorecard-unit')).toBe('景山街道');
    expect(await page.getAttribute('#csv', 'href')).toBe('/api/reports/ranking.csv?month=2026-11&level=unit');
    await page.click('#ranking-table tbody tr[data-code="110105001"]');
    await expect.poll(() => page.textContent('#scorecard-unit')).toBe('建外街道');
    await page.waitForTimeout(300);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/reports.png', fullPage: true });
    await page.click('#lang-switch');
    await expect.poll(() => page.textContent('#ranking-panel h2')).toBe('Monthly ranking');
    expect(await page.textContent('#ranking-table tbody tr:first-child .badge')).toBe('Advanced');
    expect(problems).toEqual([]);
  });

  it('when the supervisor closes November after confirming, then the page shows it published, frozen and by whom, and the month is audited', async () => {
    await page.click('#lang-switch');
    await expect.poll(() => page.textContent('#ranking-panel h2')).toBe('月度排名');
    await page.waitForSelector('#close-month:not([hidden])');
    expect(await page.textContent('#close-month')).toBe('关账');
    expect(await page.textContent('#basis')).toBe('实时计算');

    await page.click('#close-month');
    await page.waitForSelector('#close-dialog[open]');
    expect(await page.textContent('#close-text')).toContain('2026-11 的三率和排名将按当前数据发布并冻结');
    await page.click('#close-cancel');
    await expect.poll(() => page.$eval('#close-dialog', (d) => (d as HTMLDialogElement).open)).toBe(false);
    expect(desk.db.prepare("SELECT count(*) AS n FROM report_months WHERE month = '2026-11'").get()).toEqual({ n: 0 });

    await page.click('#close-month');
    await page.click('#close-confirm');
    await page.waitForSelector('#closed-note:not([hidden])');
    expect(await page.textContent('#closed-note')).toMatch(/^已关账 · 2026\/12\/5.* · boss$/);
    expect(await page.isHidden('#close-month')).toBe(true);
    expect(await page.textContent('#basis')).toBe('已发布');
    expect(desk.db.prepare("SELECT closed_by FROM report_months WHERE month = '2026-11'").get()).toEqual({ closed_by: 'boss' });
    expect(desk.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'report.month_closed' AND subject = 'report-month:2026-11'").get()).toEqual({ n: 1 });
    const rows = await page.$$eval('#ranking-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.map((r) => [r[0], r[1], r[10]])).toEqual([['1', '景山街道', '先进'], ['2', '东华门街道', '进步'], ['3', '建外街道', '整改治理']]);
    await page.screenshot({ path: 'test-artifacts/reports-closed.png', fullPage: true });

    await page.$eval('#month', (input) => { (input as HTMLInputElement).value = '2026-12'; input.dispatchEvent(new Event('change')); });
    await expect.poll(() => page.textContent('#basis')).toBe('实时计算');
    expect(await page.isHidden('#close-month')).toBe(true);
    expect(await page.isHidden('#closed-note')).toBe(true);
    expect(problems).toEqual([]);
  });
});
