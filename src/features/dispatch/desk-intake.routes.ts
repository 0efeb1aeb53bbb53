/**
 * The agent desktop's side of dispatch: the suggested lead unit and the deadlines of an urgency class
 * while the form is filled, then one step that saves the ticket and dispatches it (派单, with
 * cooperating units: 一单双派), answers it on the spot (直接答复) or merges it into an open ticket
 * (并单). The step is all or nothing: every field error comes back at once and nothing is saved.
 */
import Type from 'typebox';
import type { HotlineHttp } from '../../app.ts';
import type { Clock } from '../../clock.ts';
import { calendarYearsMissing } from '../../domain/business-calendar.ts';
import { URGENCY_CLASSES, URGENCY_LABELS, dispatchClocks, isUrgencyClass } from '../../domain/deadlines.ts';
import type { UrgencyClass } from '../../domain/deadlines.ts';
import { hotlineError } from '../../domain/errors.ts';
import { OPEN_TICKET_STATUSES } from '../../domain/ticket-lifecycle.ts';
import type { TicketAction, TicketStatus } from '../../domain/ticket-lifecycle.ts';
import { isCategory, suggestUrgency } from '../../domain/taxonomy.ts';
import type { Database } from '../../store/database.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import { TicketBody } from '../tickets/tickets.schemas.ts';
import type { FieldError } from '../tickets/tickets.schemas.ts';
import type { TicketsService } from '../tickets/tickets.service.ts';
import { calendarCoverage } from './dispatch.calendar.ts';
import type { ClockRules } from './dispatch.clocks.ts';
import type { DispatchRepo } from './dispatch.repo.ts';
import type { ActionExtras, Handling } from './dispatch.service.ts';
import type { HandlingViews } from './dispatch.views.ts';
import { suggestUnit } from './handling-units.ts';
import type { HandlingUnit } from './handling-units.ts';

export const HANDLING_MODES = ['dispatch', 'answer', 'merge', 'none'] as const;
export type HandlingMode = (typeof HANDLING_MODES)[number];

const HandlingChoice = Type.Object({
  mode: Type.Optional(Type.String({ maxLength: 16 })),
  leadUnit: Type.Optional(Type.String({ maxLength: 64 })),
  cooperatingUnits: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10 })),
  urgency: Type.Optional(Type.String({ maxLength: 32 })),
  answer: Type.Optional(Type.String({ maxLength: 4000 })),
  masterId: Type.Optional(Type.String({ maxLength: 100 })),
}, { additionalProperties: false });

export const IntakeBody = Type.Object({ ...TicketBody.properties, handling: Type.Optional(HandlingChoice) }, { additionalProperties: false });
type IntakeBodyType = Type.Static<typeof IntakeBody>;
type HandlingChoiceType = Type.Static<typeof HandlingChoice>;

const SuggestionQuery = Type.Object({
  category: Type.String({ minLength: 1, maxLength: 100 }),
  townshipCode: Type.Optional(Type.String({ maxLength: 32 })),
}, { additionalProperties: false });

const DeadlinesQuery = Type.Object({ urgency: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false });

export interface DeskIntakeDeps {
  db: Database; repo: DispatchRepo; handling: Handling; views: HandlingViews; tickets: TicketsService; clock: Clock;
  rules: ClockRules; handlingUnits: readonly HandlingUnit[];
}

const field = (name: string, message: string, message_en: string): FieldError => ({ field: name, message, message_en });

/** The handling choice as an action on the saved ticket, or the field errors that keep it from being one. */
export function handlingAction(choice: HandlingChoiceType | undefined, repo: Pick<DispatchRepo, 'unit' | 'ticket'>):
  { action: TicketAction | null; urgency?: UrgencyClass; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const mode = choice?.mode ?? 'none';
  if (!(HANDLING_MODES as readonly string[]).includes(mode)) {
    return { action: null, errors: [field('mode', '请选择处理方式：派单、直接答复或并单', 'Choose how the ticket is handled')] };
  }
  const urgency = choice?.urgency || undefined;
  if (urgency !== undefined && !isUrgencyClass(urgency)) errors.push(field('urgency', '紧急程度无效', 'Unknown urgency class'));
  const chosen = isUrgencyClass(urgency) ? { urgency } : {};
  switch (mode as HandlingMode) {
    case 'none':
      return { action: null, errors, ...chosen };
    case 'dispatch': {
      const lead = choice?.leadUnit?.trim() ?? '';
      const unitOk = (code: string) => { const u = repo.unit(code); return u !== undefined && u.kind !== 'district'; };
      if (!lead) errors.push(field('leadUnit', '请选择主办单位', 'Choose the lead unit'));
      else if (!unitOk(lead)) errors.push(field('leadUnit', `主办单位无效：${lead}`, `Unknown unit ${lead}`));
      const cooperating = [...new Set((choice?.cooperatingUnits ?? []).map((c) => c.trim()).filter(Boolean))];
      const unknown = cooperating.filter((c) => !unitOk(c));
      if (unknown.length) errors.push(field('cooperatingUnits', `协办单位无效：${unknown.join('、')}`, `Unknown units ${unknown.join(', ')}`));
      else if (lead && cooperating.includes(lead)) errors.push(field('cooperatingUnits', '主办单位不能同时作为协办单位', 'The lead unit cannot also cooperate'));
      return { action: { kind: 'dispatch', leadUnit: lead, cooperatingUnits: cooperating }, errors, ...chosen };
    }
    case 'answer': {
      const answer = choice?.answer?.trim() ?? '';
      if (!answer) errors.push(field('answer', '请填写答复内容', 'Write the answer'));
      return { action: { kind: 'answer_directly', answer }, errors, ...chosen };
    }
    case 'merge': {
      const masterId = choice?.masterId?.trim() ?? '';
      const master = masterId ? repo.ticket(masterId) : undefined;
      if (!masterId) errors.push(field('masterId', '请选择要并入的主工单', 'Choose the ticket to merge into'));
      else if (!master) errors.push(field('masterId', '未找到要并入的工单', 'No such ticket'));
      else if (master.masterId !== null || !OPEN_TICKET_STATUSES.includes(master.status as TicketStatus)) {
        errors.push(field('masterId', '主工单已办结或已并入其他工单，不能并单', 'That ticket is closed or merged: it cannot take more'));
      }
      return { action: { kind: 'merge', masterId }, errors, ...chosen };
    }
  }
}

