import { URGENCY_LABELS, isUrgencyClass } from '../../domain/deadlines.ts';
import type { ClockStatus } from '../../domain/deadlines.ts';
import { hotlineError } from '../../domain/errors.ts';
import { citizenContact } from '../../domain/citizen-privacy.ts';
import type { ViewerRole } from '../../domain/citizen-privacy.ts';
import { categoryLabel } from '../../domain/taxonomy.ts';
import { TICKET_ACTIONS, TICKET_STATUS_LABELS, ticketRuleFor } from '../../domain/ticket-lifecycle.ts';
import type { TicketActionKind, TicketStatus } from '../../domain/ticket-lifecycle.ts';
import type { TicketAudit, TicketAuditRow } from '../tickets/ticket-audit.ts';
import { roundClockStatus } from './dispatch.clocks.ts';
import type { DispatchRepo, DispatchRound, HandlingTicket } from './dispatch.repo.ts';
import type { ActorContext } from './dispatch.service.ts';
import { suggestUnit } from './handling-units.ts';
import type { HandlingUnit, UnitSuggestion } from './handling-units.ts';

const SUMMARY_CHARS = 80;
const CENTRE_ROLES = new Set(['agent', 'supervisor', 'admin']);
const OPEN_FOR_UNIT = ['dispatched', 'accepted', 'replied'];

export interface TicketLine {
  id: string; number: string; status: string; statusLabel: string; channel: string; type: string; category: string | null;
  categoryLabel: string; urgency: string; urgencyLabel: string; description: string; townshipCode: string | null;
  address: string | null; createdAt: number; statusSince: number; lastReason: string | null;
}

export interface RoundView {
  round: number; leadUnit: string; leadUnitName: string; dispatchedAt: number; acceptBy: number; acceptWarnAt: number;
  completeBy: number; completeWarnAt: number; extensions: number; signedAt: number | null; repliedAt: number | null;
  replyResult: string | null; replyActions: string | null; pendingExtension: { amount: number; reason: string; requestedAt: number } | null;
  clockStatus: ClockStatus; acceptOverdueAt: number | null; completeOverdueAt: number | null; endedAt: number | null;
  cooperating: Array<{ unitCode: string; name: string; replyResult: string | null; repliedAt: number | null }>;
}

function short(text: string): string {
  const chars = [...text];
  return chars.length > SUMMARY_CHARS ? `${chars.slice(0, SUMMARY_CHARS).join('')}…` : text;
}

export function ticketLine(t: HandlingTicket): TicketLine {
  return {
    id: t.id, number: t.number, status: t.status, statusLabel: TICKET_STATUS_LABELS[t.status as TicketStatus] ?? t.status,
    channel: t.channel, type: t.type, category: t.category, categoryLabel: t.category ? categoryLabel(t.category) : '',
    urgency: t.urgency, urgencyLabel: isUrgencyClass(t.urgency) ? URGENCY_LABELS[t.urgency] : t.urgency,
    description: short(t.description), townshipCode: t.townshipCode, address: t.address, createdAt: t.createdAt,
    statusSince: t.statusSince, lastReason: t.lastReason,
  };
}

