import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import Type from 'typebox';
import type { HotlineHttp } from '../../app.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { SupervisorActions } from './supervision.actions.ts';
import { FORCE_ACTIONS } from './supervision.actions.ts';
import type { ForceAction } from './supervision.actions.ts';
import type { WallboardFanout } from './supervision.socket.ts';
import type { Wallboard } from './wallboard.service.ts';

const ForceBody = Type.Object({
  action: Type.Enum([...FORCE_ACTIONS]),
  reason: Type.String({ minLength: 2, maxLength: 200, pattern: '\\S' }),
}, { additionalProperties: false });

const AgentParams = Type.Object({ agentId: Type.String({ minLength: 1, maxLength: 100 }) });

let echarts: Promise<Buffer> | undefined;
function echartsScript(): Promise<Buffer> {
  echarts ??= readFile(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'));
  return echarts;
}

/**
 * The supervisors' wallboard over HTTP and its socket; every route and the socket let through
 * supervisors and admins only.
 *
 * - GET  /api/wallboard                          → { snapshot, agents }
 * - GET  /api/wallboard/agents                   → { agents }
 * - POST /api/wallboard/agents/:agentId/force    { action: ready|pause|logout, reason } → { agent }
 * - GET  /ws/wallboard                           the live socket (`hello`, then `wallboard` frames)
 * - GET  /wallboard/vendor/echarts.min.js        the charting library the page uses
 */
export function registerSupervisionRoutes(app: HotlineHttp, deps: { wallboard: Wallboard; actions: SupervisorActions; fanout: WallboardFanout }): void {
  const { wallboard } = deps;
  const asSupervisor = { preHandler: requireRole('supervisor', 'admin') };

  app.get('/api/wallboard', asSupervisor, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { snapshot: wallboard.snapshot(), agents: wallboard.agents() };
  });

  app.get('/api/wallboard/agents', asSupervisor, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { agents: wallboard.agents() };
  });

  app.post('/api/wallboard/agents/:agentId/force', { ...asSupervisor, schema: { params: AgentParams, body: ForceBody } }, async (request) => {
    const { account } = sessionOf(request);
    const { agentId } = request.params as { agentId: string };
    const body = request.body as { action: ForceAction; reason: string };
    const result = deps.actions.force({ userId: account.id, username: account.username }, agentId, body.action, body.reason.trim());
    if (!result.ok) throw result.error;
    return { agent: wallboard.agent(agentId) ?? null };
  });

  app.get('/ws/wallboard', { ...asSupervisor, websocket: true, config: { tokenInQuery: true } }, (socket, request) => {
    const { account } = sessionOf(request);
    deps.fanout.attach(socket, { userId: account.id, username: account.username, role: account.role, displayName: account.displayName });
  });

  app.get('/wallboard/vendor/echarts.min.js', { config: { public: true } }, async (_request, reply) => {
    reply.header('content-type', 'application/javascript; charset=utf-8');
    reply.header('cache-control', 'public, max-age=86400');
    return echartsScript();
  });
}
