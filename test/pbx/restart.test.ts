import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect } from 'vitest';
import { startService } from '../component/call-restart-process.ts';
import type { ServiceProcess } from '../component/call-restart-process.ts';
import { ariGet, asteriskEnv, asteriskLog, clearAsterisk, exclusive, pbxIt, port, saveArtifact, scenario, seatFromCsv, sip, sipp, waitFor } from './pbx-env.ts';

interface AgentView { state: string; callId: string | null }

/** The service killed with SIGKILL under a live call on a real Asterisk 22, then started again on the same database. */
describe('a talking call survives a SIGKILL of the service on a real Asterisk 22', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  pbxIt('when the service is killed mid-call and started again, then the call goes on with its agent, ends normally and its recording is stored', async () => {
    cleanups.push(await exclusive());
    cleanups.push(clearAsterisk);
    const dir = mkdtempSync(join(tmpdir(), 'hotline-pbx-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const seat = seatFromCsv(1);
    const env = {
      ...asteriskEnv(), RESTART_REAL_ASTERISK: '1', RESTART_DIR: dir, RESTART_AGENTS: `anna:${seat.seat}`,
      RESTART_GREETING: 'sound:hotline/num-1', RESTART_WRAP_UP_SECONDS: '2', RESTART_RING_MS: '15000',
    };
    const services: ServiceProcess[] = [];
    const started: ServiceProcess[] = [];
    const astLog = asteriskLog();
    const logFrom = astLog?.size() ?? 0;
    cleanups.push(async () => {
      for (const s of services) await s.kill('SIGTERM');
      // Each service's JSON log lines and Asterisk's log of the run, for a failure to be read afterwards.
      started.forEach((s, i) => saveArtifact(`restart.service-${i + 1}.log`, s.lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
      if (astLog) saveArtifact('restart.asterisk.log', astLog.since(logFrom));
    });

    const seatPort = port(5100);
    const phone = sipp('restart-seat-phone', [
      `${sip.host}:${sip.port}`, '-sf', scenario('seat-register.xml'), '-oocsf', scenario('seat-phone.xml'),
      '-s', seat.seat, '-au', seat.username, '-ap', seat.secret,
      '-i', sip.seatIp, '-p', String(seatPort), '-mp', String(port(16000)), '-m', '1', '-l', '1',
    ]);
    cleanups.push(async () => {
      phone.stop();
      await phone.done;
      await sipp('restart-seat-unregister', [
        `${sip.host}:${sip.port}`, '-sf', scenario('seat-unregister.xml'), '-s', seat.seat, '-au', seat.username, '-ap', seat.secret,
        '-i', sip.seatIp, '-p', String(seatPort), '-m', '1', '-timeout', '5',
      ]).done;
    });
    await waitFor(`PJSIP/${seat.seat} online`, async () => (await ariGet<{ state: string }>(`/endpoints/PJSIP/${seat.seat}`)).body.state === 'online', 10_000);

    const first = await startService(env);
    services.push(first);
    started.push(first);
    const login = await fetch(`${first.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'anna', password: 'secret-pass-1' }) });
    const { token } = (await login.json()) as { token: string };
    const api = async (url: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(url + path, {
        method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json()) as AgentView;
    };
    await api(first.url, 'POST', '/api/agents/me/login', {});
    expect((await api(first.url, 'POST', '/api/agents/me/state', { state: 'ready' })).state).toBe('ready');

    const caller = sipp('restart-citizen', [
      `${sip.host}:${sip.port}`, '-sf', scenario('citizen-long-call.xml'), '-s', '12345',
      '-i', sip.trunkIp, '-p', String(port(5900)), '-mp', String(port(17000)), '-m', '1', '-l', '1',
    ]);
    cleanups.push(() => caller.stop());
    const talking = await waitFor('the agent on the call', async () => { const a = await api(first.url, 'GET', '/api/agents/me'); return a.state === 'on_call' ? a : undefined; }, 20_000);
    const bridgeBefore = await waitFor('the call bridge with both legs', async () =>
      (await ariGet<Array<{ id: string; channels: string[] }>>('/bridges')).body.find((b) => b.id.startsWith('hl-call-') && b.channels.length === 2), 10_000);

    await first.kill('SIGKILL');
    services.splice(services.indexOf(first), 1);
    await new Promise((r) => setTimeout(r, 1000));
    const channelsDown = (await ariGet<Array<{ id: string }>>('/channels')).body.map((c) => c.id).sort();
    expect(channelsDown).toEqual([...bridgeBefore.channels].sort());

    const second = await startService(env);
    services.push(second);
    started.push(second);
    const recovered = await second.line((l) => l.msg === 'calls recovered after a restart', 'the recovery', 30_000);
    expect(recovered).toMatchObject({ open: 1, talking: 1, queued: 0, ended: 0 });
    const reconciled = await second.line((l) => l.msg === 'calls reconciled', 'the reconcile', 30_000);
    expect(reconciled).toMatchObject({ strays: 0, adopted: 0, destroyed: 0 });
    console.info(`real Asterisk: service start to calls reconciled ${reconciled.at - second.startedAt} ms (recovery itself ${String(recovered.ms)} ms)`);
    const again = await api(second.url, 'GET', '/api/agents/me');
    expect(again).toMatchObject({ state: 'on_call', callId: talking.callId });
    const bridgeAfter = (await ariGet<Array<{ id: string; channels: string[] }>>('/bridges')).body.find((b) => b.id === bridgeBefore.id);
    expect(bridgeAfter?.channels.length).toBe(2);

    const ended = await caller.done;
    expect(ended.code, `caller sipp: ${ended.stderr}`).toBe(0);
    await waitFor('the agent ready again after wrap-up', async () => (await api(second.url, 'GET', '/api/agents/me')).state === 'ready', 15_000);
    await waitFor('no channel left in Asterisk', async () => (await ariGet<unknown[]>('/channels')).body.length === 0, 10_000);
    await waitFor('no bridge left in Asterisk', async () => (await ariGet<unknown[]>('/bridges')).body.length === 0, 10_000);
    await second.line((l) => l.msg === 'recording stored', 'the recording stored', 20_000);

    const db = new Database(join(dir, 'hotline.sqlite'), { readonly: true });
    try {
      const calls = db.prepare('SELECT id, state, end_reason, talk_ms FROM calls').all() as Array<{ id: string; state: string; end_reason: string; talk_ms: number }>;
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ id: talking.callId, state: 'ended', end_reason: 'caller_hangup' });
      expect(calls[0]!.talk_ms).toBeGreaterThan(25_000);
      const rec = db.prepare('SELECT duration_ms, sha256 FROM recordings WHERE call_id = ?').get(talking.callId) as { duration_ms: number; sha256: string } | undefined;
      expect(rec?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(rec!.duration_ms).toBeGreaterThan(25_000);
    } finally {
      db.close();
    }
  }, 240_000);
});
