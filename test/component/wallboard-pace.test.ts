/**
 * The wallboard's two timing rules, on real sockets and a virtual clock: no socket gets two frames less
 * than a second apart, and every change is in a frame within a second. Virtual time stands still while
 * the frames travel: after every step of the clock each client pings and waits for its pong, so each frame
 * is stamped with the virtual time at which it was written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { build } from '../../src/app.ts';
import type { HotlineApp } from '../../src/app.ts';
import { createBus } from '../../src/bus.ts';
import type { Bus } from '../../src/bus.ts';
import { VirtualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { migrate, openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/database.ts';
import { sessionKey } from '../../src/features/auth/auth.service.ts';
import { createAgentsRepo } from '../../src/features/agents/agents.repo.ts';
import { createAgentsService } from '../../src/features/agents/agents.service.ts';
import { registerWallboard } from '../../src/features/supervision/supervision.feature.ts';
import type { WallboardFeature } from '../../src/features/supervision/supervision.feature.ts';
import { wallboardUrl } from './wallboard-harness.ts';
import { createPrng } from '../../src/sim/prng.ts';

const AGENTS = 40;

interface Frame { type: string; seq: number; at: number; eventsBefore: number; snapshot: any; agents: any[] }

interface Client {
  frames: Frame[];
  /** How many events had been published when the server attached the socket. */
  joinedAfter: number;
  sync(): Promise<void>;
  close(): void;
}

/** A seeded generator (the simulator's mulberry32), so that runs are comparable. */
const seeded = (seed: number): (() => number) => createPrng(seed).next;

interface Rig {
  clock: VirtualClock;
  bus: Bus;
  agents: ReturnType<typeof createAgentsService>;
  agentIds: string[];
  feature: WallboardFeature;
  open(): Promise<Client>;
  published: number;
  close(): Promise<void>;
}

