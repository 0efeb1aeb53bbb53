import { afterEach, describe, expect, it } from 'vitest';
import { JIANWAI, startHandlingDesk } from './dispatch-harness.ts';
import type { HandlingDesk } from './dispatch-harness.ts';

let h: HandlingDesk | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

describe('merging repeat requests (并单) and notes from repeat callers', () => {
  it('when a second ticket repeats an open one, then intake offers it for merging and the merged ticket shares the handling and the callback', async () => {
    h = await startHandlingDesk();
    const { as, call } = h;
    const master = await h.intake();
    expect(master.mergeCandidates).toEqual([]);
    const neighbour = await h.intake({ callerNumber: '13700137000', contactPhone: '13700137000', description: '建国门外大街 1 号院垃圾堆积' });
    expect(neighbour.mergeCandidates).toEqual([expect.objectContaining({ ticketId: master.id, reason: 'same_place_and_category' })]);
    const repeat = await h.intake({ description: '上次反映的垃圾问题还没有解决' });
    expect(repeat.mergeCandidates.map((c) => [c.ticketId, c.reason])).toEqual([[master.id, 'same_caller'], [neighbour.id, 'same_place_and_category']]);
    const offered = await call(as.agent, 'GET', `/api/tickets/${repeat.id}/merge-candidates`);
    expect(offered.body.candidates[0]).toMatchObject({ ticketId: master.id, number: master.number });
    const other = await h.intake({ category: 'pollution/noise', description: '夜间施工噪声扰民严重' });
    expect(other.mergeCandidates).toEqual([]);

    expect((await call(as.unitA, 'POST', `/api/tickets/${repeat.id}/merge`, { masterId: master.id })).status).toBe(403);
    expect((await call(as.agent, 'POST', `/api/tickets/${repeat.id}/merge`, { masterId: repeat.id })).status).toBe(409);
    const merged = await call(as.agent, 'POST', `/api/tickets/${repeat.id}/merge`, { masterId: master.id });
    expect(merged.body.ticket).toMatchObject({ status: 'merged', masterId: master.id });
    await call(as.agent, 'POST', `/api/tickets/${neighbour.id}/merge`, { masterId: master.id });
    expect((await call(as.agent, 'GET', `/api/tickets/${master.id}/handling`)).body.merged.map((m: { id: string }) => m.id)).toEqual([neighbour.id, repeat.id]);
    expect((await call(as.agent, 'POST', `/api/tickets/${other.id}/merge`, { masterId: repeat.id })).status).toBe(409);

    await call(as.agent, 'POST', `/api/tickets/${master.id}/dispatch`, { leadUnit: JIANWAI });
    await call(as.unitA, 'POST', `/api/tickets/${master.id}/sign`);
    await call(as.unitA, 'POST', `/api/tickets/${master.id}/reply`, { result: '已清运并增加清运频次', actions: '街道城管科督促物业' });
    const closed = await call(as.supervisor, 'POST', `/api/tickets/${master.id}/close`);
    expect(closed.status).toBe(200);
    expect(h.surveys).toHaveLength(1);
    expect(h.surveys[0]).toMatchObject({ ticketId: master.id });
    expect([...h.surveys[0]!.sharedWith].sort()).toEqual([neighbour.id, repeat.id].sort());

    const follower = await call(as.agent, 'GET', `/api/tickets/${repeat.id}/handling`);
    expect(follower.body.ticket.closedAt).toBe(closed.body.ticket.closedAt);
    expect(follower.body.master).toMatchObject({ id: master.id, status: 'closed', dispatch: { replyResult: '已清运并增加清运频次' } });
    expect(follower.body.history.map((e: { action: string }) => e.action)).toEqual(['submit', 'merge', 'closed_with_master']);
  });

  it('when a repeat caller calls about an open ticket, then the agent adds a note and links the call instead of creating a ticket', async () => {
    h = await startHandlingDesk();
    const { as, call, desk } = h;
    const t = await h.intake();
    await call(as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI });
    desk.addCall('call-repeat', 'agent001', '13900139000');
    await desk.addUser('agent002', 'agent', 'agent002');
    desk.addCall('call-other', 'agent002', '13900139000');
    expect((await call(as.agent, 'POST', `/api/tickets/${t.id}/notes`, { note: '市民再次来电催办', callId: 'call-other' })).status).toBe(403);
    expect((await call(as.agent, 'POST', `/api/tickets/${t.id}/notes`, { note: '', callId: 'call-repeat' })).body.error.details[0]).toMatchObject({ field: 'note', message: '请填写备注内容' });
    const noted = await call(as.agent, 'POST', `/api/tickets/${t.id}/notes`, { note: '市民再次来电催办', callId: 'call-repeat' });
    expect(noted.status).toBe(200);
    expect(noted.body.ticket.status).toBe('dispatched');
    expect(noted.body.calls.map((c: { callId: string; kind: string }) => [c.callId, c.kind])).toEqual([['call-repeat', 'note']]);
    expect(noted.body.history.at(-1)).toMatchObject({ action: 'add_note', details: { note: '市民再次来电催办' } });
    expect(desk.db.prepare('SELECT count(*) AS n FROM tickets').get()).toEqual({ n: 1 });
    expect(desk.db.prepare("SELECT ticket_id FROM calls WHERE id = 'call-repeat'").get()).toEqual({ ticket_id: t.id });
    const draft = await call(as.agent, 'GET', '/api/calls/call-repeat/draft');
    expect(draft.body).toMatchObject({ ticketId: null, ticketNumber: null });   // a note does not count as the call's own ticket
    expect((await call(as.agent, 'PUT', '/api/calls/call-repeat/draft', { data: { description: '另一件事：路灯不亮' }, version: 0 })).status).toBe(200);
  });
});
