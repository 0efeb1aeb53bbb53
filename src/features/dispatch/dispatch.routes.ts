import type { HotlineHttp } from '../../app.ts';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { TicketAction } from '../../domain/ticket-lifecycle.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { TicketAudit } from '../tickets/ticket-audit.ts';
import type { DispatchRepo } from './dispatch.repo.ts';
import {
  AnswerBody, DispatchBody, ExtensionBody, InboxQuery, MergeBody, NoteBody, OptionalNoteBody, ReasonBody, ReopenBody, ReplyBody, TicketIdParams,
} from './dispatch.schemas.ts';
import type { ActionExtras, Handling } from './dispatch.service.ts';
import type { HandlingViews } from './dispatch.views.ts';
import type { HandlingUnit } from './handling-units.ts';

export interface DispatchRouteDeps {
  handling: Handling; views: HandlingViews; repo: DispatchRepo; audit: TicketAudit; clock: Clock; handlingUnits: readonly HandlingUnit[];
}

const anyone = requireRole('agent', 'supervisor', 'unit', 'admin');
const centre = requireRole('agent', 'supervisor');
const centreOrAdmin = requireRole('agent', 'supervisor', 'admin');
const supervisor = requireRole('supervisor');
const unit = requireRole('unit');

const text = (v: string | undefined) => v ?? '';

function fieldError(field: string, message: string, message_en: string): never {
  throw hotlineError('ERR_VALIDATION', { fields: [{ field, message, message_en }] });
}

