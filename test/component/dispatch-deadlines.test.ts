import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { shanghaiTime } from '../../src/domain/business-calendar.ts';
import { CHAOWAI, JIANWAI, WATER, startHandlingDesk } from './dispatch-harness.ts';
import type { HandlingDesk } from './dispatch-harness.ts';

let h: HandlingDesk | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

const MINUTE = 60_000;

function actions(desk: HandlingDesk, ticketId: string): string[] {
  return (desk.desk.db.prepare("SELECT action FROM audit_log WHERE subject = ? AND action LIKE 'ticket.%' ORDER BY id").all(ticketId) as Array<{ action: string }>).map((r) => r.action);
}

describe('the deadline sweeper (督办) on the virtual clock', () => {
  it('when a general ticket is dispatched on the Thursday before 中秋, then the warning and the overdue flag come on Monday afternoon, not over the holiday', async () => {
    const clock = new VirtualClock(shanghaiTime('2026-09-24', '16:00'));
    h = await startHandlingDesk({ clock });
    const t = await h.intake();
    const dispatched = await h.call(h.as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI });
    expect(dispatched.body.dispatch).toMatchObject({
      acceptBy: shanghaiTime('2026-09-28', '16:00'),
      acceptWarnAt: shanghaiTime('2026-09-28', '14:30'),
    });

    clock.runUntil(shanghaiTime('2026-09-28', '14:29'));
    expect(actions(h, t.id)).toEqual(['ticket.submit', 'ticket.dispatch']);

    clock.runUntil(shanghaiTime('2026-09-28', '14:31'));
    expect(actions(h, t.id)).toEqual(['ticket.submit', 'ticket.dispatch', 'ticket.urge']);
    await h.relogin();
    const warned = await h.call(h.as.unitA, 'GET', '/api/portal/inbox');
    expect(warned.body.tickets[0].dispatch.clockStatus).toEqual({ acceptance: 'warning', completion: 'pending' });

    clock.runUntil(shanghaiTime('2026-09-28', '16:02'));
    expect(actions(h, t.id)).toEqual(['ticket.submit', 'ticket.dispatch', 'ticket.urge', 'ticket.acceptance_overdue']);
    await h.relogin();
    const overdue = await h.call(h.as.unitA, 'GET', '/api/portal/inbox?overdue=true');
    expect(overdue.body.tickets.map((x: { id: string }) => x.id)).toEqual([t.id]);
    expect(overdue.body.tickets[0].dispatch.clockStatus.acceptance).toBe('overdue');
    expect((await h.call(h.as.unitB, 'GET', '/api/portal/inbox?overdue=true')).body.tickets).toEqual([]);

    clock.advance(60 * MINUTE);
    expect(actions(h, t.id).filter((a) => a === 'ticket.acceptance_overdue')).toHaveLength(1);
    const signed = await h.call(h.as.unitA, 'POST', `/api/tickets/${t.id}/sign`);
    expect(signed.body.dispatch.clockStatus).toEqual({ acceptance: 'missed', completion: 'pending' });
  });

  it('when a utilities ticket is disputed and the supervisor reassigns it, then the new unit gets fresh clocks from the reassignment', async () => {
    const clock = new VirtualClock(shanghaiTime('2026-11-28', '23:50'));   // a Saturday night
    h = await startHandlingDesk({ clock });
    const t = await h.intake({ type: 'help', category: 'water/outage', description: '整栋楼停水，没有通知' });
    const suggestion = await h.call(h.as.agent, 'GET', `/api/tickets/${t.id}/suggested-unit`);
    expect(suggestion.body.suggestion).toMatchObject({ unitCode: WATER, reason: 'department_of_category', name: '北京自来水集团' });
    const first = await h.call(h.as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: WATER });
    expect(first.body.ticket.urgency).toBe('utilities');
    expect(first.body.dispatch.acceptBy).toBe(shanghaiTime('2026-11-29', '00:20'));

    clock.advance(10 * MINUTE);
    await h.call(h.as.water, 'POST', `/api/tickets/${t.id}/dispute`, { reason: '小区内部管网属于物业维修范围' });
    clock.advance(60 * MINUTE);   // past the first acceptance deadline: the stopped clock raises nothing
    expect(actions(h, t.id)).not.toContain('ticket.acceptance_overdue');

    const reassigned = await h.call(h.as.supervisor, 'POST', `/api/tickets/${t.id}/reassign`, { leadUnit: CHAOWAI });
    expect(reassigned.status).toBe(200);
    const at = shanghaiTime('2026-11-29', '01:00');
    expect(reassigned.body.dispatch).toMatchObject({
      round: 2, leadUnit: CHAOWAI, dispatchedAt: at, acceptBy: at + 30 * MINUTE, completeBy: at + 24 * 60 * MINUTE, signedAt: null,
    });
    expect(reassigned.body.rounds.map((r: { leadUnit: string; endedAt: number | null }) => [r.leadUnit, r.endedAt])).toEqual([
      [WATER, shanghaiTime('2026-11-29', '00:00')], [CHAOWAI, null],
    ]);
    expect((await h.call(h.as.water, 'GET', '/api/portal/inbox')).body.tickets).toEqual([]);

    clock.advance(21 * MINUTE);   // the utilities warning is 10 minutes before acceptance is due
    expect(actions(h, t.id).at(-1)).toBe('ticket.urge');
  });

  it('when a reply is sent back for rework, then the time it waited for review is not counted against the unit', async () => {
    const clock = new VirtualClock(shanghaiTime('2026-11-23', '10:00'));   // a Monday
    h = await startHandlingDesk({ clock });
    const t = await h.intake();
    await h.call(h.as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI });
    await h.call(h.as.unitA, 'POST', `/api/tickets/${t.id}/sign`);
    const replied = await h.call(h.as.unitA, 'POST', `/api/tickets/${t.id}/reply`, { result: '已清运', actions: '安排保洁' });
    const due = replied.body.dispatch.completeBy as number;
    clock.advance(210 * MINUTE);   // 10:00 -> 13:30: two working hours, the lunch break does not count
    await h.relogin();
    const rework = await h.call(h.as.supervisor, 'POST', `/api/tickets/${t.id}/rework`, { reason: '市民反映仍有垃圾' });
    expect(rework.body.ticket.status).toBe('accepted');
    expect(rework.body.dispatch.repliedAt).toBeNull();
    expect(rework.body.dispatch.completeBy - due).toBe(2 * 60 * MINUTE);   // Tue 2 Dec 10:00 -> 12:00
  });
});

