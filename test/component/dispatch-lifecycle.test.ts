import { afterEach, describe, expect, it } from 'vitest';
import { CHAOWAI, JIANWAI, WATER, startHandlingDesk } from './dispatch-harness.ts';
import type { HandlingDesk } from './dispatch-harness.ts';

let h: HandlingDesk | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

function auditRows(desk: HandlingDesk, ticketId: string) {
  return desk.desk.db.prepare("SELECT actor, action, details FROM audit_log WHERE subject = ? AND action LIKE 'ticket.%' ORDER BY id").all(ticketId) as Array<{ actor: string; action: string; details: string }>;
}

describe('the handling lifecycle over HTTP, by role', () => {
  it('when a ticket is dispatched to a lead and a cooperating unit, then each may do only its part and the supervisor closes it', async () => {
    h = await startHandlingDesk();
    const t = await h.intake();
    const { as, call } = h;
    const dispatched = await call(as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI, cooperatingUnits: [CHAOWAI] });
    expect(dispatched.status).toBe(200);
    expect(dispatched.body.ticket.status).toBe('dispatched');
    expect(dispatched.body.dispatch).toMatchObject({ leadUnit: JIANWAI, leadUnitName: '建外街道', cooperating: [{ unitCode: CHAOWAI }] });

    expect((await call(as.water, 'GET', `/api/tickets/${t.id}/handling`)).status).toBe(403);
    expect((await call(as.water, 'POST', `/api/tickets/${t.id}/sign`)).status).toBe(403);
    const coSign = await call(as.unitB, 'POST', `/api/tickets/${t.id}/sign`);
    expect(coSign.status).toBe(403);
    expect(coSign.body.error.context.reason).toBe('not_lead_unit');
    expect((await call(as.agent, 'POST', `/api/tickets/${t.id}/sign`)).status).toBe(403);

    expect((await call(as.unitA, 'POST', `/api/tickets/${t.id}/sign`)).body.ticket.status).toBe('accepted');
    const coReply = await call(as.unitB, 'POST', `/api/tickets/${t.id}/reply`, { result: '已配合清理', actions: '派出环卫车辆' });
    expect(coReply.status).toBe(200);
    expect(coReply.body.ticket.status).toBe('accepted');
    expect(coReply.body.dispatch.cooperating[0]).toMatchObject({ unitCode: CHAOWAI, replyResult: '已配合清理' });

    const noActions = await call(as.unitA, 'POST', `/api/tickets/${t.id}/reply`, { result: '已清运' });
    expect(noActions.status).toBe(400);
    expect(noActions.body.error.details).toEqual([expect.objectContaining({ field: 'actions', message: '请填写办理过程（采取了哪些措施）' })]);
    const replied = await call(as.unitA, 'POST', `/api/tickets/${t.id}/reply`, { result: '垃圾已全部清运', actions: '协调物业增加清运频次' });
    expect(replied.body.ticket.status).toBe('replied');
    expect(replied.body.dispatch).toMatchObject({ replyResult: '垃圾已全部清运', replyActions: '协调物业增加清运频次' });

    expect((await call(as.agent, 'POST', `/api/tickets/${t.id}/close`)).status).toBe(403);
    expect((await call(as.unitB, 'POST', `/api/tickets/${t.id}/close`)).status).toBe(403);
    expect((await call(as.unitA, 'POST', `/api/tickets/${t.id}/close`)).status).toBe(403);
    const closed = await call(as.supervisor, 'POST', `/api/tickets/${t.id}/close`);
    expect(closed.body.ticket).toMatchObject({ status: 'closed', closedAt: expect.any(Number) });
    expect(h.surveys).toEqual([expect.objectContaining({ ticketId: t.id, sharedWith: [] })]);

    const rows = auditRows(h, t.id);
    expect(rows.map((r) => r.action)).toEqual(['ticket.submit', 'ticket.dispatch', 'ticket.sign', 'ticket.reply', 'ticket.reply', 'ticket.close']);
    const sign = JSON.parse(rows[2]!.details);
    expect(sign).toMatchObject({ role: 'unit', unitCode: JIANWAI, from: 'dispatched', to: 'accepted', before: { status: 'dispatched', signedAt: null }, after: { status: 'accepted' } });
    expect(rows[2]!.actor).toBe(h.desk.app.auth.findAccountByUsername('unitA')!.id);
    const history = await call(as.unitA, 'GET', `/api/tickets/${t.id}/history`);
    expect(history.body.history.map((e: { action: string }) => e.action)).toContain('close');
  });

  it('when unit A returns a ticket, then a reason is required, the centre reassigns it and unit A can no longer act on it', async () => {
    h = await startHandlingDesk();
    const t = await h.intake();
    const { as, call } = h;
    await call(as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI });
    const bare = await call(as.unitA, 'POST', `/api/tickets/${t.id}/return`, { reason: '  ' });
    expect(bare.status).toBe(400);
    expect(bare.body.error.details).toEqual([expect.objectContaining({ field: 'reason', message: '请填写原因' })]);
    expect((await call(as.unitB, 'POST', `/api/tickets/${t.id}/return`, { reason: '不归我们管' })).status).toBe(403);
    const returned = await call(as.unitA, 'POST', `/api/tickets/${t.id}/return`, { reason: '地址属于朝外街道辖区' });
    expect(returned.body.ticket).toMatchObject({ status: 'returned', lastReason: '地址属于朝外街道辖区' });
    expect((await call(as.unitA, 'GET', '/api/portal/inbox')).body.tickets).toEqual([]);

    expect((await call(as.agent, 'POST', `/api/tickets/${t.id}/reassign`, { leadUnit: JIANWAI })).status).toBe(400);
    const reassigned = await call(as.agent, 'POST', `/api/tickets/${t.id}/reassign`, { leadUnit: CHAOWAI });
    expect(reassigned.body.ticket.status).toBe('dispatched');
    expect(reassigned.body.dispatch).toMatchObject({ round: 2, leadUnit: CHAOWAI });
    expect((await call(as.unitB, 'GET', '/api/portal/inbox')).body.tickets.map((x: { id: string }) => x.id)).toEqual([t.id]);
    expect((await call(as.unitA, 'POST', `/api/tickets/${t.id}/sign`)).status).toBe(403);
    const file = await call(as.unitA, 'GET', `/api/tickets/${t.id}/handling`);
    expect(file.status).toBe(200);
    expect(file.body.allowedActions).toEqual([]);
    expect((await call(as.unitB, 'POST', `/api/tickets/${t.id}/sign`)).body.ticket.status).toBe('accepted');
  });

  it('when a unit other than the lead, or the wrong role, tries centre or unit actions, then each is refused', async () => {
    h = await startHandlingDesk();
    const t = await h.intake();
    const { as, call } = h;
    expect((await call(as.unitA, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI })).status).toBe(403);
    const unknown = await call(as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: 'no-such-unit' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0]).toMatchObject({ field: 'leadUnit' });
    expect((await call(as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: '110105' })).status).toBe(400);
    await call(as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: WATER, urgency: 'utilities' });
    expect((await call(as.unitA, 'POST', `/api/tickets/${t.id}/dispute`, { reason: '非本单位职责' })).status).toBe(403);
    const disputed = await call(as.water, 'POST', `/api/tickets/${t.id}/dispute`, { reason: '属于物业管理范围' });
    expect(disputed.body.ticket.status).toBe('disputed');
    expect((await call(as.agent, 'POST', `/api/tickets/${t.id}/uphold`)).status).toBe(403);
    expect((await call(as.agent, 'POST', `/api/tickets/${t.id}/reassign`, { leadUnit: JIANWAI })).status).toBe(403);
    const upheld = await call(as.supervisor, 'POST', `/api/tickets/${t.id}/uphold`, { note: '供水问题属于贵单位职责' });
    expect(upheld.body.ticket.status).toBe('dispatched');
    expect(upheld.body.dispatch.leadUnit).toBe(WATER);
  });

  it('when the unit asks for more time, then only a supervisor approves it and the completion deadline moves', async () => {
    h = await startHandlingDesk();
    const t = await h.intake();
    const { as, call } = h;
    await call(as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI });
    await call(as.unitA, 'POST', `/api/tickets/${t.id}/sign`);
    const zero = await call(as.unitA, 'POST', `/api/tickets/${t.id}/extension`, { amount: 0, reason: '需协调多个部门' });
    expect(zero.body.error.details[0]).toMatchObject({ field: 'amount', message: '延期时长必须大于零' });
    const asked = await call(as.unitA, 'POST', `/api/tickets/${t.id}/extension`, { amount: 3, reason: '需协调多个部门' });
    expect(asked.body.dispatch.pendingExtension).toMatchObject({ amount: 3, reason: '需协调多个部门' });
    const before = asked.body.dispatch.completeBy as number;
    const centre = await call(as.supervisor, 'GET', '/api/portal/centre');
    expect(centre.body.extensions.map((x: { id: string }) => x.id)).toEqual([t.id]);
    expect((await call(as.agent, 'POST', `/api/tickets/${t.id}/extension/approve`)).status).toBe(403);
    const approved = await call(as.supervisor, 'POST', `/api/tickets/${t.id}/extension/approve`);
    expect(approved.body.dispatch.pendingExtension).toBeNull();
    expect(approved.body.dispatch.extensions).toBe(1);
    expect(approved.body.dispatch.completeBy).toBeGreaterThan(before + 2 * 86_400_000);
    expect((await call(as.supervisor, 'POST', `/api/tickets/${t.id}/extension/approve`)).status).toBe(409);
  });

  it('when the agent answers directly, then the ticket ends at intake with the answer and cannot be dispatched', async () => {
    h = await startHandlingDesk();
    const t = await h.intake({ type: 'consultation', category: 'social-security/card' });
    const { as, call } = h;
    expect((await call(as.agent, 'POST', `/api/tickets/${t.id}/answer`, {})).body.error.details[0]).toMatchObject({ field: 'answer', message: '请填写答复内容' });
    const answered = await call(as.agent, 'POST', `/api/tickets/${t.id}/answer`, { answer: '社保卡补办可在各区社保中心办理' });
    expect(answered.body.ticket).toMatchObject({ status: 'answered_directly', answer: '社保卡补办可在各区社保中心办理' });
    expect((await call(as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI })).status).toBe(409);
  });

  it('when a ticket is reached by a unit user with no unit, then it is refused', async () => {
    h = await startHandlingDesk();
    const t = await h.intake();
    await h.desk.addUser('nounit', 'unit');
    const s = await h.desk.login('nounit');
    expect((await h.call(s, 'GET', `/api/tickets/${t.id}/handling`)).status).toBe(403);
    expect((await h.call(s, 'GET', '/api/portal/inbox')).status).toBe(403);
  });
});
