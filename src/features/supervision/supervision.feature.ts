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
import type { Desk } from '../service-level/service-level.source.ts';
import { createSupervisorActions } from './supervision.actions.ts';
import type { SupervisorActions } from './supervision.actions.ts';
import { registerSupervisionRoutes } from './supervision.routes.ts';
import { createWallboardFanout } from './supervision.socket.ts';
import type { WallboardFanout, WallboardFanoutSettings } from './supervision.socket.ts';
import { createWallboard } from './wallboard.service.ts';
import type { Wallboard } from './wallboard.service.ts';

/** The desks (queues) of the configuration and the lines routed to each (a line without one goes to the first). */
function desksFrom(config: FeatureContext['deps']['config']): Desk[] {
  const queues = (config as { queues?: Array<{ id: string; name?: string }> }).queues ?? [];
  const lines = config.lines as Array<{ number: string; queue?: string }>;
  return queues.map((q, i) => ({
    id: q.id,
    name: q.name ?? q.id,
    lines: lines.filter((l) => (l.queue ?? (i === 0 ? q.id : undefined)) === q.id).map((l) => l.number),
  }));
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
  const directory = createDirectory(
    config.lines.map((l) => ({ number: l.number, name: l.name, wrapUpMs: l.wrapUpSeconds * 1000 })),
    deps.desks ?? desksFrom(config),
  );
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
