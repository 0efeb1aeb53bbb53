/**
 * The accounts API under /api/admin: administrators may do everything, supervisors only read. Every write,
 * and every write refused (a supervisor's, a bad body, a seat change while the agent is signed in), goes to
 * the admin audit with the actor, the client's address and the outcome.
 */
import type { FastifyRequest } from 'fastify';
import type { HotlineHttp } from '../../app.ts';
import { isHotlineError } from '../../domain/errors.ts';
import { hasBadText, jsonProblemError } from '../../http-json.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { AccountsService, UserPatch } from './accounts.service.ts';
import { auditedErrors } from './accounts.service.ts';
import type { AuditActor } from './admin-audit.ts';
import {
  AuditListReply, AuditQuery, CreateUserBody, CreatedUserReply, CsvReply, ImportBody, ImportCheckReply, ImportDoneReply, ImportQuery,
  OneUserReply, PatchUserBody, ResetPasswordReply, UserIdParams, UserListQuery, UserListReply,
} from './accounts.schemas.ts';

const IMPORT_LIMIT_BYTES = 5 * 1024 * 1024;

/** The audit action of each write route. */
const ACTIONS: Record<string, string> = {
  'POST /api/admin/users': 'user.create',
  'PATCH /api/admin/users/:id': 'user.update',
  'POST /api/admin/users/:id/disable': 'user.disable',
  'POST /api/admin/users/:id/enable': 'user.enable',
  'POST /api/admin/users/:id/reset-password': 'user.reset_password',
  'POST /api/admin/users/:id/sign-out': 'user.sign_out',
  'POST /api/admin/users/import': 'users.import',
};

function actorOf(request: FastifyRequest): AuditActor {
  const { account } = sessionOf(request);
  return { id: account.id, username: account.username, client: request.ip };
}

const idOf = (request: FastifyRequest): string => (request.params as { id: string }).id;

function csv(reply: { header(k: string, v: string): unknown }, name: string): void {
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${name}"`);
  reply.header('cache-control', 'no-store');
}

/** `POST /api/admin/users/import?dryRun=`: a dry run checks every row (no hashing); the import is all or nothing. */
function registerImport(app: HotlineHttp, accounts: AccountsService, admins: { preHandler: ReturnType<typeof requireRole> }): void {
  app.post('/api/admin/users/import', {
    ...admins, bodyLimit: IMPORT_LIMIT_BYTES,
    schema: { querystring: ImportQuery, body: ImportBody, response: { 200: ImportCheckReply, 201: ImportDoneReply } },
  }, async (request, reply) => {
    const text = request.body as string;
    if (request.query.dryRun) {
      const checked = accounts.checkImport(text);
      return { ok: checked.errors.length === 0, rows: checked.rows, errors: checked.errors };
    }
    const done = await accounts.importCsv(actorOf(request), text);
    reply.header('cache-control', 'no-store');
    return reply.code(201).send(done);
  });
}

export async function registerAccountRoutes(app: HotlineHttp, deps: { accounts: AccountsService }): Promise<void> {
  const { accounts } = deps;
  const readers = { preHandler: requireRole('admin', 'supervisor') };
  const admins = { preHandler: requireRole('admin') };

  await app.register(async (scope: HotlineHttp) => {
    // A refused write (role, body, state) is audited here unless the service already did.
    scope.addHook('onError', async (request, _reply, error) => {
      const action = ACTIONS[`${request.method} ${request.routeOptions.url ?? ''}`];
      const session = request.hotlineSession;
      if (!action || !session || auditedErrors.has(error)) return;
      const code = isHotlineError(error) ? error.code : (error as { validation?: unknown }).validation ? 'ERR_VALIDATION' : (error as { code?: string }).code ?? 'error';
      const body = typeof request.body === 'string' ? { bytes: request.body.length } : request.body;
      accounts.audit.record({
        actor: actorOf(request), action, target: (request.params as { id?: string } | undefined)?.id ?? null,
        after: body, outcome: 'refused', reason: code,
      });
    });

    scope.get('/api/admin/users', { ...readers, schema: { querystring: UserListQuery, response: { 200: UserListReply } } }, async (request) => {
      return accounts.list(request.query);
    });

    scope.get('/api/admin/users/export.csv', { ...readers, schema: { response: { 200: CsvReply } } }, async (_request, reply) => {
      csv(reply, 'accounts.csv');
      return accounts.exportCsv();
    });

    scope.post('/api/admin/users', { ...admins, schema: { body: CreateUserBody, response: { 201: CreatedUserReply } } }, async (request, reply) => {
      const created = await accounts.create(actorOf(request), request.body);
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(created);
    });

    scope.patch('/api/admin/users/:id', {
      ...admins, schema: { params: UserIdParams, body: PatchUserBody, response: { 200: OneUserReply } },
    }, async (request) => ({ user: accounts.update(actorOf(request), idOf(request), request.body as UserPatch) }));

    scope.post('/api/admin/users/:id/disable', { ...admins, schema: { params: UserIdParams, response: { 200: OneUserReply } } },
      async (request) => ({ user: accounts.setDisabled(actorOf(request), idOf(request), true) }));

    scope.post('/api/admin/users/:id/enable', { ...admins, schema: { params: UserIdParams, response: { 200: OneUserReply } } },
      async (request) => ({ user: accounts.setDisabled(actorOf(request), idOf(request), false) }));

    scope.post('/api/admin/users/:id/reset-password', {
      ...admins, schema: { params: UserIdParams, response: { 200: ResetPasswordReply } },
    }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return accounts.resetPassword(actorOf(request), idOf(request));
    });

    scope.post('/api/admin/users/:id/sign-out', { ...admins, schema: { params: UserIdParams, response: { 200: OneUserReply } } },
      async (request) => ({ user: accounts.signOut(actorOf(request), idOf(request)) }));

    // CSV bodies are taken by the import route only.
    await scope.register(async (csvScope: HotlineHttp) => {
      csvScope.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_LIMIT_BYTES }, (_request, body, done) => {
        // The same text rule as every JSON body: no NUL, no lone surrogate.
        if (typeof body === 'string' && hasBadText(body)) done(jsonProblemError('bad_text', '(body)'), undefined);
        else done(null, body);
      });
      registerImport(csvScope, accounts, admins);
    });

    scope.get('/api/admin/audit', { ...readers, schema: { querystring: AuditQuery, response: { 200: AuditListReply } } }, async (request) => {
      return accounts.audit.list(request.query);
    });

    scope.get('/api/admin/audit/export.csv', { ...readers, schema: { querystring: AuditQuery, response: { 200: CsvReply } } }, async (request, reply) => {
      csv(reply, 'admin-audit.csv');
      return accounts.audit.exportCsv(request.query);
    });
  });
}
