import { afterEach, describe, expect, it } from 'vitest';
import { CHAOWAI, JIANWAI, startHandlingDesk } from './dispatch-harness.ts';
import type { HandlingDesk } from './dispatch-harness.ts';
import { cookie, noticeSockets } from './notice-sockets.ts';

let h: HandlingDesk | undefined;
const sockets = noticeSockets();
afterEach(async () => {
  sockets.closeAll();
  await h?.close();
  h = undefined;
});

function url(path: '/ws/centre' | '/ws/portal'): string { return `${h!.desk.url.replace(/^http/, 'ws')}${path}`; }
const openDesk = (headers: Record<string, string>) => sockets.open(url('/ws/centre'), headers);

/** A ticket dispatched to 建外街道 and signed for by it. */
async function signedTicket(d: HandlingDesk, form: Record<string, unknown> = {}) {
  const t = await d.intake(form);
  await d.call(d.as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI });
  expect((await d.call(d.as.unitA, 'POST', `/api/tickets/${t.id}/sign`)).status).toBe(200);
  return t;
}

describe('notices to the centre review desk', () => {
  it('when a unit replies, returns, disputes or asks for more time, then every open review desk is told live, naming the unit, and no unit is', async () => {
    h = await startHandlingDesk();
    const { as, call } = h;
    const supervisorDesk = await openDesk(cookie(as.supervisor));
    const agentDesk = await openDesk(cookie(as.agent));
    const portal = await sockets.open(url('/ws/portal'), cookie(as.unitB));
    expect(await supervisorDesk.next('hello')).toMatchObject({ unread: 0, notices: [] });
    await agentDesk.next('hello');
    await portal.next('hello');

    const replied = await signedTicket(h);
    await call(as.unitA, 'POST', `/api/tickets/${replied.id}/reply`, { result: '垃圾已清运', actions: '协调物业增加清运频次' });
    const first = await supervisorDesk.next('notice');
    expect(first).toMatchObject({ unread: 1, notice: { about: 'replied', ticketId: replied.id, number: replied.number, unitCode: JIANWAI, unitName: '建外街道', read: false } });
    expect(first.notice.text).toBe(`建外街道已回复工单 ${replied.number}，请审核办结`);
    expect(first.notice.text_en).toBe(`建外街道 replied to ticket ${replied.number}: review and close it`);
    expect(await agentDesk.next('notice')).toMatchObject({ notice: { id: first.notice.id } });

    const returned = await h.intake({ category: 'property/fees', description: '物业费上涨未经业主大会同意', callerNumber: '13500135000' });
    await call(as.agent, 'POST', `/api/tickets/${returned.id}/dispatch`, { leadUnit: JIANWAI });
    await call(as.unitA, 'POST', `/api/tickets/${returned.id}/return`, { reason: '该小区属于朝外街道辖区' });
    expect(await supervisorDesk.next('notice')).toMatchObject({ unread: 2, notice: { about: 'returned', ticketId: returned.id } });

    const disputed = await h.intake({ category: 'property/fees', description: '小区电梯停运三天', callerNumber: '13500135001' });
    await call(as.agent, 'POST', `/api/tickets/${disputed.id}/dispatch`, { leadUnit: JIANWAI });
    await call(as.unitA, 'POST', `/api/tickets/${disputed.id}/dispute`, { reason: '电梯属特种设备，应由市场监管部门办理' });
    expect(await supervisorDesk.next('notice')).toMatchObject({ unread: 3, notice: { about: 'disputed', text: `建外街道对工单 ${disputed.number} 提出异议，请审核` } });

    const longer = await signedTicket(h, { description: '路灯不亮已一周', callerNumber: '13500135002' });
    await call(as.unitA, 'POST', `/api/tickets/${longer.id}/extension`, { amount: 3, reason: '需协调多个部门' });
    expect(await supervisorDesk.next('notice')).toMatchObject({ unread: 4, notice: { about: 'extension_requested', ticketId: longer.id } });

    // The centre's own actions raise no notice to it; a unit's portal never sees the centre's notices.
    await call(as.supervisor, 'POST', `/api/tickets/${replied.id}/close`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(supervisorDesk.frames.filter((f) => f.type === 'notice')).toHaveLength(4);
    expect(portal.frames.map((f) => f.type)).toEqual(['hello']);
  });

  it('when a supervisor was away, then the notices wait unread for them; marking read is per user', async () => {
    h = await startHandlingDesk();
    const { as, call } = h;
    const t = await signedTicket(h);
    await call(as.unitA, 'POST', `/api/tickets/${t.id}/reply`, { result: '已清运', actions: '安排保洁' });

    const listed = await call(as.supervisor, 'GET', '/api/centre/notices?unread=true');
    expect(listed.status).toBe(200);
    expect(listed.body.unread).toBe(1);
    expect(listed.body.notices.map((n: { ticketId: string }) => n.ticketId)).toEqual([t.id]);
    const desk = await openDesk(cookie(as.supervisor));
    expect((await desk.next('hello')).notices.map((n: { number: string }) => n.number)).toEqual([t.number]);
    const otherTab = await openDesk(cookie(as.supervisor));
    await otherTab.next('hello');

    const empty = await call(as.supervisor, 'POST', '/api/centre/notices/read', {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0]).toMatchObject({ field: 'ids', message: '请选择要标为已读的通知' });
    expect((await call(as.supervisor, 'POST', '/api/centre/notices/read', { ids: [listed.body.notices[0].id] })).body).toEqual({ marked: 1, unread: 0 });
    expect(await otherTab.next('notices.read')).toMatchObject({ unread: 0 });
    expect((await call(as.supervisor, 'GET', '/api/centre/notices')).body.notices[0]).toMatchObject({ ticketId: t.id, read: true });
    expect((await call(as.agent, 'GET', '/api/centre/notices?unread=true')).body.unread).toBe(1);
    expect((await call(as.agent, 'POST', '/api/centre/notices/read', { all: true })).body).toEqual({ marked: 1, unread: 0 });
  });

  it('when a unit user, no session, a forged token or another site opens the centre socket or its list, then it is refused', async () => {
    h = await startHandlingDesk();
    const { as, call } = h;
    const refused = (headers: Record<string, string>, path = '/ws/centre') => sockets.refused(url(path as '/ws/centre'), headers);
    expect(await refused({})).toBe('HTTP 401');
    expect(await refused({ cookie: 'hl_session=forged' })).toBe('HTTP 401');
    expect(await refused(cookie(as.unitA))).toBe('HTTP 403');
    expect(await refused({ ...cookie(as.supervisor), origin: 'http://evil.example' })).toBe('HTTP 403');
    expect((await call(as.unitA, 'GET', '/api/centre/notices')).status).toBe(403);
    expect((await call(as.water, 'POST', '/api/centre/notices/read', { all: true })).status).toBe(403);
    expect(await refused({ ...cookie(as.supervisor), origin: h.desk.url })).toBe('opened');
  });

  it('when the change that raised a centre notice is rolled back, then nothing is stored or pushed; a junk message gets an error and the socket stays', async () => {
    h = await startHandlingDesk();
    const desk = await openDesk(cookie(h.as.supervisor));
    await desk.next('hello');
    const t = await h.intake();
    expect(() => h!.desk.db.transaction(() => {
      h!.parts.centreNotices.notify({ about: 'replied', ticketId: t.id, number: t.number, unitCode: CHAOWAI });
      throw new Error('the reply failed');
    })()).toThrow('the reply failed');
    h.parts.centreNotices.notify({ about: 'disputed', ticketId: t.id, number: t.number, unitCode: CHAOWAI });
    expect(await desk.next('notice')).toMatchObject({ notice: { about: 'disputed', unitName: '朝外街道' }, unread: 1 });
    expect(desk.frames.filter((f) => f.type === 'notice')).toHaveLength(1);
    desk.ws.send('not json');
    expect(await desk.next('error')).toMatchObject({ code: 'ERR_BAD_MESSAGE' });
    desk.ws.send(JSON.stringify({ type: 'ping', ref: 'r2' }));
    expect(await desk.next('pong')).toMatchObject({ ref: 'r2' });
  });
});
