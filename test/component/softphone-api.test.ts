import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/app.ts';
import type { HotlineApp } from '../../src/app.ts';
import { createBus } from '../../src/bus.ts';
import { realClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { migrate, openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/database.ts';
import type { Role } from '../../src/features/auth/auth.service.ts';
import { createAgentsRepo } from '../../src/features/agents/agents.repo.ts';
import { createAgentsService } from '../../src/features/agents/agents.service.ts';
import type { AgentsService } from '../../src/features/agents/agents.service.ts';
import { registerSoftphone, seatsFromAgents } from '../../src/features/softphone/softphone.feature.ts';
import type { SoftphoneSettings } from '../../src/features/softphone/softphone.feature.ts';

const PASSWORD = 'Pw-softphone-9q!x';
const SECRET_A = 'Zq8vN3kLm5Pw2Rt7Yx4Hc6Jb';
const SECRET_C = 'Lp3Nf8Qs1Vd6Wk9Xm2Tb5Rg7';
const WSS = 'wss://pbx.hotline.test:8089/ws';

interface Running {
  app: HotlineApp;
  url: string;
  db: Database;
  logs: string[];
  agents: AgentsService;
  token(username: string): Promise<string>;
  get(token: string | undefined, path?: string): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hl-softphone-api-'));
  dirs.push(dir);
  return dir;
}

/** build() with the softphone feature, pino at trace into `logs`, one user of each role and three agents. */
async function start(settings: (dir: string) => SoftphoneSettings, useAgents = true): Promise<Running> {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'hotline.sqlite'));
  migrate(db);
  const logs: string[] = [];
  const log = createLogger({ level: 'trace', destination: { write: (line: string) => { logs.push(line); } } });
  const bus = createBus();
  const agents = createAgentsService({ repo: createAgentsRepo(db), clock: realClock, bus, log, wrapUpMs: 1000 });
  const app = await build({
    config: loadConfig({ env: {} }), db, clock: realClock, log, bus,
    features: [(ctx) => registerSoftphone(ctx, settings(dir), useAgents ? seatsFromAgents(agents) : undefined)],
  });
  const users: Array<[string, Role, { id: string; seat: string }?]> = [
    ['agent-a', 'agent', { id: 'a', seat: 'web0001' }],
    ['agent-b', 'agent', { id: 'b', seat: 'seat0002' }],
    ['agent-c', 'agent', { id: 'c', seat: 'web0003' }],
    ['super', 'supervisor'], ['admin', 'admin'], ['unit', 'unit'],
  ];
  for (const [username, role, agent] of users) {
    await app.auth.createUser({ username, password: PASSWORD, role, displayName: username, ...(agent ? { agent } : {}) });
  }
  agents.load();
  const url = await app.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app, url, db, logs, agents,
    async token(username) {
      const s = await app.auth.login(username, PASSWORD);
      if (!s) throw new Error(`login ${username}`);
      return s.id;
    },
    async get(token, path = '/api/softphone') {
      const res = await fetch(url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const text = await res.text();
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, body, headers: res.headers };
    },
    async close() { agents.close(); await app.close(); db.close(); },
  };
}

function writeSeats(file: string, rows: Array<[string, string]>): void {
  writeFileSync(file, ['seat,username,secret', ...rows.map(([seat, secret]) => `${seat},${seat},${secret}`)].join('\n') + '\n', { mode: 0o600 });
}

afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });

