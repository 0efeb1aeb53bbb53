import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { extendCompletion, isUrgencyClass } from '../../domain/deadlines.ts';
import type { UrgencyClass } from '../../domain/deadlines.ts';
import { hotlineError } from '../../domain/errors.ts';
import { refusalOf, transitionTicket } from '../../domain/ticket-lifecycle.ts';
import type { HotlineError } from '../../domain/errors.ts';
import type {
  ActorRole, LifecycleTicket, NoticeForCentre, TicketAction, TicketActor, TicketEffect, TicketStatus,
} from '../../domain/ticket-lifecycle.ts';
import type { Account } from '../auth/auth.service.ts';
import type { TicketAudit } from '../tickets/ticket-audit.ts';
import { resumeCompletion, startRound, withNextCheck } from './dispatch.clocks.ts';
import type { ClockRules } from './dispatch.clocks.ts';
import type { DispatchRepo, DispatchRound, HandlingTicket } from './dispatch.repo.ts';
import type { UnitNoticeAbout } from './unit-notices.ts';

/** What a notice tells a unit or the centre; delivery (portal badge, SMS) is the notifier's business. */
export type HandlingNotice =
  | { to: 'unit'; unitCode: string; about: UnitNoticeAbout; ticketId: string; number: string }
  | { to: 'centre'; about: NoticeForCentre; ticketId: string; number: string; unitCode: string | null };

/** The callback (回访) due after closure; merged tickets ride on their master's. */
export interface SurveyRequest { ticketId: string; sharedWith: string[]; closedAt: number }

export interface DispatchDeps {
  repo: DispatchRepo;
  audit: TicketAudit;
  clock: Clock;
  log: Logger;
  rules: ClockRules;
  notify?: (notice: HandlingNotice) => void;
  scheduleSurvey?: (request: SurveyRequest) => void;
}

/** Everything a lifecycle route may send besides the action itself. */
export interface ActionExtras { urgency?: UrgencyClass; replyActions?: string; callId?: string }

export interface ActorContext { actor: TicketActor; account: Account | null; name: string }

/** The form field a content refusal is about, so the portal can mark it. */
const REFUSAL_FIELD: Readonly<Record<string, string>> = {
  reason_required: 'reason', result_required: 'result', answer_required: 'answer', note_required: 'note',
  unit_required: 'leadUnit', same_unit: 'leadUnit', lead_also_cooperating: 'cooperatingUnits', master_required: 'masterId',
  merge_into_self: 'masterId', extension_amount_invalid: 'amount',
};

const EN_FIELD_TEXT: Readonly<Record<string, string>> = {
  reason: 'Give the reason', result: 'Give the result', answer: 'Write the answer', note: 'Write the note',
  leadUnit: 'Choose a valid lead unit', cooperatingUnits: 'The lead unit cannot also cooperate', masterId: 'Choose the ticket to merge into',
  amount: 'The extension must be longer than zero',
};

export function withField(error: HotlineError): HotlineError {
  const reason = refusalOf(error);
  const field = reason ? REFUSAL_FIELD[reason] : undefined;
  if (!field || error.code !== 'ERR_VALIDATION') return error;
  const zh = String(error.details?.['zh'] ?? '');
  return hotlineError('ERR_VALIDATION', { ...error.details, fields: [{ field, message: zh, message_en: EN_FIELD_TEXT[field] ?? 'Not valid' }] });
}

const LIFECYCLE_FIELDS = ['status', 'dispatch', 'signedAt', 'repliedAt', 'closedAt', 'masterId', 'pendingExtension', 'lastReason', 'reopenCount'] as const;

function changed(before: LifecycleTicket, after: LifecycleTicket): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of LIFECYCLE_FIELDS) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    b[key] = before[key];
    a[key] = after[key];
  }
  return { before: b, after: a };
}

export function lifecycleOf(t: HandlingTicket, round: DispatchRound | undefined): LifecycleTicket {
  return {
    id: t.id, status: t.status as TicketStatus, since: t.statusSince,
    dispatch: round ? { leadUnit: round.leadUnit, cooperatingUnits: round.cooperatingUnits, dispatchedAt: round.clocks.dispatchedAt, round: round.round } : null,
    signedAt: round?.signedAt ?? null, repliedAt: round?.repliedAt ?? null, closedAt: t.closedAt, masterId: t.masterId,
    pendingExtension: round?.pendingExtension ?? null, lastReason: t.lastReason, reopenCount: t.reopenCount,
  };
}

