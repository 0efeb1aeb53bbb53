import type { Logger } from 'pino';
import type { TicketSummary } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import { maskPhone } from '../../domain/phone.ts';
import { DEFAULT_MERGE_RULES, mergeCandidates } from '../../domain/ticket-merge.ts';
import type { MergeReason, MergeRules } from '../../domain/ticket-merge.ts';
import type { TicketStatus } from '../../domain/ticket-lifecycle.ts';
import type { Account } from '../auth/auth.service.ts';
import type { TicketRow, TicketsRepo } from './tickets.repo.ts';
import { MAX_DRAFT_BYTES, validateTicketForm } from './tickets.schemas.ts';
import type { FieldError, TicketForm } from './tickets.schemas.ts';

export interface DraftView {
  callId: string;
  data: Record<string, unknown>;
  version: number;            // 0 while nothing has been saved
  updatedAt: number | null;
  ticketId: string | null;    // set once a ticket was created from this call
  ticketNumber: string | null;
}

export type TicketView = TicketRow;

/** An open ticket the new one may repeat, offered on the desktop for merging (并单). */
export interface MergeOffer {
  ticketId: string;
  number: string;
  status: string;
  reason: MergeReason;
  score: number;
  createdAt: number;
  description: string;
}

export type CreatedTicket = TicketView & { mergeCandidates: MergeOffer[] };

const DAY_MS = 24 * 60 * 60 * 1000;
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;   // China keeps UTC+8 all year
const SUMMARY_CHARS = 60;

