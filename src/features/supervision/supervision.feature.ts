import { performance } from 'node:perf_hooks';
import type { FeatureContext } from '../../app.ts';
import type { ServiceLevelOptions } from '../../domain/acd/service-level.ts';
import type { AgentEvent, AgentTransition } from '../../domain/agent-state.ts';
import type { AgentView } from '../agents/agents.service.ts';
import { createAgentActivityLog } from '../service-level/agent-activity.ts';
import { registerServiceLevelRoutes } from '../service-level/service-level.routes.ts';
import { createServiceLevelService } from '../service-level/service-level.service.ts';
import type { ServiceLevelService } from '../service-level/service-level.service.ts';
import { createCallLegSource, createDirectory } from '../service-level/service-level.source.ts';
import type { Desk, Directory } from '../service-level/service-level.source.ts';
import { createSupervisorActions } from './supervision.actions.ts';
import type { SupervisorActions } from './supervision.actions.ts';
import { registerSupervisionRoutes } from './supervision.routes.ts';
import { createWallboardFanout } from './supervision.socket.ts';
import type { WallboardFanout, WallboardFanoutSettings } from './supervision.socket.ts';
import { createWallboard } from './wallboard.service.ts';
import type { Wallboard } from './wallboard.service.ts';

/** The lines and desks as the configuration writes them (the version in force, src/features/admin/line-versions.ts). */
export interface LinesAndDesks {
  lines: ReadonlyArray<{ number: string; name: string; wrapUpSeconds: number; queue?: string | undefined }>;
  queues: ReadonlyArray<{ id: string; name?: string | undefined }>;
}

/** The desks (queues) and the lines routed to each (a line without one goes to the first). */
function desksFrom(doc: LinesAndDesks): Desk[] {
  return doc.queues.map((q, i) => ({
    id: q.id,
    name: q.name ?? q.id,
    lines: doc.lines.filter((l) => (l.queue ?? (i === 0 ? q.id : undefined)) === q.id).map((l) => l.number),
  }));
}

function directoryOf(doc: LinesAndDesks, desks?: Desk[]): Directory {
  return createDirectory(doc.lines.map((l) => ({ number: l.number, name: l.name, wrapUpMs: l.wrapUpSeconds * 1000 })), desks ?? desksFrom(doc));
}

/** A directory that follows the lines and desks in force: built again whenever `read` gives another version. */
function liveDirectory(read: () => LinesAndDesks): Directory {
  let doc = read();
  let current = directoryOf(doc);
  const now = (): Directory => {
    const next = read();
    if (next !== doc) { doc = next; current = directoryOf(next); }
    return current;
  };
  return {
    get lines() { return now().lines; },
    get desks() { return now().desks; },
    queueOf: (line) => now().queueOf(line),
    wrapUpMs: (line) => now().wrapUpMs(line),
  };
}

export interface WallboardFeatureDeps {
  agents: {
    list(): AgentView[];
    get(agentId: string): AgentView | undefined;
    apply(agentId: string, event: AgentEvent): AgentTransition;
  };
  /** The calls the service holds right now (the wallboard starts with their waits). */
  calls?: { live(): Array<{ call: { id: string; line: string; state: string; arrivedAt: number } }> };
  /** Desks and the lines routed to each; a line no desk names is shown as a desk of its own. */
  desks?: Desk[];
  /** The lines and desks in force, read at every use (a version edited in the console shows without a restart); default the config's. */
  linesInForce?: () => LinesAndDesks;
  serviceLevel?: Partial<ServiceLevelOptions>;
  fanout?: Partial<WallboardFanoutSettings>;
}

export interface WallboardFeature {
  wallboard: Wallboard;
  serviceLevel: ServiceLevelService;
  actions: SupervisorActions;
  fanout: WallboardFanout;
}

/**
 * The supervisors' live wallboard and agent grid (with force ready / pause / logout), and the
 * service-level API, registered as one feature: both count from the same call legs.
 */
export function registerWallboard(ctx: FeatureContext, deps: WallboardFeatureDeps): WallboardFeature {
  const { app } = ctx;
  const { config, db, bus, clock, log } = ctx.deps;
  const directory = deps.linesInForce && !deps.desks ? liveDirectory(deps.linesInForce) : directoryOf(config, deps.desks);
  const source = createCallLegSource(db, directory);
  const activity = createAgentActivityLog({
    bus, clock,
    initial: deps.agents.list().map((a) => ({ agentId: a.id, state: a.state, since: a.since })),
  });
  const serviceLevel = createServiceLevelService({
    source, activity, clock, options: deps.serviceLevel ?? {},
    agentName: (agentId) => deps.agents.get(agentId)?.name,
  });
  const wallboard = createWallboard({
    bus, clock, source, serviceLevel, agents: deps.agents,
    liveCalls: () => deps.calls?.live().map((l) => l.call) ?? [],
  });
  // Today is counted now, while the service starts and before call events flow, rather than when the first
  // supervisor opens the board: after a restart late in a busy day that reads the whole day's calls and agent
  // state changes at once.
  const counting = performance.now();
  wallboard.snapshot();
  log.info({ ms: Math.round(performance.now() - counting) }, 'wallboard: today counted');
  const actions = createSupervisorActions({ agents: deps.agents, db, clock, log });
  const fanout = createWallboardFanout({ wallboard, clock, log, settings: deps.fanout ?? {} });

  registerServiceLevelRoutes(app, { serviceLevel, clock });
  registerSupervisionRoutes(app, { wallboard, actions, fanout });
  app.addHook('onClose', async () => {
    fanout.close();
    wallboard.close();
    activity.close();
  });
  return { wallboard, serviceLevel, actions, fanout };
}
