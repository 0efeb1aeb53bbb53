import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ScreenPop } from '../../src/bus.ts';
import type { FeatureRegistration } from '../../src/app.ts';
import { requireRole, sessionOf } from '../../src/features/auth/auth.routes.ts';
import { browserMissing, launchBrowser } from './browser.ts';
import { startDeskApp, PASSWORD } from '../fixtures/desk-app.ts';
import { registerSoftphone } from '../../src/features/softphone/softphone.feature.ts';
import { registerKnowledge } from '../../src/features/knowledge/knowledge.routes.ts';
import type { DeskApp } from '../fixtures/desk-app.ts';
import { dispatchFeature } from '../../src/features/dispatch/dispatch.feature.ts';

const missing = browserMissing();
if (missing) console.warn(`skipping the desktop browser tests: ${missing}`);

/** The agent-state API as the desktop expects it, for when the real agents feature is not wired in. */
function agentStateDouble(getDesk: () => DeskApp): FeatureRegistration {
  const states = new Map<string, { state: string; reason?: string; since: number; seat: string }>();
  return ({ app }) => {
    const view = (id: string) => ({ id, name: id, seat: states.get(id)?.seat ?? null, state: 'offline', since: Date.now(), ...states.get(id) });
    const set = (id: string, next: { state: string; reason?: string; seat?: string }) => {
      const since = Date.now();
      states.set(id, { seat: next.seat ?? states.get(id)?.seat ?? 'seat0001', state: next.state, since, ...(next.reason ? { reason: next.reason } : {}) });
      getDesk().bus.publish('agent.state', { agentId: id, state: next.state, since, ...(next.reason ? { reason: next.reason } : {}) });
      return view(id);
    };
    const me = (r: Parameters<typeof sessionOf>[0]) => sessionOf(r).account.agentId!;
    const asAgent = { preHandler: requireRole('agent') };
    app.get('/api/agents/me', asAgent, async (r) => view(me(r)));
    app.post('/api/agents/me/login', asAgent, async (r) => set(me(r), { state: 'paused', reason: 'login', seat: (r.body as { seat?: string })?.seat }));
    app.post('/api/agents/me/state', asAgent, async (r) => set(me(r), r.body as { state: string; reason?: string }));
    app.post('/api/agents/me/logout', asAgent, async (r) => set(me(r), { state: 'offline' }));
  };
}

