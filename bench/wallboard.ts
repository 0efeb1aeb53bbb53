/**
 * Wallboard fan-out: 750 agents, 50 supervisors' sockets on /ws/wallboard, 30 call events a second
 * (a call arrives, queues, rings a seat, is answered, ends; one in ten is abandoned) for 60 s after a 10 s
 * warm-up: the p99 rests on the slowest 1 % of about 1,800 events, and a shorter run moves it by milliseconds.
 * The delay of an event is measured from its publication on the bus to the moment each supervisor's
 * socket receives the first frame built after it, both on the monotonic clock. The 50 sockets are read in
 * a worker thread, as browsers elsewhere would read them (`BENCH_SUPERVISORS_IN=process` reads them on
 * the service's own loop instead). The CPU figure is process.cpuUsage() per second of wall time for the
 * whole process (service, event source and the 50 socket clients alike, in both threads).
 * Run alone with `npx tsx bench/wallboard.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { build } from '../src/app.ts';
import { createBus } from '../src/bus.ts';
import { realClock } from '../src/clock.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/log.ts';
import { migrate, openDatabase } from '../src/store/database.ts';
import type { Database } from '../src/store/database.ts';
import { sessionKey } from '../src/features/auth/auth.service.ts';
import { createAgentsRepo } from '../src/features/agents/agents.repo.ts';
import { createAgentsService } from '../src/features/agents/agents.service.ts';
import { registerWallboard } from '../src/features/supervision/supervision.feature.ts';
import type { WallboardFeature } from '../src/features/supervision/supervision.feature.ts';
import { percentile } from './stats.ts';
import { createPrng } from '../src/sim/prng.ts';
import { frameHead, monotonicMs } from './wallboard-supervisors.ts';
import type { ReceivedFrame, SupervisorsStart } from './wallboard-supervisors.ts';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 750);
const SUPERVISORS = Number(process.env.BENCH_SUPERVISORS ?? 50);
const EVENTS_PER_SECOND = Number(process.env.BENCH_EVENTS ?? 30);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WARM_UP_SECONDS = 10;
/** `BENCH_SUPERVISORS_IN=process` runs the 50 sockets on the service's own event loop, as this bench once did. */
const SUPERVISORS_IN_PROCESS = process.env.BENCH_SUPERVISORS_IN === 'process';
/** How many worker threads read the supervisors' sockets. */
const SUPERVISOR_THREADS = Math.max(1, Number(process.env.BENCH_SUPERVISOR_THREADS ?? 1));

/** A seeded generator (the simulator's mulberry32), so that runs are comparable. */
const seeded = (seed: number): (() => number) => createPrng(seed).next;

function seed(db: Database): { agents: string[]; tokens: string[] } {
  const now = Date.now();
  const user = db.prepare(`INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, 'bench:no-login', ?)`);
  const agent = db.prepare('INSERT INTO agents (id, user_id, name, seat) VALUES (?, ?, ?, ?)');
  const session = db.prepare('INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)');
  const agents: string[] = [];
  const tokens: string[] = [];
  db.transaction(() => {
    for (let i = 1; i <= AGENTS; i++) {
      user.run(`usr-a${i}`, `a${i}`, `坐席${i}`, 'agent', now);
      agent.run(`agt-${i}`, `usr-a${i}`, `坐席${i}`, `seat${String(i).padStart(4, '0')}`);
      agents.push(`agt-${i}`);
    }
    for (let i = 1; i <= SUPERVISORS; i++) {
      const token = randomBytes(32).toString('base64url');
      user.run(`usr-s${i}`, `s${i}`, `班长${i}`, 'supervisor', now);
      session.run(sessionKey(token), `usr-s${i}`, 'csrf', now, now + 3_600_000, now);
      tokens.push(token);
    }
  })();
  return { agents, tokens };
}

interface Supervisors { stop(): Promise<number> }

