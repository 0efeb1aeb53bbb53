import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/config.ts';
import { startHotline } from '../../src/hotline.ts';
import type { Hotline } from '../../src/hotline.ts';
import type { AriEvent } from '../../src/pbx/ari/models.ts';
import {
  ariGet, asteriskEnv, exclusive, asteriskLog, pbxIt, port, saveArtifact, scenario, seatFromCsv, sip, sipp, waitFor,
} from './pbx-env.ts';
import type { SippRun } from './pbx-env.ts';

interface Frame { type: string; [key: string]: unknown }

describe('an inbound call through a real Asterisk 22', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  pbxIt('when a registered seat\'s agent is ready and a citizen dials 12345 through the trunk, then the agent gets the pop, the caller hangs up, the recording is stored with its sha256 and Asterisk is left clean', async () => {
    cleanups.push(await exclusive());
    const dir = mkdtempSync(join(tmpdir(), 'hotline-pbx-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const events: string[] = [];
    const logFile = join(dir, 'service.log');
    const log = pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true }));
    const astLog = asteriskLog();
    const logFrom = astLog?.size() ?? 0;
    const seat = seatFromCsv(0);

    const config = loadConfig({
      env: asteriskEnv(),
      values: {
        service: { host: '127.0.0.1', port: 0 },
        pbx: { mode: 'asterisk' },
        database: { path: join(dir, 'hotline.sqlite') },
        recordings: { dir: join(dir, 'recordings') },
        lines: [{ number: '12345', greeting: 'sound:hotline/num-1', wrapUpSeconds: 1 }],
      },
    });
    const started: { hotline?: Hotline } = {};
    cleanups.push(async () => {
      await started.hotline?.close();
      saveArtifact('inbound-call.ari-events.jsonl', events.join('\n') + '\n');
      saveArtifact('inbound-call.service.log', existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
      if (astLog) saveArtifact('inbound-call.asterisk.log', astLog.since(logFrom));
    });
    const h = await startHotline({
      config, log,
      tuning: { ringTimeoutMs: 15_000, recordings: { finishWaitMs: 1500, retryBaseMs: 300 } },
      observeAri: (a) => { a.onEvent((e: AriEvent) => { events.push(JSON.stringify(e)); }); },
    });
    started.hotline = h;
    await waitFor('the service connected to ARI', () => h.ari.state() === 'connected', 10_000);

    // The seat phone: registers from the seat address, answers the agent leg after 1 s and streams audio.
    const seatPort = port(5100);
    const phone: SippRun = sipp('seat-phone', [
      `${sip.host}:${sip.port}`, '-sf', scenario('seat-register.xml'), '-oocsf', scenario('seat-phone.xml'),
      '-s', seat.seat, '-au', seat.username, '-ap', seat.secret,
      '-i', sip.seatIp, '-p', String(seatPort), '-mp', String(port(16000)), '-m', '1', '-l', '1',
    ]);
    cleanups.push(async () => {
      phone.stop();
      await phone.done;
      const off = sipp('seat-unregister', [
        `${sip.host}:${sip.port}`, '-sf', scenario('seat-unregister.xml'), '-s', seat.seat, '-au', seat.username, '-ap', seat.secret,
        '-i', sip.seatIp, '-p', String(seatPort), '-m', '1', '-timeout', '5',
      ]);
      await off.done;
    });
    await waitFor(`PJSIP/${seat.seat} online`, async () => (await ariGet<{ state: string }>(`/endpoints/PJSIP/${seat.seat}`)).body.state === 'online', 10_000);

    // The agent logs in at that seat through the HTTP API and goes ready.
    const account = await h.app.auth.createUser({ username: 'anna', password: 'secret-pass-1', role: 'agent', displayName: 'Anna', agent: { seat: seat.seat } });
    const loginRes = await fetch(`${h.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'anna', password: 'secret-pass-1' }) });
    expect(loginRes.status).toBe(200);
    const { token } = (await loginRes.json()) as { token: string };
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(h.url + path, {
        method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const atSeat = await api('POST', '/api/agents/me/login', {});
    expect(atSeat.status, JSON.stringify(atSeat.body)).toBe(200);
    expect(atSeat.body.registered).toBe(true);
    const ready = await api('POST', '/api/agents/me/state', { state: 'ready' });
    expect(ready.status, JSON.stringify(ready.body)).toBe(200);
    expect(ready.body.state).toBe('ready');

    const frames: Frame[] = [];
    const desk = new WebSocket(`${h.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
    desk.on('message', (d) => { frames.push(JSON.parse(String(d)) as Frame); });
    await new Promise<void>((ok, fail) => { desk.once('open', () => ok()); desk.once('error', fail); });
    cleanups.push(() => desk.close());

    // The citizen dials 12345 through the trunk, talks for 8 s after the answer and hangs up.
    const caller = sipp('citizen-call', [
      `${sip.host}:${sip.port}`, '-sf', scenario('citizen-call.xml'), '-s', '12345',
      '-i', sip.trunkIp, '-p', String(port(5900)), '-mp', String(port(17000)), '-m', '1', '-l', '1',
    ]);
    cleanups.push(() => caller.stop());

    const pop = await waitFor('the screen pop on the agent\'s websocket', () => frames.find((f) => f.type === 'pop'), 20_000);
    const popBody = pop.pop as { callId: string; callerNumber: string; line: string };
    expect(popBody.callerNumber).toBe('13800138000');
    expect(popBody.line).toBe('12345');
    const callId = popBody.callId;
    expect(h.agents.get(account.agentId!)?.state).toBe('on_call');

    const ended = await caller.done;
    expect(ended.code, `caller sipp: ${ended.stderr}`).toBe(0);
    await waitFor('the call over in the service', () => h.calls.live().length === 0, 10_000);
    const call = h.callsRepo.call(callId)!;
    expect(call.state).toBe('ended');
    expect(call.end_reason).toBe('caller_hangup');
    expect(call.talk_ms).toBeGreaterThan(3000);

    await h.recordings.idle();
    const row = await waitFor('the stored recording', () => {
      const r = h.recordingsRepo.byCall(callId)[0];
      return r?.path ? r : undefined;
    }, 15_000);
    const file = join(dir, 'recordings', row.path!);
    const bytes = readFileSync(file);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256);
    expect(row.size_bytes).toBe(bytes.length);
    expect(row.duration_ms).toBeGreaterThan(3000);

    await waitFor('no channel left in Asterisk', async () => (await ariGet<unknown[]>('/channels')).body.length === 0, 10_000);
    await waitFor('no bridge left in Asterisk', async () => (await ariGet<unknown[]>('/bridges')).body.length === 0, 10_000);
    await waitFor('the agent ready again after wrap-up', () => h.agents.get(account.agentId!)?.state === 'ready', 5_000);
  }, 200_000);
});
