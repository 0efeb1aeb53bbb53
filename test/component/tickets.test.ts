import { afterEach, describe, expect, it } from 'vitest';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';
import { shanghaiDay } from '../../src/features/tickets/tickets.service.ts';

let desk: DeskApp | undefined;
afterEach(async () => { await desk?.close(); desk = undefined; });

interface ErrorBody { error: { code: string; message: string; message_en: string; details: Array<{ field: string; message: string }> } }

function call(s: Session, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { cookie: s.cookie, 'x-csrf-token': s.csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${desk!.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const FORM = {
  type: '投诉',
  category: 'pollution/noise',
  description: '小区旁工地夜间施工噪声扰民，持续一周',
  districtCode: '110105',        // 朝阳区
  townshipCode: '110105001',     // 建外街道
  address: '建国路 88 号',
  contactName: '王先生',
  contactPhone: '13800138000',
  confidential: true,
};

async function agentOnCall(callId = 'call-a') {
  desk = await startDeskApp();
  await desk.addUser('agent001', 'agent', 'agent001');
  await desk.addUser('agent002', 'agent', 'agent002');
  desk.addCall(callId, 'agent001', '13900139000');
  return { a: await desk.login('agent001'), b: await desk.login('agent002') };
}

describe('ticket drafts and tickets', () => {
  it('when a draft is saved and read back, then it is restored; a save with a stale version is refused with 409', async () => {
    const { a } = await agentOnCall();
    const empty = await (await call(a, 'GET', '/api/calls/call-a/draft')).json() as { version: number; data: object };
    expect(empty).toMatchObject({ version: 0, data: {} });
    const first = await call(a, 'PUT', '/api/calls/call-a/draft', { data: { description: '第一稿' }, version: 0 });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ version: 1 });
    const second = await call(a, 'PUT', '/api/calls/call-a/draft', { data: { description: '第二稿' }, version: 1 });
    expect(await second.json()).toMatchObject({ version: 2 });
    const stale = await call(a, 'PUT', '/api/calls/call-a/draft', { data: { description: '旧页面' }, version: 1 });
    expect(stale.status).toBe(409);
    const body = await stale.json() as ErrorBody & { error: { context: { currentVersion: number } } };
    expect(body.error.code).toBe('ERR_CONFLICT');
    expect(body.error.context.currentVersion).toBe(2);
    const restored = await (await call(a, 'GET', '/api/calls/call-a/draft')).json();
    expect(restored).toMatchObject({ version: 2, data: { description: '第二稿' } });
  });

  it('when another agent reads or saves the draft of a call they did not handle, then 403', async () => {
    const { a, b } = await agentOnCall();
    await call(a, 'PUT', '/api/calls/call-a/draft', { data: { description: '私密内容' }, version: 0 });
    const read = await call(b, 'GET', '/api/calls/call-a/draft');
    expect(read.status).toBe(403);
    expect(JSON.stringify(await read.json())).not.toContain('私密内容');
    expect((await call(b, 'PUT', '/api/calls/call-a/draft', { data: {}, version: 1 })).status).toBe(403);
    expect((await call(b, 'POST', '/api/tickets', { callId: 'call-a', ...FORM })).status).toBe(403);
    expect((await call(a, 'GET', '/api/calls/no-such-call/draft')).status).toBe(404);
  });

  it('when the form is incomplete, then 400 lists each field with a Chinese message', async () => {
    const { a } = await agentOnCall();
    const res = await call(a, 'POST', '/api/tickets', { callId: 'call-a', type: '抱怨', description: '短', contactPhone: 'abc' });
    expect(res.status).toBe(400);
    const body = await res.json() as ErrorBody;
    expect(body.error.code).toBe('ERR_VALIDATION');
    const byField = Object.fromEntries(body.error.details.map((d) => [d.field, d.message]));
    expect(Object.keys(byField).sort()).toEqual(['category', 'contactPhone', 'description', 'type']);
    expect(byField.type).toContain('诉求类型无效');
    expect(byField.category).toBe('请选择分类');
    expect(byField.description).toContain('至少需要 5 个字');
    expect(byField.contactPhone).toBe('联系电话格式不正确');
    const complaint = await call(a, 'POST', '/api/tickets', { callId: 'call-a', type: '投诉', category: 'sanitation/rubbish', description: '垃圾无人清运已三天' });
    const missing = (await complaint.json() as ErrorBody).error.details.map((d) => d.field).sort();
    expect(missing).toEqual(['address', 'districtCode', 'townshipCode']);
  });

  it('when the street belongs to another district, then the ticket is refused on townshipCode', async () => {
    const { a } = await agentOnCall();
    const res = await call(a, 'POST', '/api/tickets', { callId: 'call-a', ...FORM, districtCode: '110101' });
    expect(res.status).toBe(400);
    const body = await res.json() as ErrorBody;
    expect(body.error.details).toEqual([expect.objectContaining({ field: 'townshipCode', message: '所选街道/乡镇不属于该区' })]);
    expect(desk!.db.prepare('SELECT count(*) AS n FROM tickets').get()).toEqual({ n: 0 });
  });

  it('when tickets are saved, then they are numbered YYYYMMDD + a 5-digit daily sequence and show in the caller history', async () => {
    const { a } = await agentOnCall();
    desk!.addCall('call-b', 'agent001', '13900139000');
    const first = await call(a, 'POST', '/api/tickets', { callId: 'call-a', ...FORM });
    expect(first.status).toBe(201);
    const t1 = await first.json() as { id: string; number: string; type: string; confidential: boolean; callerNumber: string };
    const t2 = await (await call(a, 'POST', '/api/tickets', { callId: 'call-b', ...FORM, type: 'consultation', districtCode: '', townshipCode: '', address: '' })).json() as { number: string };
    const day = shanghaiDay(Date.now());
    expect(t1.number).toMatch(/^\d{8}\d{5}$/);
    expect(t1.number).toBe(`${day}00001`);
    expect(t2.number).toBe(`${day}00002`);
    expect(t1).toMatchObject({ type: 'complaint', confidential: true, callerNumber: '13900139000' });
    const read = await call(a, 'GET', `/api/tickets/${t1.id}`);
    expect(await read.json()).toMatchObject({ number: t1.number, townshipCode: '110105001' });
    const history = desk!.app.tickets.recentTicketsForCaller('13900139000', Date.now());
    expect(history.map((h) => h.number)).toEqual([t2.number, t1.number]);
    expect(desk!.app.tickets.recentTicketsForCaller('13900139000', Date.now() + 91 * 86_400_000)).toEqual([]);
    const draft = await (await call(a, 'GET', '/api/calls/call-a/draft')).json();
    expect(draft).toMatchObject({ ticketNumber: t1.number });
    expect((await call(a, 'PUT', '/api/calls/call-a/draft', { data: {}, version: 0 })).status).toBe(409);
  });

  it('when the day changes in Shanghai, then the sequence starts again at 00001', () => {
    expect(shanghaiDay(Date.UTC(2026, 10, 24, 15, 59, 59))).toBe('20261124');
    expect(shanghaiDay(Date.UTC(2026, 10, 24, 16, 0, 0))).toBe('20261125');
  });

  it('when a ticket is created from the draft, then the saved draft fields are used', async () => {
    const { a } = await agentOnCall();
    await call(a, 'PUT', '/api/calls/call-a/draft', { data: FORM, version: 0 });
    const res = await call(a, 'POST', '/api/tickets', { callId: 'call-a', fromDraft: true });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ description: FORM.description, townshipCode: FORM.townshipCode });
  });
});
