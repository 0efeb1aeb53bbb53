import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { HotlineHttp } from '../../app.ts';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import { citizenDisclosure, shownNumber } from '../../domain/citizen-privacy.ts';
import type { ViewerRole } from '../../domain/citizen-privacy.ts';
import type { Account, Role } from '../auth/auth.service.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { AccessEntry, AccessRefusal, CatalogRow, RecordingsCatalog } from './recordings.catalog.ts';
import { parseRange, readVerified } from './recordings.serve.ts';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' });
const SearchQuery = Type.Object({
  ticket: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' })),
  caller: Type.Optional(Type.String({ minLength: 3, maxLength: 20, pattern: '^\\+?[0-9]+$' })),
  agent: Type.Optional(Id),
  from: Type.Optional(Type.String({ minLength: 1, maxLength: 40, format: 'instant' })),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 40, format: 'instant' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false });
const AudioQuery = Type.Object({
  reason: Type.Optional(Type.String({ maxLength: 200 })),
  download: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')])),
}, { additionalProperties: false });
const HoldBody = Type.Object({ reason: Type.String({ minLength: 2, maxLength: 200 }) }, { additionalProperties: false });

/** The roles that may find and play recordings (agents only their own calls). */
const READER_ROLES: Role[] = ['supervisor', 'admin', 'agent'];

export interface RecordingsAccessSettings {
  /** Roles that may find and play recordings of confidential tickets. */
  confidentialRoles: Role[];
}

function when(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(n)) throw hotlineError('ERR_VALIDATION', { fields: [{ field, message: `${field}：时间格式不正确`, message_en: `${field} must be a date or epoch milliseconds` }] });
  return n;
}

/** A recording as `who` sees it in a list: the caller's number masked (an overview nobody dials from), hidden on a confidential ticket not theirs. */
function rowView(r: CatalogRow, who: Account) {
  const viewer = { role: who.role as ViewerRole, own: who.agentId !== null && r.agent_id === who.agentId };
  const how = citizenDisclosure(viewer, r.confidential === 1, 'overview');
  return {
    id: r.id, callId: r.call_id, ticketId: r.ticket_id, ticketNumber: r.ticket_number, ticketStatus: r.ticket_status,
    confidential: r.confidential === 1, callerNumber: shownNumber(r.caller_number, how.number) ?? '', line: r.line,
    agentId: r.agent_id, agentName: r.agent_name, durationMs: r.duration_ms, sizeBytes: r.size_bytes, createdAt: r.created_at,
    deletedAt: r.deleted_at, held: r.held_at !== null, holdReason: r.hold_reason, disputed: r.ticket_status === 'disputed',
    playable: r.deleted_at === null && r.path !== null,
  };
}

/**
 * Recordings: supervisors and admins search everything (confidential tickets by role), agents only
 * their own calls, units nothing. Every play or download names a reason (agents too) and lands in
 * recording_access, range by range, with the client's address; a refused one lands there too, with why.
 * The file's sha256 is checked before a byte is served.
 */
