import Type from 'typebox';
import type { HotlineHttp } from '../../app.ts';
import type { Result } from '../../domain/errors.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { MonitoringService, MonitorView } from './monitoring.service.ts';

const Mode = Type.Union([Type.Literal('listen'), Type.Literal('whisper'), Type.Literal('barge')]);
const CallParams = Type.Object({ callId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });
const MonitorParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });
const StartBody = Type.Object({
  mode: Mode,
  seat: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });
const ModeBody = Type.Object({ mode: Mode }, { additionalProperties: false });

function unwrap(result: Result<MonitorView>): { monitor: MonitorView } {
  if (!result.ok) throw result.error;
  return { monitor: result.value };
}

/** Listen / whisper / barge: supervisors and admins only, on every route. */
export function registerMonitoringRoutes(app: HotlineHttp, deps: { monitoring: MonitoringService }): void {
  const { monitoring } = deps;
  const supervisors = requireRole('supervisor', 'admin');
  const who = (request: Parameters<typeof sessionOf>[0]) => {
    const { account } = sessionOf(request);
    return { id: account.id, role: account.role };
  };

  app.post('/api/calls/:callId/monitor', { preHandler: supervisors, schema: { params: CallParams, body: StartBody } }, async (request, reply) => {
    const body = request.body;
    const result = await monitoring.start({
      callId: request.params.callId, mode: body.mode, supervisor: who(request), ...(body.seat ? { seat: body.seat } : {}),
    });
    reply.code(201);
    return unwrap(result);
  });

  app.get('/api/monitors', { preHandler: supervisors }, async () => ({ monitors: monitoring.list() }));

  app.post('/api/monitors/:id/mode', { preHandler: supervisors, schema: { params: MonitorParams, body: ModeBody } }, async (request) =>
    unwrap(await monitoring.switchMode(request.params.id, request.body.mode, who(request))));

  app.delete('/api/monitors/:id', { preHandler: supervisors, schema: { params: MonitorParams } }, async (request) =>
    unwrap(await monitoring.stop(request.params.id, who(request))));
}
