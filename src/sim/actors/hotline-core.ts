import type { Logger } from 'pino';
import { createBus } from '../../bus.ts';
import type { Bus } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config/config.ts';
import type { SkillLevels } from '../../domain/acd/queues.ts';
import { createAgentsRepo } from '../../features/agents/agents.repo.ts';
import { createAgentsService } from '../../features/agents/agents.service.ts';
import type { AgentsService } from '../../features/agents/agents.service.ts';
import { attachAgentPhones } from '../../features/agents/agents.stasis.ts';
import type { AgentPhones } from '../../features/agents/agents.stasis.ts';
import { createCallsRepo } from '../../features/calls/calls.repo.ts';
import { createCallsService } from '../../features/calls/calls.service.ts';
import type { CallsService } from '../../features/calls/calls.service.ts';
import { attachCallsReconcile } from '../../features/calls/calls.reconcile.ts';
import { attachCallsStasis } from '../../features/calls/calls.stasis.ts';
import type { MissedCall } from '../../features/calls/calls.types.ts';
import { createCallbacksRepo } from '../../features/callbacks/callbacks.repo.ts';
import { createCallbacksService } from '../../features/callbacks/callbacks.service.ts';
import type { CallbacksService } from '../../features/callbacks/callbacks.service.ts';
import { callsSettingsFrom } from '../../hotline.ts';
import type { HotlineTuning } from '../../hotline.ts';
import { migrate, openDatabase } from '../../store/database.ts';
import type { Database } from '../../store/database.ts';
import { createInProcessSimulator } from '../in-process.ts';
import type { InProcessSimulator } from '../in-process.ts';
import type { PhoneBehaviour } from '../types.ts';

export interface HotlineCore {
  db: Database;
  sim: InProcessSimulator;
  bus: Bus;
  agents: AgentsService;
  calls: CallsService;
  callbacks: CallbacksService;
  phones: AgentPhones;
  /** Creates agent accounts with seats whose phones register in the simulator; logs them in and, by default, ready. */
  addAgents(count: number, o?: { skills?: SkillLevels; phone?: PhoneBehaviour | (() => PhoneBehaviour); ready?: boolean; prefix?: string }): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The hotline's call handling on its own: the agents and calls services exactly as the service
 * composes them, over an in-process simulator and an in-memory database. For day-long simulations,
 * property tests and benches, where HTTP and websockets would only cost time.
 */
export async function startHotlineCore(opts: {
  config: Config; clock: Clock; log: Logger; seed?: number; sounds?: Record<string, number>;
  tuning?: Partial<HotlineTuning>; storeRecordings?: boolean; eventTypes?: ReadonlySet<string>; onMissed?: (missed: MissedCall) => void;
  priorityFor?: (number: string) => number;
  /** A database file (a long soak keeps its call log on disk); in memory when unset. */
  dbPath?: string;
  /** The in-process client's reconnect backoff after a dropped events socket. */
  backoff?: { initialMs: number; maxMs: number };
}): Promise<HotlineCore> {
  const { config, clock, log } = opts;
  const db = openDatabase(opts.dbPath ?? ':memory:');
  migrate(db, { now: () => clock.now() });
  const bus = createBus((topic, error) => log.error({ err: error, topic }, 'bus handler failed'));
  const sim = createInProcessSimulator({
    clock, app: config.ari.app, seed: opts.seed, sounds: opts.sounds, storeRecordings: opts.storeRecordings ?? false, eventTypes: opts.eventTypes, log, backoff: opts.backoff,
    dialplan: config.lines.map((l) => ({ line: l.number, app: config.ari.app, args: ['inbound', l.number] })),
  });
  const agentsRepo = createAgentsRepo(db);
  const agents = createAgentsService({ repo: agentsRepo, clock, bus, log, wrapUpMs: config.agents.wrapUpSeconds * 1000, skills: config.skills });
  agents.load();
  const calls = createCallsService({
    ari: sim.client, repo: createCallsRepo(db), agents, clock, bus, log, recordings: { collect() {} },
    settings: callsSettingsFrom(config, opts.tuning), priorityFor: opts.priorityFor,
    onMissed: (missed) => { callbacks.missed(missed); opts.onMissed?.(missed); },
  });
  const callbacks: CallbacksService = createCallbacksService({
    repo: createCallbacksRepo(db), agents, ari: sim.client, clock, bus, log, settings: { ...config.callbacks, app: config.ari.app },
    quietSince: () => calls.queue.quietSince(),
  });
  agents.setHooks({
    agentFree: () => calls.dispatch(),
    offerCancelled: (agentId, callId) => calls.offerCancelled(agentId, callId),
    stateChanged: (status) => calls.queue.seatChanged(status),
    skillsChanged: (agentId, skills) => { calls.queue.skillsChanged(agentId, skills); calls.dispatch(); },
    deskChanged: (agentId, desk) => { calls.queue.deskChanged(agentId, desk); calls.dispatch(); },
  });
  const phones = attachAgentPhones({ ari: sim.client, agents, log, clock, pollMs: 0 });
  const detach = [attachCallsReconcile({ ari: sim.client, calls, log }), attachCallsStasis({ ari: sim.client, calls, log })];
  await sim.client.connect();
  let made = 0;

  return {
    db, sim, bus, agents, calls, callbacks, phones,
    async addAgents(count, o = {}) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        made++;
        const id = `${o.prefix ?? 'agent'}-${String(made).padStart(5, '0')}`;
        const seat = `seat${String(made).padStart(5, '0')}`;
        agentsRepo.create({ id, userId: null, name: id, seat, skills: [] });
        sim.control.registerPhone(seat, (typeof o.phone === 'function' ? o.phone() : o.phone) ?? { mode: 'answer', ringMs: 500 });
        ids.push(id);
      }
      agents.load();
      for (const id of ids) {
        if (o.skills) agents.setSkills(id, o.skills);
        const seat = agents.get(id)!.seat;
        await phones.check(seat);
        const login = agents.login(id, seat);
        if (!login.ok) throw new Error(`simulated agent ${id} could not log in: ${login.error.code}`);
        if (o.ready !== false) agents.setState(id, 'ready');
      }
      return ids;
    },
    async close() {
      calls.close();
      callbacks.close();
      agents.close();
      phones.detach();
      for (const off of detach) off();
      await sim.client.close();
      db.close();
    },
  };
}
