import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { FeatureRegistration } from '../../src/app.ts';
import { registerSoftphone, softphoneConnectSources } from '../../src/features/softphone/softphone.feature.ts';
import type { SoftphoneSettings } from '../../src/features/softphone/softphone.feature.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, browserMissing } from './browser.ts';
import { PASSWORD, startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp } from '../fixtures/desk-app.ts';
import { startFakeRegistrar } from '../fixtures/sip-registrar.ts';
import type { FakeRegistrar } from '../fixtures/sip-registrar.ts';

const missing = browserMissing();
if (missing) console.warn(`skipping the softphone browser tests: ${missing}`);

const PAGE_DIR = fileURLToPath(new URL('../fixtures/softphone-page/', import.meta.url));
const SECRET_1 = 'Rt7pQ2xVb9LmW4sKc8NzYh3D';
const SECRET_2 = 'Gf5JkL0pQwErTyUi8OzXcVbN';

/**
 * The softphone alone on a page, with the page's CSP widened by softphoneConnectSources as app.ts does for
 * the configured wss URL.
 */
function softphonePage(settings: SoftphoneSettings): FeatureRegistration {
  return ({ app }) => {
    const widen = (csp: string): string => csp.replace(/connect-src ([^;]*)/, (_m, list: string) => `connect-src ${[list, ...softphoneConnectSources(settings)].join(' ')}`);
    app.get('/softphone-test/', { config: { public: true } }, async (_request, reply) => {
      reply.header('content-security-policy', widen(String(reply.getHeader('content-security-policy') ?? '')));
      return reply.type('text/html; charset=utf-8').send(readFileSync(join(PAGE_DIR, 'index.html'), 'utf8'));
    });
    app.get('/softphone-test/main.js', { config: { public: true } }, async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(readFileSync(join(PAGE_DIR, 'main.js'), 'utf8')));
  };
}

