/**
 * Screen-pop latency: 750 agents logged in with their desktop sockets open, 10 calls a second for
 * about 30 s against the simulator. Measured from the moment the ARI client hands over the agent
 * leg's StasisStart (the answer) to the moment that agent's websocket client receives the pop frame.
 * Run alone with `npx tsx bench/screen-pop.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { sessionKey } from '../src/features/auth/auth.service.ts';
import type { Database } from '../src/store/database.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/log.ts';
import { startHotline } from '../src/hotline.ts';
import { percentile } from './stats.ts';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 750);
const CALLS_PER_SECOND = Number(process.env.BENCH_CPS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const TALK_MS = 20_000;

/**
 * Agent accounts and their sessions written straight into the database: signing 750 people in
 * through scrypt would measure password hashing, not the pop.
 */
function seedAgents(db: Database, count: number, ttlMs: number): Array<{ agentId: string; seat: string; token: string }> {
  const now = Date.now();
  const user = db.prepare(`INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, 'agent', 'bench:no-login', ?)`);
  const agent = db.prepare('INSERT INTO agents (id, user_id, name, seat) VALUES (?, ?, ?, ?)');
  const session = db.prepare('INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)');
  const out: Array<{ agentId: string; seat: string; token: string }> = [];
  db.transaction(() => {
    for (let i = 1; i <= count; i++) {
      const userId = `usr-bench-${i}`;
      const agentId = `agt-bench-${i}`;
      const seat = `seat${String(i).padStart(4, '0')}`;
      const token = randomBytes(32).toString('base64url');
      user.run(userId, `bench${i}`, `坐席${i}`, now);
      agent.run(agentId, userId, `坐席${i}`, seat);
      session.run(sessionKey(token), userId, randomBytes(24).toString('base64url'), now, now + ttlMs, now);
      out.push({ agentId, seat, token });
    }
  })();
  return out;
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

export async function benchScreenPop(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-pop-'));
  const config = loadConfig({
    env: {},
    values: {
      service: { host: '127.0.0.1', port: 0 },
      pbx: { mode: 'simulator' },
      database: { path: join(dir, 'hotline.sqlite') },
      recordings: { dir: join(dir, 'recordings') },
      lines: [{ number: '12345', wrapUpSeconds: 1 }],
      log: { level: 'silent' },
    },
  });
  const answeredAt = new Map<string, number>();
  const latencies: number[] = [];
  const hotline = await startHotline({
    config,
    log: createLogger({ level: 'silent' }),
    tuning: { sounds: { 'sound:hotline/greeting': 200 } },
    observeAri(ari) {
      ari.onEvent((event) => {
        if (event.type === 'StasisStart' && event.args[0] === 'agent' && event.args[1]) answeredAt.set(event.args[1], performance.now());
      });
    },
  });
  const sim = hotline.sim!;
  const published: number[] = [];
  hotline.bus.subscribe('agent.pop', ({ pop }) => { const t0 = answeredAt.get(pop.callId); if (t0 !== undefined) published.push(performance.now() - t0); });
  const sockets: WebSocket[] = [];

  try {
    const setup = performance.now();
    const accounts = seedAgents(hotline.db, AGENTS, hotline.app.auth.settings.sessionTtlMs);
    let pops = 0;
    await Promise.all(accounts.map(async ({ agentId, seat, token }) => {
      sim.control.registerPhone(seat, { mode: 'answer', ringMs: 300, talkMs: TALK_MS });
      const ws = new WebSocket(`${hotline.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
      ws.on('message', (data) => {
        const now = performance.now();
        const text = String(data);
        if (!text.startsWith('{"type":"pop"')) return;
        const frame = JSON.parse(text) as { pop: { callId: string } };
        const t0 = answeredAt.get(frame.pop.callId);
        if (t0 !== undefined) { latencies.push(now - t0); answeredAt.delete(frame.pop.callId); }
        pops++;
      });
      await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
      sockets.push(ws);
      hotline.agents.phoneState(seat, true);
      const login = hotline.agents.login(agentId, seat);
      if (!login.ok) throw login.error;
      hotline.agents.setState(agentId, 'ready');
    }));
    const setupMs = performance.now() - setup;

    const total = CALLS_PER_SECOND * SECONDS;
    const started = performance.now();
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / CALLS_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      sim.control.placeCall({ line: '12345', from: `139${String(10_000_000 + n).padStart(8, '0')}` });
    }
    const until = performance.now() + 15_000;
    while (latencies.length < total && performance.now() < until) await sleep(50);
    return {
      agents: AGENTS,
      sockets: sockets.length,
      calls_placed: total,
      pops_measured: latencies.length,
      pops_received: pops,
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
      max_ms: latencies.length ? Math.max(...latencies) : NaN,
      publish_p50_ms: percentile(published, 50),
      publish_p99_ms: percentile(published, 99),
      setup_s: setupMs / 1000,

    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await hotline.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await benchScreenPop();

  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(16)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}`);
  process.exit(0);
}
