import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/hotline.ts';
import type { Hotline, HotlineTuning } from '../../src/hotline.ts';
import type { Clock } from '../../src/clock.ts';
import type { HotlineHttp } from '../../src/app.ts';
import type { Role } from '../../src/features/auth/auth.service.ts';

export const PASSWORD = 'Pw-for-security-7x!';
export const ARI_PASSWORD = 'ari-secret-4f9a2c';
export const ROLES: readonly Role[] = ['agent', 'supervisor', 'unit', 'admin'];

export interface RouteEntry { method: string; path: string }

export interface Session { token: string; csrf: string; role: Role; username: string }

export interface Secured {
  hotline: Hotline;
  url: string;
  logs: string[];
  sessions: Record<Role, Session>;
  routes: RouteEntry[];
  close(): Promise<void>;
}

/** Every route of the running app, read from fastify's route tree (`*` is the static file handler). */
export function listRoutes(app: HotlineHttp): RouteEntry[] {
  const out: RouteEntry[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    stack.length = m[1]!.length / 4;
    stack.push(m[2]!);
    for (const method of m[3]?.split(', ') ?? []) out.push({ method, path: stack.join('') });
  }
  return out;
}

/** A path to request for a route pattern: parameters filled in. */
export function concrete(path: string, value = 'x1'): string {
  return path.replace(/:[A-Za-z0-9_]+/g, value);
}

export const isSocket = (path: string): boolean => path === '/ws' || path.startsWith('/ws/');
export const isPublic = (r: RouteEntry): boolean =>
  (r.path === '/health' && (r.method === 'GET' || r.method === 'HEAD')) || (r.path === '/api/login' && r.method === 'POST');
/** Static pages and browser assets: the file handler and script/style/image files outside /api and /ws. */
export const isStatic = (r: RouteEntry): boolean =>
  r.path === '*' || (!r.path.startsWith('/api') && !isSocket(r.path) && /\.(js|mjs|css|html|png|svg|ico|woff2?)$/.test(r.path));
export const changesState = (method: string): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(method);

/** startHotline with the simulator on port 0, a temporary database, pino into `logs`, one user per role. */
export async function startSecured(opts: { tuning?: Partial<HotlineTuning>; logLevel?: 'info' | 'debug' | 'trace'; values?: Record<string, unknown>; clock?: Clock } = {}): Promise<Secured> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-sec-'));
  const config = loadConfig({
    env: {},
    values: {
      service: { host: '127.0.0.1', port: 0 },
      pbx: { mode: 'simulator' },
      ari: { password: ARI_PASSWORD },
      database: { path: join(dir, 'hotline.sqlite') },
      recordings: { dir: join(dir, 'recordings') },
      lines: [{ number: '12345', wrapUpSeconds: 1 }],
      ...opts.values,
    },
  });
  const logs: string[] = [];
  const log = createLogger({ level: opts.logLevel ?? 'debug', destination: { write: (line: string) => { logs.push(line); } } });
  const hotline = await startHotline({
    config, log, ...(opts.clock ? { clock: opts.clock } : {}),
    tuning: { ringTimeoutMs: 1500, sounds: { 'sound:hotline/greeting': 100 }, recordings: { finishWaitMs: 300, retryBaseMs: 50 }, ...opts.tuning },
  });
  const sessions = {} as Record<Role, Session>;
  for (const role of ROLES) {
    const username = `sec-${role}`;
    await hotline.app.auth.createUser({
      username, password: PASSWORD, role, displayName: role,
      ...(role === 'agent' ? { agent: { seat: 'seat-sec' } } : {}),
    });
    // A unit user belongs to a unit (the portal and its socket refuse one that does not).
    if (role === 'unit') hotline.db.prepare("UPDATE users SET unit_id = (SELECT code FROM units WHERE kind <> 'district' ORDER BY code LIMIT 1) WHERE username = ?").run(username);
    const s = await hotline.app.auth.login(username, PASSWORD);
    if (!s) throw new Error(`login of ${username} failed`);
    sessions[role] = { token: s.id, csrf: s.csrfToken, role, username };
  }
  return {
    hotline, url: hotline.url, logs, sessions, routes: listRoutes(hotline.app.app),
    async close() { await hotline.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** A JSON request to the running hotline as `who` (a bearer session) or without a session; the answer's status and parsed body. */
export async function callAs(s: Pick<Secured, 'url'>, who: Session | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = who ? { authorization: `Bearer ${who.token}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(s.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
