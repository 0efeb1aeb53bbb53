import { describe, expect, it } from 'vitest';
import {
  ACTOR_ROLES, TICKET_ACTIONS, TICKET_REFUSALS, TICKET_STATUSES, newTicket, refusalOf, ticketRuleFor, transitionTicket,
  type ActorRole, type LifecycleTicket, type TicketAction, type TicketActionKind, type TicketActor, type TicketEffect,
  type TicketStatus,
} from '../../src/domain/ticket-lifecycle.ts';

const T0 = Date.UTC(2026, 10, 23, 2, 0);
const NOW = T0 + 3_600_000;
const LEAD = '110105001';
const HELPER = '110105002';
const STRANGER = '110108003';

const ROLE_LETTER: Record<ActorRole, string> = { agent: 'A', supervisor: 'S', unit: 'U', admin: 'D', system: 'Y' };

// Who may do each action from each status, written out by hand: letters are roles, '-' nobody.
//                     draft intake answ dispatched accepted replied returned disputed closed merged
const EXPECTED: Record<TicketActionKind, string> = {
  submit:            'AS    -      -    -          -        -       -        -        -      -',
  answer_directly:   '-     AS     -    -          -        -       AS       -        -      -',
  dispatch:          '-     AS     -    -          -        -       -        -        -      -',
  sign:              '-     -      -    U          -        -       -        -        -      -',
  reply:             '-     -      -    -          U        -       -        -        -      -',
  return:            '-     -      -    U          U        -       -        -        -      -',
  dispute:           '-     -      -    U          -        -       -        -        -      -',
  uphold:            '-     -      -    -          -        -       -        S        -      -',
  reassign:          '-     -      -    S          S        -       AS       S        -      -',
  rework:            '-     -      -    -          -        S       -        -        -      -',
  close:             '-     -      -    -          -        S       -        -        -      -',
  reopen:            '-     -      -    -          -        -       -        -        SY     -',
  merge:             '-     AS     -    AS         -        -       AS       -        -      -',
  add_note:          '-     AS     -    AS         AS       AS      AS       AS       -      -',
  urge:              '-     -      -    SY         SY       -       -        -        -      -',
  request_extension: '-     -      -    -          U        -       -        -        -      -',
  approve_extension: '-     -      -    -          S        -       -        -        -      -',
  reject_extension:  '-     -      -    -          S        -       -        -        -      -',
};

const TARGET: Record<TicketActionKind, TicketStatus | 'same'> = {
  submit: 'intake', answer_directly: 'answered_directly', dispatch: 'dispatched', sign: 'accepted', reply: 'replied',
  return: 'returned', dispute: 'disputed', uphold: 'dispatched', reassign: 'dispatched', rework: 'accepted',
  close: 'closed', reopen: 'dispatched', merge: 'merged', add_note: 'same', urge: 'same', request_extension: 'same',
  approve_extension: 'same', reject_extension: 'same',
};

function ticketIn(status: TicketStatus, over: Partial<LifecycleTicket> = {}): LifecycleTicket {
  const dispatched = !['draft', 'intake', 'answered_directly'].includes(status);
  return {
    ...newTicket('t1', T0),
    status,
    dispatch: dispatched ? { leadUnit: LEAD, cooperatingUnits: [HELPER], dispatchedAt: T0, round: 1 } : null,
    ...over,
  };
}

function actionOf(kind: TicketActionKind): TicketAction {
  switch (kind) {
    case 'answer_directly': return { kind, answer: '经查询，该政策自2026年1月1日起施行。' };
    case 'dispatch': return { kind, leadUnit: LEAD, cooperatingUnits: [HELPER] };
    case 'reply': return { kind, result: '已联系物业，电梯已于当日修复。' };
    case 'return': case 'dispute': case 'rework': case 'reopen': return { kind, reason: '非本单位职责范围' };
    case 'reassign': return { kind, leadUnit: STRANGER };
    case 'merge': return { kind, masterId: 't0' };
    case 'add_note': return { kind, note: '市民再次来电催办' };
    case 'request_extension': return { kind, amount: 3, reason: '需协调多个部门' };
    default: return { kind } as TicketAction;
  }
}

