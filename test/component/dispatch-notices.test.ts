import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { shanghaiTime } from '../../src/domain/business-calendar.ts';
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

function portalUrl(): string { return `${h!.desk.url.replace(/^http/, 'ws')}/ws/portal`; }
const open = (headers: Record<string, string>, url = portalUrl()) => sockets.open(url, headers);
const refused = (headers: Record<string, string>, url = portalUrl()) => sockets.refused(url, headers);

describe('unit notices pushed to the portal', () => {
  it('when a ticket is dispatched, then the lead and cooperating units each get the notice live, and no other unit does', async () => {
    h = await startHandlingDesk();
    const { as, call } = h;
    const a = await open(cookie(as.unitA));
    const b = await open(cookie(as.unitB));
    const water = await open(cookie(as.water));
    expect(await a.next('hello')).toMatchObject({ unit: { code: JIANWAI }, unread: 0, notices: [] });
    await b.next('hello');
    await water.next('hello');

    const t = await h.intake();
    await call(as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI, cooperatingUnits: [CHAOWAI] });
    const toA = await a.next('notice');
    expect(toA).toMatchObject({ unread: 1, notice: { about: 'dispatched', ticketId: t.id, number: t.number, unitCode: JIANWAI, read: false } });
    expect(toA.notice.text).toBe(`新派工单 ${t.number}，请及时签收`);
    expect(toA.notice.text_en).toContain(t.number);
    expect(await b.next('notice')).toMatchObject({ notice: { about: 'dispatched', unitCode: CHAOWAI } });

    await call(as.agent, 'POST', `/api/tickets/${t.id}/notes`, { note: '市民补充：垃圾堆在东门' });
    expect(await a.next('notice')).toMatchObject({ unread: 2, notice: { about: 'note_added' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(water.frames.map((f) => f.type)).toEqual(['hello']);
    expect(b.frames.filter((f) => f.type === 'notice')).toHaveLength(1);
  });

  it('when an agent, a supervisor, no session, a forged token or another site opens the portal socket, then it is refused', async () => {
    h = await startHandlingDesk();
    const { as } = h;
    expect(await refused({})).toBe('HTTP 401');
    expect(await refused({ cookie: 'hl_session=forged' })).toBe('HTTP 401');
    expect(await refused({}, `${portalUrl()}?token=forged`)).toBe('HTTP 401');
    expect(await refused(cookie(as.agent))).toBe('HTTP 403');
    expect(await refused({}, `${portalUrl()}?token=${as.supervisor.token}`)).toBe('HTTP 403');
    expect(await refused({ ...cookie(as.unitA), origin: 'http://evil.example' })).toBe('HTTP 403');
    await h.desk.addUser('nounit', 'unit');
    expect(await refused(cookie(await h.desk.login('nounit')))).toBe('HTTP 403');
    expect(await refused({ ...cookie(as.unitA), origin: h.desk.url })).toBe('opened');
  });

  it('when a unit user was offline, then the notices wait unread for them; marking read is per user and never touches another unit', async () => {
    h = await startHandlingDesk();
    const { as, call, desk } = h;
    await desk.addUser('unitA2', 'unit');
    h.parts.repo.setUserUnit(desk.app.auth.findAccountByUsername('unitA2')!.id, JIANWAI);
    const colleague = await desk.login('unitA2');
    const t1 = await h.intake();
    await call(as.agent, 'POST', `/api/tickets/${t1.id}/dispatch`, { leadUnit: JIANWAI });
    const t2 = await h.intake({ category: 'property/fees', description: '物业费上涨未经业主大会同意', callerNumber: '13500135000' });
    await call(as.agent, 'POST', `/api/tickets/${t2.id}/dispatch`, { leadUnit: CHAOWAI });

    const listed = await call(as.unitA, 'GET', '/api/portal/notices?unread=true');
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ unit: { code: JIANWAI }, unread: 1 });
    expect(listed.body.notices.map((n: { ticketId: string }) => n.ticketId)).toEqual([t1.id]);
    const hello = await (await open(cookie(as.unitA))).next('hello');
    expect(hello.notices.map((n: { number: string }) => n.number)).toEqual([t1.number]);

    const otherUnits = (await call(as.unitB, 'GET', '/api/portal/notices')).body.notices as Array<{ id: number }>;
    expect((await call(as.unitA, 'POST', '/api/portal/notices/read', { ids: otherUnits.map((n) => n.id) })).body).toEqual({ marked: 0, unread: 1 });
    expect((await call(as.unitB, 'GET', '/api/portal/notices')).body.unread).toBe(1);
    const empty = await call(as.unitA, 'POST', '/api/portal/notices/read', {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0]).toMatchObject({ field: 'ids', message: '请选择要标为已读的通知' });
    expect((await call(as.unitA, 'POST', '/api/portal/notices/read', { ids: [listed.body.notices[0].id] })).body).toEqual({ marked: 1, unread: 0 });
    expect((await call(as.unitA, 'GET', '/api/portal/notices')).body.notices[0]).toMatchObject({ ticketId: t1.id, read: true });
    expect((await call(colleague, 'GET', '/api/portal/notices?unread=true')).body.unread).toBe(1);
    expect((await call(as.agent, 'GET', '/api/portal/notices')).status).toBe(403);
  });

  it('when a clock runs out, then the lead unit is told it is overdue', async () => {
    const clock = new VirtualClock(shanghaiTime('2026-11-23', '10:00'));
    h = await startHandlingDesk({ clock });
    const t = await h.intake({ type: 'help', category: 'gas/leak', description: '楼道里有很浓的燃气味', callerNumber: '13600136000' });
    await h.call(h.as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI });
    clock.advance(20 * 60_000);
    const abouts = (await h.call(h.as.unitA, 'GET', '/api/portal/notices')).body.notices.map((n: { about: string }) => n.about);
    expect(abouts).toEqual(['acceptance_overdue', 'urged', 'dispatched']);
  });

  it('when the change that raised a notice is rolled back, then nothing is stored or pushed', async () => {
    h = await startHandlingDesk();
    const a = await open(cookie(h.as.unitA));
    await a.next('hello');
    const t = await h.intake();
    expect(() => h!.desk.db.transaction(() => {
      h!.parts.unitNotices.notify({ unitCode: JIANWAI, about: 'dispatched', ticketId: t.id, number: t.number });
      throw new Error('the dispatch failed');
    })()).toThrow('the dispatch failed');
    h.parts.unitNotices.notify({ unitCode: JIANWAI, about: 'urged', ticketId: t.id, number: t.number });
    expect(await a.next('notice')).toMatchObject({ notice: { about: 'urged' }, unread: 1 });
    expect(a.frames.filter((f) => f.type === 'notice')).toHaveLength(1);
  });

  it('when a portal socket sends junk, then it gets ERR_BAD_MESSAGE and stays open; a ping gets a pong', async () => {
    h = await startHandlingDesk();
    const a = await open(cookie(h.as.unitA));
    await a.next('hello');
    a.ws.send('not json');
    expect(await a.next('error')).toMatchObject({ code: 'ERR_BAD_MESSAGE', message: '消息不是有效的 JSON' });
    a.ws.send(JSON.stringify({ type: 'notices.steal', unit: CHAOWAI }));
    expect(await a.next('error')).toMatchObject({ code: 'ERR_BAD_MESSAGE', message: '不支持的消息类型' });
    a.ws.send(JSON.stringify({ type: 'ping', ref: 'r1' }));
    expect(await a.next('pong')).toMatchObject({ ref: 'r1' });
  });
});