/** The Asia/Shanghai calendar day of an instant, as YYYYMMDD. */
export function shanghaiDay(at: number): string {
  return new Date(at + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

export function summarise(t: TicketRow): TicketSummary {
  const chars = [...t.description];
  return {
    id: t.id,
    number: t.number,
    createdAt: t.createdAt,
    type: t.type,
    category: t.category ?? '',
    status: t.status,
    description: chars.length > SUMMARY_CHARS ? `${chars.slice(0, SUMMARY_CHARS).join('')}…` : t.description,
  };
}

/** This caller's tickets of the last `days` days, newest first: the history in the screen pop. */
export function recentTicketsForCaller(repo: TicketsRepo, number: string, now: number, days = 90): TicketSummary[] {
  if (!number) return [];
  return repo.ticketsForCaller(number, now - days * DAY_MS, 50).map(summarise);
}

/** What the desktop knows before the ticket exists, to look for a ticket the request repeats. */
export interface MergeQuery {
  callId?: string;
  callerNumber?: string;
  category: string;
  townshipCode?: string;
  address?: string;
}

/** The caller's place in the queue: callers waiting on an overdue or reworked ticket go ahead by this much. */
export interface CallerPriority { waitingCallerBoost: number }
export const DEFAULT_CALLER_PRIORITY: CallerPriority = { waitingCallerBoost: 10 };

export interface TicketsService {
  getDraft(callId: string, who: Account): DraftView;
  saveDraft(callId: string, who: Account, draft: { data: Record<string, unknown>; version: number }): DraftView;
  create(input: Record<string, unknown>, who: Account): CreatedTicket;
  get(id: string, who: Account): TicketView;
  /** Open tickets the given one may repeat, best match first. */
  mergeCandidatesFor(ticket: TicketRow): MergeOffer[];
  /** Open tickets a request not yet saved would repeat (the desktop's merge offer while the form is filled). */
  mergeOffers(query: MergeQuery, who: Account): MergeOffer[];
  /** The form's field errors without saving anything; the form as it would be saved when there are none. */
  check(input: Record<string, unknown>): { form?: TicketForm; errors: FieldError[] };
  /**
   * The queue priority boost for a caller: `waitingCallerBoost` when one of their open tickets is
   * overdue, was sent back for rework or was reopened, else 0. Never throws; 0 for an unknown number.
   */
  priorityFor(callerNumber: string): number;
  recentTicketsForCaller(number: string, now: number, days?: number): TicketSummary[];
}

export function createTicketsService(deps: {
  repo: TicketsRepo; clock: Clock; log: Logger; mergeRules?: MergeRules; priority?: Partial<CallerPriority>;
}): TicketsService {
  const { repo, clock } = deps;
  const mergeRules = deps.mergeRules ?? DEFAULT_MERGE_RULES;
  const priority: CallerPriority = { ...DEFAULT_CALLER_PRIORITY, ...deps.priority };

  function mergeCandidatesFor(ticket: Pick<TicketRow, 'id' | 'callerNumber' | 'category' | 'townshipCode' | 'address' | 'createdAt'>): MergeOffer[] {
    if (!ticket.category) return [];
    const now = clock.now();
    const open = repo.openTicketsLike({
      callerNumber: ticket.callerNumber, category: ticket.category, township: ticket.townshipCode,
      since: now - mergeRules.windowHours * 3_600_000,
    });
    const byId = new Map(open.map((o) => [o.id, o]));
    const found = mergeCandidates(
      { id: ticket.id, callerNumber: ticket.callerNumber, category: ticket.category, township: ticket.townshipCode, address: ticket.address, createdAt: ticket.createdAt },
      open.map((o) => ({ ...o, status: o.status as TicketStatus })),
      now, mergeRules,
    );
    return found.flatMap((c) => {
      const o = byId.get(c.ticketId);
      return o ? [{ ticketId: o.id, number: o.number, status: o.status, reason: c.reason, score: c.score, createdAt: o.createdAt, description: o.description }] : [];
    });
  }
  const log = deps.log.child({ component: 'tickets' });

  /** The call, if this account may work on its ticket: agents only on calls they handled. */
  function callFor(callId: string, who: Account) {
    const call = repo.call(callId);
    if (!call) throw hotlineError('ERR_NO_SUCH_CALL', { callId });
    if (who.role === 'supervisor' || who.role === 'admin') return call;
    if (who.role === 'agent' && who.agentId !== null && call.agentId === who.agentId) return call;
    throw hotlineError('ERR_FORBIDDEN', { callId });
  }

  function draftView(callId: string, ticketId: string | null): DraftView {
    const d = repo.draft(callId);
    const ticket = ticketId ? repo.ticket(ticketId) : undefined;
    return {
      callId,
      data: d?.data ?? {},
      version: d?.version ?? 0,
      updatedAt: d?.updatedAt ?? null,
      ticketId: ticket?.id ?? null,
      ticketNumber: ticket?.number ?? null,
    };
  }

  return {
    getDraft(callId, who) {
      const call = callFor(callId, who);
      return draftView(callId, call.ticketId);
    },

    saveDraft(callId, who, draft) {
      const call = callFor(callId, who);
      if (call.ticketId) throw hotlineError('ERR_TICKET_STATE', { callId, ticketId: call.ticketId });
      if (Buffer.byteLength(JSON.stringify(draft.data)) > MAX_DRAFT_BYTES) throw hotlineError('ERR_PAYLOAD_TOO_LARGE', { limit: MAX_DRAFT_BYTES });
      const version = repo.saveDraft({ callId, agentId: who.agentId, data: draft.data, expected: draft.version, now: clock.now() });
      if (version === undefined) {
        const current = repo.draft(callId)?.version ?? 0;
        throw hotlineError('ERR_CONFLICT', { callId, currentVersion: current, sentVersion: draft.version });
      }
      return draftView(callId, null);
    },

    create(input, who) {
      let fields: Record<string, unknown> = input;
      let callerNumber = typeof input.callerNumber === 'string' ? input.callerNumber.trim() : '';
      let callId: string | null = null;
      if (typeof input.callId === 'string' && input.callId) {
        const call = callFor(input.callId, who);
        callId = call.id;
        callerNumber = call.callerNumber;
        if (input.fromDraft === true) {
          const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
          fields = { ...(repo.draft(call.id)?.data ?? {}), ...given };
        }
      }
      const { form, errors } = validateTicketForm(fields, (code) => repo.unit(code));
      if (!form) throw hotlineError('ERR_VALIDATION', { fields: errors });
      const now = clock.now();
      const ticket = repo.insertTicket({
        ...form,
        day: shanghaiDay(now),
        callId,
        callerNumber: callerNumber || null,
        status: 'intake',
        createdBy: who.id,
        createdAt: now,
      }, { name: who.displayName, role: who.role });
      log.info({ ticketId: ticket.id, number: ticket.number, callId, caller: maskPhone(callerNumber), type: ticket.type }, 'ticket created');
      return { ...ticket, mergeCandidates: mergeCandidatesFor(ticket) };
    },

    get(id, who) {
      const ticket = repo.ticket(id);
      if (!ticket) throw hotlineError('ERR_NO_SUCH_TICKET', { id });
      if (ticket.confidential && who.role === 'agent' && ticket.createdBy !== who.id) throw hotlineError('ERR_FORBIDDEN', { id });
      return ticket;
    },

    mergeCandidatesFor,

    mergeOffers(query, who) {
      // An agent looks up the caller of a call they handled, never an arbitrary number.
      let callerNumber = typeof query.callerNumber === 'string' && who.role !== 'agent' ? query.callerNumber.trim() : '';
      if (query.callId) callerNumber = callFor(query.callId, who).callerNumber;
      return mergeCandidatesFor({
        id: '', callerNumber: callerNumber || null, category: query.category, townshipCode: query.townshipCode || null,
        address: query.address?.trim() || null, createdAt: clock.now(),
      });
    },

    check: (input) => validateTicketForm(input, (code) => repo.unit(code)),

    priorityFor(callerNumber) {
      if (typeof callerNumber !== 'string' || !callerNumber || callerNumber.length > 40) return 0;
      try {
        return repo.callerIsWaiting(callerNumber, clock.now()) ? priority.waitingCallerBoost : 0;
      } catch (error) {
        log.warn({ err: error, caller: maskPhone(callerNumber) }, 'caller priority not read');
        return 0;
      }
    },

    recentTicketsForCaller: (number, now, days = 90) => recentTicketsForCaller(repo, number, now, days),
  };
}
