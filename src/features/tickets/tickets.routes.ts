import type { HotlineHttp } from '../../app.ts';
import { citizenContact } from '../../domain/citizen-privacy.ts';
import type { ViewerRole } from '../../domain/citizen-privacy.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { Account } from '../auth/auth.service.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import type { LiveHub } from '../live/live.hub.ts';
import { URGENCY_CLASSES, URGENCY_LABELS } from '../../domain/deadlines.ts';
import { TICKET_CHANNELS, TICKET_TYPES, ticketCategories } from './categories.ts';
import { CallParams, DraftBody, MergeOffersQuery, TicketBody, TicketParams } from './tickets.schemas.ts';
import type { TicketsService, TicketView } from './tickets.service.ts';

/** A ticket as `who` may see it: the citizen's number and name by the one rule (src/domain/citizen-privacy.ts). */
export function ticketFor<T extends TicketView>(ticket: T, who: Account): T {
  const viewer = { role: who.role as ViewerRole, own: ticket.createdBy !== null && ticket.createdBy === who.id };
  return { ...ticket, ...citizenContact(ticket, viewer, ticket.confidential) };
}

const intake = requireRole('agent', 'supervisor', 'admin');

export function registerTicketRoutes(app: HotlineHttp, deps: { tickets: TicketsService }): void {
  const { tickets } = deps;

  app.get('/api/ticket-categories', { preHandler: requireRole('agent', 'supervisor', 'unit', 'admin') }, async () => ({
    types: Object.entries(TICKET_TYPES).map(([code, label]) => ({ code, ...label })),
    channels: Object.entries(TICKET_CHANNELS).map(([code, label]) => ({ code, ...label })),
    urgencies: URGENCY_CLASSES.map((code) => ({ code, zh: URGENCY_LABELS[code] })),
    groups: ticketCategories(),
  }));

  app.get('/api/calls/:callId/draft', { schema: { params: CallParams }, preHandler: intake }, async (request) =>
    tickets.getDraft(request.params.callId, sessionOf(request).account));

  app.put('/api/calls/:callId/draft', { schema: { params: CallParams, body: DraftBody }, preHandler: intake }, async (request) =>
    tickets.saveDraft(request.params.callId, sessionOf(request).account, request.body));

  app.post('/api/tickets', { schema: { body: TicketBody }, preHandler: intake }, async (request, reply) => {
    const who = sessionOf(request).account;
    return reply.code(201).send(ticketFor(tickets.create(request.body, who), who));
  });

  app.get('/api/tickets/merge-offers', { schema: { querystring: MergeOffersQuery }, preHandler: intake }, async (request) => {
    const q = request.query;
    const query = {
      category: q.category,
      ...(q.callId ? { callId: q.callId } : {}), ...(q.callerNumber ? { callerNumber: q.callerNumber } : {}),
      ...(q.townshipCode ? { townshipCode: q.townshipCode } : {}), ...(q.address ? { address: q.address } : {}),
    };
    return { candidates: tickets.mergeOffers(query, sessionOf(request).account) };
  });

  app.get('/api/tickets/:id', { schema: { params: TicketParams }, preHandler: intake }, async (request) => {
    const who = sessionOf(request).account;
    return ticketFor(tickets.get(request.params.id, who), who);
  });

  app.get('/api/tickets/:id/merge-candidates', { schema: { params: TicketParams }, preHandler: intake }, async (request) => {
    const ticket = tickets.get(request.params.id, sessionOf(request).account);
    return { ticketId: ticket.id, candidates: tickets.mergeCandidatesFor(ticket) };
  });
}

/** `draft.save {callId, data, version}` over the desktop socket, answered with `draft.saved`. */
export function registerTicketMessages(hub: LiveHub, deps: { tickets: TicketsService }): void {
  hub.onMessage('draft.save', (message, { who }) => {
    const { callId, data, version } = message;
    const fields: Array<{ field: string; message: string; message_en: string }> = [];
    if (typeof callId !== 'string' || !callId || callId.length > 100) fields.push({ field: 'callId', message: '缺少通话编号', message_en: 'callId is required' });
    if (!data || typeof data !== 'object' || Array.isArray(data)) fields.push({ field: 'data', message: '草稿内容必须是对象', message_en: 'data must be an object' });
    if (!Number.isInteger(version) || (version as number) < 0) fields.push({ field: 'version', message: '版本号必须是非负整数', message_en: 'version must be a non-negative integer' });
    if (fields.length) throw hotlineError('ERR_VALIDATION', { fields });
    if (who.role !== 'agent' && who.role !== 'supervisor' && who.role !== 'admin') throw hotlineError('ERR_FORBIDDEN');
    const account = { id: who.userId, username: who.username, displayName: who.displayName, role: who.role, agentId: who.agentId };
    const draft = deps.tickets.saveDraft(callId as string, account, { data: data as Record<string, unknown>, version: version as number });
    return { type: 'draft.saved', callId: draft.callId, version: draft.version, updatedAt: draft.updatedAt };
  });
}
