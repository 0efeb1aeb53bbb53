import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, waitFor } from '../component/call-harness.ts';
import type { Harness } from '../component/call-harness.ts';
import { browserMissing, launchBrowser } from './browser.ts';

const missing = browserMissing();
if (missing) console.warn(`skipping the admin console browser tests: ${missing}`);

const run = promisify(execFile);
const ARTIFACTS = 'test-artifacts/admin';
const ADMIN_PASSWORD = 'Console-admin-9x!k';
const AGENT_PASSWORD = 'Hotline-agent-2026!';
const SUPERVISOR_PASSWORD = 'Duty-supervisor-77#';
const CALLER = '13600136000';
const HEADER = 'username,display_name,role,seat,skills,desk,unit_code,initial_password';

/** The first administrator, made by the command line against the service's database (as on a new site). */
async function createAdminByCli(h: Harness): Promise<void> {
  const passwordFile = join(h.dir, 'admin-password.txt');
  writeFileSync(passwordFile, `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
  await run('npx', ['tsx', 'scripts/admin.ts', 'create-user', '--username', 'root', '--role', 'admin', '--display-name', '系统管理员', '--password-file', passwordFile], {
    env: { ...process.env, HOTLINE_DB: join(h.dir, 'hotline.sqlite'), HOTLINE_CONFIG: '' }, timeout: 60_000,
  });
}

function watch(page: Page, problems: string[], expected: (status: number, url: string) => boolean = () => false): void {
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => {
    const fine = (r.status() === 401 && r.url().endsWith('/api/me')) || expected(r.status(), r.url());
    if (r.status() >= 400 && !fine) problems.push(`${r.status()} ${r.url()}`);
  });
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
}

/** Sets the new password in the shared 设置新密码 form and waits for it to go. */
async function changePassword(page: Page, current: string, next: string): Promise<void> {
  await page.fill('#pwc-current', current);
  await page.fill('#pwc-new', next);
  await page.fill('#pwc-again', next);
  await page.click('#pwc-submit');
  await page.waitForSelector('#password-change', { state: 'detached' });
}

/** The document is no wider than the window, and the section list and the section do not overlap. */
async function laidOut(page: Page): Promise<{ overflow: number; overlap: boolean }> {
  return page.evaluate(() => {
    const nav = document.querySelector('.admin-nav')!.getBoundingClientRect();
    const main = document.querySelector('.admin-main')!.getBoundingClientRect();
    return { overflow: document.documentElement.scrollWidth - window.innerWidth, overlap: nav.right > main.left + 0.5 };
  });
}

describe.skipIf(missing !== undefined)('the admin console in Chromium, from the first administrator to a call routed by skills', () => {
  let h: Harness;
  let browser: Browser;
  let adminPage: Page;
  let agentContext: BrowserContext;
  let agentPage: Page;
  let supervisorPage: Page;
  const problems: string[] = [];
  const passwords = new Map<string, string>();
  let channelId: string | undefined;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHarness();
    await createAdminByCli(h);
    h.hotline.sim!.control.registerPhone('seat-wh', { mode: 'answer', ringMs: 200 });
    browser = await launchBrowser();
    const adminContext = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', acceptDownloads: true });
    await adminContext.grantPermissions(['clipboard-read', 'clipboard-write']);
    adminPage = await adminContext.newPage();
    // Refusals the tests ask for: a bad import, a district with streets in use, a bad greeting.
    watch(adminPage, problems, (status, url) => (status === 422 && url.includes('/api/admin/users/import'))
      || (status === 409 && url.endsWith('/retire')) || (status === 400 && url.endsWith('/api/admin/lines')));
  }, 120_000);

  afterAll(async () => {
    if (channelId) h?.hotline.sim?.control.remoteHangup(channelId);
    await browser?.close();
    await h?.close();
  });

  it('when the administrator made by the command line imports a CSV with a bad row, then that row\'s error shows in Chinese; fixed, the import creates the accounts and offers their passwords once', async () => {
    await adminPage.goto(`${h.hotline.url}/admin/`);
    await signIn(adminPage, 'root', ADMIN_PASSWORD);
    await adminPage.waitForSelector('#section-accounts');
    expect(await adminPage.isHidden('#readonly-badge')).toBe(true);
    await adminPage.click('#acc-import');
    const bad = `${HEADER}\r\nwanghong,王红,agent,seat-wh,general:3,,,\r\nlisi,李四,agent,seat-ls,general:3;fangchan:2,,,\r\n`;
    await adminPage.setInputFiles('#import-file', { name: 'agents.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${bad}`) });
    await adminPage.click('#import-check');
    await adminPage.waitForSelector('#import-errors');
    expect(await adminPage.textContent('#import-note')).toContain('发现 1 处错误，未创建任何账号');
    const errorRows = await adminPage.$$eval('#import-errors tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(errorRows).toEqual([['3', '技能', '未知技能：fangchan']]);
    expect(await adminPage.isDisabled('#import-run')).toBe(true);
    expect(h.hotline.db.prepare("SELECT count(*) AS n FROM users WHERE username IN ('wanghong', 'lisi')").get()).toEqual({ n: 0 });
    await adminPage.screenshot({ path: `${ARTIFACTS}/import-errors.png`, fullPage: true });

    const fixed = bad.replace('general:3;fangchan:2', 'general:2');
    await adminPage.setInputFiles('#import-file', { name: 'agents-fixed.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${fixed}`) });
    await adminPage.click('#import-check');
    await expect.poll(() => adminPage.textContent('#import-note')).toContain('预检通过：共 2 行');
    await adminPage.click('#import-run');
    await expect.poll(() => adminPage.textContent('#import-note'), { timeout: 30_000 }).toContain('已创建 2 个账号');
    const [download] = await Promise.all([adminPage.waitForEvent('download'), adminPage.click('#import-download')]);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    for (const line of csv.trim().split(/\r?\n/).slice(1)) { const [u, p] = line.split(','); passwords.set(u!, p!); }
    expect([...passwords.keys()].sort()).toEqual(['lisi', 'wanghong']);
    await adminPage.click('#import-forget');
    expect(await adminPage.isHidden('#import-passwords')).toBe(true);
    await adminPage.waitForSelector('#accounts-table tr[data-username="wanghong"]');
    expect(await adminPage.textContent('#accounts-table tr[data-username="wanghong"]')).toContain('待修改初始密码');
  }, 90_000);

  it('when the administrator creates a supervisor without a password, then the one-time password is shown once with a copy button', async () => {
    await adminPage.click('#acc-new');
    await adminPage.fill('#acc-username', 'banzhang');
    await adminPage.fill('#acc-display-name', '值班长甲');
    await adminPage.selectOption('#acc-role', 'supervisor');
    expect(await adminPage.isHidden('#acc-seat')).toBe(true);
    await adminPage.click('#account-save');
    await adminPage.waitForSelector('#otp-dialog');
    expect(await adminPage.textContent('#otp-once')).toContain('只显示这一次');
    const otp = await adminPage.inputValue('#otp-value');
    expect(otp.length).toBeGreaterThanOrEqual(16);
    await adminPage.click('#otp-copy');
    await expect.poll(() => adminPage.textContent('#otp-copied')).toBe('已复制');
    passwords.set('banzhang', otp);
    await adminPage.click('#otp-close');
    await adminPage.waitForSelector('#otp-dialog', { state: 'detached' });
    await expect.poll(() => adminPage.textContent('#accounts-note')).toBe('已创建账号 banzhang');
  }, 60_000);

  it('when the new agent signs in with the one-time password, then they must set a new one first, and then take a call at their seat', async () => {
    agentContext = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    agentPage = await agentContext.newPage();
    watch(agentPage, problems, (status, url) => status === 400 && url.endsWith('/api/me/password'));
    await agentPage.goto(`${h.hotline.url}/desktop/`);
    await signIn(agentPage, 'wanghong', passwords.get('wanghong')!);
    await agentPage.waitForSelector('#password-change');
    expect(await agentPage.isHidden('#desk-view')).toBe(true);
    expect(await agentPage.textContent('#password-change')).toContain('至少 10 个字符');
    await agentPage.fill('#pwc-current', passwords.get('wanghong')!);
    await agentPage.fill('#pwc-new', '1234567890');
    await agentPage.fill('#pwc-again', '1234567890');
    await agentPage.click('#pwc-submit');
    await expect.poll(() => agentPage.textContent('[data-field="newPassword"] .pwc-error')).toContain('容易被猜中');
    await agentPage.screenshot({ path: `${ARTIFACTS}/password-change.png` });
    await changePassword(agentPage, passwords.get('wanghong')!, AGENT_PASSWORD);
    await agentPage.waitForSelector('#desk-view:not([hidden])');
    expect(h.hotline.db.prepare("SELECT must_change_password AS m FROM users WHERE username = 'wanghong'").get()).toEqual({ m: 0 });

    await agentPage.fill('#agent-seat', 'seat-wh');
    await agentPage.click('#btn-signin');
    await expect.poll(() => agentPage.textContent('#agent-state')).toBe('示忙');
    await agentPage.click('#btn-ready');
    await expect.poll(() => agentPage.textContent('#agent-state')).toBe('空闲');
    ({ channelId } = h.hotline.sim!.control.placeCall({ line: '12345', from: CALLER }));
    await expect.poll(() => agentPage.textContent('#pop-number'), { timeout: 15_000 }).toBe(CALLER);
    h.hotline.sim!.control.remoteHangup(channelId!);
    channelId = undefined;
    const agentId = (h.hotline.db.prepare("SELECT a.id FROM agents a JOIN users u ON u.id = a.user_id WHERE u.username = 'wanghong'").get() as { id: string }).id;
    await waitFor('wanghong ready again after the wrap-up', () => h.hotline.agents.get(agentId)?.state === 'ready', 15_000);
  }, 90_000);

  it('when a supervisor takes the agent\'s general skill away in the console, then the next call waits; given back, the call routes to the agent', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
    supervisorPage = await context.newPage();
    watch(supervisorPage, problems, (status) => status === 403);
    await supervisorPage.goto(`${h.hotline.url}/admin/#agents`);
    await signIn(supervisorPage, 'banzhang', passwords.get('banzhang')!);
    await changePassword(supervisorPage, passwords.get('banzhang')!, SUPERVISOR_PASSWORD);
    await supervisorPage.waitForSelector('#section-agents tr[data-username="wanghong"]');
    const row = '#agents-table tr[data-username="wanghong"]';
    await supervisorPage.fill(`${row} [data-add-skill-name]`, 'social');
    await supervisorPage.selectOption(`${row} [data-add-skill-level]`, '4');
    await supervisorPage.click(`${row} [data-add-skill]`);
    await supervisorPage.waitForSelector(`${row} [data-skill="social"]`);
    await supervisorPage.click(`${row} [data-remove-skill="general"]`);
    await supervisorPage.waitForSelector(`${row} [data-skill="general"]`, { state: 'detached' });
    await expect.poll(() => supervisorPage.textContent(`${row} [data-status]`)).toBe('已保存');

    const agentId = (h.hotline.db.prepare("SELECT a.id FROM agents a JOIN users u ON u.id = a.user_id WHERE u.username = 'wanghong'").get() as { id: string }).id;
    expect(h.hotline.db.prepare('SELECT skill, level FROM agent_skills WHERE agent_id = ?').all(agentId)).toEqual([{ skill: 'social', level: 4 }]);
    ({ channelId } = h.hotline.sim!.control.placeCall({ line: '12345', from: '13700137000' }));
    await waitFor('the call queued', () => h.hotline.calls.live().some((c) => c.call.state === 'queued'), 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(h.hotline.agents.get(agentId)?.state).toBe('ready');

    await supervisorPage.fill(`${row} [data-add-skill-name]`, 'general');
    await supervisorPage.selectOption(`${row} [data-add-skill-level]`, '2');
    await supervisorPage.click(`${row} [data-add-skill]`);
    await waitFor('wanghong on the call', () => h.hotline.agents.get(agentId)?.state === 'on_call', 15_000);
    await expect.poll(() => agentPage.textContent('#pop-number'), { timeout: 15_000 }).toBe('13700137000');
    expect(h.hotline.db.prepare('SELECT skill, level FROM agent_skills WHERE agent_id = ? ORDER BY skill').all(agentId))
      .toEqual([{ skill: 'general', level: 2 }, { skill: 'social', level: 4 }]);
    h.hotline.sim!.control.remoteHangup(channelId!);
    channelId = undefined;
    await supervisorPage.screenshot({ path: `${ARTIFACTS}/agents-supervisor-1920.png`, fullPage: true });
  }, 90_000);

  it('when a supervisor opens the console, then every section reads without the administrators\' buttons, and a write is refused by the server', async () => {
    await supervisorPage.goto(`${h.hotline.url}/admin/#accounts`);
    await supervisorPage.waitForSelector('#accounts-table tr[data-username="wanghong"]');
    expect(await supervisorPage.isVisible('#readonly-badge')).toBe(true);
    for (const hidden of ['#acc-new', '#acc-import', '#accounts-table [data-action]']) expect(await supervisorPage.$(hidden)).toBeNull();
    expect(await supervisorPage.isVisible('#acc-export')).toBe(true);
    const refused = await supervisorPage.evaluate(async () => {
      const me = await (await fetch('/api/me')).json() as { csrfToken: string };
      const r = await fetch('/api/admin/users', {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify({ username: 'sneaky', displayName: 'x', role: 'admin' }),
      });
      return r.status;
    });
    expect(refused).toBe(403);
    for (const [section, write] of [['units', '#unit-new'], ['calendar', '#calendar-save'], ['reference', '#categories-save'], ['lines', '#lines-save']] as const) {
      await supervisorPage.goto(`${h.hotline.url}/admin/#${section}`);
      await supervisorPage.waitForSelector(`#section-${section} .readonly-note`);
      await supervisorPage.waitForLoadState('networkidle');
      expect(await supervisorPage.$(write)).toBeNull();
    }
  }, 60_000);

  it('when the console is switched to English, then it reads in English and stays so after a reload', async () => {
    await adminPage.goto(`${h.hotline.url}/admin/#accounts`);
    await adminPage.waitForSelector('#accounts-table');
    await adminPage.click('#lang-switch');
    await expect.poll(() => adminPage.textContent('#section-accounts .section-title')).toBe('Accounts');
    expect(await adminPage.textContent('.admin-nav a[data-section="lines"]')).toBe('Lines and desks');
    expect(await adminPage.textContent('#acc-new')).toBe('New account');
    expect(await adminPage.textContent('#accounts-table tr[data-username="banzhang"]')).toContain('Supervisor');
    await adminPage.reload();
    await adminPage.waitForSelector('#accounts-table');
    expect(await adminPage.textContent('#acc-import')).toBe('Import');
    await adminPage.click('#lang-switch');
    await expect.poll(() => adminPage.textContent('#acc-new')).toBe('新建账号');
  }, 60_000);

  it('when the administrator retires a district with streets in use, then the server\'s refusal shows; a missing year\'s holidays saved clear its warning; a bad greeting shows at its field', async () => {
    await adminPage.goto(`${h.hotline.url}/admin/#units`);
    await adminPage.selectOption('#units-kind', 'district');
    await adminPage.waitForSelector('#units-table tr[data-code="110101"] [data-action="retire"]');
    await adminPage.click('#units-table tr[data-code="110101"] [data-action="retire"]');
    await adminPage.click('#confirm-ok');
    await expect.poll(() => adminPage.textContent('#units-note')).toMatch(/该区下还有 \d+ 个在用的街道、乡镇/);
    expect(h.hotline.db.prepare("SELECT retired_at FROM units WHERE code = '110101'").get()).toEqual({ retired_at: null });

    await adminPage.goto(`${h.hotline.url}/admin/#calendar`);
    await adminPage.waitForSelector('#calendar-missing:not([hidden])');
    const year = Number(await adminPage.inputValue('#calendar-year'));
    expect(await adminPage.textContent('#calendar-missing')).toContain(String(year));
    await adminPage.fill('#cal-holidays-from', `${year}-01-01`);
    await adminPage.fill('#cal-holidays-to', `${year}-01-03`);
    await adminPage.click('#cal-holidays-add');
    expect(await adminPage.$$eval('#cal-holidays li', (items) => items.map((li) => li.getAttribute('data-date'))))
      .toEqual([`${year}-01-01`, `${year}-01-02`, `${year}-01-03`]);
    await adminPage.click('#calendar-save');
    await expect.poll(() => adminPage.textContent('#calendar-note')).toBe(`${year} 年节假日安排已保存，已用于时限计算`);
    const warning = await adminPage.$eval('#calendar-missing', (e) => ((e as HTMLElement).hidden ? '' : e.textContent ?? ''));
    expect(warning).not.toContain(String(year));
    await adminPage.screenshot({ path: `${ARTIFACTS}/calendar-saved.png` });

    await adminPage.goto(`${h.hotline.url}/admin/#lines`);
    await adminPage.waitForSelector('[data-input="lines.0.greeting"]');
    await adminPage.fill('[data-input="lines.0.greeting"]', 'greeting.wav');
    await adminPage.click('#lines-save');
    await expect.poll(() => adminPage.textContent('[data-field="lines.0.greeting"] .field-error')).toContain('欢迎语须为 sound: 提示音');
    expect(await adminPage.textContent('#lines-note')).toContain('请检查标红字段');
  }, 60_000);

  it('when the administrator writes, edits and retires a knowledge article, then the list follows; the audit finds the account changes by action and exports that search', async () => {
    await adminPage.goto(`${h.hotline.url}/admin/#knowledge`);
    await adminPage.click('#kb-new');
    await adminPage.fill('#kb-title', '供暖季停暖报修渠道');
    await adminPage.fill('#kb-category', 'heating/outage');
    await adminPage.fill('#kb-body', '供暖期内家中暖气不热，可拨打供热单位 24 小时热线报修。');
    expect(await adminPage.textContent('#kb-preview')).toContain('供暖季停暖报修渠道');
    await adminPage.click('#kb-save');
    await expect.poll(() => adminPage.textContent('#knowledge-note')).toBe('已新建“供暖季停暖报修渠道”');
    const id = (h.hotline.db.prepare("SELECT id FROM kb_articles WHERE title = '供暖季停暖报修渠道'").get() as { id: number }).id;
    const row = `#knowledge-table tr[data-article="${id}"]`;
    await adminPage.click(`${row} [data-action="edit"]`);
    await adminPage.fill('#kb-title', '供暖季暖气不热报修渠道');
    await adminPage.click('#kb-save');
    await expect.poll(() => adminPage.textContent(row)).toContain('v2');
    await adminPage.click(`${row} [data-action="retire"]`);
    await adminPage.click('#confirm-ok');
    await expect.poll(() => adminPage.textContent(`${row} [data-state]`)).toBe('已停用');

    await adminPage.goto(`${h.hotline.url}/admin/#audit`);
    await adminPage.selectOption('#audit-action', 'user.create');
    await adminPage.waitForSelector('#audit-table tr[data-action="user.create"]');
    expect(await adminPage.textContent('#audit-table')).toContain('banzhang');
    expect(await adminPage.$$eval('#audit-table tbody tr', (rows) => rows.every((r) => r.getAttribute('data-action') === 'user.create'))).toBe(true);
    expect(await adminPage.getAttribute('#audit-export', 'href')).toBe('/api/admin/audit/export.csv?action=user.create');
    const csv = await adminPage.evaluate(async () => (await fetch('/api/admin/audit/export.csv?action=user.create')).text());
    expect(csv).toContain('banzhang');
  }, 60_000);

  it('when an agent opens the console, then it is refused and shows no section', async () => {
    const page = await agentContext.newPage();
    await page.goto(`${h.hotline.url}/admin/`);
    await page.waitForSelector('#refused-view:not([hidden])');
    expect(await page.textContent('#refused-view')).toContain('该账号无权使用管理控制台');
    expect(await page.isHidden('#admin-view')).toBe(true);
    expect(await page.$('#section .section')).toBeNull();
    expect(await page.evaluate(async () => (await fetch('/api/admin/users')).status)).toBe(403);
    await page.close();
  }, 60_000);

  it('when each section is shown at 1366×768 and 1920×1080, then nothing overflows the window or overlaps', async () => {
    for (const [width, height] of [[1366, 768], [1920, 1080]] as const) {
      await adminPage.setViewportSize({ width, height });
      for (const section of ['accounts', 'agents', 'units', 'reference', 'calendar', 'lines', 'knowledge', 'audit']) {
        await adminPage.goto(`${h.hotline.url}/admin/#${section}`);
        await adminPage.waitForSelector(`#section-${section} .section-body > :not([hidden])`);
        await adminPage.waitForLoadState('networkidle');
        expect(await laidOut(adminPage), `${section} at ${width}×${height}`).toEqual({ overflow: 0, overlap: false });
        await adminPage.screenshot({ path: `${ARTIFACTS}/${section}-${width}.png` });
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