function actorFor(role: ActorRole): TicketActor {
  return role === 'unit' ? { role, unitCode: LEAD } : { role, id: `${role}-1` };
}

const triples = TICKET_ACTIONS.flatMap((action) => {
  const cells = EXPECTED[action].split(/\s+/);
  return TICKET_STATUSES.flatMap((status, i) => ACTOR_ROLES.map((role) => ({
    action, status, role, allowed: cells[i]!.includes(ROLE_LETTER[role]), statusAllows: cells[i] !== '-',
  })));
});

describe('ticket lifecycle', () => {
  it('when the hand-written table is read, then it covers every action and status', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...TICKET_ACTIONS].sort());
    for (const action of TICKET_ACTIONS) expect(EXPECTED[action].split(/\s+/)).toHaveLength(TICKET_STATUSES.length);
    expect(triples).toHaveLength(TICKET_ACTIONS.length * TICKET_STATUSES.length * ACTOR_ROLES.length);
  });

  it.each(triples)('when a $role does $action on a $status ticket, then allowed is $allowed', ({ action, status, role, allowed, statusAllows }) => {
    const pending = action === 'approve_extension' || action === 'reject_extension'
      ? { pendingExtension: { amount: 3, reason: '需协调', requestedAt: T0 } } : {};
    const ticket = ticketIn(status, pending);
    const r = transitionTicket(ticket, actionOf(action), actorFor(role), NOW);
    expect(ticketRuleFor(status, action, role) !== undefined).toBe(allowed);
    if (!allowed) {
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(refusalOf(r.error)).toBe(statusAllows ? 'role_forbids' : 'status_forbids');
      expect(r.error.code).toBe(statusAllows ? 'ERR_FORBIDDEN' : 'ERR_TICKET_STATE');
      expect(r.error.details).toMatchObject({ status, action, role, zh: expect.stringMatching(/[\u4e00-\u9fff]/) });
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const to = TARGET[action] === 'same' ? status : TARGET[action];
    expect(r.value.ticket.status).toBe(to);
    expect(r.value.effects.at(-1)).toMatchObject({ kind: 'audit', ticketId: 't1', action, from: status, to, at: NOW });
    expect(r.value.effects.some((e) => e.kind === 'schedule_survey')).toBe(action === 'close');
    expect(r.value.effects.some((e) => e.kind === 'start_clocks')).toBe(['dispatch', 'reassign', 'uphold', 'reopen'].includes(action));
  });
});

describe('unit actions', () => {
  const unitActions: TicketActionKind[] = ['sign', 'reply', 'return', 'dispute', 'request_extension'];
  const statusFor: Record<string, TicketStatus> = { sign: 'dispatched', reply: 'accepted', return: 'dispatched', dispute: 'dispatched', request_extension: 'accepted' };

  it.each(unitActions.flatMap((action) => [
    { action, who: 'the lead unit', unitCode: LEAD as string | undefined, outcome: 'allowed' },
    { action, who: 'a cooperating unit', unitCode: HELPER as string | undefined, outcome: action === 'reply' ? 'part_reply' : 'not_lead_unit' },
    { action, who: 'another unit', unitCode: STRANGER as string | undefined, outcome: 'not_dispatched_unit' },
    { action, who: 'a unit user without a unit', unitCode: undefined, outcome: 'not_dispatched_unit' },
  ]))('when $who does $action, then the outcome is $outcome', ({ action, unitCode, outcome }) => {
    const ticket = ticketIn(statusFor[action]!);
    const actor: TicketActor = unitCode === undefined ? { role: 'unit' } : { role: 'unit', unitCode };
    const r = transitionTicket(ticket, actionOf(action), actor, NOW);
    if (outcome === 'allowed') expect(r.ok).toBe(true);
    else if (outcome === 'part_reply') {
      expect(r.ok && r.value.ticket).toBe(ticket);
      expect(r.ok && r.value.effects[0]).toEqual({ kind: 'record_cooperating_reply', unitCode: HELPER, result: '已联系物业，电梯已于当日修复。' });
    } else {
      expect(!r.ok && refusalOf(r.error)).toBe(outcome);
      expect(!r.ok && r.error.code).toBe('ERR_FORBIDDEN');
    }
  });
});