describe('the portal sockets under a slow reader', () => {
  it('when a socket stops reading, then it is closed with 1013 after the grace while its unit colleague keeps getting notices', async () => {
    const { createNoticeFanout } = await import('../../src/features/dispatch/unit-notices.socket.ts');
    const { createLogger } = await import('../../src/log.ts');
    const clock = new VirtualClock();
    type Fake = { readyState: number; OPEN: number; bufferedAmount: number; sent: string[]; closed?: number; send(t: string): void; close(c: number): void; terminate(): void; ping(): void; on(): void };
    const fake = (): Fake => ({
      readyState: 1, OPEN: 1, bufferedAmount: 0, sent: [], send(t) { this.sent.push(t); }, close(c) { this.closed = c; this.readyState = 3; },
      terminate() { this.readyState = 3; }, ping() {}, on() {},
    });
    const fanout = createNoticeFanout({
      clock, log: createLogger({ level: 'silent' }), settings: { maxBufferedBytes: 1000, slowGraceMs: 2000 },
      source: { unread: () => ({ notices: [], unread: 0 }), unreadCount: () => 1 },
    });
    const slow = fake();
    const quick = fake();
    const viewer = { userId: 'u1', username: 'u1', displayName: 'u1', unitCode: JIANWAI, unitName: '建外街道' };
    fanout.attach(slow as never, viewer);
    fanout.attach(quick as never, { ...viewer, userId: 'u2' });
    const notice = { id: 1, unitCode: JIANWAI, about: 'dispatched' as const, ticketId: 't', number: 'n', at: 0, text: '', text_en: '', read: false };
    slow.bufferedAmount = 5000;
    expect(fanout.push(notice.unitCode, notice)).toBe(2);          // over the limit, within the grace
    clock.advance(2500);
    expect(fanout.push(notice.unitCode, { ...notice, id: 2 })).toBe(1);
    expect(slow.closed).toBe(1013);
    expect(quick.sent.map((f) => JSON.parse(f).type)).toEqual(['hello', 'notice', 'notice']);
    expect(fanout.stats()).toMatchObject({ sockets: 1, dropped: 1 });
    fanout.close();
  });
});
