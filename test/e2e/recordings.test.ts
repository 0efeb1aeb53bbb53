import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launchBrowser } from './browser.ts';
import { startLiveHarness } from '../component/monitoring-harness.ts';
import type { LiveHarness } from '../component/monitoring-harness.ts';

const missing = browserMissing();
if (missing) console.warn(`skipping the recordings browser test: ${missing}`);

/** Three seconds of an 8 kHz 16-bit mono tone. */
function toneWav(): Buffer {
  const data = Buffer.alloc(8000 * 2 * 3);
  for (let i = 0; i < data.length; i += 2) data.writeInt16LE(Math.round(6000 * Math.sin((i / 2) * 2 * Math.PI * 440 / 8000)), i);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0); head.writeUInt32LE(36 + data.length, 4); head.write('WAVE', 8); head.write('fmt ', 12);
  head.writeUInt32LE(16, 16); head.writeUInt16LE(1, 20); head.writeUInt16LE(1, 22); head.writeUInt32LE(8000, 24);
  head.writeUInt32LE(16000, 28); head.writeUInt16LE(2, 32); head.writeUInt16LE(16, 34); head.write('data', 36); head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

describe.skipIf(missing !== undefined)('recordings page in Chromium', () => {
  let h: LiveHarness;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    h = await startLiveHarness();
    const agent = await h.addAgent('a1', { ready: false });
    await h.addUser('boss', 'supervisor');
    const bytes = toneWav();
    const rel = '2026/03/02/call-e2e.wav';
    mkdirSync(dirname(join(h.recordingsDir, rel)), { recursive: true });
    writeFileSync(join(h.recordingsDir, rel), bytes);
    const now = Date.now();
    h.hotline.db.prepare(`INSERT INTO calls (id, line, caller_number, state, arrived_at, agent_id) VALUES ('call-e2e', '12345', '13800138000', 'ended', ?, ?)`).run(now, agent.agentId);
    h.hotline.db.prepare(`INSERT INTO recordings (id, call_id, agent_id, name, path, format, duration_ms, size_bytes, sha256, created_at) VALUES ('rec-e2e', 'call-e2e', ?, 'call-e2e', ?, 'wav', 3000, ?, ?, ?)`)
      .run(agent.agentId, rel, bytes.length, createHash('sha256').update(bytes).digest('hex'), now);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => { if (r.status() >= 400 && !(r.status() === 401 && r.url().endsWith('/api/me'))) problems.push(`${r.status()} ${r.url()}`); });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('when a supervisor finds a call and gives a reason, then the recording plays and seeks in the browser, and the access is logged', async () => {
    await page.goto(`${h.url}/recordings/`);
    await page.fill('#login-username', 'boss');
    await page.fill('#login-password', 'secret-pass-1');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#results tbody tr[data-id="rec-e2e"]');
    expect(await page.textContent('h1, .brand')).toContain('通话录音');
    await page.click('tr[data-id="rec-e2e"] button.play');
    await page.fill('#reason-text', '投诉复核抽查');
    await page.click('#reason-ok');
    await page.waitForFunction(() => {
      const a = document.getElementById('audio') as HTMLAudioElement | null;
      return !!a && Number.isFinite(a.duration) && a.duration > 0;
    }, undefined, { timeout: 10_000 });
    const duration = await page.evaluate(() => (document.getElementById('audio') as HTMLAudioElement).duration);
    expect(duration).toBeGreaterThan(2.5);
    await page.evaluate(() => { (document.getElementById('audio') as HTMLAudioElement).currentTime = 2; });
    await page.waitForFunction(() => (document.getElementById('audio') as HTMLAudioElement).seekable.length > 0);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/recordings.png', fullPage: true });
    const access = h.hotline.db.prepare(`SELECT reason, outcome FROM recording_access WHERE recording_id = 'rec-e2e'`).all() as Array<{ reason: string; outcome: string }>;
    expect(access.length).toBeGreaterThan(0);
    expect(access.every((a) => a.reason === '投诉复核抽查')).toBe(true);
    expect(problems).toEqual([]);
  });
});
