import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startHarness } from '../component/call-harness.ts';
import type { Harness } from '../component/call-harness.ts';
import { browserMissing, launchBrowser } from './browser.ts';

const missing = browserMissing();
if (missing) console.warn(`skipping the wallboard browser tests: ${missing}`);

const AGENTS = 750;
const STATES = ['ready', 'paused', 'offline'] as const;

/** Agents written straight into the database, then signed in through the agents service (no password hashing for 750 people). */
function seedAgents(h: Harness, count: number): string[] {
  const { db, agents } = h.hotline;
  const now = Date.now();
  const user = db.prepare(`INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, 'agent', 'e2e:no-login', ?)`);
  const agent = db.prepare('INSERT INTO agents (id, user_id, name, seat) VALUES (?, ?, ?, ?)');
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 1; i <= count; i++) {
      const id = `agt-wb-${String(i).padStart(4, '0')}`;
      user.run(`usr-wb-${i}`, `wb${i}`, `坐席${i}`, now);
      agent.run(id, `usr-wb-${i}`, `坐席${i}`, `seat${String(i).padStart(4, '0')}`);
      ids.push(id);
    }
  })();
  agents.load();
  ids.forEach((id, i) => {
    const state = STATES[i % STATES.length]!;
    if (state === 'offline') return;
    agents.phoneState(agents.get(id)!.seat, true);
    agents.login(id);
    agents.setState(id, state === 'ready' ? 'ready' : 'paused', state === 'paused' ? 'meal' : undefined);
  });
  return ids;
}

describe.skipIf(missing !== undefined)('the wallboard in Chromium with 750 agents', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let ids: string[];
  const problems: string[] = [];

  beforeAll(async () => {
    h = await startHarness();
    ids = seedAgents(h, AGENTS);
    await h.hotline.app.auth.createUser({ username: 'banzhang', password: 'secret-pass-1', role: 'supervisor', displayName: '值班长' });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => { if (r.status() >= 400 && !(r.status() === 401 && r.url().endsWith('/api/me'))) problems.push(`${r.status()} ${r.url()}`); });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('when a supervisor signs in, then the board and the grid of 750 agents render within a few seconds, in Chinese', async () => {
    await page.goto(`${h.hotline.url}/wallboard/`);
    await page.fill('#login-username', 'banzhang');
    await page.fill('#login-password', 'secret-pass-1');
    const started = Date.now();
    await page.click('#login-submit');
    await page.waitForSelector('#ws-status[data-state="online"]');
    await expect.poll(() => page.textContent('#grid-count'), { timeout: 5000 }).toBe(`显示 ${AGENTS} / ${AGENTS}`);
    await page.waitForSelector('#agent-body .agent-row');
    const renderMs = Date.now() - started;
    expect(renderMs).toBeLessThan(5000);
    const rowsInDom = await page.locator('#agent-body .agent-row').count();
    expect(rowsInDom).toBeGreaterThan(5);
    expect(rowsInDom).toBeLessThan(120);
    expect(await page.textContent('[data-kpi="agents"]')).toContain('坐席总数750');
    expect(await page.textContent('.agent-state[data-state="ready"] b')).toBe('250');
    expect(await page.textContent('#lines-table')).toContain('12345 市民服务热线');
    expect(await page.locator('#chart canvas').count()).toBe(1);
    expect(await page.title()).toBe('12345 热线实时监控大屏');
  }, 30_000);

  it('when an agent changes state and a call waits, then the page shows it within about a second, and scrolling the grid stays light', async () => {
    const first = ids[0]!;
    h.hotline.agents.setState(first, 'paused', 'training');
    await expect.poll(() => page.textContent(`.agent-row[data-agent="${first}"] .state`), { timeout: 2500 }).toBe('示忙 · 培训');
    expect(await page.textContent('.agent-state[data-state="ready"] b')).toBe('249');

    for (const id of ids) if (h.hotline.agents.get(id)!.state === 'ready') h.hotline.agents.setState(id, 'paused', 'meeting');
    h.hotline.sim!.control.placeCall({ line: '12345', from: '13800138000' });
    await expect.poll(() => page.textContent('#kpi-waiting'), { timeout: 4000 }).toBe('1');
    const longest = await page.textContent('#kpi-longest');
    await page.waitForTimeout(2100);
    expect(await page.textContent('#kpi-longest')).not.toBe(longest);

    const scrollStarted = Date.now();
    await page.evaluate(() => { const body = document.getElementById('agent-body')!; body.scrollTop = body.scrollHeight; });
    await page.waitForSelector(`.agent-row[data-agent="${ids.at(-1)}"]`);
    expect(Date.now() - scrollStarted).toBeLessThan(1500);
    expect(await page.locator('#agent-body .agent-row').count()).toBeLessThan(120);
    await page.evaluate(() => { document.getElementById('agent-body')!.scrollTop = 0; });

    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/wallboard.png' });
  }, 30_000);

  it('when the supervisor forces an agent ready with a reason, then the grid and the audit log show it', async () => {
    const target = ids[1]!;
    await page.click(`.agent-row[data-agent="${target}"] button[data-action="ready"]`);
    await page.fill('#force-reason', '人手不足，请回到岗位');
    await page.click('#force-confirm');
    await expect.poll(() => page.textContent(`.agent-row[data-agent="${target}"] .state`), { timeout: 2500 }).not.toContain('示忙');
    const audit = h.hotline.db.prepare(`SELECT details FROM audit_log WHERE action = 'agent.force_ready' AND subject = ?`).get(target) as { details: string };
    expect(JSON.parse(audit.details)).toMatchObject({ reason: '人手不足，请回到岗位', by: 'banzhang', outcome: 'done' });
  });

  it('when the wall TV layout is asked for, then the board goes full screen without the grid table, and nothing failed on the page', async () => {
    await page.goto(`${h.hotline.url}/wallboard/?tv=1`);
    await page.waitForSelector('body.tv #ws-status[data-state="online"]');
    await expect.poll(() => page.locator('#agent-grid').isVisible()).toBe(false);
    expect(await page.locator('#seat-map').isVisible()).toBe(true);
    await page.screenshot({ path: 'test-artifacts/wallboard-tv.png' });
    expect(problems).toEqual([]);
  });

  it('when the supervisor signs out in another tab, then the wall TV shows the sign-in form instead of reconnecting for ever', async () => {
    const other = await page.context().newPage();
    await other.goto(`${h.hotline.url}/wallboard/`);
    await other.waitForSelector('#ws-status[data-state="online"]');
    await other.click('#logout');
    await other.waitForSelector('#login-view:not([hidden])');
    await page.waitForSelector('#login-view:not([hidden])', { timeout: 10_000 });
    expect(await page.isHidden('#board-view')).toBe(true);
    await other.close();
    expect(problems).toEqual([]);
  });
});