export function createHandling(deps: DispatchDeps) {
  const { repo, audit, clock, rules } = deps;
  const log = deps.log.child({ component: 'dispatch' });

  /** The actor a signed-in account acts as; a unit user without a unit may do nothing. */
  function actorOf(account: Account): ActorContext {
    if (account.role === 'unit') {
      const unitCode = repo.unitOfUser(account.id);
      if (unitCode === null) throw hotlineError('ERR_FORBIDDEN', { reason: 'no_unit', zh: '该账号未关联承办单位' });
      return { actor: { role: 'unit', id: account.id, unitCode }, account, name: account.displayName };
    }
    return { actor: { role: account.role as ActorRole, id: account.id }, account, name: account.displayName };
  }

  function load(ticketId: string): { ticket: HandlingTicket; round: DispatchRound | undefined } {
    const ticket = repo.ticket(ticketId);
    if (!ticket) throw hotlineError('ERR_NO_SUCH_TICKET', { id: ticketId });
    return { ticket, round: ticket.round > 0 ? repo.round(ticketId, ticket.round) : undefined };
  }

  function checkUnit(code: string, field: string): void {
    const unit = repo.unit(code);
    if (!unit || unit.kind === 'district') {
      throw hotlineError('ERR_VALIDATION', { fields: [{ field, message: `${field === 'leadUnit' ? '主办单位' : '协办单位'}无效：${code}`, message_en: `Unknown unit ${code}` }] });
    }
    // A retired unit keeps its tickets but takes no new ones.
    if (unit.retiredAt != null) {
      throw hotlineError('ERR_UNIT_RETIRED', {
        unit: code, name: unit.name, retiredAt: unit.retiredAt,
        fields: [{ field, message: `${unit.name}（${code}）已撤销，不能派单`, message_en: `${code} is retired: choose a unit in use` }],
      });
    }
  }

  function checkAction(action: TicketAction, ticket: HandlingTicket): void {
    if (action.kind === 'dispatch' || action.kind === 'reassign') {
      checkUnit(action.leadUnit, 'leadUnit');
      for (const unit of action.cooperatingUnits ?? []) checkUnit(unit, 'cooperatingUnits');
    }
    if (action.kind === 'reopen' && action.leadUnit) checkUnit(action.leadUnit, 'leadUnit');
    if (action.kind === 'merge') {
      const master = repo.ticket(action.masterId);
      if (!master) throw hotlineError('ERR_NO_SUCH_TICKET', { id: action.masterId, field: 'masterId' });
      if (master.masterId !== null || !['intake', 'dispatched', 'accepted', 'replied', 'returned', 'disputed'].includes(master.status) || master.id === ticket.id) {
        throw hotlineError('ERR_TICKET_STATE', { reason: 'master_not_open', zh: '主工单已办结或已并入其他工单，不能并单' });
      }
    }
  }

  function run(ctx: ActorContext, ticketId: string, action: TicketAction, extras: ActionExtras = {}, at?: number): HandlingTicket {
    return repo.transaction(() => {
      const now = at ?? clock.now();
      const { ticket, round } = load(ticketId);
      checkAction(action, ticket);
      const before = lifecycleOf(ticket, round);
      const result = transitionTicket(before, action, ctx.actor, now);
      if (!result.ok) throw withField(result.error);
      const next = result.value.ticket;
      let current = round;
      let answer = ticket.answer;
      const urgency: UrgencyClass = extras.urgency ?? (isUrgencyClass(ticket.urgency) ? ticket.urgency : 'general');
      const sideEffects: Array<() => void> = [];
      for (const effect of result.value.effects) {
        current = applyEffect(effect, { ctx, ticket, before, next, current, urgency, now, sideEffects });
      }
      if (action.kind === 'answer_directly') answer = action.answer;
      if (current && next.dispatch && current.round === next.dispatch.round) {
        const replied = action.kind === 'reply' && ctx.actor.unitCode === current.leadUnit;
        current = withNextCheck({
          ...current, signedAt: next.signedAt, repliedAt: next.repliedAt, pendingExtension: next.pendingExtension,
          ...(replied ? { replyResult: action.result, replyActions: extras.replyActions ?? null } : {}),
        });
        repo.saveRound(current);
      }
      repo.saveTicketState(ticketId, {
        status: next.status, statusSince: next.since, leadUnit: next.dispatch?.leadUnit ?? null, round: next.dispatch?.round ?? 0,
        masterId: next.masterId, lastReason: next.lastReason, reopenCount: next.reopenCount, closedAt: next.closedAt, answer,
        updatedAt: now,
      });
      if (extras.urgency && (action.kind === 'dispatch' || action.kind === 'reassign')) repo.saveUrgency(ticketId, extras.urgency);
      if (extras.callId && action.kind === 'add_note') repo.linkCall(ticketId, extras.callId, now);
      if (action.kind === 'close') closeMerged(ctx, ticket, now);
      for (const run of sideEffects) run();
      log.info({ ticketId, number: ticket.number, action: action.kind, role: ctx.actor.role, from: before.status, to: next.status }, 'ticket action');
      return repo.ticket(ticketId)!;
    });
  }

  interface EffectContext {
    ctx: ActorContext; ticket: HandlingTicket; before: LifecycleTicket; next: LifecycleTicket; current: DispatchRound | undefined;
    urgency: UrgencyClass; now: number; sideEffects: Array<() => void>;
  }

  function applyEffect(effect: TicketEffect, e: EffectContext): DispatchRound | undefined {
    const { ticket, next, now } = e;
    let current = e.current;
    switch (effect.kind) {
      case 'start_clocks': {
        const d = next.dispatch!;
        current = startRound({ ticketId: ticket.id, round: d.round, leadUnit: d.leadUnit, cooperatingUnits: d.cooperatingUnits, urgency: e.urgency, at: effect.at, by: e.ctx.actor.id ?? null }, rules);
        repo.saveRound(current);
        repo.activateUnits(ticket.id, d.round, d.leadUnit, d.cooperatingUnits, effect.at);
        return current;
      }
      case 'stop_clocks':
        if (current) { current = { ...current, endedAt: effect.at, nextCheckAt: null }; repo.saveRound(current); }
        repo.deactivateUnits(ticket.id);
        return current;
      case 'resume_completion_clock':
        if (current?.repliedAt != null) {
          const clocks = resumeCompletion(current.clocks, current.repliedAt, effect.at, rules);
          current = {
            ...current, clocks,
            completeWarnedAt: clocks.completeWarnAt > now ? null : current.completeWarnedAt,
            completeOverdueAt: clocks.completeBy >= now ? null : current.completeOverdueAt,
          };
        }
        return current;
      case 'extend_completion':
        if (current) {
          const extended = extendCompletion(current.clocks, effect.amount, rules.policy, rules.calendar);
          if (!extended.ok) throw extended.error;
          const clocks = extended.value;
          current = {
            ...current, clocks,
            completeWarnedAt: clocks.completeWarnAt > now ? null : current.completeWarnedAt,
            completeOverdueAt: clocks.completeBy >= now ? null : current.completeOverdueAt,
          };
        }
        return current;
      case 'record_cooperating_reply':
        if (current) repo.recordCooperatingReply(ticket.id, current.round, effect.unitCode, effect.result, now);
        return current;
      case 'notify_unit':
        e.sideEffects.push(() => deps.notify?.({ to: 'unit', unitCode: effect.unitCode, about: effect.about, ticketId: ticket.id, number: ticket.number }));
        return current;
      case 'notify_centre':
        e.sideEffects.push(() => deps.notify?.({ to: 'centre', about: effect.about, ticketId: ticket.id, number: ticket.number, unitCode: e.ctx.actor.unitCode ?? null }));
        return current;
      case 'schedule_survey': {
        const sharedWith = repo.mergedInto(ticket.id).map((m) => m.id);
        e.sideEffects.push(() => deps.scheduleSurvey?.({ ticketId: effect.ticketId, sharedWith, closedAt: now }));
        return current;
      }
      case 'audit': {
        const diff = changed(e.before, next);
        audit.write({
          ticketId: effect.ticketId, at: effect.at, actorId: effect.actor.id ?? 'system', actorName: e.ctx.name, role: effect.actor.role,
          unitCode: effect.actor.unitCode ?? null, action: effect.action, from: effect.from, to: effect.to,
          before: diff.before, after: diff.after, ...(effect.details ? { details: effect.details } : {}),
        });
        return current;
      }
      case 'stop_acceptance_clock':
      case 'stop_completion_clock':
        return current;
    }
  }

  /** Merged tickets share their master's closure: each gets the closing time and an audit row. */
  function closeMerged(ctx: ActorContext, master: HandlingTicket, now: number): void {
    for (const m of repo.mergedInto(master.id)) {
      repo.saveTicketState(m.id, {
        status: m.status, statusSince: m.statusSince, leadUnit: m.leadUnit, round: m.round, masterId: m.masterId,
        lastReason: m.lastReason, reopenCount: m.reopenCount, closedAt: now, answer: m.answer, updatedAt: now,
      });
      audit.write({
        ticketId: m.id, at: now, actorId: ctx.actor.id ?? 'system', actorName: ctx.name, role: ctx.actor.role, action: 'closed_with_master',
        from: m.status, to: m.status, before: { closedAt: m.closedAt }, after: { closedAt: now }, details: { masterId: master.id, masterNumber: master.number },
      });
    }
  }

  return { actorOf, load, run };
}

export type Handling = ReturnType<typeof createHandling>;