describe('refused content', () => {
  it.each<[string, TicketStatus, TicketAction, TicketActor, keyof typeof TICKET_REFUSALS, Partial<LifecycleTicket>?]>([
    ['a return without a reason', 'dispatched', { kind: 'return', reason: '  ' }, { role: 'unit', unitCode: LEAD }, 'reason_required'],
    ['a dispute without a reason', 'dispatched', { kind: 'dispute', reason: '' }, { role: 'unit', unitCode: LEAD }, 'reason_required'],
    ['a reply without a result', 'accepted', { kind: 'reply', result: '' }, { role: 'unit', unitCode: LEAD }, 'result_required'],
    ['a part reply without a result', 'accepted', { kind: 'reply', result: '' }, { role: 'unit', unitCode: HELPER }, 'result_required'],
    ['a direct answer without text', 'intake', { kind: 'answer_directly', answer: '' }, { role: 'agent' }, 'answer_required'],
    ['a dispatch without a unit', 'intake', { kind: 'dispatch', leadUnit: '' }, { role: 'agent' }, 'unit_required'],
    ['a dispatch naming the lead as cooperating', 'intake', { kind: 'dispatch', leadUnit: LEAD, cooperatingUnits: [LEAD] }, { role: 'agent' }, 'lead_also_cooperating'],
    ['a reassignment to the same unit', 'returned', { kind: 'reassign', leadUnit: LEAD }, { role: 'agent' }, 'same_unit'],
    ['a merge into itself', 'intake', { kind: 'merge', masterId: 't1' }, { role: 'agent' }, 'merge_into_self'],
    ['a merge without a master', 'intake', { kind: 'merge', masterId: '' }, { role: 'agent' }, 'master_required'],
    ['an empty note', 'accepted', { kind: 'add_note', note: ' ' }, { role: 'agent' }, 'note_required'],
    ['a rework without a reason', 'replied', { kind: 'rework', reason: '' }, { role: 'supervisor' }, 'reason_required'],
    ['a reopening without a reason', 'closed', { kind: 'reopen', reason: '' }, { role: 'system' }, 'reason_required'],
    ['an extension of zero days', 'accepted', { kind: 'request_extension', amount: 0, reason: '协调中' }, { role: 'unit', unitCode: LEAD }, 'extension_amount_invalid'],
    ['a second extension request', 'accepted', { kind: 'request_extension', amount: 2, reason: '协调中' }, { role: 'unit', unitCode: LEAD }, 'extension_pending', { pendingExtension: { amount: 3, reason: 'x', requestedAt: T0 } }],
    ['an approval with nothing pending', 'accepted', { kind: 'approve_extension' }, { role: 'supervisor' }, 'no_extension_pending'],
  ])('when %s is sent, then it is refused with its reason', (_what, status, action, actor, reason, over) => {
    const r = transitionTicket(ticketIn(status, over), action, actor, NOW);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(refusalOf(r.error)).toBe(reason);
    expect(r.error.code).toBe(TICKET_REFUSALS[reason].code);
    expect(r.error.details?.['zh']).toBe(TICKET_REFUSALS[reason].zh);
  });
});