export function createHandlingViews(deps: { repo: DispatchRepo; audit: TicketAudit; handlingUnits: readonly HandlingUnit[] }) {
  const { repo, audit } = deps;

  function roundView(r: DispatchRound, now: number): RoundView {
    const units = repo.roundUnits(r.ticketId, r.round);
    // A round still running names its units as they are called now; one that ended, as they were called when dispatched.
    const names = repo.unitNames([r.leadUnit, ...r.cooperatingUnits], r.endedAt === null ? undefined : r.clocks.dispatchedAt);
    return {
      round: r.round, leadUnit: r.leadUnit, leadUnitName: names.get(r.leadUnit) ?? r.leadUnit,
      dispatchedAt: r.clocks.dispatchedAt, acceptBy: r.clocks.acceptBy, acceptWarnAt: r.clocks.acceptWarnAt,
      completeBy: r.clocks.completeBy, completeWarnAt: r.clocks.completeWarnAt, extensions: r.clocks.extensions,
      signedAt: r.signedAt, repliedAt: r.repliedAt, replyResult: r.replyResult, replyActions: r.replyActions,
      pendingExtension: r.pendingExtension ? { ...r.pendingExtension } : null, clockStatus: roundClockStatus(r, now),
      acceptOverdueAt: r.acceptOverdueAt, completeOverdueAt: r.completeOverdueAt, endedAt: r.endedAt,
      cooperating: r.cooperatingUnits.map((code) => {
        const u = units.find((x) => x.unitCode === code);
        return { unitCode: code, name: names.get(code) ?? code, replyResult: u?.replyResult ?? null, repliedAt: u?.repliedAt ?? null };
      }),
    };
  }

  /** A unit sees the tickets it was ever dispatched; the centre sees all. */
  function assertCanSee(ctx: ActorContext, t: HandlingTicket): void {
    if (CENTRE_ROLES.has(ctx.actor.role)) return;
    if (ctx.actor.role === 'unit' && ctx.actor.unitCode && repo.wasDispatchedTo(t.id, ctx.actor.unitCode)) return;
    throw hotlineError('ERR_FORBIDDEN', { reason: 'not_dispatched_unit', zh: '该工单未派给本单位' });
  }

  /** Actions the lifecycle table lets this actor try now; content checks still apply. */
  function allowedActions(ctx: ActorContext, t: HandlingTicket, r: DispatchRound | undefined): TicketActionKind[] {
    const out: TicketActionKind[] = [];
    for (const action of TICKET_ACTIONS) {
      if (!ticketRuleFor(t.status as TicketStatus, action, ctx.actor.role)) continue;
      if (ctx.actor.role === 'unit') {
        const live = r !== undefined && r.endedAt === null;
        const lead = live && r.leadUnit === ctx.actor.unitCode;
        const cooperating = live && r.cooperatingUnits.includes(ctx.actor.unitCode ?? '');
        if (!lead && !(cooperating && action === 'reply')) continue;
      }
      if ((action === 'approve_extension' || action === 'reject_extension') && !r?.pendingExtension) continue;
      if (action === 'request_extension' && r?.pendingExtension) continue;
      out.push(action);
    }
    return out;
  }

  /** The citizen's number and name as this actor may see them (src/domain/citizen-privacy.ts). */
  function hideContacts(ctx: ActorContext, t: HandlingTicket) {
    const viewer = { role: ctx.actor.role as ViewerRole, own: t.createdBy === ctx.actor.id };
    return citizenContact({ callerNumber: t.callerNumber, contactName: t.contactName, contactPhone: t.contactPhone }, viewer, t.confidential);
  }

  function ticketFile(ctx: ActorContext, ticketId: string, now: number) {
    const t = repo.ticket(ticketId);
    if (!t) throw hotlineError('ERR_NO_SUCH_TICKET', { id: ticketId });
    assertCanSee(ctx, t);
    const current = t.round > 0 ? repo.round(t.id, t.round) : undefined;
    const centre = CENTRE_ROLES.has(ctx.actor.role);
    const master = t.masterId ? repo.ticket(t.masterId) : undefined;
    const masterRound = master && master.round > 0 ? repo.round(master.id, master.round) : undefined;
    const history: TicketAuditRow[] = audit.trail(t.id);
    return {
      ticket: { ...ticketLine(t), description: t.description, districtCode: t.districtCode, community: t.community, confidential: t.confidential, closedAt: t.closedAt, answer: t.answer, masterId: t.masterId, reopenCount: t.reopenCount, ...hideContacts(ctx, t) },
      dispatch: current ? roundView(current, now) : null,
      rounds: centre ? repo.rounds(t.id).map((r) => roundView(r, now)) : [],
      master: master ? { ...ticketLine(master), closedAt: master.closedAt, dispatch: masterRound ? roundView(masterRound, now) : null } : null,
      merged: repo.mergedInto(t.id).map((m) => ({ id: m.id, number: m.number, createdAt: m.createdAt, closedAt: m.closedAt })),
      calls: centre ? repo.linkedCalls(t.id) : [],
      suggestedUnit: centre ? suggestion(t) : null,
      allowedActions: allowedActions(ctx, t, current),
      history,
    };
  }

  function suggestion(t: HandlingTicket): (UnitSuggestion & { name: string }) | null {
    const s = suggestUnit(t, deps.handlingUnits);
    if (!s || repo.unit(s.unitCode)?.retiredAt != null) return null;
    return { ...s, name: repo.unit(s.unitCode)?.name ?? s.unitCode };
  }

  function inbox(ctx: ActorContext, q: { unitCode?: string; status?: string; overdue?: boolean; scope?: 'active' | 'all'; limit?: number; offset?: number }, now: number) {
    const unitCode = ctx.actor.role === 'unit' ? ctx.actor.unitCode! : q.unitCode;
    if (!unitCode) throw hotlineError('ERR_VALIDATION', { fields: [{ field: 'unit', message: '请选择承办单位', message_en: 'Choose a unit' }] });
    if (ctx.actor.role === 'unit' && q.unitCode && q.unitCode !== unitCode) throw hotlineError('ERR_FORBIDDEN', { reason: 'not_own_unit', zh: '只能查看本单位的工单' });
    const statuses = !q.status || q.status === 'open' ? OPEN_FOR_UNIT : q.status === 'all' ? null : [q.status];
    const rows = repo.inbox({ unitCode, statuses, overdue: q.overdue === true, active: q.scope !== 'all', now, limit: q.limit ?? 50, offset: q.offset ?? 0 });
    return {
      unitCode, unitName: repo.unit(unitCode)?.name ?? unitCode,
      tickets: rows.map(({ ticket, round, role }) => ({ ...ticketLine(ticket), role, dispatch: roundView(round, now) })),
    };
  }

  function centreQueue(now: number) {
    const line = (t: HandlingTicket) => {
      const r = t.round > 0 ? repo.round(t.id, t.round) : undefined;
      return { ...ticketLine(t), dispatch: r ? roundView(r, now) : null };
    };
    return {
      intake: repo.ticketsInStatus(['intake'], 100).map((t) => ({ ...line(t), suggestedUnit: suggestion(t) })),
      returned: repo.ticketsInStatus(['returned'], 100).map(line),
      disputed: repo.ticketsInStatus(['disputed'], 100).map(line),
      replied: repo.ticketsInStatus(['replied'], 100).map(line),
      extensions: repo.pendingExtensions(100).map(({ ticket, round }) => ({ ...ticketLine(ticket), dispatch: roundView(round, now) })),
    };
  }

  return { ticketFile, inbox, centreQueue, assertCanSee, suggestion };
}

export type HandlingViews = ReturnType<typeof createHandlingViews>;
