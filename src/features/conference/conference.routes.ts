import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { HotlineHttp } from '../../app.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { Result } from '../../domain/errors.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { ConferenceAgent, ConferenceService, ConferenceView } from './conference.service.ts';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' });
const CallParams = Type.Object({ callId: Id });
const ConferenceParams = Type.Object({ id: Id });
const StartBody = Type.Object({
  number: Type.Optional(Type.String({ minLength: 3, maxLength: 32, pattern: '^[0-9+ -]+$' })),
  unitCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$' })),
}, { additionalProperties: false });

function unwrap(result: Result<ConferenceView>): { conference: ConferenceView } {
  if (!result.ok) throw result.error;
  return { conference: result.value };
}

function agentOf(request: FastifyRequest): ConferenceAgent {
  const { account } = sessionOf(request);
  return { userId: account.id, agentId: account.agentId };
}

/** Three-way calls: only the agent on the call starts, drops or leaves one. */
export function registerConferenceRoutes(app: HotlineHttp, deps: { conference: ConferenceService }): void {
  const { conference } = deps;
  const agents = requireRole('agent');

  app.post('/api/calls/:callId/conference', { preHandler: agents, schema: { params: CallParams, body: StartBody } }, async (request, reply) => {
    const { number, unitCode } = request.body;
    if (!number === !unitCode) {
      throw hotlineError('ERR_VALIDATION', { fields: [{ field: 'number', message: 'number：请填写电话号码或选择承办单位（二选一）', message_en: 'give either number or unitCode' }] });
    }
    const result = await conference.start({
      callId: request.params.callId, agent: agentOf(request), ...(number ? { number } : {}), ...(unitCode ? { unitCode } : {}),
    });
    reply.code(201);
    return unwrap(result);
  });

  app.post('/api/conferences/:id/drop-unit', { preHandler: agents, schema: { params: ConferenceParams } }, async (request) =>
    unwrap(await conference.dropUnit(request.params.id, agentOf(request))));

  app.post('/api/conferences/:id/leave', { preHandler: agents, schema: { params: ConferenceParams } }, async (request) =>
    unwrap(await conference.leave(request.params.id, agentOf(request))));
}
