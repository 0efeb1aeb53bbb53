import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { createBus } from '../../src/bus.ts';
import { realClock } from '../../src/clock.ts';
import { createAriClient } from '../../src/pbx/ari/client.ts';
import type { AriClient } from '../../src/pbx/ari/client.types.ts';
import { migrate, openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/database.ts';
import { createAgentsRepo } from '../../src/features/agents/agents.repo.ts';
import { createAgentsService } from '../../src/features/agents/agents.service.ts';
import type { AgentsService } from '../../src/features/agents/agents.service.ts';
import { attachAgentPhones } from '../../src/features/agents/agents.stasis.ts';
import { createCallsRepo } from '../../src/features/calls/calls.repo.ts';
import type { CallsRepo } from '../../src/features/calls/calls.repo.ts';
import { createCallsService } from '../../src/features/calls/calls.service.ts';
import type { CallsService } from '../../src/features/calls/calls.service.ts';
import { attachCallsReconcile } from '../../src/features/calls/calls.reconcile.ts';
import { attachCallsStasis } from '../../src/features/calls/calls.stasis.ts';
import type { LineSettings, MissedCall, RatingHandoff } from '../../src/features/calls/calls.types.ts';
import type { AcdConfig } from '../../src/domain/acd/queues.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/types.ts';

export const GREETING = 'sound:hotline/greeting';

/**
 * The calls and agents services alone, composed as the hotline composes them, against a simulator that
 * outlives them: `stop()` drops the service without touching a call (as a kill does, as far as
 * Asterisk can tell), and a new rig on the same database file is the service started again.
 */
export interface CallsRig {
  db: Database;
  ari: AriClient;
  agents: AgentsService;
  calls: CallsService;
  repo: CallsRepo;
  missed: MissedCall[];
  collected: string[];
  addAgent(id: string, opts?: { ready?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export interface RigOptions {
  sim: Simulator;
  dbPath: string;
  ringTimeoutMs?: number;
  wrapUpMs?: number;
  line?: Partial<LineSettings>;
  rateAfterCall?: (handoff: RatingHandoff) => boolean;
  /** The desks; one queue for every line by default. */
  acd?: AcdConfig;
  priorityFor?: (callerNumber: string) => number;
}

export async function startCallsRig(o: RigOptions): Promise<CallsRig> {
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const clock = realClock;
  const db = openDatabase(o.dbPath);
  migrate(db);
  const bus = createBus(() => {});
  const ari = createAriClient({ url: o.sim.ariUrl, username: 'hotline', password: 'hotline', app: 'hotline', log, clock });
  const agentsRepo = createAgentsRepo(db);
  const agents = createAgentsService({ repo: agentsRepo, clock, bus, log, wrapUpMs: o.wrapUpMs ?? 1000 });
  agents.load();
  const repo = createCallsRepo(db);
  const missed: MissedCall[] = [];
  const collected: string[] = [];
  const calls = createCallsService({
    ari, repo, agents, clock, bus, log,
    recordings: { collect(r) { collected.push(r.name); } },
    settings: {
      app: 'hotline', ringTimeoutMs: o.ringTimeoutMs ?? 3000, defaultWrapUpMs: o.wrapUpMs ?? 1000, mohClass: 'default',
      greetingGuardMs: 3000, historyDays: 90,
      lines: [{ number: '12345', name: '12345', greeting: GREETING, wrapUpMs: o.wrapUpMs ?? 1000, ...o.line }],
      ...(o.acd ? { acd: o.acd } : {}),
    },
    onMissed: (m) => { missed.push(m); },
    ...(o.rateAfterCall ? { rateAfterCall: o.rateAfterCall } : {}),
    ...(o.priorityFor ? { priorityFor: o.priorityFor } : {}),
  });
  agents.setHooks({
    agentFree: () => calls.dispatch(),
    offerCancelled: (agentId, callId) => calls.offerCancelled(agentId, callId),
    stateChanged: (status) => calls.queue.seatChanged(status),
    skillsChanged: (agentId, skills) => { calls.queue.skillsChanged(agentId, skills); calls.dispatch(); },
  });
  const phones = attachAgentPhones({ ari, agents, log, clock, pollMs: 0 });
  const detach = [attachCallsReconcile({ ari, calls, log }), attachCallsStasis({ ari, calls, log })];
  await ari.connect();

  return {
    db, ari, agents, calls, repo, missed, collected,
    async addAgent(id, a = {}) {
      const seat = `seat-${id}`;
      if (!agentsRepo.byId(id)) agentsRepo.create({ id, userId: null, name: id, seat, skills: [] });
      agents.load();
      await phones.check(seat);
      const login = agents.login(id, seat);
      if (!login.ok) throw new Error(`agent ${id} could not log in: ${login.error.code}`);
      if (a.ready !== false) agents.setState(id, 'ready');
    },
    async stop() {
      phones.detach();
      for (const off of detach) off();
      await ari.close();
      calls.close();
      agents.close();
      await calls.drained();
      db.close();
    },
  };
}

/**
 * For a test file: a fresh simulator and database directory for each test, `rig()` to start the service
 * on them (again, for a restart) and `stopped()` to stop one as a kill would; whatever is left running
 * is stopped after the test.
 */
export function restartRigs(dirPrefix: string) {
  let sim: Simulator | undefined;
  let dir = '';
  const rigs: CallsRig[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), dirPrefix));
    sim = await startSimulator({ sounds: { [GREETING]: 100 }, dialplan: [{ line: '12345', app: 'hotline', args: ['inbound', '12345'] }] });
  });
  afterEach(async () => {
    for (const r of rigs.splice(0)) await r.stop().catch(() => {});
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const current = (): Simulator => { if (!sim) throw new Error('no simulator outside a test'); return sim; };
  return {
    get sim(): Simulator { return current(); },
    async rig(o: Partial<RigOptions> = {}): Promise<CallsRig> {
      const r = await startCallsRig({ sim: current(), dbPath: join(dir, 'hotline.sqlite'), ...o });
      rigs.push(r);
      return r;
    },
    async stopped(r: CallsRig): Promise<void> {
      rigs.splice(rigs.indexOf(r), 1);
      await r.stop();
    },
  };
}