describe.skipIf(missing !== undefined)('browser softphone in Chromium against a SIP-over-WebSocket registrar', () => {
  let registrar: FakeRegistrar;
  let desk: DeskApp;
  let browser: Browser;
  let dir: string;
  const problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hl-softphone-'));
    // agent001's seat has the right secret, agent002's CSV secret is not the registrar's, agent003 sits at a desk phone seat.
    registrar = await startFakeRegistrar({
      'seat-agent001': { username: 'seat-agent001', password: SECRET_1 },
      'seat-agent002': { username: 'seat-agent002', password: 'not-the-one-in-the-csv' },
    });
    const secrets = join(dir, 'web-seats.csv');
    writeFileSync(secrets, `seat,username,secret\nseat-agent001,seat-agent001,${SECRET_1}\nseat-agent002,seat-agent002,${SECRET_2}\n`, { mode: 0o600 });
    const settings: SoftphoneSettings = { enabled: true, wssUrl: registrar.url, sipDomain: 'hotline.test', seatSecretsFile: secrets };
    desk = await startDeskApp({ features: [(ctx) => registerSoftphone(ctx, settings), softphonePage(settings)] });
    for (const id of ['agent001', 'agent002', 'agent003']) await desk.addUser(id, 'agent', id);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH, headless: true,
      args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await desk?.close();
    await registrar?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(username: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'zh-CN', permissions: ['microphone'] });
    const login = await context.request.post(`${desk.url}/api/login`, { data: { username, password: PASSWORD } });
    expect(login.status()).toBe(200);
    const page = await context.newPage();
    // Every peer connection the page makes, to look at the softphone's microphone track.
    await page.addInitScript(() => {
      const Native = window.RTCPeerConnection;
      const made: RTCPeerConnection[] = [];
      (window as any).peerConnections = made;
      window.RTCPeerConnection = class extends Native {
        constructor(config?: RTCConfiguration) { super(config); made.push(this); }
      } as typeof RTCPeerConnection;
    });
    page.on('pageerror', (e) => problems.push(`${username}: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`${username}: ${m.text()}`); });
    await page.goto(`${desk.url}/softphone-test/`);
    return { context, page };
  }

  const badge = (page: Page) => page.textContent('#softphone-state');

  it('when the seat has the right secret, then the state goes 注册中 → 已注册 and the registrar holds the browser contact', async () => {
    const { context, page } = await open('agent001');
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('已注册');
    expect(await page.evaluate(() => (window as any).softphoneStates)).toEqual(['注册中', '已注册']);
    expect(await page.textContent('#softphone-seat')).toContain('seat-agent001');
    const reg = registrar.registrations().find((r) => r.seat === 'seat-agent001');
    expect(reg?.contact).toMatch(/^sip:[^@]+@[^;]+\.invalid;transport=ws$/);
    expect(reg?.expires).toBe(300);
    // Challenged once, then accepted.
    expect(registrar.log.filter((l) => l.startsWith('< REGISTER'))).toEqual(['< REGISTER 401', '< REGISTER 200']);
    await page.evaluate(() => (window as any).setLang('en'));
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('Registered');
    await page.evaluate(() => (window as any).setLang('zh'));
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('已注册');
    await context.close();
  });

  it('when the secret is wrong, then 注册失败 shows the refusal and no contact is registered', async () => {
    const before = registrar.log.length;
    const { context, page } = await open('agent002');
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('注册失败');
    expect(await page.textContent('#softphone-detail')).toContain('座席账号或密码不正确（401 Unauthorized）');
    expect(registrar.registrations().some((r) => r.seat === 'seat-agent002')).toBe(false);
    expect(registrar.log.slice(before).filter((l) => l.startsWith('< REGISTER'))).toEqual(['< REGISTER 401', '< REGISTER 401']);
    await context.close();
  });

  it('when the seat has a desk phone (no browser secret), then the panel says so and never opens a socket', async () => {
    // The earlier tests' pages are closed: wait for their sockets to go, so that a new one would show.
    await expect.poll(() => registrar.sockets(), { timeout: 10_000 }).toBe(0);
    const sockets = registrar.sockets();
    const { context, page } = await open('agent003');
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('未启用');
    expect(await page.textContent('#softphone-detail')).toBe('座席 seat-agent003 使用硬件话机，未开通浏览器话机');
    expect(await page.isHidden('#softphone-call')).toBe(true);
    expect(registrar.sockets()).toBe(sockets);
    await context.close();
  });

  it('when the socket drops, then 未注册 with the retry is shown and the phone registers again once the exchange is back', async () => {
    const { context, page } = await open('agent001');
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('已注册');
    registrar.refuse(true);
    try {
      registrar.dropAll();
      await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('未注册');
      expect(await page.textContent('#softphone-detail')).toMatch(/连接.*断开|无法连接/);
      expect(await page.textContent('#softphone-detail')).toMatch(/\d+ 秒后重试/);
      expect(registrar.registrations().some((r) => r.seat === 'seat-agent001')).toBe(false);
      // Refused attempts back off; once sockets are accepted again the seat registers by itself.
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      registrar.refuse(false);
    }
    await expect.poll(() => badge(page), { timeout: 15_000 }).toBe('已注册');
    expect(registrar.registrations().some((r) => r.seat === 'seat-agent001')).toBe(true);
    const states = await page.evaluate(() => (window as any).softphoneStates as string[]);
    expect(states.slice(states.indexOf('未注册'))).toContain('已注册');
    await context.close();
  });

  it('when a call rings, then the caller and the answer button show; answering connects audio, mute and hang-up work', async () => {
    const { context, page } = await open('agent001');
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('已注册');
    // The caller's side: a real WebRTC offer from a second peer connection in the same browser.
    const offer = await page.evaluate(async () => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      (window as any).callerPc = pc;
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') resolve();
        pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
      });
      return pc.localDescription!.sdp;
    });
    const leg = registrar.invite('seat-agent001', { number: '13800138000', name: '12345 市民服务热线', sdp: offer });
    await page.waitForSelector('#softphone-call:not([hidden])');
    expect(await page.textContent('#softphone-caller')).toContain('13800138000');
    expect(await page.textContent('#softphone-call-state')).toBe('来电');
    expect(await page.isVisible('#softphone-answer')).toBe(true);
    await expect.poll(() => leg.statuses, { timeout: 10_000 }).toContain(180);

    await page.click('#softphone-answer');
    const final = await leg.final;
    expect(final.status).toBe(200);
    expect(final.body).toMatch(/a=fingerprint:/);
    await page.evaluate((sdp) => (window as any).callerPc.setRemoteDescription({ type: 'answer', sdp }), final.body);
    await expect.poll(() => page.textContent('#softphone-call-state'), { timeout: 10_000 }).toBe('通话中');
    await expect.poll(() => page.evaluate(() => (window as any).callerPc.connectionState), { timeout: 10_000 }).toBe('connected');
    const remote = await page.evaluate(() => {
      const stream = (document.getElementById('softphone-audio') as HTMLAudioElement).srcObject as MediaStream | null;
      return stream ? stream.getAudioTracks().map((t) => t.readyState) : [];
    });
    expect(remote).toEqual(['live']);

    const micEnabled = () => page.evaluate(() => {
      const pcs = (window as any).peerConnections as RTCPeerConnection[];
      const mine = pcs.find((pc) => pc !== (window as any).callerPc)!;
      return mine.getSenders().map((s) => s.track?.enabled);
    });
    expect(await micEnabled()).toEqual([true]);
    await page.click('#softphone-mute');
    expect(await page.getAttribute('#softphone-mute', 'aria-pressed')).toBe('true');
    expect(await page.textContent('#softphone-mute')).toBe('取消静音');
    expect(await micEnabled()).toEqual([false]);
    await page.click('#softphone-mute');
    expect(await micEnabled()).toEqual([true]);

    await page.click('#softphone-hangup');
    await leg.hungUp;
    await page.waitForSelector('#softphone-call', { state: 'hidden' });
    expect(await badge(page)).toBe('已注册');
    await context.close();
  });

  it('when a ringing call is declined, then the caller gets 486; when the caller gives up first, the ringing stops', async () => {
    const { context, page } = await open('agent001');
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('已注册');
    const sdp = await page.evaluate(async () => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      pc.addTransceiver('audio');
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription!.sdp;
    });
    const declined = registrar.invite('seat-agent001', { number: '13900139000', sdp });
    await page.waitForSelector('#softphone-call:not([hidden])');
    await page.click('#softphone-hangup');
    expect((await declined.final).status).toBe(486);
    await page.waitForSelector('#softphone-call', { state: 'hidden' });

    const abandoned = registrar.invite('seat-agent001', { number: '13700137000', sdp });
    await page.waitForSelector('#softphone-call:not([hidden])');
    expect(await page.textContent('#softphone-caller')).toContain('13700137000');
    abandoned.hangUp();
    expect((await abandoned.final).status).toBe(487);
    await page.waitForSelector('#softphone-call', { state: 'hidden' });
    expect(await badge(page)).toBe('已注册');
    await context.close();
  });

  it('when the page is left, then the seat is unregistered (REGISTER with expires 0)', async () => {
    const { context, page } = await open('agent001');
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('已注册');
    await expect.poll(() => registrar.registrations().some((r) => r.seat === 'seat-agent001'), { timeout: 10_000 }).toBe(true);
    const before = registrar.log.length;
    await page.goto('about:blank');
    await expect.poll(() => registrar.log.slice(before), { timeout: 10_000 }).toContain('unregistered seat-agent001');
    expect(registrar.registrations().some((r) => r.seat === 'seat-agent001')).toBe(false);
    await context.close();
  });

  it('when a second tab of the same desktop opens, then it waits without registering and takes over once the first tab is closed', async () => {
    const { context, page } = await open('agent001');
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('已注册');
    const registers = () => registrar.log.filter((l) => l === '< REGISTER 200').length;
    const before = registers();
    const second = await context.newPage();
    second.on('pageerror', (e) => problems.push(`second tab: ${e.message}`));
    await second.goto(`${desk.url}/softphone-test/`);
    await expect.poll(() => badge(second), { timeout: 10_000 }).toBe('未注册');
    expect(await second.textContent('#softphone-detail')).toBe('已在本机其他窗口中使用');
    expect(registers()).toBe(before);
    await page.close();
    await expect.poll(() => badge(second), { timeout: 10_000 }).toBe('已注册');
    expect(registers()).toBeGreaterThan(before);
    await context.close();
  });

  it('then no page error was seen', () => {
    expect(problems).toEqual([]);
  });
});