/** The supervisors' sockets in worker threads (see wallboard-supervisors.ts); each frame they report is handed to `received`. */
async function supervisorsInWorkers(url: string, tokens: string[], received: (f: ReceivedFrame) => void): Promise<Supervisors> {
  const file = new URL('./wallboard-supervisors.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const per = Math.ceil(tokens.length / SUPERVISOR_THREADS);
  const workers = await Promise.all(Array.from({ length: SUPERVISOR_THREADS }, async (_, i) => {
    const start: SupervisorsStart = { url, tokens: tokens.slice(i * per, (i + 1) * per), first: i * per };
    const worker = new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); })`, { eval: true, workerData: start });
    let open = 0;
    let stopped: (() => void) | undefined;
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: { open?: number; frames?: ReceivedFrame[]; stopped?: boolean }) => {
        for (const f of m.frames ?? []) received(f);
        if (m.open !== undefined) { open = m.open; resolve(); }
        if (m.stopped) stopped?.();
      });
    });
    return {
      async stop(): Promise<number> {
        await new Promise<void>((resolve) => { stopped = resolve; worker.postMessage({ stop: true }); });
        await worker.terminate();
        return open;
      },
    };
  }));
  return { stop: async () => (await Promise.all(workers.map((w) => w.stop()))).reduce((a, b) => a + b, 0) };
}

/** The supervisors' sockets on the service's own event loop: each frame waits for the service, and the service for the 50 readers. */
async function supervisorsInProcess(url: string, tokens: string[], received: (f: ReceivedFrame) => void): Promise<Supervisors> {
  const sockets = await Promise.all(tokens.map(async (token, socket) => {
    const ws = new WebSocket(`${url}/ws/wallboard?token=${encodeURIComponent(token)}`, { perMessageDeflate: false, skipUTF8Validation: true });
    ws.on('message', (data: Buffer) => { received({ socket, receivedAt: monotonicMs(), bytes: data.length, ...frameHead(data) }); });
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    return ws;
  }));
  return { async stop() { for (const ws of sockets) ws.terminate(); return sockets.length; } };
}

export async function benchWallboard(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-wallboard-'));
  const config = loadConfig({ env: {}, values: { service: { host: '127.0.0.1', port: 0 }, database: { path: join(dir, 'h.sqlite') }, log: { level: 'silent' } } });
  const log = createLogger({ level: 'silent' });
  const db = openDatabase(config.database.path);
  migrate(db);
  const bus = createBus();
  const clock = realClock;
  const { agents: agentIds, tokens } = seed(db);
  const agents = createAgentsService({ repo: createAgentsRepo(db), clock, bus, log, wrapUpMs: 1000 });
  agents.load();
  for (const id of agentIds) { agents.phoneState(agents.get(id)!.seat, true); agents.login(id); agents.setState(id, 'ready'); }

  let feature: WallboardFeature | undefined;
  const app = await build({ config, db, clock, log, bus, features: [(ctx) => { feature = registerWallboard(ctx, { agents }); }] });
  const url = (await app.app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');

  const published: number[] = [];
  const builds: number[] = [];
  /** For each board built (by its `at`), how many events had been published when it was built. */
  const eventsAt = new Map<number, number>();
  const wallboard = feature!.wallboard;
  const snapshot = wallboard.snapshot.bind(wallboard);
  let measuring = false;
  /** When each board (by its `at`) began to be built, on the monotonic clock. */
  const builtAt = new Map<number, number>();
  const boardStarts: number[] = [];
  wallboard.snapshot = () => {
    const t0 = performance.now();
    const began = monotonicMs();
    const s = snapshot();
    if (!eventsAt.has(s.at)) {
      eventsAt.set(s.at, published.length);
      builtAt.set(s.at, began);
      if (counting) boardStarts.push(began);
      if (measuring) builds.push(performance.now() - t0);
    }
    return s;
  };

  const delays: number[] = [];
  /** From the start of a board's build to its arrival at each socket. */
  const toScreen: number[] = [];
  let measuredFrom = Infinity;
  let bytes = 0;
  let frames = 0;
  let minGapMs = Infinity;
  let counting = false;
  const perSocket = tokens.map(() => ({ covered: 0, lastFrame: -Infinity }));
  /** A frame as a supervisor's socket received it: the events it was the first to show are delayed until now. */
  function received(f: ReceivedFrame): void {
    const s = perSocket[f.socket]!;
    if (counting) minGapMs = Math.min(minGapMs, f.receivedAt - s.lastFrame);
    s.lastFrame = f.receivedAt;
    const events = eventsAt.get(f.boardAt);
    if (f.type !== 'wallboard' || events === undefined) { s.covered = Math.max(s.covered, events ?? 0); return; }
    if (counting) { frames++; bytes += f.bytes; toScreen.push(f.receivedAt - builtAt.get(f.boardAt)!);}
    if (measuring) for (let i = Math.max(s.covered, measuredFrom); i < events; i++) delays.push(f.receivedAt - published[i]!);
    s.covered = Math.max(s.covered, events);
  }
  // The gaps between frames as the service writes them, per socket (the service's sockets are the only ones in this thread that send frames).
  let minGapWrittenMs = Infinity;
  const lastWritten = new WeakMap<object, number>();
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    if (Buffer.isBuffer(data) && data[2] === 0x74 /* "t" of {"type" */ && /^\{"type":"(wallboard|hello)"/.test(data.subarray(0, 20).toString('latin1'))) {
      const now = monotonicMs();
      if (counting) minGapWrittenMs = Math.min(minGapWrittenMs, now - (lastWritten.get(this) ?? -Infinity));
      lastWritten.set(this, now);
    }
    return (send as (...a: unknown[]) => void).call(this, data, ...rest);
  } as typeof send;
  const supervisors = SUPERVISORS_IN_PROCESS ? await supervisorsInProcess(url, tokens, received) : await supervisorsInWorkers(url, tokens, received);
  await new Promise((r) => setTimeout(r, 300));

  const insert = db.prepare(`INSERT INTO calls (id, line, caller_number, state, arrived_at) VALUES (?, '12345', ?, 'greeting', ?)`);
  const update = db.prepare('UPDATE calls SET state = ?, queued_at = COALESCE(queued_at, ?), answered_at = ?, ended_at = ?, end_reason = ?, agent_id = ? WHERE id = ?');
  const event = (callId: string, state: string) => { published.push(monotonicMs()); bus.publish('call.changed', { callId, state, line: '12345', at: Date.now() }); };

  // Random (seeded) moments, so that events do not fall on a fixed grid that a 1 s frame cadence could line up with.
  const rnd = seeded(20261125);
  const after = (mean: number) => mean * (0.5 + rnd());
  // Every step of a simulated call is a timer kept here, so that the ones still due when the run ends are
  // cleared before the database closes (a late one used to write to a closed database and end the whole bench).
  const pending = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(() => { pending.delete(t); fn(); }, ms);
    pending.add(t);
  };
  function runCall(n: number): void {
    const id = randomUUID();
    const arrived = Date.now();
    insert.run(id, `139${String(n).padStart(8, '0')}`, arrived);
    event(id, 'greeting');
    later(() => { update.run('queued', Date.now(), null, null, null, null, id); event(id, 'queued'); }, after(500));
    if (n % 10 === 9) {
      later(() => { update.run('ended', null, null, Date.now(), 'abandoned', null, id); event(id, 'ended'); }, after(4000));
      return;
    }
    later(() => {
      const agentId = agents.pick();
      if (!agentId) { update.run('ended', null, null, Date.now(), 'abandoned', null, id); event(id, 'ended'); return; }
      agents.apply(agentId, { kind: 'offer', callId: id });
      event(id, 'offering');
      later(() => {
        const answered = Date.now();
        agents.apply(agentId, { kind: 'answered', callId: id });
        update.run('connected', null, answered, null, null, agentId, id);
        event(id, 'connected');
        later(() => {
          update.run('ended', null, answered, Date.now(), 'caller_hangup', agentId, id);
          agents.apply(agentId, { kind: 'call_ended', callId: id });
          event(id, 'ended');
        }, after(5000));
      }, after(800));
    }, after(3800));
  }

  measuring = true;
  const callsPerSecond = EVENTS_PER_SECOND / 4.8;
  const start = performance.now();
  let n = 0;
  let nextDue = start;
  let cpu0 = process.cpuUsage();
  let t0 = start;
  let firstMeasured = 0;
  while (performance.now() - start < (WARM_UP_SECONDS + SECONDS) * 1000) {
    if (firstMeasured === 0 && performance.now() - start >= WARM_UP_SECONDS * 1000) {
      firstMeasured = published.length;
      measuredFrom = firstMeasured;
      counting = true;
      cpu0 = process.cpuUsage();
      t0 = performance.now();
    }
    nextDue += -Math.log(1 - rnd()) * (1000 / callsPerSecond);
    const due = nextDue;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    runCall(n++);
  }
  counting = false;
  const eventsInWindow = published.length - firstMeasured;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await new Promise((r) => setTimeout(r, 9000));
  const sockets = await supervisors.stop();
  WebSocket.prototype.send = send;
  measuring = false;
  const eventsPublished = published.length - firstMeasured;

  for (const t of pending) clearTimeout(t);
  pending.clear();
  await app.close();
  agents.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    agents: AGENTS,
    supervisors: sockets,
    supervisors_in: SUPERVISORS_IN_PROCESS ? 'the service\'s event loop' : `${SUPERVISOR_THREADS} worker thread${SUPERVISOR_THREADS > 1 ? 's' : ''}`,
    call_events: eventsPublished,
    call_events_per_s: eventsInWindow / (wallMs / 1000),
    frames_per_socket_per_s: frames / sockets / (wallMs / 1000),
    min_gap_written_ms: minGapWrittenMs,
    min_gap_received_ms: minGapMs,
    frame_kb_avg: bytes / Math.max(1, frames) / 1024,
    board_interval_avg_ms: (boardStarts.at(-1)! - boardStarts[0]!) / Math.max(1, boardStarts.length - 1),
    build_to_socket_p50_ms: percentile(toScreen, 50),
    build_to_socket_p99_ms: percentile(toScreen, 99),
    delay_p50_ms: percentile(delays, 50),
    delay_p99_ms: percentile(delays, 99),
    delay_max_ms: delays.length ? delays.reduce((a, b) => Math.max(a, b)) : NaN,
    snapshot_build_p50_ms: percentile(builds, 50),
    snapshot_build_p99_ms: percentile(builds, 99),
    cpu_percent_of_a_core: (cpu.user + cpu.system) / 10 / wallMs,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await benchWallboard();
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(22)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}`);
  process.exit(0);
}
