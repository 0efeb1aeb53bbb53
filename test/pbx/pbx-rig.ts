import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/config.ts';
import { startHotline } from '../../src/hotline.ts';
import type { Hotline } from '../../src/hotline.ts';
import type { AriEvent } from '../../src/pbx/ari/models.ts';
import { ariGet, asteriskEnv, asteriskLog, port, saveArtifact, scenario, seatFromCsv, sip, sipp, waitFor } from './pbx-env.ts';
import type { SippRun } from './pbx-env.ts';

/**
 * The service in-process on a real Asterisk with one agent signed in and ready at a registered seat phone
 * (sipp from the seat address), for the real-PBX tests of features past the plain call. Everything it
 * starts is undone by the cleanups it pushes; the ARI events, the service's log and Asterisk's log of the
 * run are saved as test-artifacts/pbx/<name>.*.
 */

export interface Frame { type: string; [key: string]: unknown }
export type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, any> }>;
export type Cleanups = Array<() => Promise<void> | void>;

export interface Rig {
  h: Hotline;
  dir: string;
  events: AriEvent[];
  /** The agent's requests (bearer token of user anna). */
  api: Api;
  agentId: string;
  /** Frames sent to the agent's desktop socket. */
  frames: Frame[];
  /** A supervisor's requests (user sam). */
  supervisor: Api;
}

export interface RigOptions {
  name: string;
  cleanups: Cleanups;
  /** The line 12345's settings past its number (greeting sound:hotline/num-1, 0.7 s, unless given). */
  line?: Record<string, unknown>;
  /** Row of the seats CSV. */
  seatIndex?: number;
  /** The seat phone's out-of-call scenario (seat-phone.xml: answers after 1 s and waits for the BYE). */
  seatScenario?: string;
}

/** Where the trunk aor's contact points (pjsip_site.conf `contact = sip:127.0.0.1:5070` in the test layout): unit calls and survey calls go there. */
export const TRUNK_CONTACT_PORT = Number(process.env.HOTLINE_PBX_TRUNK_CONTACT_PORT ?? 5070);

async function login(url: string, username: string, password: string): Promise<{ api: Api; token: string }> {
  const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status, `login of ${username}`).toBe(200);
  const { token } = (await res.json()) as { token: string };
  const api: Api = async (method, path, body) => {
    const r = await fetch(url + path, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
  };
  return { api, token };
}