describe.skipIf(missing !== undefined)('agent desktop in Chromium', () => {
  let desk: DeskApp;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const caller = '13800138000';

  beforeAll(async () => {
    // The softphone's account route (off here): every desktop asks for it.
    desk = await startDeskApp({ features: [agentStateDouble(() => desk), registerKnowledge, dispatchFeature(), (ctx) => registerSoftphone(ctx, ctx.deps.config.softphone)] });
    await desk.addUser('agent001', 'agent', 'agent001');
    desk.addCall('call-old', null, caller);
    desk.app.tickets.create({ callerNumber: caller, type: '求助', category: 'water/outage', description: '楼内停水两天，无人通知', districtCode: '110105', townshipCode: '110105001', address: '建国路 1 号' }, { id: 'usr-x', username: 'x', displayName: 'x', role: 'admin', agentId: null });
    desk.addCall('call-e2e', 'agent001', caller);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()); });
    page.on('response', (r) => {
      const expected = (r.status() === 401 && r.url().endsWith('/api/me')) || (r.status() === 400 && /\/api\/tickets(\/intake|\/[^/]+\/notes)$/.test(r.url()));
      if (r.status() >= 400 && !expected) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => problems.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await desk?.close();
  });

  it('when an agent signs in and a call is answered, then the pop shows the number, line, wait and history', async () => {
    await page.goto(`${desk.url}/desktop/`);
    await page.fill('#login-username', 'agent001');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-submit');
    await page.waitForSelector('#desk-view:not([hidden])');
    await page.waitForSelector('#ws-status[data-state="online"]');
    await page.fill('#agent-seat', 'seat0001');
    await page.click('#btn-signin');
    await expect.poll(() => page.textContent('#agent-state')).toBe('示忙');
    await page.click('#btn-ready');
    await expect.poll(() => page.textContent('#agent-state')).toBe('空闲');

    const popFrame: ScreenPop = {
      callId: 'call-e2e', line: '12345', lineName: '12345 市民服务热线', callerNumber: caller, callerName: '',
      waitedMs: 12_000, answeredAt: Date.now(), history: desk.app.tickets.recentTicketsForCaller(caller, Date.now()),
    };
    desk.bus.publish('agent.state', { agentId: 'agent001', state: 'on_call', since: Date.now() });
    desk.bus.publish('agent.pop', { agentId: 'agent001', pop: popFrame });
    await expect.poll(() => page.textContent('#pop-number')).toBe(caller);
    expect(await page.textContent('#pop-waited')).toBe('00:12');
    expect(await page.textContent('#pop-line')).toContain('12345');
    const history = await page.textContent('#history-rows');
    expect(history).toContain(popFrame.history[0]!.number);
    expect(history).toContain('楼内停水两天');
    expect(await page.textContent('#agent-state')).toBe('通话中');
  });

  /** Puts a call on the agent's line and waits for its pop. */
  async function popCall(callId: string) {
    desk.addCall(callId, 'agent001', caller);
    const pop: ScreenPop = {
      callId, line: '12345', lineName: '12345 市民服务热线', callerNumber: caller, callerName: '',
      waitedMs: 5000, answeredAt: Date.now(), history: desk.app.tickets.recentTicketsForCaller(caller, Date.now()),
    };
    desk.bus.publish('agent.pop', { agentId: 'agent001', pop });
    await expect.poll(() => page.evaluate(() => JSON.parse(sessionStorage.getItem('hl.pop') ?? 'null')?.callId)).toBe(callId);
    await expect.poll(() => page.isDisabled('#f-type')).toBe(false);
    return pop;
  }

  it('when the agent fills the form, then the draft autosaves and a reload restores it', async () => {
    await page.selectOption('#f-type', 'complaint');
    await page.selectOption('#f-category-group', 'pollution');
    await page.selectOption('#f-category-item', 'noise');
    await page.fill('#f-description', '工地夜间施工噪声扰民，已持续一周');
    await page.selectOption('#f-district', '110105');
    await page.selectOption('#f-township', '110105001');
    await page.fill('#f-address', '建国路 88 号');
    await page.check('#f-confidential-yes');
    await expect.poll(() => (desk.db.prepare("SELECT data FROM ticket_drafts WHERE call_id = 'call-e2e'").get() as { data: string } | undefined)?.data ?? '', { timeout: 5000 })
      .toContain('建国路 88 号');
    await page.reload();
    await page.waitForSelector('#desk-view:not([hidden])');
    await expect.poll(() => page.inputValue('#f-description')).toBe('工地夜间施工噪声扰民，已持续一周');
    expect(await page.inputValue('#f-township')).toBe('110105001');
    expect(await page.isChecked('#f-confidential-yes')).toBe(true);
    expect(await page.textContent('#pop-number')).toBe(caller);
  });

  it('when the agent dispatches to the suggested unit with a cooperating unit, then field errors show in Chinese beside the fields until fixed, and the deadlines are shown', async () => {
    await expect.poll(() => page.textContent('#suggested-unit')).toBe('系统建议：建外街道');
    await expect.poll(() => page.textContent('#lead-chosen')).toContain('建外街道');
    expect(await page.inputValue('#f-urgency')).toBe('general');
    await expect.poll(() => page.textContent('#deadlines')).toMatch(/签收时限 \d\d-\d\d \d\d:\d\d · 办结时限 \d\d-\d\d \d\d:\d\d/);
    await page.fill('#coop-search', '生态');
    await page.click('#coop-results li[data-code="city-sthjj"]');
    expect(await page.textContent('#coop-chosen')).toContain('市生态环境局');
    await page.click('#lead-chosen .unit-remove');
    await page.fill('#f-address', '');
    await page.click('#save-ticket');
    await expect.poll(() => page.textContent('[data-field="address"] .field-error')).toBe('请填写详细地址');
    expect(await page.textContent('[data-field="leadUnit"] .field-error')).toBe('请选择主办单位');
    expect(await page.textContent('#form-message')).toBe('提交失败，请检查标红字段');
    expect(desk.db.prepare("SELECT count(*) AS n FROM tickets WHERE call_id = 'call-e2e'").get()).toEqual({ n: 0 });

    await page.click('#use-suggested');
    await page.fill('#f-address', '建国路 88 号');
    await expect.poll(() => (desk.db.prepare("SELECT data FROM ticket_drafts WHERE call_id = 'call-e2e'").get() as { data: string }).data, { timeout: 5000 })
      .toContain('"cooperatingUnits":["city-sthjj"]');
    await page.click('#save-ticket');
    await expect.poll(() => page.textContent('#form-message')).toMatch(/工单已保存：\d{13} · 已派至 建外街道、市生态环境局，签收时限/);
    const row = desk.db.prepare("SELECT id, type, unit_code, confidential, status, lead_unit FROM tickets WHERE call_id = 'call-e2e'").get() as Record<string, unknown>;
    expect(row).toMatchObject({ type: 'complaint', unit_code: '110105001', confidential: 1, status: 'dispatched', lead_unit: '110105001' });
    expect(desk.db.prepare('SELECT unit_code, role FROM ticket_dispatch_units WHERE ticket_id = ? ORDER BY role DESC').all(row.id))
      .toEqual([{ unit_code: '110105001', role: 'lead' }, { unit_code: 'city-sthjj', role: 'cooperating' }]);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/desktop-pop.png', fullPage: true });
  });

  it('when the caller repeats an open request, then the desktop offers the open ticket and the agent merges into it', async () => {
    await popCall('call-merge');
    const open = desk.db.prepare("SELECT id, number FROM tickets WHERE call_id IS NULL AND category = 'water/outage'").get() as { id: string; number: string };
    await page.selectOption('#f-type', 'help');
    await page.selectOption('#f-category-group', 'water');
    await page.selectOption('#f-category-item', 'outage');
    await page.fill('#f-description', '又停水了，上次反映的还没解决');
    await page.selectOption('#f-district', '110105');
    await page.selectOption('#f-township', '110105001');
    await page.fill('#f-address', '建国路 1 号');
    await page.waitForSelector(`#merge-offers:not([hidden]) li[data-ticket="${open.id}"]`);
    expect(await page.textContent('#merge-list')).toContain('同一来电人');
    await page.click(`#merge-list li[data-ticket="${open.id}"] .merge-into`);
    await expect.poll(() => page.textContent('#merge-chosen-text')).toBe(`将并入工单 ${open.number}，与其共享办理和回访`);
    expect(await page.isHidden('#merge-offers')).toBe(true);
    await page.click('#save-ticket');
    await expect.poll(() => page.textContent('#form-message')).toContain(`已并入工单 ${open.number}`);
    expect(desk.db.prepare("SELECT status, master_id FROM tickets WHERE call_id = 'call-merge'").get()).toEqual({ status: 'merged', master_id: open.id });
  });

  it('when a repeat caller adds to an open ticket, then the agent writes a note from the pop onto that ticket instead of a new one', async () => {
    await popCall('call-note');
    const open = desk.db.prepare("SELECT id, number FROM tickets WHERE call_id = 'call-e2e'").get() as { id: string; number: string };
    await page.click(`#history-rows .note-open[data-ticket="${open.id}"]`);
    expect(await page.textContent('#note-title')).toBe(`补充说明：工单 ${open.number}`);
    await page.click('#note-submit');
    await expect.poll(() => page.textContent('#note-form [data-field="note"] .field-error')).toBe('请填写备注内容');
    await page.fill('#note-text', '市民补充：施工在夜里十一点后仍在进行');
    await page.click('#note-submit');
    await expect.poll(() => page.textContent('#note-done')).toBe(`补充说明已记入工单 ${open.number}，承办单位可见`);
    const trail = desk.db.prepare("SELECT details FROM audit_log WHERE subject = ? AND action = 'ticket.add_note'").all(open.id) as Array<{ details: string }>;
    expect(trail.map((r) => JSON.parse(r.details).details.note)).toEqual(['市民补充：施工在夜里十一点后仍在进行']);
    expect(desk.db.prepare("SELECT kind FROM ticket_calls WHERE ticket_id = ? AND call_id = 'call-note'").get(open.id)).toEqual({ kind: 'note' });
    expect(desk.db.prepare("SELECT count(*) AS n FROM tickets WHERE call_id = 'call-note'").get()).toEqual({ n: 0 });
    expect(await page.isDisabled('#f-description')).toBe(false);   // the call may still get a ticket of its own
  });

  it('when the agent switches to English, then the desktop reads in English and stays so after a reload', async () => {
    await page.click('#lang-switch');
    expect(await page.textContent('#save-ticket')).toBe('Save ticket');
    expect(await page.textContent('#agent-state')).toBe('On call');
    await page.reload();
    await page.waitForSelector('#desk-view:not([hidden])');
    expect(await page.textContent('#btn-ready')).toBe('Ready');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(problems).toEqual([]);
  });
});
