/**
 * The service side of a load run.
 *   setup    --db <service db> --url <service> --seats-csv <csv> --count N --out <tokens file>
 *            an agent account per seat (created once, random password), a session issued in the service's
 *            database, then over HTTP: bind to the seat, ready
 *   teardown --url <service> --tokens <file>       agents sign out
 *   report   --db <service db> --since <epoch ms> [--stat <sipp stat csv>] [--rtt <sipp rtt csv>]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../src/store/database.ts';
import { createAuthRepo } from '../../src/features/auth/auth.repo.ts';
import { createAuthService, sessionKey } from '../../src/features/auth/auth.service.ts';
import { realClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    db: { type: 'string' }, url: { type: 'string' }, 'seats-csv': { type: 'string' }, count: { type: 'string' },
    out: { type: 'string' }, tokens: { type: 'string' }, since: { type: 'string' }, stat: { type: 'string' }, rtt: { type: 'string' },
  },
});

function need(name: keyof typeof values): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new Error(`--${name} is required`);
  return v;
}

async function api(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(url + path, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text() };
}

async function setup(): Promise<void> {
  const url = need('url');
  const seats = readFileSync(need('seats-csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]!).slice(0, Number(need('count')));
  const db = openDatabase(need('db'));
  const repo = createAuthRepo(db);
  const auth = createAuthService({ repo, clock: realClock, log: createLogger({ level: 'warn' }) });
  const tokens: string[] = [];
  for (const seat of seats) {
    const username = `loadtest-${seat}`;
    const account = auth.findAccountByUsername(username)
      ?? await auth.createUser({ username, password: randomBytes(24).toString('base64url'), role: 'agent', displayName: username, agent: { seat } });
    const id = randomBytes(32).toString('base64url');
    const now = Date.now();
    repo.insertSession({ key: sessionKey(id), userId: account.id, csrfToken: randomBytes(24).toString('base64url'), createdAt: now, expiresAt: now + 4 * 3600_000 });
    const login = await api(url, id, 'POST', '/api/agents/me/login', { seat });
    const ready = await api(url, id, 'POST', '/api/agents/me/state', { state: 'ready' });
    if (ready.status !== 200) process.stderr.write(`${seat}: login ${login.status} ready ${ready.status} ${ready.text.slice(0, 120)}\n`);
    tokens.push(id);
  }
  db.close();
  writeFileSync(need('out'), `${tokens.join('\n')}\n`, { mode: 0o600 });
  process.stdout.write(`agents ready: ${tokens.length}\n`);
}

async function teardown(): Promise<void> {
  const url = need('url');
  for (const token of readFileSync(need('tokens'), 'utf8').split('\n').filter(Boolean)) {
    await api(url, token, 'POST', '/api/agents/me/logout').catch(() => undefined);
    await api(url, token, 'POST', '/api/logout').catch(() => undefined);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function lastStatRow(file: string): Record<string, string> {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const head = lines[0]!.split(';');
  const row = lines.at(-1)!.split(';');
  return Object.fromEntries(head.map((h, i) => [h, row[i] ?? '']));
}

function report(): void {
  const since = Number(need('since'));
  const db = openDatabase(need('db'));
  const rows = db.prepare(`SELECT answered_at, ended_at, end_reason, wait_ms, talk_ms FROM calls
    WHERE arrived_at >= ? AND caller_number LIKE '1390000%'`).all(since) as Array<{ answered_at: number | null; ended_at: number | null; end_reason: string | null; wait_ms: number | null; talk_ms: number | null }>;
  db.close();
  const answered = rows.filter((r) => r.answered_at !== null);
  const abandoned = rows.filter((r) => r.answered_at === null && r.ended_at !== null);
  const open = rows.filter((r) => r.ended_at === null);
  const waits = answered.map((r) => r.wait_ms ?? 0).sort((a, b) => a - b);
  const within15 = waits.filter((w) => w <= 15_000).length;
  const out: string[] = [
    `service: calls ${rows.length}, answered by an agent ${answered.length}, abandoned before an agent ${abandoned.length}, still open ${open.length}`,
    `service: answer rate ${rows.length ? ((100 * answered.length) / rows.length).toFixed(1) : '0'}%, answered within 15 s ${answered.length ? ((100 * within15) / answered.length).toFixed(1) : '0'}%`,
    `service: wait to agent answer ms p50 ${percentile(waits, 50)} p95 ${percentile(waits, 95)} max ${waits.at(-1) ?? 0}`,
    `service: end reasons ${JSON.stringify(Object.fromEntries([...new Set(rows.map((r) => r.end_reason ?? 'open'))].map((k) => [k, rows.filter((r) => (r.end_reason ?? 'open') === k).length])))}`,
  ];
  if (values.stat) {
    const s = lastStatRow(values.stat);
    out.push(`sipp: created ${s['TotalCallCreated']}, successful ${s['SuccessfulCall(C)']}, failed ${s['FailedCall(C)']}, ` +
      `SIP setup (INVITE→200) mean ${s['ResponseTime1(C)']} (hh:mm:ss:ms), call length mean ${s['CallLength(C)']}`);
  }
  if (values.rtt) {
    const rtts = readFileSync(values.rtt, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(';')[1])).filter(Number.isFinite).sort((a, b) => a - b);
    out.push(`sipp: SIP setup ms over ${rtts.length} answered INVITEs p50 ${percentile(rtts, 50)} p95 ${percentile(rtts, 95)} max ${rtts.at(-1) ?? 0}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

const command = positionals[0];
const run = command === 'setup' ? setup : command === 'teardown' ? teardown : command === 'report' ? async () => report() : undefined;
if (!run) { process.stderr.write('usage: agents.ts setup|teardown|report …\n'); process.exit(2); }
run().catch((error: unknown) => { process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`); process.exit(1); });