/** The lifecycle over HTTP: every action goes through the lifecycle table and answers with the ticket's file. */
export function registerDispatchRoutes(app: HotlineHttp, deps: DispatchRouteDeps): void {
  const { handling, views, repo, clock } = deps;

  type Req = Parameters<typeof sessionOf>[0];
  const actorOf = (request: Req) => handling.actorOf(sessionOf(request).account);
  const act = (request: Req, id: string, action: TicketAction, extras: ActionExtras = {}) => {
    const ctx = actorOf(request);
    handling.run(ctx, id, action, extras);
    return views.ticketFile(ctx, id, clock.now());
  };
  const action = <B>(path: string, guard: typeof anyone, body: unknown, build: (b: B, request: Req) => { action: TicketAction; extras?: ActionExtras }) => {
    app.post(`/api/tickets/:id/${path}`, { schema: { params: TicketIdParams, ...(body ? { body } : {}) }, preValidation: guard }, async (request) => {
      const { id } = request.params as { id: string };
      const built = build((request.body ?? {}) as B, request);
      return act(request, id, built.action, built.extras);
    });
  };

  app.get('/api/handling-units', { preHandler: anyone }, async () => ({
    units: deps.handlingUnits.map((u) => ({ code: u.code, name: u.name, kind: u.kind, handles: u.handles })),
  }));

  app.get('/api/tickets/:id/handling', { schema: { params: TicketIdParams }, preHandler: anyone }, async (request) =>
    views.ticketFile(actorOf(request), request.params.id, clock.now()));

  app.get('/api/tickets/:id/history', { schema: { params: TicketIdParams }, preHandler: anyone }, async (request) => {
    const ticket = repo.ticket(request.params.id);
    if (!ticket) throw hotlineError('ERR_NO_SUCH_TICKET', { id: request.params.id });
    views.assertCanSee(actorOf(request), ticket);
    return { ticketId: ticket.id, history: deps.audit.trail(ticket.id) };
  });

  app.get('/api/tickets/:id/suggested-unit', { schema: { params: TicketIdParams }, preHandler: centreOrAdmin }, async (request) => {
    const ticket = repo.ticket(request.params.id);
    if (!ticket) throw hotlineError('ERR_NO_SUCH_TICKET', { id: request.params.id });
    return { ticketId: ticket.id, suggestion: views.suggestion(ticket) };
  });

  type Dispatch = { leadUnit?: string; cooperatingUnits?: string[]; urgency?: ActionExtras['urgency'] };
  const dispatchOf = (kind: 'dispatch' | 'reassign') => (b: Dispatch) => ({
    action: { kind, leadUnit: text(b.leadUnit), cooperatingUnits: b.cooperatingUnits ?? [] } as TicketAction,
    extras: b.urgency ? { urgency: b.urgency } : {},
  });
  action<Dispatch>('dispatch', centre, DispatchBody, dispatchOf('dispatch'));
  action<Dispatch>('reassign', centre, DispatchBody, dispatchOf('reassign'));
  action<{ answer?: string }>('answer', centre, AnswerBody, (b) => ({ action: { kind: 'answer_directly', answer: text(b.answer) } }));
  action<object>('close', supervisor, null, () => ({ action: { kind: 'close' } }));
  action<{ reason?: string }>('rework', supervisor, ReasonBody, (b) => ({ action: { kind: 'rework', reason: text(b.reason) } }));
  action<{ note?: string }>('uphold', supervisor, OptionalNoteBody, (b) => ({ action: b.note ? { kind: 'uphold', note: b.note } : { kind: 'uphold' } }));
  action<{ masterId?: string }>('merge', centre, MergeBody, (b) => ({ action: { kind: 'merge', masterId: text(b.masterId) } }));
  action<{ note?: string }>('urge', supervisor, OptionalNoteBody, (b) => ({ action: b.note ? { kind: 'urge', note: b.note } : { kind: 'urge' } }));
  action<{ reason?: string; leadUnit?: string }>('reopen', supervisor, ReopenBody, (b) => ({
    action: b.leadUnit ? { kind: 'reopen', reason: text(b.reason), leadUnit: b.leadUnit } : { kind: 'reopen', reason: text(b.reason) },
  }));
  action<object>('extension/approve', supervisor, null, () => ({ action: { kind: 'approve_extension' } }));
  action<{ reason?: string }>('extension/reject', supervisor, ReasonBody, (b) => ({ action: b.reason ? { kind: 'reject_extension', reason: b.reason } : { kind: 'reject_extension' } }));
  action<{ note?: string; callId?: string }>('notes', centre, NoteBody, (b, request) => {
    if (b.callId) {
      const agent = repo.callAgent(b.callId);
      if (agent === undefined) throw hotlineError('ERR_NO_SUCH_CALL', { callId: b.callId });
      const who = sessionOf(request).account;
      if (who.role === 'agent' && agent !== who.agentId) throw hotlineError('ERR_FORBIDDEN', { callId: b.callId });
    }
    return { action: { kind: 'add_note', note: text(b.note) }, extras: b.callId ? { callId: b.callId } : {} };
  });

  action<object>('sign', unit, null, () => ({ action: { kind: 'sign' } }));
  action<{ result?: string; actions?: string }>('reply', unit, ReplyBody, (b) => {
    if (text(b.result).trim() === '') fieldError('result', '请填写办理结果', 'Give the result');
    if (text(b.actions).trim() === '') fieldError('actions', '请填写办理过程（采取了哪些措施）', 'Say what was done');
    return { action: { kind: 'reply', result: text(b.result) }, extras: { replyActions: text(b.actions) } };
  });
  action<{ reason?: string }>('return', unit, ReasonBody, (b) => ({ action: { kind: 'return', reason: text(b.reason) } }));
  action<{ reason?: string }>('dispute', unit, ReasonBody, (b) => ({ action: { kind: 'dispute', reason: text(b.reason) } }));
  action<{ amount?: number; reason?: string }>('extension', unit, ExtensionBody, (b) => {
    if (b.amount === undefined) fieldError('amount', '请填写延期时长', 'Give the extension');
    return { action: { kind: 'request_extension', amount: b.amount, reason: text(b.reason) } };
  });

  app.get('/api/portal/me', { preHandler: anyone }, async (request) => {
    const account = sessionOf(request).account;
    const unitCode = account.role === 'unit' ? repo.unitOfUser(account.id) : null;
    const found = unitCode ? repo.unit(unitCode) : undefined;
    return { user: account, unit: found ? { code: found.code, name: found.name, kind: found.kind } : null };
  });

  app.get('/api/portal/inbox', { schema: { querystring: InboxQuery }, preHandler: anyone }, async (request) => {
    const q = request.query;
    const ctx = actorOf(request);
    return views.inbox(ctx, {
      ...(q.unit ? { unitCode: q.unit } : {}), ...(q.status ? { status: q.status } : {}), ...(q.overdue !== undefined ? { overdue: q.overdue } : {}),
      ...(q.scope ? { scope: q.scope } : {}), ...(q.limit ? { limit: q.limit } : {}), ...(q.offset ? { offset: q.offset } : {}),
    }, clock.now());
  });

  app.get('/api/portal/centre', { preHandler: centreOrAdmin }, async () => views.centreQueue(clock.now()));
}