describe('GET /api/softphone with browser seats configured', () => {
  let r: Running;
  let seatsFile: string;
  beforeAll(async () => {
    r = await start((dir) => {
      seatsFile = join(dir, 'web-seats.csv');
      writeSeats(seatsFile, [['web0001', SECRET_A], ['web0003', SECRET_C]]);
      return { enabled: true, wssUrl: WSS, seatSecretsFile: seatsFile };
    });
  });
  afterAll(async () => { await r?.close(); });

  it('when no session asks, then 401; when a supervisor, an admin or a unit asks, then 403', async () => {
    expect((await r.get(undefined)).status).toBe(401);
    for (const who of ['super', 'admin', 'unit']) {
      const got = await r.get(await r.token(who));
      expect([who, got.status, got.body.error?.code]).toEqual([who, 403, 'ERR_FORBIDDEN']);
      expect(JSON.stringify(got.body)).not.toContain(SECRET_A);
    }
  });

  it('when the agent of a browser seat asks, then it gets its own seat account, never cached', async () => {
    const got = await r.get(await r.token('agent-a'));
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      enabled: true, wssUrl: WSS, uri: 'sip:web0001@pbx.hotline.test', seat: 'web0001',
      authorizationUsername: 'web0001', password: SECRET_A, sipJs: expect.stringMatching(/^\/softphone\/vendor\/sip\.js-\d+\.\d+\.\d+\/index\.js$/),
    });
    expect(got.headers.get('cache-control')).toBe('no-store');
    expect(got.headers.get('pragma')).toBe('no-cache');
  });

  it('when the agent names another seat in the query, then the answer is still about its own seat', async () => {
    const got = await r.get(await r.token('agent-a'), '/api/softphone?seat=web0003&authorizationUsername=web0003');
    expect(got.body.seat).toBe('web0001');
    expect(got.body.password).toBe(SECRET_A);
    expect(JSON.stringify(got.body)).not.toContain(SECRET_C);
  });

  it('when the agent sits at a desk phone seat (not in the CSV), then the softphone is off for it and no secret is given', async () => {
    const got = await r.get(await r.token('agent-b'));
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ enabled: false, reason: 'no_secret', seat: 'seat0002' });
    expect(got.headers.get('cache-control')).toBe('no-store');
  });

  it('when an agent signs in at another browser seat, then it gets that seat; the agent assigned there gets seat_taken meanwhile', async () => {
    const login = r.agents.login('b', 'web0003');
    expect(login.ok).toBe(true);
    const b = await r.get(await r.token('agent-b'));
    expect([b.body.seat, b.body.password]).toEqual(['web0003', SECRET_C]);
    const c = await r.get(await r.token('agent-c'));
    expect(c.body).toEqual({ enabled: false, reason: 'seat_taken', seat: 'web0003' });
    expect(r.agents.logout('b').ok).toBe(true);
    const after = await r.get(await r.token('agent-c'));
    expect([after.body.enabled, after.body.seat, after.body.password]).toEqual([true, 'web0003', SECRET_C]);
  });

  it('when the CSV is rewritten with a rotated secret, then the next answer carries the new secret', async () => {
    const rotated = 'Mn4Bv7Cx1Zl8Kj5Hg2Fd9Sa3';
    writeSeats(seatsFile, [['web0001', rotated], ['web0003', SECRET_C]]);
    const got = await r.get(await r.token('agent-a'));
    expect(got.body.password).toBe(rotated);
    writeSeats(seatsFile, [['web0001', SECRET_A], ['web0003', SECRET_C]]);
    expect((await r.get(await r.token('agent-a'))).body.password).toBe(SECRET_A);
  });

  it('when the CSV is malformed or missing, then the softphone is off with the reason, and the secrets in the file stay out of the answer', async () => {
    writeFileSync(seatsFile, `seat,username,secret\nweb0001,web0001,${SECRET_A}\nweb0003;${SECRET_C}\n`);
    const malformed = await r.get(await r.token('agent-a'));
    expect(malformed.body).toEqual({ enabled: false, reason: 'secrets_malformed', seat: 'web0001' });
    unlinkSync(seatsFile);
    const missing = await r.get(await r.token('agent-a'));
    expect(missing.body).toEqual({ enabled: false, reason: 'secrets_unreadable', seat: 'web0001' });
    writeSeats(seatsFile, [['web0001', SECRET_A], ['web0003', SECRET_C]]);
    expect((await r.get(await r.token('agent-a'))).body.enabled).toBe(true);
  });

  it('when the account was given many times at trace level, then no secret appears in the logs', async () => {
    for (const who of ['agent-a', 'agent-b', 'agent-c', 'super']) await r.get(await r.token(who));
    const text = r.logs.join('');
    expect(text).toContain('softphone account given');
    for (const secret of [SECRET_A, SECRET_C, 'Mn4Bv7Cx1Zl8Kj5Hg2Fd9Sa3']) expect(text).not.toContain(secret);
  });

  it('when the sip.js entry module is fetched without a session, then it is served as JavaScript, cached for good', async () => {
    const account = (await r.get(await r.token('agent-a'))).body as { sipJs: string };
    const res = await r.get(undefined, account.sipJs);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(String(res.body)).toContain('export { name, version }');
    const prefix = account.sipJs.replace(/index\.js$/, '');
    expect((await r.get(undefined, `${prefix}api/user-agent.js`)).status).toBe(200);
  });

  it('when anything but a .js module of sip.js lib is asked under the vendor path, then 404', async () => {
    const prefix = ((await r.get(await r.token('agent-a'))).body as { sipJs: string }).sipJs.replace(/index\.js$/, '');
    for (const path of [`${prefix}index.d.ts`, `${prefix}../package.json`, `${prefix}..%2fpackage.json`, `${prefix}%2e%2e/%2e%2e/package.json`, `${prefix}`, '/softphone/vendor/sip.js/index.js']) {
      const got = await r.get(undefined, path);
      expect([path, got.status]).toEqual([path, 404]);
    }
  });
});

describe('GET /api/softphone when it is off or half configured', () => {
  it('when softphone.enabled is off, then every agent gets { enabled: false, reason: disabled }, no-store', async () => {
    const r = await start((dir) => {
      const file = join(dir, 'web-seats.csv');
      writeSeats(file, [['web0001', SECRET_A]]);
      return { enabled: false, wssUrl: WSS, seatSecretsFile: file };
    });
    try {
      const got = await r.get(await r.token('agent-a'));
      expect(got.body).toEqual({ enabled: false, reason: 'disabled' });
      expect(got.headers.get('cache-control')).toBe('no-store');
    } finally { await r.close(); }
  });

  it('when enabled without the seats CSV, or with a URL that is not a websocket, then not_configured, with a warning at start', async () => {
    for (const settings of [{ enabled: true, wssUrl: WSS }, { enabled: true, wssUrl: 'https://pbx.hotline.test/ws', seatSecretsFile: '/nonexistent.csv' }]) {
      const r = await start(() => settings);
      try {
        expect((await r.get(await r.token('agent-a'))).body).toEqual({ enabled: false, reason: 'not_configured' });
        expect(r.logs.join('')).toContain('softphone enabled but not configured');
      } finally { await r.close(); }
    }
  });

  it('when no agents service is given, then the seat assigned in the agents table is used, with sipDomain for the address', async () => {
    const r = await start((dir) => {
      const file = join(dir, 'web-seats.csv');
      writeSeats(file, [['web0001', SECRET_A]]);
      return { enabled: true, wssUrl: WSS, sipDomain: 'seats.hotline.test', seatSecretsFile: file };
    }, false);
    try {
      const got = await r.get(await r.token('agent-a'));
      expect([got.body.uri, got.body.password]).toEqual(['sip:web0001@seats.hotline.test', SECRET_A]);
      expect((await r.get(await r.token('agent-b'))).body).toEqual({ enabled: false, reason: 'no_secret', seat: 'seat0002' });
    } finally { await r.close(); }
  });
});