export async function startRig(opts: RigOptions): Promise<Rig> {
  const { name, cleanups } = opts;
  const dir = mkdtempSync(join(tmpdir(), `hotline-pbx-${name}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const events: AriEvent[] = [];
  const logFile = join(dir, 'service.log');
  const log = pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true }));
  const astLog = asteriskLog();
  const logFrom = astLog?.size() ?? 0;
  const seat = seatFromCsv(opts.seatIndex ?? 0);

  const config = loadConfig({
    env: asteriskEnv(),
    values: {
      service: { host: '127.0.0.1', port: 0 },
      pbx: { mode: 'asterisk' },
      database: { path: join(dir, 'hotline.sqlite') },
      recordings: { dir: join(dir, 'recordings') },
      lines: [{ number: '12345', wrapUpSeconds: 1, greeting: 'sound:hotline/num-1', ...opts.line }],
    },
  });
  const started: { hotline?: Hotline } = {};
  cleanups.push(async () => {
    await started.hotline?.close();
    saveArtifact(`${name}.ari-events.jsonl`, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    saveArtifact(`${name}.service.log`, existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    if (astLog) saveArtifact(`${name}.asterisk.log`, astLog.since(logFrom));
  });
  const h = await startHotline({
    config, log,
    tuning: { ringTimeoutMs: 15_000, recordings: { finishWaitMs: 1500, retryBaseMs: 300 } },
    observeAri: (a) => { a.onEvent((e: AriEvent) => { events.push(e); }); },
  });
  started.hotline = h;
  await waitFor('the service connected to ARI', () => h.ari.state() === 'connected', 10_000);

  const seatPort = port(5100);
  const phone: SippRun = sipp(`${name}-seat-phone`, [
    `${sip.host}:${sip.port}`, '-sf', scenario('seat-register.xml'), '-oocsf', scenario(opts.seatScenario ?? 'seat-phone.xml'),
    '-s', seat.seat, '-au', seat.username, '-ap', seat.secret,
    '-i', sip.seatIp, '-p', String(seatPort), '-mp', String(port(16000)), '-m', '1', '-l', '1',
  ]);
  cleanups.push(async () => {
    phone.stop();
    await phone.done;
    await sipp(`${name}-seat-unregister`, [
      `${sip.host}:${sip.port}`, '-sf', scenario('seat-unregister.xml'), '-s', seat.seat, '-au', seat.username, '-ap', seat.secret,
      '-i', sip.seatIp, '-p', String(seatPort), '-m', '1', '-timeout', '5',
    ]).done;
  });
  await waitFor(`PJSIP/${seat.seat} online`, async () => (await ariGet<{ state: string }>(`/endpoints/PJSIP/${seat.seat}`)).body.state === 'online', 10_000);

  const account = await h.app.auth.createUser({ username: 'anna', password: 'secret-pass-1', role: 'agent', displayName: 'Anna', agent: { seat: seat.seat } });
  await h.app.auth.createUser({ username: 'sam', password: 'secret-pass-2', role: 'supervisor', displayName: 'Sam' });
  const { api, token } = await login(h.url, 'anna', 'secret-pass-1');
  const { api: supervisor } = await login(h.url, 'sam', 'secret-pass-2');
  const atSeat = await api('POST', '/api/agents/me/login', {});
  expect(atSeat.status, JSON.stringify(atSeat.body)).toBe(200);
  expect(atSeat.body.registered).toBe(true);
  const ready = await api('POST', '/api/agents/me/state', { state: 'ready' });
  expect(ready.body.state, JSON.stringify(ready.body)).toBe('ready');

  const frames: Frame[] = [];
  const desk = new WebSocket(`${h.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  desk.on('message', (d) => { frames.push(JSON.parse(String(d)) as Frame); });
  await new Promise<void>((ok, fail) => { desk.once('open', () => ok()); desk.once('error', fail); });
  cleanups.push(() => desk.close());

  return { h, dir, events, api, agentId: account.agentId!, frames, supervisor };
}

/** A citizen's call through the trunk (scenario from test/pbx/sipp, extra sipp arguments such as -d). */
export function citizen(name: string, file: string, extra: string[] = []): SippRun {
  return sipp(name, [
    `${sip.host}:${sip.port}`, '-sf', scenario(file), '-s', '12345',
    '-i', sip.trunkIp, '-p', String(port(5900)), '-mp', String(port(17000)), '-m', '1', '-l', '1', ...extra,
  ]);
}

/** A unit's phone behind the trunk: a sipp UAS on the trunk contact's address, for one call. */
export function unitPhone(name: string, file: string, extra: string[] = []): SippRun {
  return sipp(name, ['-sf', scenario(file), '-i', sip.trunkIp, '-p', String(TRUNK_CONTACT_PORT), '-mp', String(port(18000)), '-m', '1', ...extra]);
}

export interface AriBridge { id: string; bridge_type: string; channels: string[] }

export async function callBridge(): Promise<AriBridge | undefined> {
  return (await ariGet<AriBridge[]>('/bridges')).body.find((b) => b.id.startsWith('hl-call-'));
}

export async function asteriskIdle(): Promise<void> {
  await waitFor('no channel left in Asterisk', async () => (await ariGet<unknown[]>('/channels')).body.length === 0, 15_000);
  await waitFor('no bridge left in Asterisk', async () => (await ariGet<unknown[]>('/bridges')).body.length === 0, 10_000);
}
