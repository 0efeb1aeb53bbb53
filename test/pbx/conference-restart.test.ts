import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect } from 'vitest';
import WebSocket from 'ws';
import { serviceApi, serviceLogin, startService } from '../component/call-restart-process.ts';
import type { ServiceProcess } from '../component/call-restart-process.ts';
import { ariGet, asteriskEnv, asteriskLog, clearAsterisk, exclusive, pbxIt, port, saveArtifact, scenario, seatFromCsv, sip, sipp, waitFor } from './pbx-env.ts';
import { asteriskIdle, callBridge, citizen, unitPhone } from './pbx-rig.ts';

/**
 * 三方通话 across a SIGKILL of the service on a real Asterisk 22 (test/component/conference-restart.test.ts does
 * the same on the simulator): agent, citizen and unit stay in the call bridge while the service is down; the
 * next start takes the conference up again, tells the agent's desktop, and dropping the unit still works.
 */
const UNIT_NUMBER = '01062345678';

describe('a three-way call survives a SIGKILL of the service on a real Asterisk 22', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  pbxIt('when the service is killed while agent, citizen and unit talk, then after the start all three are still in the bridge, the desktop is told, dropping the unit sends it a BYE, and the call ends normally', async () => {
    cleanups.push(await exclusive());
    cleanups.push(clearAsterisk);
    const dir = mkdtempSync(join(tmpdir(), 'hotline-pbx-conference-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const seat = seatFromCsv(2);
    const env = {
      ...asteriskEnv(), RESTART_REAL_ASTERISK: '1', RESTART_DIR: dir, RESTART_AGENTS: `anna:${seat.seat}`,
      RESTART_GREETING: 'sound:hotline/num-1', RESTART_WRAP_UP_SECONDS: '2', RESTART_RING_MS: '15000',
    };
    const services: ServiceProcess[] = [];
    const processes: ServiceProcess[] = [];
    const astLog = asteriskLog();
    const logFrom = astLog?.size() ?? 0;
    cleanups.push(async () => {
      for (const s of services) await s.kill('SIGTERM');
      processes.forEach((s, i) => saveArtifact(`conference-restart.service-${i + 1}.log`, s.lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
      if (astLog) saveArtifact('conference-restart.asterisk.log', astLog.since(logFrom));
    });
    const conferenceRow = (id: string) => {
      const db = new Database(join(dir, 'hotline.sqlite'), { readonly: true });
      try { return db.prepare('SELECT status, answered_at, ended_at FROM conferences WHERE id = ?').get(id) as { status: string; answered_at: number | null; ended_at: number | null } | undefined; } finally { db.close(); }
    };

    const seatPort = port(5100);
    const phone = sipp('conference-restart-seat-phone', [
      `${sip.host}:${sip.port}`, '-sf', scenario('seat-register.xml'), '-oocsf', scenario('seat-phone.xml'),
      '-s', seat.seat, '-au', seat.username, '-ap', seat.secret,
      '-i', sip.seatIp, '-p', String(seatPort), '-mp', String(port(16000)), '-m', '1', '-l', '1',
    ]);
    cleanups.push(async () => {
      phone.stop();
      await phone.done;
      await sipp('conference-restart-seat-unregister', [
        `${sip.host}:${sip.port}`, '-sf', scenario('seat-unregister.xml'), '-s', seat.seat, '-au', seat.username, '-ap', seat.secret,
        '-i', sip.seatIp, '-p', String(seatPort), '-m', '1', '-timeout', '5',
      ]).done;
    });
    await waitFor(`PJSIP/${seat.seat} online`, async () => (await ariGet<{ state: string }>(`/endpoints/PJSIP/${seat.seat}`)).body.state === 'online', 10_000);

    const first = await startService(env);
    services.push(first);
    processes.push(first);
    const token = await serviceLogin(first, 'anna');
    expect((await serviceApi(first, token, 'POST', '/api/agents/me/login', {})).status).toBe(200);
    expect((await serviceApi(first, token, 'POST', '/api/agents/me/state', { state: 'ready' })).body.state).toBe('ready');

    const unit = unitPhone('conference-restart-unit', 'unit-phone.xml');
    cleanups.push(() => unit.stop());
    await new Promise((r) => setTimeout(r, 300));
    // The citizen talks 45 s after the answer: long enough for the conference, the kill, the start and the drop.
    const caller = citizen('conference-restart-citizen', 'citizen-talks.xml', ['-d', '45000']);
    cleanups.push(() => caller.stop());

    const callId = await waitFor('the agent on the call', async () => {
      const me = await serviceApi(first, token, 'GET', '/api/agents/me');
      return me.body.state === 'on_call' && me.body.callId ? (me.body.callId as string) : undefined;
    }, 20_000);
    await waitFor('the call bridge with both legs', async () => { const b = await callBridge(); return b && b.channels.length === 2 ? b : undefined; }, 10_000);
    const started = await serviceApi(first, token, 'POST', `/api/calls/${callId}/conference`, { number: UNIT_NUMBER });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const conferenceId = started.body.conference.id as string;
    const unitChannelId = `hl-outbound-${conferenceId}`;
    const bridgeBefore = await waitFor('the unit in the call bridge', async () => { const b = await callBridge(); return b?.channels.includes(unitChannelId) && b.channels.length === 3 ? b : undefined; }, 20_000);
    await waitFor('the conference stored as connected', () => conferenceRow(conferenceId)?.status === 'connected', 5_000);

    expect(await first.kill('SIGKILL')).toBeNull();
    services.splice(services.indexOf(first), 1);
    await new Promise((r) => setTimeout(r, 1000));
    const channelsDown = (await ariGet<Array<{ id: string }>>('/channels')).body.map((c) => c.id).sort();
    expect(channelsDown).toEqual([...bridgeBefore.channels].sort());

    const second = await startService(env);
    services.push(second);
    processes.push(second);
    const recovered = await second.line((l) => l.msg === 'conferences recovered after a restart', 'conferences recovered', 30_000);
    expect(recovered).toMatchObject({ open: 1, resumed: 1, ended: 0 });
    expect(await second.line((l) => l.msg === 'calls recovered after a restart', 'calls recovered', 30_000)).toMatchObject({ open: 1, talking: 1, ended: 0 });
    const reconciled = await second.line((l) => l.msg === 'calls reconciled', 'calls reconciled', 30_000);
    console.info(`real Asterisk: service start to calls reconciled ${reconciled.at - second.startedAt} ms with a three-way call`);
    const bridgeAfter = (await ariGet<Array<{ id: string; channels: string[] }>>('/bridges')).body.find((b) => b.id === bridgeBefore.id);
    expect([...(bridgeAfter?.channels ?? [])].sort()).toEqual([...bridgeBefore.channels].sort());

    const token2 = await serviceLogin(second, 'anna');
    const frames: Array<{ type: string; conference?: Record<string, unknown> }> = [];
    const desk = new WebSocket(`${second.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token2)}`);
    desk.on('message', (d) => { frames.push(JSON.parse(String(d)) as { type: string }); });
    cleanups.push(() => desk.close());
    const told = await waitFor('the desktop told of the three-way call', () => frames.find((f) => f.type === 'conference.status'), 10_000);
    expect(told.conference).toMatchObject({ id: conferenceId, callId, status: 'connected', agentLeft: false });
    expect((await serviceApi(second, token2, 'GET', '/api/agents/me')).body).toMatchObject({ state: 'on_call', callId });

    const dropped = await serviceApi(second, token2, 'POST', `/api/conferences/${conferenceId}/drop-unit`);
    expect(dropped.status, JSON.stringify(dropped.body)).toBe(200);
    const unitDone = await unit.done;
    expect(unitDone.code, `unit sipp (must have got a BYE): ${unitDone.stderr}`).toBe(0);
    await waitFor('the unit out of the bridge', async () => (await callBridge())?.channels.length === 2, 5_000);
    expect(conferenceRow(conferenceId)).toMatchObject({ status: 'dropped' });

    const ended = await caller.done;
    expect(ended.code, `citizen sipp: ${ended.stderr}`).toBe(0);
    await asteriskIdle();
    await waitFor('the agent ready again after wrap-up', async () => (await serviceApi(second, token2, 'GET', '/api/agents/me')).body.state === 'ready', 15_000);
    const db = new Database(join(dir, 'hotline.sqlite'), { readonly: true });
    try {
      const call = db.prepare('SELECT state, end_reason, talk_ms FROM calls WHERE id = ?').get(callId) as { state: string; end_reason: string; talk_ms: number };
      expect(call).toMatchObject({ state: 'ended', end_reason: 'caller_hangup' });
      // 45 s from the answer, less the greeting (0.7 s) and the seat's ring (1 s).
      expect(call.talk_ms).toBeGreaterThan(40_000);
    } finally {
      db.close();
    }
  }, 240_000);
});