describe('a holiday calendar without the year the deadlines run into', () => {
  it('when it is December and next year has no holidays, then the centre and the agents are told, the deadlines say so, and a unit is not', async () => {
    const clock = new VirtualClock(shanghaiTime('2026-12-05', '10:00'));
    h = await startHandlingDesk({ clock });
    const coverage = await h.call(h.as.supervisor, 'GET', '/api/dispatch/calendar');
    expect(coverage.status).toBe(200);
    expect(coverage.body).toMatchObject({ years: [2026], missing: [2027] });
    expect(coverage.body.warning.text).toContain('2027');
    expect((await h.call(h.as.agent, 'GET', '/api/dispatch/deadlines?urgency=complex')).body.calendarMissing).toEqual([2027]);
    expect((await h.call(h.as.unitA, 'GET', '/api/dispatch/calendar')).status).toBe(403);
  });

  it('when next year is configured, then nothing is missing', async () => {
    const clock = new VirtualClock(shanghaiTime('2026-12-05', '10:00'));
    const { calendarFrom } = await import('../../src/features/dispatch/dispatch.calendar.ts');
    h = await startHandlingDesk({ clock, dispatch: { calendar: calendarFrom({ holidays: ['2027-01-01'] }) } });
    expect((await h.call(h.as.supervisor, 'GET', '/api/dispatch/calendar')).body).toEqual({ years: [2026, 2027], missing: [], warning: null });
    expect((await h.call(h.as.agent, 'GET', '/api/dispatch/deadlines?urgency=complex')).body.calendarMissing).toEqual([]);
  });
});
