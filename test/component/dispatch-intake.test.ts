import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { shanghaiTime } from '../../src/domain/business-calendar.ts';
import { CHAOWAI, COMPLAINT, JIANWAI, WATER, startHandlingDesk } from './dispatch-harness.ts';
import type { HandlingDesk } from './dispatch-harness.ts';

let h: HandlingDesk | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

const count = (table: string) => (h!.desk.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('intake and dispatch from the agent desktop in one step', () => {
  it('when the form and the dispatch choices are wrong, then every field error comes back in Chinese at once and nothing is saved', async () => {
    h = await startHandlingDesk();
    const res = await h.call(h.as.agent, 'POST', '/api/tickets/intake', {
      ...COMPLAINT, address: '', handling: { mode: 'dispatch', leadUnit: '', cooperatingUnits: ['no-such-unit'], urgency: 'soon' },
    });
    expect(res.status).toBe(400);
    const byField = Object.fromEntries(res.body.error.details.map((d: { field: string; message: string }) => [d.field, d.message]));
    expect(byField).toEqual({
      address: '请填写详细地址', leadUnit: '请选择主办单位', cooperatingUnits: '协办单位无效：no-such-unit', urgency: '紧急程度无效',
    });
    const twice = await h.call(h.as.agent, 'POST', '/api/tickets/intake', { ...COMPLAINT, handling: { mode: 'dispatch', leadUnit: JIANWAI, cooperatingUnits: [JIANWAI] } });
    expect(twice.body.error.details).toEqual([expect.objectContaining({ field: 'cooperatingUnits', message: '主办单位不能同时作为协办单位' })]);
    const district = await h.call(h.as.agent, 'POST', '/api/tickets/intake', { ...COMPLAINT, handling: { mode: 'dispatch', leadUnit: '110105' } });
    expect(district.body.error.details).toEqual([expect.objectContaining({ field: 'leadUnit', message: '主办单位无效：110105' })]);
    const mode = await h.call(h.as.agent, 'POST', '/api/tickets/intake', { ...COMPLAINT, handling: { mode: 'later' } });
    expect(mode.body.error.details).toEqual([expect.objectContaining({ field: 'mode' })]);
    const answer = await h.call(h.as.agent, 'POST', '/api/tickets/intake', { ...COMPLAINT, handling: { mode: 'answer', answer: '  ' } });
    expect(answer.body.error.details).toEqual([expect.objectContaining({ field: 'answer', message: '请填写答复内容' })]);
    expect([count('tickets'), count('ticket_dispatches'), count('ticket_day_sequence'), count('unit_notices')]).toEqual([0, 0, 0, 0]);
    expect((await h.call(h.as.unitA, 'POST', '/api/tickets/intake', { ...COMPLAINT, handling: { mode: 'none' } })).status).toBe(403);
  });

  it('when the agent dispatches to the suggested unit with a cooperating unit, then both clocks are the ones previewed on the business calendar', async () => {
    const clock = new VirtualClock(shanghaiTime('2026-11-27', '16:00'));   // a Friday afternoon: the general clock runs into next week
    h = await startHandlingDesk({ clock });
    const suggested = await h.call(h.as.agent, 'GET', `/api/dispatch/suggestion?category=sanitation%2Frubbish&townshipCode=${JIANWAI}`);
    expect(suggested.body).toEqual({ suggestion: { unitCode: JIANWAI, reason: 'township_of_place', name: expect.stringContaining('建外') }, urgency: 'general' });
    expect((await h.call(h.as.agent, 'GET', '/api/dispatch/suggestion?category=water%2Foutage')).body.suggestion).toMatchObject({ unitCode: WATER, reason: 'department_of_category' });
    expect((await h.call(h.as.agent, 'GET', '/api/dispatch/suggestion?category=nonsense')).status).toBe(400);
    const preview = await h.call(h.as.agent, 'GET', '/api/dispatch/deadlines?urgency=general');
    const general = preview.body.classes[0];
    expect(general.acceptBy - clock.now()).toBeGreaterThan(24 * 3_600_000);   // one working day, over the weekend
    expect((await h.call(h.as.agent, 'GET', '/api/dispatch/deadlines')).body.classes.map((c: { urgency: string }) => c.urgency))
      .toEqual(['life_safety', 'utilities', 'general', 'complex']);
    expect((await h.call(h.as.agent, 'GET', '/api/dispatch/deadlines?urgency=soon')).status).toBe(400);

    const res = await h.call(h.as.agent, 'POST', '/api/tickets/intake', {
      ...COMPLAINT, handling: { mode: 'dispatch', leadUnit: JIANWAI, cooperatingUnits: [CHAOWAI], urgency: 'general' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'dispatched', dispatch: { leadUnit: JIANWAI, acceptBy: general.acceptBy, completeBy: general.completeBy } });
    expect(res.body.dispatch.cooperating.map((c: { unitCode: string }) => c.unitCode)).toEqual([CHAOWAI]);
    const inbox = await h.call(h.as.unitB, 'GET', '/api/portal/inbox');
    expect(inbox.body.tickets.map((t: { id: string; role: string }) => [t.id, t.role])).toEqual([[res.body.id, 'cooperating']]);
  });

  it('when the request repeats an open ticket, then the offer is made before saving and the agent merges into it', async () => {
    h = await startHandlingDesk();
    const master = await h.intake();
    h.desk.addCall('call-repeat', 'agent001', COMPLAINT.callerNumber);
    const offers = await h.call(h.as.agent, 'GET', `/api/tickets/merge-offers?callId=call-repeat&category=${encodeURIComponent(COMPLAINT.category)}&townshipCode=${JIANWAI}`);
    expect(offers.body.candidates).toEqual([expect.objectContaining({ ticketId: master.id, number: master.number, reason: 'same_caller' })]);
    const probe = await h.call(h.as.agent, 'GET', `/api/tickets/merge-offers?callerNumber=${COMPLAINT.callerNumber}&category=${encodeURIComponent(COMPLAINT.category)}`);
    expect(probe.body.candidates).toEqual([]);   // an agent does not look up arbitrary numbers
    const byPlace = await h.call(h.as.supervisor, 'GET', `/api/tickets/merge-offers?callerNumber=13700137000&category=${encodeURIComponent(COMPLAINT.category)}&townshipCode=${JIANWAI}&address=${encodeURIComponent(COMPLAINT.address)}`);
    expect(byPlace.body.candidates).toEqual([expect.objectContaining({ ticketId: master.id, reason: 'same_place_and_category' })]);

    const merged = await h.call(h.as.agent, 'POST', '/api/tickets/intake', {
      ...COMPLAINT, callId: 'call-repeat', description: '上次反映的垃圾问题还没有解决', handling: { mode: 'merge', masterId: master.id },
    });
    expect(merged.status).toBe(201);
    expect(merged.body).toMatchObject({ status: 'merged', masterId: master.id });
    const file = await h.call(h.as.agent, 'GET', `/api/tickets/${master.id}/handling`);
    expect(file.body.merged.map((m: { id: string }) => m.id)).toEqual([merged.body.id]);
    const closedMaster = await h.call(h.as.agent, 'POST', '/api/tickets/intake', { ...COMPLAINT, handling: { mode: 'merge', masterId: merged.body.id } });
    expect(closedMaster.body.error.details).toEqual([expect.objectContaining({ field: 'masterId', message: '主工单已办结或已并入其他工单，不能并单' })]);
  });

  it('when the agent answers on the spot, then the ticket is answered directly and closed', async () => {
    h = await startHandlingDesk();
    const res = await h.call(h.as.agent, 'POST', '/api/tickets/intake', {
      ...COMPLAINT, type: 'consultation', handling: { mode: 'answer', answer: '垃圾清运由街道环卫所负责，电话 6500 0000' },
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('answered_directly');
    expect(h.desk.db.prepare('SELECT answer FROM tickets WHERE id = ?').get(res.body.id)).toEqual({ answer: '垃圾清运由街道环卫所负责，电话 6500 0000' });
  });
});
