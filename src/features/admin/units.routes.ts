/**
 * The handling-unit directory over HTTP, for the admin console (/admin/#units): administrators change it,
 * supervisors read it. Every change applies at once and is audited; so is every refused attempt (directory.feature.ts).
 */
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { HotlineHttp } from '../../app.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { AuditActor } from './admin-audit.ts';
import { UNIT_KINDS } from './units-admin.repo.ts';
import type { UnitsAdmin } from './units-admin.service.ts';

const Kind = Type.Union(UNIT_KINDS.map((k) => Type.Literal(k)));
const Code = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$' });
const ContactNumber = Type.Union([Type.String({ maxLength: 24 }), Type.Null()]);
const Handles = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 });

export const UnitParams = Type.Object({ code: Code }, { additionalProperties: false });

export const UnitListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 60 })),
  kind: Type.Optional(Kind),
  district: Type.Optional(Type.String({ maxLength: 32 })),
  state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('retired')])),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
}, { additionalProperties: false });

export const NewUnitBody = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 32 }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  kind: Kind,
  districtCode: Type.Optional(Type.String({ maxLength: 32 })),
  contactNumber: Type.Optional(ContactNumber),
  handles: Type.Optional(Handles),
}, { additionalProperties: false });

export const UnitChangeBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  contactNumber: Type.Optional(ContactNumber),
  handles: Type.Optional(Handles),
}, { additionalProperties: false, minProperties: 1 });

const admin = requireRole('admin');
const readers = requireRole('admin', 'supervisor');

/** Who did it, for the admin audit. */
export function actorOf(request: FastifyRequest): AuditActor {
  const { account } = sessionOf(request);
  return { id: account.id, username: account.username, client: request.ip };
}

export function registerUnitAdminRoutes(app: HotlineHttp, deps: { units: UnitsAdmin }): void {
  const { units } = deps;

  app.get('/api/admin/units', { schema: { querystring: UnitListQuery }, preHandler: readers, config: { adminAction: 'unit.list' } }, async (request) => {
    const q = request.query;
    return units.list({ q: q.q?.trim() || undefined, kind: q.kind, district: q.district || undefined, state: q.state, offset: q.offset ?? 0, limit: q.limit ?? 50 });
  });

  app.post('/api/admin/units', { schema: { body: NewUnitBody }, preHandler: admin, config: { adminAction: 'unit.create' } }, async (request, reply) =>
    reply.code(201).send({ unit: units.create(actorOf(request), request.body) }));

  app.patch('/api/admin/units/:code', { schema: { params: UnitParams, body: UnitChangeBody }, preHandler: admin, config: { adminAction: 'unit.update' } },
    async (request) => ({ unit: units.update(actorOf(request), request.params.code, request.body) }));

  app.post('/api/admin/units/:code/retire', { schema: { params: UnitParams }, preHandler: admin, config: { adminAction: 'unit.retire' } },
    async (request) => ({ unit: units.retire(actorOf(request), request.params.code) }));

  app.post('/api/admin/units/:code/restore', { schema: { params: UnitParams }, preHandler: admin, config: { adminAction: 'unit.restore' } },
    async (request) => ({ unit: units.restore(actorOf(request), request.params.code) }));

  app.get('/api/admin/units/:code/users', { schema: { params: UnitParams }, preHandler: readers, config: { adminAction: 'unit.users' } },
    async (request) => units.users(request.params.code));
}