async function startRig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-wallboard-pace-'));
  const config = loadConfig({ env: {}, values: { service: { host: '127.0.0.1', port: 0 }, database: { path: join(dir, 'h.sqlite') }, log: { level: 'silent' } } });
  const log = createLogger({ level: 'silent' });
  const db: Database = openDatabase(config.database.path);
  migrate(db);
  const clock = new VirtualClock(Date.now());
  const bus = createBus();
  const now = clock.now();
  const agentIds: string[] = [];
  const token = randomBytes(32).toString('base64url');
  db.transaction(() => {
    const user = db.prepare(`INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, 'test:no-login', ?)`);
    const agent = db.prepare('INSERT INTO agents (id, user_id, name, seat) VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= AGENTS; i++) {
      user.run(`usr-a${i}`, `a${i}`, `坐席${i}`, 'agent', now);
      agent.run(`agt-${i}`, `usr-a${i}`, `坐席${i}`, `seat${i}`);
      agentIds.push(`agt-${i}`);
    }
    user.run('usr-sup', 'sup', '班长', 'supervisor', now);
    db.prepare('INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(sessionKey(token), 'usr-sup', 'csrf', now, now + 24 * 3_600_000, now);
  })();
  const agents = createAgentsService({ repo: createAgentsRepo(db), clock, bus, log, wrapUpMs: 1000 });
  agents.load();
  for (const id of agentIds) { agents.phoneState(agents.get(id)!.seat, true); agents.login(id); agents.setState(id, 'ready'); }
  let feature: WallboardFeature | undefined;
  const app: HotlineApp = await build({ config, db, clock, log, bus, features: [(ctx) => { feature = registerWallboard(ctx, { agents }); }] });
  const url = await app.app.listen({ host: '127.0.0.1', port: 0 });

  const rig: Rig = {
    clock, bus, agents, agentIds, feature: feature!, published: 0,
    async open() {
      const before = feature!.fanout.stats().sockets;
      const socket = new WebSocket(wallboardUrl(url, token));
      const frames: Frame[] = [];
      const pongs = new Map<string, () => void>();
      socket.on('message', (data) => {
        const f = JSON.parse(String(data)) as any;
        if (f.type === 'pong') { pongs.get(f.ref)?.(); pongs.delete(f.ref); return; }
        frames.push({ ...f, at: clock.now(), eventsBefore: rig.published });
      });
      await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); });
      while (feature!.fanout.stats().sockets === before) await new Promise((r) => setTimeout(r, 2));
      let n = 0;
      return {
        frames,
        joinedAfter: rig.published,
        sync: () => new Promise<void>((resolve) => { const ref = `s${++n}`; pongs.set(ref, resolve); socket.send(JSON.stringify({ type: 'ping', ref })); }),
        close: () => socket.close(),
      };
    },
    async close() {
      await app.close();
      agents.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** Moves virtual time to `until`, stopping at every timer so that each frame is read at the time it was written. */
async function runTo(rig: Rig, clients: Client[], until: number): Promise<void> {
  for (;;) {
    const next = rig.clock.nextAt();
    const step = next !== undefined && next <= until ? next : until;
    rig.clock.runUntil(step);
    await Promise.all(clients.map((c) => c.sync()));
    if (step >= until) return;
  }
}

function expectPaced(frames: Frame[], minGap: number): void {
  for (let i = 1; i < frames.length; i++) {
    expect(frames[i]!.at - frames[i - 1]!.at, `frames ${frames[i - 1]!.seq} and ${frames[i]!.seq}`).toBeGreaterThanOrEqual(minGap);
  }
}

describe('how often the wallboard pushes, and how soon', () => {
  let rig: Rig | undefined;
  afterEach(async () => { await rig?.close(); rig = undefined; });

  it('when agents and calls change at random moments for 30 s, then no socket gets two frames within 1 s and each change is in a frame within 1 s', async () => {
    rig = await startRig();
    const r = rig;
    const rnd = seeded(20261125);
    const first = await r.open();
    const second = await r.open();
    const clients = [first, second];
    await runTo(r, clients, r.clock.now());
    expect(first.frames[0]?.type).toBe('hello');

    const start = r.clock.now();
    const events: Array<{ at: number; agentId?: string; waiting: number }> = [];
    const waiting = new Set<string>();
    let t = start;
    let late: Client | undefined;
    let call = 0;
    while (t < start + 30_000) {
      // Bursts and lulls: sometimes many changes within a second, sometimes none for a few seconds.
      t += rnd() < 0.03 ? 1500 + Math.floor(rnd() * 2500) : Math.floor(rnd() * 80);
      await runTo(r, clients, t);
      if (!late && t >= start + 12_000) { late = await r.open(); clients.push(late); }
      if (rnd() < 0.6) {
        const agentId = r.agentIds[Math.floor(rnd() * r.agentIds.length)]!;
        const paused = r.agents.get(agentId)!.state === 'paused';
        r.published++;
        r.agents.setState(agentId, paused ? 'ready' : 'paused', paused ? undefined : 'meal');
        events.push({ at: t, agentId, waiting: waiting.size });
      } else {
        const queued = [...waiting];
        const callId = queued.length && rnd() < 0.5 ? queued[Math.floor(rnd() * queued.length)]! : `call-${++call}`;
        const ends = waiting.has(callId);
        if (ends) waiting.delete(callId); else waiting.add(callId);
        r.published++;
        r.bus.publish('call.changed', { callId, state: ends ? 'ended' : 'queued', line: '12345', at: t });
        events.push({ at: t, waiting: waiting.size });
      }
      await runTo(r, clients, t);
    }
    await runTo(r, clients, t + 2000);

    expect(events.length).toBeGreaterThan(150);
    expect(late!.frames[0]?.type).toBe('hello');
    for (const c of clients) {
      expectPaced(c.frames, 1000);
      const wallboard = c.frames.filter((f) => f.type === 'wallboard');
      expect(wallboard.length).toBeGreaterThan(c === late ? 5 : 15);
      // Every frame shows the waiting calls as they stood when it was written.
      for (const f of c.frames) expect(f.snapshot.total.waiting).toBe(f.eventsBefore ? events[f.eventsBefore - 1]!.waiting : 0);
      events.forEach((e, i) => {
        if (i < c.joinedAfter) return;
        const shown = c.frames.find((f) => f.eventsBefore > i);
        expect(shown, `event ${i} at +${e.at - start} ms`).toBeDefined();
        expect(shown!.at - e.at, `event ${i} at +${e.at - start} ms`).toBeLessThanOrEqual(1000);
        if (e.agentId) {
          const row = shown!.agents.find((a) => a.id === e.agentId);
          expect(row?.since, `agent ${e.agentId} in frame ${shown!.seq}`).toBeGreaterThanOrEqual(e.at);
        }
      });
    }
    // Each push is one frame for everyone: the same sequence numbers reach both first sockets.
    expect(first.frames.map((f) => f.seq)).toEqual(second.frames.map((f) => f.seq));
    for (const c of clients) c.close();
  }, 60_000);

  it('when a change follows a quiet spell, then it goes out at once; a second change within the second waits for exactly 1 s after the first', async () => {
    rig = await startRig();
    const r = rig;
    const c = await r.open();
    await runTo(r, [c], r.clock.now() + 5000);
    const quietFrom = c.frames.length;
    const t0 = r.clock.now();
    r.published++;
    r.agents.setState(r.agentIds[0]!, 'paused', 'meal');
    await runTo(r, [c], t0);
    expect(c.frames.slice(quietFrom).map((f) => f.at - t0)).toEqual([0]);
    await runTo(r, [c], t0 + 300);
    r.published++;
    r.agents.setState(r.agentIds[1]!, 'paused', 'meal');
    await runTo(r, [c], t0 + 3000);
    const after = c.frames.slice(quietFrom);
    expect(after.map((f) => f.at - t0)).toEqual([0, 1000]);
    expect(after[1]!.agents.map((a) => a.id)).toEqual([r.agentIds[1]]);
    c.close();
  }, 30_000);
  it('when boards take 40 ms to build for a while and then go quick, then each socket still gets its frames at least 1 s apart, and the beat stays at about 1 s', async () => {
    rig = await startRig();
    const r = rig;
    const clients = [await r.open(), await r.open()];
    await runTo(r, clients, r.clock.now() + 2000);
    let slow = 10;
    const snapshot = r.feature.wallboard.snapshot.bind(r.feature.wallboard);
    r.feature.wallboard.snapshot = () => {
      if (slow > 0) { slow--; r.clock.advance(40); }
      return snapshot();
    };
    const start = r.clock.now();
    let k = 0;
    // a change every 100 ms for 16 s: a push every second, the first ten of them slow to build
    for (let t = start + 100; t <= start + 16_000; t += 100) {
      await runTo(r, clients, t);
      const agentId = r.agentIds[k++ % r.agentIds.length]!;
      const paused = r.agents.get(agentId)!.state === 'paused';
      r.published++;
      r.agents.setState(agentId, paused ? 'ready' : 'paused', paused ? undefined : 'meal');
    }
    await runTo(r, clients, start + 18_000);
    expect(slow).toBe(0);
    for (const c of clients) {
      const frames = c.frames.filter((f) => f.at > start);
      expectPaced(frames, 1000);
      expect(frames.length).toBeGreaterThanOrEqual(15);
      // Once the recent builds have all been slow, a push begins 40 ms early and the frames keep an exact
      // one-second beat; the first quick build after them is held until each socket's second is up.
      const gaps = frames.slice(1).map((f, i) => f.at - frames[i]!.at);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(1040);
      expect(gaps.slice(-8)).toEqual(Array(8).fill(1000));
    }
    expect(clients[0]!.frames.map((f) => f.seq)).toEqual(clients[1]!.frames.map((f) => f.seq));
    for (const c of clients) c.close();
  }, 30_000);
});