export function registerDeskIntake(app: HotlineHttp, deps: DeskIntakeDeps): void {
  const { repo, handling, views, tickets, clock, rules } = deps;
  const centre = requireRole('agent', 'supervisor');

  app.get('/api/dispatch/suggestion', { schema: { querystring: SuggestionQuery }, preHandler: centre }, async (request) => {
    const { category, townshipCode } = request.query;
    if (!isCategory(category)) throw hotlineError('ERR_VALIDATION', { fields: [field('category', '请选择有效的分类', 'Choose a valid category')] });
    const suggested = suggestUnit({ category, townshipCode: townshipCode || null }, deps.handlingUnits);
    // A retired street or township is suggested to nobody (retired departments are not in handlingUnits).
    const s = suggested && repo.unit(suggested.unitCode)?.retiredAt == null ? suggested : null;
    return {
      suggestion: s ? { ...s, name: repo.unit(s.unitCode)?.name ?? s.unitCode } : null,
      urgency: suggestUrgency(category),
    };
  });

  app.get('/api/dispatch/deadlines', { schema: { querystring: DeadlinesQuery }, preHandler: centre }, async (request) => {
    const asked = request.query.urgency;
    if (asked !== undefined && !isUrgencyClass(asked)) throw hotlineError('ERR_VALIDATION', { fields: [field('urgency', '紧急程度无效', 'Unknown urgency class')] });
    const now = clock.now();
    const classes = asked ? [asked] : [...URGENCY_CLASSES];
    return {
      at: now,
      calendarMissing: calendarYearsMissing(rules.calendar, now),
      classes: classes.map((urgency) => {
        const c = dispatchClocks(now, urgency, rules.policy, rules.calendar);
        return { urgency, label: URGENCY_LABELS[urgency], acceptBy: c.acceptBy, completeBy: c.completeBy };
      }),
    };
  });

  app.get('/api/dispatch/calendar', { preHandler: requireRole('agent', 'supervisor', 'admin') }, async () => calendarCoverage(rules.calendar, clock.now()));

  app.post('/api/tickets/intake', { schema: { body: IntakeBody }, preHandler: centre }, async (request, reply) => {
    const who = sessionOf(request).account;
    const ctx = handling.actorOf(who);
    const { handling: choice, ...rest } = request.body as IntakeBodyType;
    const chosen = handlingAction(choice, repo);
    const form: Record<string, unknown> = chosen.urgency ? { ...rest, urgency: chosen.urgency } : { ...rest };
    let checked: Record<string, unknown> = form;
    if (form.fromDraft === true && typeof form.callId === 'string') {
      checked = { ...tickets.getDraft(form.callId, who).data, ...Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)) };
    }
    const errors = [...tickets.check(checked).errors, ...chosen.errors];
    if (errors.length) throw hotlineError('ERR_VALIDATION', { fields: errors });
    const saved = deps.db.transaction(() => {
      const created = tickets.create(form, who);
      const extras: ActionExtras = chosen.urgency ? { urgency: chosen.urgency } : {};
      if (chosen.action) handling.run(ctx, created.id, chosen.action, extras);
      return created;
    })();
    const file = views.ticketFile(ctx, saved.id, clock.now());
    return reply.code(201).send({
      id: saved.id, number: saved.number, status: file.ticket.status, masterId: file.ticket.masterId,
      mergeCandidates: chosen.action ? [] : saved.mergeCandidates,
      dispatch: file.dispatch,
    });
  });
}