describe('a ticket through its life', () => {
  function run(ticket: LifecycleTicket, steps: Array<[TicketAction, TicketActor]>): { ticket: LifecycleTicket; effects: TicketEffect[][] } {
    const effects: TicketEffect[][] = [];
    let current = ticket;
    steps.forEach(([action, actor], i) => {
      const r = transitionTicket(current, action, actor, T0 + i * 60_000);
      if (!r.ok) throw new Error(`step ${i} ${action.kind}: ${String(r.error.details?.['reason'])}`);
      current = r.value.ticket;
      effects.push([...r.value.effects]);
    });
    return { ticket: current, effects };
  }
  const agent: TicketActor = { role: 'agent', id: 'a1' };
  const sup: TicketActor = { role: 'supervisor', id: 's1' };
  const lead: TicketActor = { role: 'unit', unitCode: LEAD };
  const other: TicketActor = { role: 'unit', unitCode: STRANGER };

  it('when a ticket is dispatched, signed, replied, sent back, replied, closed and reopened, then every step leaves the right trace', () => {
    const { ticket, effects } = run(newTicket('t1', T0), [
      [{ kind: 'submit' }, agent],
      [{ kind: 'dispatch', leadUnit: LEAD, cooperatingUnits: [HELPER] }, agent],
      [{ kind: 'sign' }, lead],
      [{ kind: 'reply', result: '已处理' }, lead],
      [{ kind: 'rework', reason: '市民反映问题仍未解决' }, sup],
      [{ kind: 'reply', result: '已再次处理' }, lead],
      [{ kind: 'close' }, sup],
      [{ kind: 'reopen', reason: '回访不满意' }, { role: 'system' }],
    ]);
    expect(ticket).toMatchObject({ status: 'dispatched', reopenCount: 1, closedAt: null, signedAt: null, dispatch: { leadUnit: LEAD, cooperatingUnits: [HELPER], round: 2 } });
    expect(effects[1]!.map((e) => e.kind)).toEqual(['start_clocks', 'notify_unit', 'notify_unit', 'audit']);
    expect(effects[2]!.map((e) => e.kind)).toEqual(['stop_acceptance_clock', 'audit']);
    expect(effects[4]!.map((e) => e.kind)).toEqual(['resume_completion_clock', 'notify_unit', 'audit']);
    expect(effects[6]).toContainEqual({ kind: 'schedule_survey', ticketId: 't1' });
  });

  it('when a unit disputes, the centre upholds, the unit returns and the centre reassigns, then the new unit holds the ticket', () => {
    const { ticket, effects } = run(newTicket('t1', T0), [
      [{ kind: 'submit' }, agent],
      [{ kind: 'dispatch', leadUnit: LEAD }, agent],
      [{ kind: 'dispute', reason: '该地址不属本街道' }, lead],
      [{ kind: 'uphold', note: '经核实属本街道' }, sup],
      [{ kind: 'return', reason: '需区级部门处理' }, lead],
      [{ kind: 'reassign', leadUnit: STRANGER }, agent],
      [{ kind: 'sign' }, other],
    ]);
    expect(ticket).toMatchObject({ status: 'accepted', lastReason: '需区级部门处理', dispatch: { leadUnit: STRANGER, round: 2 } });
    expect(effects[2]!.map((e) => e.kind)).toEqual(['stop_clocks', 'notify_centre', 'audit']);
    expect(effects[3]!.map((e) => e.kind)).toEqual(['start_clocks', 'notify_unit', 'audit']);
    expect(effects[5]).toContainEqual({ kind: 'notify_unit', unitCode: STRANGER, about: 'dispatched' });
    expect(effects[5]).toContainEqual({ kind: 'notify_unit', unitCode: LEAD, about: 'return_reviewed' });
    expect(transitionTicket(ticket, { kind: 'reply', result: '已处理' }, lead, NOW)).toMatchObject({ ok: false, error: { details: { reason: 'not_dispatched_unit' } } });
  });

  it('when a unit asks for an extension and the centre approves, then the completion clock is extended once', () => {
    const accepted = ticketIn('accepted');
    const asked = run(accepted, [[{ kind: 'request_extension', amount: 3, reason: '需协调多个部门' }, lead]]).ticket;
    expect(asked.pendingExtension).toEqual({ amount: 3, reason: '需协调多个部门', requestedAt: T0 });
    const approved = transitionTicket(asked, { kind: 'approve_extension' }, sup, NOW);
    expect(approved.ok && approved.value.effects[0]).toEqual({ kind: 'extend_completion', amount: 3 });
    expect(approved.ok && approved.value.ticket.pendingExtension).toBeNull();
  });

  it('when a supervisor takes a ticket away from a unit that signed it, then the old unit is told and its clocks stop', () => {
    const r = transitionTicket(ticketIn('accepted'), { kind: 'reassign', leadUnit: STRANGER }, sup, NOW);
    expect(r.ok && r.value.effects.slice(0, 3)).toEqual([
      { kind: 'stop_clocks', at: NOW },
      { kind: 'notify_unit', unitCode: LEAD, about: 'withdrawn' },
      { kind: 'start_clocks', unitCode: STRANGER, at: NOW },
    ]);
  });
});
