import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { VirtualClock } from '../../src/clock.ts';
import { shanghaiTime } from '../../src/domain/business-calendar.ts';
import { browserMissing, launchBrowser } from './browser.ts';
import { PASSWORD } from '../fixtures/desk-app.ts';
import { CHAOWAI, JIANWAI, startHandlingDesk } from '../component/dispatch-harness.ts';
import type { HandlingDesk } from '../component/dispatch-harness.ts';

const missing = browserMissing();
if (missing) console.warn(`skipping the portal browser tests: ${missing}`);

describe.skipIf(missing !== undefined)('unit portal and centre review in Chromium', () => {
  let h: HandlingDesk;
  let browser: Browser;
  const problems: string[] = [];
  const ids: Record<'overdue' | 'toReply' | 'toReturn', { id: string; number: string }> = {} as never;
  const clock = new VirtualClock(shanghaiTime('2026-11-23', '10:00'));

  /** A fresh browser context per sign-in, so each person has their own session cookie. */
  async function open(path: string, username: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => {
      const expected = (r.status() === 401 && r.url().endsWith('/api/me')) || (r.status() === 400 && r.url().includes('/api/tickets/'));
      if (r.status() >= 400 && !expected) problems.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${h.desk.url}${path}`);
    await page.fill('#login-username', username);
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-submit');
    await page.waitForSelector('#main-view:not([hidden])');
    return page;
  }

  const statusOf = (page: Page) => page.textContent('#ticket-status');

  beforeAll(async () => {
    h = await startHandlingDesk({ clock });
    const dispatch = (id: string, body: object) => h.call(h.as.agent, 'POST', `/api/tickets/${id}/dispatch`, body);
    ids.overdue = await h.intake({ type: 'help', category: 'gas/leak', description: '楼道里有很浓的燃气味', callerNumber: '13600136000' });
    await dispatch(ids.overdue.id, { leadUnit: JIANWAI });
    clock.advance(20 * 60_000);   // past its 15-minute acceptance clock
    ids.toReply = await h.intake();
    await dispatch(ids.toReply.id, { leadUnit: JIANWAI, cooperatingUnits: [CHAOWAI] });
    ids.toReturn = await h.intake({ category: 'property/fees', description: '物业费上涨未经业主大会同意', callerNumber: '13500135000' });
    await dispatch(ids.toReturn.id, { leadUnit: JIANWAI });
    await h.relogin();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('when a unit user signs in, then the inbox shows both deadlines coloured by state', async () => {
    const page = await open('/portal/', 'unitA');
    await page.waitForSelector(`tr[data-ticket="${ids.toReturn.id}"]`);
    expect(await page.locator('#inbox-rows tr').count()).toBe(3);
    const overdueRow = page.locator(`tr[data-ticket="${ids.overdue.id}"]`);
    expect(await overdueRow.getAttribute('class')).toBe('row-overdue');
    expect(await overdueRow.locator('[data-clock]').first().textContent()).toContain('已超时');
    await page.check('#filter-overdue');
    await expect.poll(() => page.locator('#inbox-rows tr').count()).toBe(1);
    await page.uncheck('#filter-overdue');
    await expect.poll(() => page.locator('#inbox-rows tr').count()).toBe(3);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/portal-inbox.png', fullPage: true });
    await page.context().close();
  });

  it('when a ticket is dispatched while the inbox is open, then the notice arrives live, the badge counts it and the inbox shows the ticket', async () => {
    const page = await open('/portal/', 'unitA');
    await page.waitForSelector(`tr[data-ticket="${ids.toReturn.id}"]`);
    await expect.poll(() => page.getAttribute('#notice-status', 'data-state')).toBe('online');
    const before = Number(await page.textContent('#notice-badge'));
    expect(before).toBeGreaterThanOrEqual(3);   // the three dispatches of the setup, and the overdue one's warnings
    expect(await page.textContent('#notice-list')).toContain(`${ids.overdue.number} 已超过签收时限`);

    const fresh = await h.intake({ category: 'sanitation/street-vending', description: '路口早市占道经营，影响通行', callerNumber: '13400134000' });
    expect((await h.call(h.as.agent, 'POST', `/api/tickets/${fresh.id}/dispatch`, { leadUnit: JIANWAI })).status).toBe(200);
    await page.waitForSelector(`#notice-list li[data-ticket="${fresh.id}"]`);
    expect(await page.textContent(`#notice-list li[data-ticket="${fresh.id}"] .notice-text`)).toBe(`新派工单 ${fresh.number}，请及时签收`);
    expect(Number(await page.textContent('#notice-badge'))).toBe(before + 1);
    await page.waitForSelector(`#inbox-rows tr[data-ticket="${fresh.id}"]`);
    await page.screenshot({ path: 'test-artifacts/portal-notices.png', fullPage: true });

    await page.click('#notice-read-all');
    await expect.poll(() => page.textContent('#notice-badge')).toBe('0');
    expect(await page.isVisible('#notice-none')).toBe(true);
    await page.context().close();
  });

  it('when a unit user was offline, then the notices wait unread at the next sign-in; opening one marks it read', async () => {
    const fresh = await h.intake({ category: 'property/service', description: '物业不处理楼道堆物问题', callerNumber: '13300133000', townshipCode: CHAOWAI, address: '朝外大街 2 号' });
    await h.call(h.as.agent, 'POST', `/api/tickets/${fresh.id}/dispatch`, { leadUnit: CHAOWAI });
    const page = await open('/portal/', 'unitB');
    await expect.poll(() => page.textContent('#notice-badge')).toBe('2');   // cooperating on one ticket of the setup, lead on this one
    expect(await page.textContent('#notice-list')).toContain(`新派工单 ${ids.toReply.number}`);
    await page.click(`#notice-list li[data-ticket="${fresh.id}"] .notice-text`);
    await expect.poll(() => statusOf(page)).toBe('待签收');
    await expect.poll(() => page.textContent('#notice-badge')).toBe('1');
    await page.reload();
    await page.waitForSelector('#main-view:not([hidden])');
    await expect.poll(() => page.textContent('#notice-badge')).toBe('1');
    expect(await page.locator(`#notice-list li[data-ticket="${fresh.id}"]`).count()).toBe(0);
    await page.context().close();
  });

  it('when the unit signs for a ticket and replies, then an empty reply shows Chinese field errors and a full one is recorded', async () => {
    const page = await open('/portal/', 'unitA');
    await page.click(`a[href="#ticket/${ids.toReply.id}"]`);
    await page.click('#do-sign');
    await expect.poll(() => statusOf(page)).toBe('办理中');
    await page.click('#do-reply');
    await expect.poll(() => page.textContent('[data-action="reply"] [data-field="result"] .field-error')).toBe('请填写办理结果');
    await page.fill('#reply-result', '垃圾已全部清运');
    await page.click('#do-reply');
    await expect.poll(() => page.textContent('[data-action="reply"] [data-field="actions"] .field-error')).toBe('请填写办理过程（采取了哪些措施）');
    await page.fill('#reply-actions', '协调物业每日清运两次');
    await page.click('#do-reply');
    await expect.poll(() => statusOf(page)).toBe('已回复');
    expect(await page.textContent('.history-trail')).toContain('签收');
    await page.context().close();
  });

  it('when the unit returns a ticket with a reason, then the open centre desk is told live and reassigns it to another unit', async () => {
    const centre = await open('/portal/centre.html', 'supervisor');
    await expect.poll(() => centre.getAttribute('#notice-status', 'data-state')).toBe('online');
    expect(await centre.locator(`#queue-returned tr[data-ticket="${ids.toReturn.id}"]`).count()).toBe(0);
    const unit = await open('/portal/', 'unitA');
    await unit.click(`a[href="#ticket/${ids.toReturn.id}"]`);
    await unit.click('#do-return');
    await expect.poll(() => unit.textContent('[data-action="return"] .field-error')).toBe('请填写原因');
    await unit.fill('#return-reason', '该小区属于朝外街道辖区');
    await unit.click('#do-return');
    await expect.poll(() => statusOf(unit)).toBe('已退单');
    await unit.context().close();

    // No refresh: the notice arrives, the badge counts it and the returned queue is read again.
    await centre.waitForSelector(`#notice-list li[data-ticket="${ids.toReturn.id}"]`);
    expect(await centre.textContent(`#notice-list li[data-ticket="${ids.toReturn.id}"] .notice-text`)).toBe(`建外街道退回工单 ${ids.toReturn.number}，请改派`);
    expect(Number(await centre.textContent('#notice-badge'))).toBeGreaterThanOrEqual(1);
    await centre.waitForSelector(`#queue-returned tr[data-ticket="${ids.toReturn.id}"]`);
    expect(await centre.textContent(`#queue-returned tr[data-ticket="${ids.toReturn.id}"]`)).toContain('该小区属于朝外街道辖区');
    await centre.click(`#queue-returned a[href="#ticket/${ids.toReturn.id}"]`);
    await centre.waitForSelector('#reassign-unit');
    await centre.selectOption('#reassign-unit', CHAOWAI);
    await centre.click('#do-reassign');
    await expect.poll(() => statusOf(centre)).toBe('待签收');
    expect(h.desk.db.prepare('SELECT lead_unit, dispatch_round FROM tickets WHERE id = ?').get(ids.toReturn.id)).toEqual({ lead_unit: CHAOWAI, dispatch_round: 2 });
    await centre.context().close();
  });

  it('when the supervisor reviews a reply, then the ticket is closed from the centre view', async () => {
    const centre = await open('/portal/centre.html', 'supervisor');
    await centre.waitForSelector(`#queue-replied tr[data-ticket="${ids.toReply.id}"]`);
    await centre.click(`#queue-replied a[href="#ticket/${ids.toReply.id}"]`);
    await centre.click('#do-close');
    await expect.poll(() => statusOf(centre)).toBe('已办结');
    await centre.click('#back');
    await centre.waitForSelector('#inbox-view:not([hidden])');
    await expect.poll(() => centre.locator(`#queue-replied tr[data-ticket="${ids.toReply.id}"]`).count()).toBe(0);
    await centre.click('#lang-switch');
    expect(await centre.textContent('#queue-replied h2')).toBe('Replies to close');
    expect(h.surveys.map((s) => s.ticketId)).toEqual([ids.toReply.id]);
    await centre.context().close();
    expect(problems).toEqual([]);
  });

  it('when December comes and next year has no holidays in the calendar, then the centre desk names the year and where to enter it', async () => {
    const before = await open('/portal/centre.html', 'supervisor');
    await before.waitForSelector('#inbox-view:not([hidden])');
    expect(await before.isHidden('#calendar-warning')).toBe(true);
    await before.context().close();

    clock.runUntil(shanghaiTime('2026-12-01', '09:00'));
    const centre = await open('/portal/centre.html', 'supervisor');
    await centre.waitForSelector('#calendar-warning:not([hidden])');
    expect(await centre.textContent('#calendar-warning')).toContain('尚未配置 2027 年的法定节假日和调休上班日');
    expect(await centre.textContent('#calendar-warning')).toContain('/admin/#calendar');
    await centre.click('#lang-switch');
    await expect.poll(() => centre.textContent('#calendar-warning')).toContain('The public holidays and makeup working days of 2027 are not configured');
    await centre.context().close();
    expect(problems).toEqual([]);
  });
});
