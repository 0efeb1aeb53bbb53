import { err, hotlineError, ok, type ErrorCode, type HotlineError, type Result } from './errors.ts';

export const TICKET_STATUSES = [
  'draft', // 草稿
  'intake', // 受理
  'answered_directly', // 直接答复 (closed at intake)
  'dispatched', // 派单, awaiting the lead unit's signature
  'accepted', // 签收
  'replied', // 回复: the lead unit says it is done
  'returned', // 退单: back at the centre with a reason
  'disputed', // 异议: the unit disputes the dispatch, the centre reviews
  'closed', // 办结
  'merged', // 并单 into a master ticket
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_STATUS_LABELS: Readonly<Record<TicketStatus, string>> = {
  draft: '草稿', intake: '已受理', answered_directly: '直接答复', dispatched: '待签收', accepted: '办理中',
  replied: '已回复', returned: '已退单', disputed: '异议审核中', closed: '已办结', merged: '已并单',
};

/** Statuses in which a ticket is still being handled; repeat callers and merging look only at these. */
export const OPEN_TICKET_STATUSES: readonly TicketStatus[] = ['intake', 'dispatched', 'accepted', 'replied', 'returned', 'disputed'];

export const TICKET_ACTIONS = [
  'submit', 'answer_directly', 'dispatch', 'sign', 'reply', 'return', 'dispute', 'uphold', 'reassign',
  'rework', 'close', 'reopen', 'merge', 'add_note', 'urge', 'request_extension', 'approve_extension',
  'reject_extension',
] as const;
export type TicketActionKind = (typeof TICKET_ACTIONS)[number];

export const ACTOR_ROLES = ['agent', 'supervisor', 'unit', 'admin', 'system'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

export interface TicketActor {
  readonly role: ActorRole;
  readonly id?: string;
  /** The unit a unit user acts for. */
  readonly unitCode?: string;
}

export type TicketAction =
  | { kind: 'submit' }
  | { kind: 'answer_directly'; answer: string }
  | { kind: 'dispatch'; leadUnit: string; cooperatingUnits?: readonly string[] }
  | { kind: 'sign' }
  | { kind: 'reply'; result: string }
  | { kind: 'return'; reason: string }
  | { kind: 'dispute'; reason: string }
  | { kind: 'uphold'; note?: string }
  | { kind: 'reassign'; leadUnit: string; cooperatingUnits?: readonly string[] }
  | { kind: 'rework'; reason: string }
  | { kind: 'close' }
  | { kind: 'reopen'; reason: string; leadUnit?: string }
  | { kind: 'merge'; masterId: string }
  | { kind: 'add_note'; note: string }
  | { kind: 'urge'; note?: string }
  | { kind: 'request_extension'; amount: number; reason: string }
  | { kind: 'approve_extension' }
  | { kind: 'reject_extension'; reason?: string };

export interface TicketDispatch {
  readonly leadUnit: string;
  readonly cooperatingUnits: readonly string[];
  readonly dispatchedAt: number;
  /** 1 for the first dispatch, one more for every reassignment or reopening. */
  readonly round: number;
}

export interface PendingExtension { readonly amount: number; readonly reason: string; readonly requestedAt: number }

export interface LifecycleTicket {
  readonly id: string;
  readonly status: TicketStatus;
  readonly since: number;
  readonly dispatch: TicketDispatch | null;
  readonly signedAt: number | null;
  readonly repliedAt: number | null;
  readonly closedAt: number | null;
  readonly masterId: string | null;
  readonly pendingExtension: PendingExtension | null;
  /** The latest return, dispute, rework or reopening reason. */
  readonly lastReason: string | null;
  readonly reopenCount: number;
}

export type NoticeForUnit =
  | 'dispatched' | 'upheld' | 'withdrawn' | 'return_reviewed' | 'rework' | 'urged' | 'note_added' | 'closed'
  | 'extension_approved' | 'extension_rejected';
export type NoticeForCentre = 'replied' | 'returned' | 'disputed' | 'extension_requested';

export type TicketEffect =
  | { kind: 'start_clocks'; unitCode: string; at: number }
  | { kind: 'stop_acceptance_clock'; at: number }
  | { kind: 'stop_completion_clock'; at: number }
  | { kind: 'resume_completion_clock'; at: number }
  | { kind: 'stop_clocks'; at: number }
  | { kind: 'extend_completion'; amount: number }
  | { kind: 'notify_unit'; unitCode: string; about: NoticeForUnit }
  | { kind: 'notify_centre'; about: NoticeForCentre }
  | { kind: 'record_cooperating_reply'; unitCode: string; result: string }
  | { kind: 'schedule_survey'; ticketId: string }
  | { kind: 'audit'; ticketId: string; action: TicketActionKind; from: TicketStatus; to: TicketStatus; actor: TicketActor; at: number; details?: Readonly<Record<string, unknown>> };

export interface TicketRule {
  readonly action: TicketActionKind;
  readonly from: readonly TicketStatus[];
  readonly roles: readonly ActorRole[];
  /** null keeps the status. */
  readonly to: TicketStatus | null;
}

const CENTRE: readonly ActorRole[] = ['agent', 'supervisor'];
const SUPERVISOR: readonly ActorRole[] = ['supervisor'];
const UNIT: readonly ActorRole[] = ['unit'];

/** Who may do what from which status. Unit actions also need the actor to be the dispatch's lead unit. */
export const TICKET_RULES: readonly TicketRule[] = [
  { action: 'submit', from: ['draft'], roles: CENTRE, to: 'intake' },
  { action: 'answer_directly', from: ['intake', 'returned'], roles: CENTRE, to: 'answered_directly' },
  { action: 'dispatch', from: ['intake'], roles: CENTRE, to: 'dispatched' },
  { action: 'sign', from: ['dispatched'], roles: UNIT, to: 'accepted' },
  { action: 'reply', from: ['accepted'], roles: UNIT, to: 'replied' },
  { action: 'return', from: ['dispatched', 'accepted'], roles: UNIT, to: 'returned' },
  { action: 'dispute', from: ['dispatched'], roles: UNIT, to: 'disputed' },
  { action: 'uphold', from: ['disputed'], roles: SUPERVISOR, to: 'dispatched' },
  { action: 'reassign', from: ['returned'], roles: CENTRE, to: 'dispatched' },
  { action: 'reassign', from: ['disputed', 'dispatched', 'accepted'], roles: SUPERVISOR, to: 'dispatched' },
  { action: 'rework', from: ['replied'], roles: SUPERVISOR, to: 'accepted' },
  { action: 'close', from: ['replied'], roles: SUPERVISOR, to: 'closed' },
  { action: 'reopen', from: ['closed'], roles: ['supervisor', 'system'], to: 'dispatched' },
  { action: 'merge', from: ['intake', 'dispatched', 'returned'], roles: CENTRE, to: 'merged' },
  { action: 'add_note', from: OPEN_TICKET_STATUSES, roles: CENTRE, to: null },
  { action: 'urge', from: ['dispatched', 'accepted'], roles: ['supervisor', 'system'], to: null },
  { action: 'request_extension', from: ['accepted'], roles: UNIT, to: null },
  { action: 'approve_extension', from: ['accepted'], roles: SUPERVISOR, to: null },
  { action: 'reject_extension', from: ['accepted'], roles: SUPERVISOR, to: null },
];

export const TICKET_REFUSALS = {
  status_forbids: { code: 'ERR_TICKET_STATE', zh: '工单当前状态不允许此操作' },
  role_forbids: { code: 'ERR_FORBIDDEN', zh: '当前身份无权执行此操作' },
  not_dispatched_unit: { code: 'ERR_FORBIDDEN', zh: '该工单未派给本单位' },
  not_lead_unit: { code: 'ERR_FORBIDDEN', zh: '只有主办单位可以执行此操作，协办单位只能回复本单位承办部分' },
  reason_required: { code: 'ERR_VALIDATION', zh: '请填写原因' },
  result_required: { code: 'ERR_VALIDATION', zh: '请填写办理结果' },
  answer_required: { code: 'ERR_VALIDATION', zh: '请填写答复内容' },
  note_required: { code: 'ERR_VALIDATION', zh: '请填写备注内容' },
  unit_required: { code: 'ERR_VALIDATION', zh: '请选择主办单位' },
  lead_also_cooperating: { code: 'ERR_VALIDATION', zh: '主办单位不能同时作为协办单位' },
  same_unit: { code: 'ERR_VALIDATION', zh: '改派单位不能与原主办单位相同' },
  master_required: { code: 'ERR_VALIDATION', zh: '请选择要并入的主工单' },
  merge_into_self: { code: 'ERR_VALIDATION', zh: '工单不能并入自身' },
  extension_amount_invalid: { code: 'ERR_VALIDATION', zh: '延期时长必须大于零' },
  extension_pending: { code: 'ERR_TICKET_STATE', zh: '已有待审批的延期申请' },
  no_extension_pending: { code: 'ERR_TICKET_STATE', zh: '没有待审批的延期申请' },
} as const satisfies Record<string, { code: ErrorCode; zh: string }>;
export type TicketRefusal = keyof typeof TICKET_REFUSALS;

export function newTicket(id: string, now: number): LifecycleTicket {
  return {
    id, status: 'draft', since: now, dispatch: null, signedAt: null, repliedAt: null, closedAt: null,
    masterId: null, pendingExtension: null, lastReason: null, reopenCount: 0,
  };
}

/** The rule that lets `role` do `action` from `status`, if any. */
export function ticketRuleFor(status: TicketStatus, action: TicketActionKind, role: ActorRole): TicketRule | undefined {
  return TICKET_RULES.find((r) => r.action === action && r.from.includes(status) && r.roles.includes(role));
}

export function refusal(reason: TicketRefusal, details: Readonly<Record<string, unknown>> = {}): HotlineError {
  const { code, zh } = TICKET_REFUSALS[reason];
  return hotlineError(code, { reason, zh, ...details });
}

export function refusalOf(error: HotlineError): TicketRefusal | undefined {
  const reason = error.details?.['reason'];
  return typeof reason === 'string' && Object.hasOwn(TICKET_REFUSALS, reason) ? reason as TicketRefusal : undefined;
}

export interface TicketTransition { readonly ticket: LifecycleTicket; readonly effects: readonly TicketEffect[] }

const blank = (text: string | undefined): boolean => text === undefined || text.trim() === '';

function checkUnits(leadUnit: string, cooperatingUnits: readonly string[] | undefined): TicketRefusal | null {
  if (blank(leadUnit)) return 'unit_required';
  if ((cooperatingUnits ?? []).includes(leadUnit)) return 'lead_also_cooperating';
  return null;
}

/**
 * Applies one action to a ticket. Refusals carry a stable `reason` and its Chinese message in the
 * error's details; the service runs the effects in order.
 */
export function transitionTicket(
  ticket: LifecycleTicket,
  action: TicketAction,
  actor: TicketActor,
  now: number,
): Result<TicketTransition> {
  const context = { status: ticket.status, action: action.kind, role: actor.role };
  const rule = ticketRuleFor(ticket.status, action.kind, actor.role);
  if (rule === undefined) {
    const statusAllows = TICKET_RULES.some((r) => r.action === action.kind && r.from.includes(ticket.status));
    return err(refusal(statusAllows ? 'role_forbids' : 'status_forbids', context));
  }
  if (actor.role === 'unit') {
    const dispatch = ticket.dispatch;
    const unitCode = actor.unitCode;
    if (dispatch === null || unitCode === undefined) return err(refusal('not_dispatched_unit', context));
    if (dispatch.leadUnit !== unitCode) {
      if (!dispatch.cooperatingUnits.includes(unitCode)) return err(refusal('not_dispatched_unit', context));
      if (action.kind !== 'reply') return err(refusal('not_lead_unit', context));
      if (blank(action.result)) return err(refusal('result_required', context));
      return ok({
        ticket,
        effects: [
          { kind: 'record_cooperating_reply', unitCode, result: action.result },
          audit(ticket, action.kind, ticket.status, actor, now, { cooperatingUnit: unitCode }),
        ],
      });
    }
  }
  const applied = apply(ticket, action, now);
  if (typeof applied === 'string') return err(refusal(applied, context));
  const to = rule.to ?? ticket.status;
  const next: LifecycleTicket = { ...ticket, ...applied.changes, status: to, since: to === ticket.status ? ticket.since : now };
  return ok({ ticket: next, effects: [...applied.effects, audit(ticket, action.kind, to, actor, now, applied.details)] });
}

function audit(
  ticket: LifecycleTicket, action: TicketActionKind, to: TicketStatus, actor: TicketActor, at: number,
  details?: Readonly<Record<string, unknown>>,
): TicketEffect {
  return { kind: 'audit', ticketId: ticket.id, action, from: ticket.status, to, actor, at, ...(details === undefined ? {} : { details }) };
}

interface Applied {
  changes: Partial<LifecycleTicket>;
  effects: TicketEffect[];
  details?: Readonly<Record<string, unknown>>;
}

/** What an allowed action changes, or why its content is refused. */
function apply(ticket: LifecycleTicket, action: TicketAction, now: number): Applied | TicketRefusal {
  const lead = ticket.dispatch?.leadUnit ?? '';
  const round = ticket.dispatch?.round ?? 0;
  const running = ticket.status === 'dispatched' || ticket.status === 'accepted';
  switch (action.kind) {
    case 'submit':
      return { changes: {}, effects: [] };
    case 'answer_directly':
      if (blank(action.answer)) return 'answer_required';
      return { changes: { closedAt: now }, effects: [], details: { answer: action.answer } };
    case 'dispatch': {
      const problem = checkUnits(action.leadUnit, action.cooperatingUnits);
      if (problem !== null) return problem;
      return dispatchTo(action.leadUnit, action.cooperatingUnits ?? [], 1, now, []);
    }
    case 'sign':
      return { changes: { signedAt: now }, effects: [{ kind: 'stop_acceptance_clock', at: now }] };
    case 'reply':
      if (blank(action.result)) return 'result_required';
      return {
        changes: { repliedAt: now },
        effects: [{ kind: 'stop_completion_clock', at: now }, { kind: 'notify_centre', about: 'replied' }],
        details: { result: action.result },
      };
    case 'return':
    case 'dispute':
      if (blank(action.reason)) return 'reason_required';
      return {
        changes: { lastReason: action.reason, pendingExtension: null },
        effects: [{ kind: 'stop_clocks', at: now }, { kind: 'notify_centre', about: action.kind === 'return' ? 'returned' : 'disputed' }],
        details: { reason: action.reason },
      };
    case 'uphold':
      if (ticket.dispatch === null) return 'unit_required';
      return {
        changes: { dispatch: { ...ticket.dispatch, dispatchedAt: now }, signedAt: null },
        effects: [{ kind: 'start_clocks', unitCode: lead, at: now }, { kind: 'notify_unit', unitCode: lead, about: 'upheld' }],
        ...(action.note === undefined ? {} : { details: { note: action.note } }),
      };
    case 'reassign': {
      const problem = checkUnits(action.leadUnit, action.cooperatingUnits) ?? (action.leadUnit === lead ? 'same_unit' : null);
      if (problem !== null) return problem;
      // A unit whose return or dispute the centre has reviewed hears where it went; a running one is withdrawn.
      const withdraw: TicketEffect[] = running
        ? [{ kind: 'stop_clocks', at: now }, { kind: 'notify_unit', unitCode: lead, about: 'withdrawn' }]
        : lead === '' ? [] : [{ kind: 'notify_unit', unitCode: lead, about: 'return_reviewed' }];
      return dispatchTo(action.leadUnit, action.cooperatingUnits ?? [], round + 1, now, withdraw, { previousUnit: lead });
    }
    case 'rework':
      if (blank(action.reason)) return 'reason_required';
      return {
        changes: { repliedAt: null, lastReason: action.reason },
        effects: [{ kind: 'resume_completion_clock', at: now }, { kind: 'notify_unit', unitCode: lead, about: 'rework' }],
        details: { reason: action.reason },
      };
    case 'close':
      return {
        changes: { closedAt: now },
        effects: [{ kind: 'schedule_survey', ticketId: ticket.id }, { kind: 'notify_unit', unitCode: lead, about: 'closed' }],
      };
    case 'reopen': {
      if (blank(action.reason)) return 'reason_required';
      const unit = action.leadUnit ?? lead;
      if (blank(unit)) return 'unit_required';
      const cooperating = unit === lead ? ticket.dispatch?.cooperatingUnits ?? [] : [];
      const applied = dispatchTo(unit, cooperating, round + 1, now, [], { reason: action.reason });
      return { ...applied, changes: { ...applied.changes, closedAt: null, lastReason: action.reason, reopenCount: ticket.reopenCount + 1 } };
    }
    case 'merge':
      if (blank(action.masterId)) return 'master_required';
      if (action.masterId === ticket.id) return 'merge_into_self';
      return {
        changes: { masterId: action.masterId },
        effects: running ? [{ kind: 'stop_clocks', at: now }, { kind: 'notify_unit', unitCode: lead, about: 'withdrawn' }] : [],
        details: { masterId: action.masterId },
      };
    case 'add_note':
      if (blank(action.note)) return 'note_required';
      return {
        changes: {},
        effects: running ? [{ kind: 'notify_unit', unitCode: lead, about: 'note_added' }] : [],
        details: { note: action.note },
      };
    case 'urge':
      return {
        changes: {},
        effects: [{ kind: 'notify_unit', unitCode: lead, about: 'urged' }],
        ...(action.note === undefined ? {} : { details: { note: action.note } }),
      };
    case 'request_extension':
      if (ticket.pendingExtension !== null) return 'extension_pending';
      if (!Number.isFinite(action.amount) || action.amount <= 0) return 'extension_amount_invalid';
      if (blank(action.reason)) return 'reason_required';
      return {
        changes: { pendingExtension: { amount: action.amount, reason: action.reason, requestedAt: now } },
        effects: [{ kind: 'notify_centre', about: 'extension_requested' }],
        details: { amount: action.amount, reason: action.reason },
      };
    case 'approve_extension': {
      const pending = ticket.pendingExtension;
      if (pending === null) return 'no_extension_pending';
      return {
        changes: { pendingExtension: null },
        effects: [{ kind: 'extend_completion', amount: pending.amount }, { kind: 'notify_unit', unitCode: lead, about: 'extension_approved' }],
        details: { amount: pending.amount },
      };
    }
    case 'reject_extension':
      if (ticket.pendingExtension === null) return 'no_extension_pending';
      return {
        changes: { pendingExtension: null },
        effects: [{ kind: 'notify_unit', unitCode: lead, about: 'extension_rejected' }],
        ...(action.reason === undefined ? {} : { details: { reason: action.reason } }),
      };
  }
}

function dispatchTo(
  leadUnit: string, cooperatingUnits: readonly string[], round: number, now: number, before: TicketEffect[],
  details: Readonly<Record<string, unknown>> = {},
): Applied {
  return {
    changes: { dispatch: { leadUnit, cooperatingUnits, dispatchedAt: now, round }, signedAt: null, repliedAt: null, pendingExtension: null },
    effects: [
      ...before,
      { kind: 'start_clocks', unitCode: leadUnit, at: now },
      ...[leadUnit, ...cooperatingUnits].map((unitCode): TicketEffect => ({ kind: 'notify_unit', unitCode, about: 'dispatched' })),
    ],
    details: { ...details, leadUnit, cooperatingUnits },
  };
}
