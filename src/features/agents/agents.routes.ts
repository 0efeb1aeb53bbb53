import type { FastifyRequest } from 'fastify';
import type { HotlineHttp } from '../../app.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { Result } from '../../domain/errors.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { AdminAudit } from '../admin/admin-audit.ts';
import { actorOf, auditRefusals } from '../admin/reference-data.audit.ts';
import type { AgentView, AgentsService } from './agents.service.ts';
import { AgentIdParams, AgentListReply, AgentLoginBody, AgentReply, AgentSkillsBody, AgentSkillsReply, AgentStateBody } from './agents.schemas.ts';

function reply(view: AgentView) {
  return { id: view.id, name: view.name, seat: view.seat, state: view.state, reason: view.reason, since: view.since, registered: view.registered, callId: view.callId };
}

function unwrap(result: Result<AgentView>) {
  if (!result.ok) throw result.error;
  return reply(result.value);
}

function myAgentId(request: FastifyRequest): string {
  const agentId = sessionOf(request).account.agentId;
  if (!agentId) throw hotlineError('ERR_NO_SUCH_AGENT', { reason: 'this user is not an agent' });
  return agentId;
}

/** The admin audit's action for a supervisor's skill change (an administrator's goes through the accounts API). */
export const SKILLS_ACTION = 'agent.skills';

/**
 * The agent's own controls, for the desktop and for scripts: log in at a seat, go ready or pause,
 * log out, read the state. Supervisors and admins can list every agent and set an agent's skills; each
 * skill change, and each one refused to a signed-in user, is in the admin audit with before and after.
 */
export async function registerAgentRoutes(app: HotlineHttp, deps: {
  agents: AgentsService; audit: AdminAudit; checkPhone?: (seat: string) => Promise<void>;
}): Promise<void> {
  const { agents } = deps;
  const asAgent = { preHandler: requireRole('agent') };

  app.post('/api/agents/me/login', { ...asAgent, schema: { body: AgentLoginBody, response: { 200: AgentReply } } }, async (request) => {
    const body = (request.body ?? {}) as { seat?: string };
    const agentId = myAgentId(request);
    const seat = body.seat ?? agents.get(agentId)?.seat;
    if (seat && deps.checkPhone) await deps.checkPhone(seat);
    return unwrap(agents.login(agentId, body.seat));
  });

  app.post('/api/agents/me/state', { ...asAgent, schema: { body: AgentStateBody, response: { 200: AgentReply } } }, async (request) => {
    const body = request.body as { state: 'ready' | 'paused'; reason?: string };
    return unwrap(agents.setState(myAgentId(request), body.state, body.reason));
  });

  app.post('/api/agents/me/logout', { ...asAgent, schema: { response: { 200: AgentReply } } }, async (request) => {
    return unwrap(agents.logout(myAgentId(request)));
  });

  app.get('/api/agents/me', { ...asAgent, schema: { response: { 200: AgentReply } } }, async (request) => {
    const view = agents.get(myAgentId(request));
    if (!view) throw hotlineError('ERR_NO_SUCH_AGENT');
    return reply(view);
  });

  app.get('/api/agents', { preHandler: requireRole('supervisor', 'admin'), schema: { response: { 200: AgentListReply } } }, async () => {
    return { agents: agents.list().map(reply) };
  });

  const asSupervisor = { preHandler: requireRole('supervisor', 'admin') };
  app.get('/api/agents/:id/skills', { ...asSupervisor, schema: { params: AgentIdParams, response: { 200: AgentSkillsReply } } }, async (request) => {
    const { id } = request.params as { id: string };
    if (!agents.get(id)) throw hotlineError('ERR_NO_SUCH_AGENT');
    return { agentId: id, skills: { ...agents.skillsOf(id) } };
  });

  await app.register(async (scope: HotlineHttp) => {
    auditRefusals(scope, deps.audit, { 'PUT /api/agents/:id/skills': SKILLS_ACTION }, { target: (request) => (request.params as { id?: string } | undefined)?.id ?? null });
    scope.put('/api/agents/:id/skills', {
      ...asSupervisor, schema: { params: AgentIdParams, body: AgentSkillsBody, response: { 200: AgentSkillsReply } },
    }, async (request) => {
      const { id } = request.params as { id: string };
      const before = agents.get(id) ? { ...agents.skillsOf(id) } : null;
      const result = agents.setSkills(id, (request.body as { skills: Record<string, number> }).skills);
      if (!result.ok) throw result.error;
      deps.audit.record({ actor: actorOf(request), action: SKILLS_ACTION, target: id, before: { skills: before }, after: { skills: { ...result.value } }, outcome: 'ok' });
      return { agentId: id, skills: { ...result.value } };
    });
  });
}