export function registerRecordingsRoutes(app: HotlineHttp, deps: {
  catalog: RecordingsCatalog; dir: string; clock: Clock; log: Logger; settings: RecordingsAccessSettings;
}): void {
  const { catalog, clock, settings } = deps;
  const log = deps.log.child({ component: 'recordings.access' });
  const readers = requireRole(...READER_ROLES);
  const managers = requireRole('supervisor', 'admin');

  /** The recording if this session may hear it; otherwise a refusal that says nothing about other people's calls. */
  function visible(request: FastifyRequest, id: string): CatalogRow {
    const { account } = sessionOf(request);
    const row = catalog.get(id);
    if (!row) throw hotlineError('ERR_NOT_FOUND');
    if (account.role === 'agent') {
      if (!account.agentId || row.agent_id !== account.agentId) throw hotlineError('ERR_NOT_FOUND');
      return row;
    }
    if (row.confidential === 1 && !settings.confidentialRoles.includes(account.role)) throw hotlineError('ERR_FORBIDDEN', { reason: 'confidential_ticket' });
    return row;
  }

  app.get('/api/recordings', { preHandler: readers, schema: { querystring: SearchQuery } }, async (request) => {
    const { account } = sessionOf(request);
    const q = request.query;
    const agentOnly = account.role === 'agent';
    if (agentOnly && !account.agentId) return { recordings: [] };
    const rows = catalog.search({
      ...(q.ticket ? { ticket: q.ticket } : {}), ...(q.caller ? { caller: q.caller } : {}), ...(q.agent ? { agent: q.agent } : {}),
      ...(q.from !== undefined ? { from: when(q.from, 'from') } : {}), ...(q.to !== undefined ? { to: when(q.to, 'to') } : {}),
      ...(agentOnly ? { onlyAgent: account.agentId! } : {}),
      hideConfidential: !agentOnly && !settings.confidentialRoles.includes(account.role),
      limit: q.limit ?? 100,
    });
    return { recordings: rows.map((r) => rowView(r, account)) };
  });

  app.get('/api/recordings/:id', { preHandler: readers, schema: { params: Type.Object({ id: Id }) } }, async (request) =>
    ({ recording: rowView(visible(request, request.params.id), sessionOf(request).account) }));

  /**
   * Every playback is in the recording's access log, served or refused: who, when, from which address
   * (request.ip), the reason given and the outcome. A refusal before the handler (a role that may not play
   * recordings, a malformed query) is logged by the route's onError hook; the handler logs its own.
   */
  const logged = new WeakSet<FastifyRequest>();
  const accessOf = (request: FastifyRequest, recordingId: string, account: Account) => {
    const query = (request.query ?? {}) as { reason?: unknown; download?: unknown };
    const download = query.download === '1' || query.download === 'true';
    return {
      recordingId, userId: account.id, role: account.role, at: clock.now(),
      reason: typeof query.reason === 'string' ? query.reason.trim().slice(0, 200) : '',
      kind: download ? 'download' as const : 'play' as const, clientIp: request.ip || null,
    };
  };
  const logAccess = (request: FastifyRequest, entry: AccessEntry): void => {
    logged.add(request);
    catalog.logAccess(entry);
  };
  /** Logs a refused playback of a recording that exists, then refuses with `error`. */
  const refuse = (request: FastifyRequest, row: CatalogRow, account: Account, refusal: AccessRefusal, error: Error): never => {
    logAccess(request, { ...accessOf(request, row.id, account), range: request.headers.range ?? 'full', outcome: 'refused', refusal });
    log.warn({ recordingId: row.id, userId: account.id, role: account.role, ip: request.ip, refusal }, 'recording playback refused');
    throw error;
  };

  app.get('/api/recordings/:id/audio', {
    preHandler: readers, schema: { params: Type.Object({ id: Id }), querystring: AudioQuery }, exposeHeadRoute: false,
    onError: async (request, _reply, error) => {
      if (logged.has(request)) return;
      const account = request.hotlineSession?.account;
      const id = (request.params as { id?: unknown } | undefined)?.id;
      if (!account || typeof id !== 'string') return;
      const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode ?? 500;
      if (status >= 500) return;
      const row = catalog.get(id);
      if (!row) return;
      const code = (error as { code?: unknown }).code;
      const refusal = !READER_ROLES.includes(account.role) ? 'role'
        : (error as { validation?: unknown }).validation !== undefined || code === 'ERR_VALIDATION' || code === 'FST_ERR_VALIDATION' ? 'invalid_request'
          : typeof code === 'string' ? code : 'refused';
      try {
        logAccess(request, { ...accessOf(request, row.id, account), range: request.headers.range ?? 'full', outcome: 'refused', refusal });
      } catch (logError) {
        log.error({ err: logError, recordingId: row.id }, 'refused playback not logged');
      }
      log.warn({ recordingId: row.id, userId: account.id, role: account.role, ip: request.ip, refusal }, 'recording playback refused');
    },
  }, async (request, reply) => {
    const { account } = sessionOf(request);
    const row = catalog.get(request.params.id);
    if (!row) {
      log.warn({ recordingId: request.params.id, userId: account.id, role: account.role, ip: request.ip }, 'playback of an unknown recording refused');
      throw hotlineError('ERR_NOT_FOUND');
    }
    // The same refusals as visible(), each logged; an agent is told nothing about other people's calls.
    if (account.role === 'agent' && (!account.agentId || row.agent_id !== account.agentId)) refuse(request, row, account, 'not_own_call', hotlineError('ERR_NOT_FOUND'));
    if (account.role !== 'agent' && row.confidential === 1 && !settings.confidentialRoles.includes(account.role)) {
      refuse(request, row, account, 'confidential_ticket', hotlineError('ERR_FORBIDDEN', { reason: 'confidential_ticket' }));
    }
    // Everyone names a reason, agents too: a citizen's voice is heard again, even on the agent's own call.
    const base = accessOf(request, row.id, account);
    if (base.reason.length < 2) {
      refuse(request, row, account, 'reason_required', hotlineError('ERR_VALIDATION', { fields: [{ field: 'reason', message: 'reason：调听录音须填写事由', message_en: 'reason is required to play a recording' }] }));
    }
    const download = base.kind === 'download';
    const header = request.headers.range;
    if (row.deleted_at !== null || row.path === null) {
      logAccess(request, { ...base, range: header ?? 'full', outcome: row.deleted_at !== null ? 'deleted' : 'missing', refusal: null });
      throw hotlineError('ERR_NOT_FOUND', { reason: row.deleted_at !== null ? 'deleted_by_retention' : 'audio_not_stored' });
    }
    const file = await readVerified(deps.dir, row.path, row.sha256);
    if (!file.ok) {
      if (file.why === 'tampered') {
        logAccess(request, { ...base, range: header ?? 'full', outcome: 'tampered', refusal: null });
        catalog.audit({ at: base.at, actorId: account.id, action: 'recording.tampered', recordingId: row.id, details: { expected: row.sha256, actual: file.actual ?? null } });
        log.error({ recordingId: row.id, expected: row.sha256, actual: file.actual }, 'recording failed its sha256 check and was not served');
        throw hotlineError('ERR_CONFLICT', { reason: 'recording_tampered', message: '录音文件校验失败（sha256 不符），已停止播放并记录', message_en: 'The recording failed its sha256 check; it was not served and the event was logged' });
      }
      logAccess(request, { ...base, range: header ?? 'full', outcome: 'missing', refusal: null });
      log.error({ recordingId: row.id, why: file.why }, 'recording file is missing');
      throw hotlineError('ERR_NOT_FOUND', { reason: 'audio_file_missing' });
    }
    const size = file.bytes.length;
    const ask = parseRange(header, size);
    reply.header('accept-ranges', 'bytes').header('cache-control', 'no-store').header('content-type', 'audio/wav');
    if (download) reply.header('content-disposition', `attachment; filename="${row.ticket_number ?? row.call_id ?? row.id}.wav"`);
    if (ask.kind === 'unsatisfiable') {
      logAccess(request, { ...base, range: header ?? '', outcome: 'unsatisfiable', refusal: null });
      reply.header('content-range', `bytes */${size}`).header('content-type', 'application/json; charset=utf-8');
      return reply.code(416).send({ error: { code: 'ERR_VALIDATION', message: '请求的录音区间无效', message_en: 'Range not satisfiable', details: [], context: { size } } });
    }
    if (ask.kind === 'full') {
      logAccess(request, { ...base, range: 'full', outcome: 'served', refusal: null });
      return reply.code(200).header('content-length', String(size)).send(file.bytes);
    }
    logAccess(request, { ...base, range: `bytes=${ask.start}-${ask.end}`, outcome: 'partial', refusal: null });
    return reply.code(206).header('content-range', `bytes ${ask.start}-${ask.end}/${size}`)
      .header('content-length', String(ask.end - ask.start + 1)).send(file.bytes.subarray(ask.start, ask.end + 1));
  });

  app.get('/api/recordings/:id/access', { preHandler: managers, schema: { params: Type.Object({ id: Id }) } }, async (request) => {
    const row = visible(request, request.params.id);
    return { access: catalog.accessLog(row.id) };
  });

  app.post('/api/recordings/:id/hold', { preHandler: managers, schema: { params: Type.Object({ id: Id }), body: HoldBody } }, async (request) => {
    const { account } = sessionOf(request);
    const row = visible(request, request.params.id);
    if (row.deleted_at !== null) throw hotlineError('ERR_CONFLICT', { reason: 'audio_already_deleted' });
    const at = clock.now();
    catalog.hold(row.id, account.id, request.body.reason, at);
    catalog.audit({ at, actorId: account.id, action: 'recording.hold', recordingId: row.id, details: { reason: request.body.reason } });
    return { recording: rowView(catalog.get(row.id)!, account) };
  });

  app.delete('/api/recordings/:id/hold', { preHandler: managers, schema: { params: Type.Object({ id: Id }) } }, async (request) => {
    const { account } = sessionOf(request);
    const row = visible(request, request.params.id);
    catalog.release(row.id);
    catalog.audit({ at: clock.now(), actorId: account.id, action: 'recording.release', recordingId: row.id, details: {} });
    return { recording: rowView(catalog.get(row.id)!, account) };
  });
}
