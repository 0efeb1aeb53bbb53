import { afterEach, describe, expect, it } from 'vitest';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';
import { registerTicketSearch } from '../../src/features/search/search.routes.ts';
import { CHAOWAI, DAY0, HOUR, JIANWAI, addTicket, addUnitUser, request, seedTickets } from './search-helpers.ts';

let desk: DeskApp | undefined;
afterEach(async () => { await desk?.close(); desk = undefined; });

interface Hit { id: string; number: string; callerNumber: string | null; contactPhone: string | null; contactName: string | null }
interface Page { items: Hit[]; nextCursor: string | null }

async function started() {
  desk = await startDeskApp({ features: [registerTicketSearch] });
  seedTickets(desk.db);
  await desk.addUser('agent001', 'agent', 'agent001');
  await desk.addUser('super1', 'supervisor');
  return { agent: await desk.login('agent001'), supervisor: await desk.login('super1') };
}

async function find(s: Session, query: Record<string, string>): Promise<Page> {
  const res = await request(desk!, s, 'GET', `/api/tickets/search?${new URLSearchParams(query)}`);
  expect(res.status).toBe(200);
  return await res.json() as Page;
}

const ids = (p: Page) => p.items.map((h) => h.id);

describe('ticket search', () => {
  it('when searching by text, then descriptions and addresses match as substrings, newest first', async () => {
    const { supervisor } = await started();
    expect(ids(await find(supervisor, { q: '夜间施工' }))).toEqual(['t1']);
    expect(ids(await find(supervisor, { q: '建国路' }))).toEqual(['t3', 't1']);
    expect(ids(await find(supervisor, { q: '噪声' }))).toEqual(['t2', 't1']);
    expect(ids(await find(supervisor, { q: '建国路 暖气' }))).toEqual(['t3']);
    expect(ids(await find(supervisor, { q: '扰民' }))).toEqual(['t1']);
    expect(ids(await find(supervisor, { q: '88号' }))).toEqual(['t1']);
    expect(ids(await find(supervisor, { q: '热' }))).toEqual(['t3']);
    expect(ids(await find(supervisor, { q: '水管爆裂' }))).toEqual([]);
    expect(ids(await find(supervisor, { q: '爆裂' }))).toEqual([]);
  });

  it('when a description is edited or a ticket deleted, then the index follows', async () => {
    const { supervisor } = await started();
    desk!.db.prepare("UPDATE tickets SET description = '下水道堵塞反味' WHERE id = 't1'").run();
    expect(ids(await find(supervisor, { q: '夜间施工' }))).toEqual([]);
    expect(ids(await find(supervisor, { q: '下水道' }))).toEqual(['t1']);
    desk!.db.prepare("DELETE FROM tickets WHERE id = 't3'").run();
    expect(ids(await find(supervisor, { q: '建国路' }))).toEqual(['t1']);
  });

  it('when filtering by number, caller, unit, category, status and dates, then only matching tickets come back', async () => {
    const { supervisor } = await started();
    expect(ids(await find(supervisor, { number: '2026112100002' }))).toEqual(['t4']);
    expect(ids(await find(supervisor, { number: '20261121' }))).toEqual(['t4', 't3']);
    expect(ids(await find(supervisor, { caller: '138-0013-8001' }))).toEqual(['t5', 't1']);
    expect(ids(await find(supervisor, { unit: CHAOWAI }))).toEqual(['t5', 't2']);
    expect(ids(await find(supervisor, { category: 'heating' }))).toEqual(['t3']);
    expect(ids(await find(supervisor, { category: 'pollution/noise' }))).toEqual(['t2']);
    expect(ids(await find(supervisor, { status: 'dispatched,accepted' }))).toEqual(['t3', 't2']);
    expect(ids(await find(supervisor, { from: '2026-11-21', to: '2026-11-21' }))).toEqual(['t4', 't3']);
    expect(ids(await find(supervisor, { from: String(DAY0 + HOUR), to: String(DAY0 + 25 * HOUR), q: '噪声' }))).toEqual(['t2']);
  });

  it('when paging, then every ticket comes exactly once in a stable order, even with tickets added meanwhile', async () => {
    const { supervisor } = await started();
    for (let i = 0; i < 23; i++) addTicket(desk!.db, { id: `p${i}`, number: `20261123${String(i + 1).padStart(5, '0')}`, description: `楼道灯不亮第${i}处`, createdAt: DAY0 + (72 + i) * HOUR });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await find(supervisor, { q: '楼道灯', limit: '10', ...(cursor ? { cursor } : {}) });
      seen.push(...ids(page));
      cursor = page.nextCursor;
      if (pages++ === 0) addTicket(desk!.db, { id: 'late', number: '2026112400001', description: '楼道灯又不亮了', createdAt: DAY0 + 100 * HOUR });
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `p${22 - i}`));
  });

  it('when an agent searches, then confidential tickets another agent took show no contact and a caller search does not reveal them', async () => {
    const { agent, supervisor } = await started();
    const hit = (await find(agent, { q: '消防通道' })).items[0]!;
    expect(hit.id).toBe('t4');
    expect(hit.callerNumber).toBeNull();
    expect(hit.contactPhone).toBeNull();
    expect(hit.contactName).toBeNull();
    expect(ids(await find(agent, { caller: '13900139000' }))).toEqual([]);
    const full = (await find(supervisor, { caller: '13900139000' })).items[0]!;
    expect(full.callerNumber).toBe('13900139000');
    expect(full.contactName).toBe('李女士');
  });

  it('when a unit user searches, then only its own tickets come back, numbers masked, not by caller; a unit user without a unit is refused', async () => {
    await started();
    const jianwai = await addUnitUser(desk!, 'jianwai', JIANWAI);
    expect(ids(await find(jianwai, {}))).toEqual(['t4', 't3', 't1']);
    expect(ids(await find(jianwai, { unit: CHAOWAI }))).toEqual([]);
    expect((await find(jianwai, { q: '消防通道' })).items[0]!).toMatchObject({ callerNumber: null, contactName: null, contactPhone: null });
    expect((await find(jianwai, { q: '暖气' })).items[0]!.callerNumber).toMatch(/^138\*+8003$/);
    expect((await request(desk!, jianwai, 'GET', '/api/tickets/search?caller=13800138003')).status).toBe(403);
    await desk!.addUser('nounit', 'unit');
    const res = await request(desk!, await desk!.login('nounit'), 'GET', '/api/tickets/search');
    expect(res.status).toBe(403);
  });

  it('when a filter is malformed, then 400 names the field in Chinese', async () => {
    const { supervisor } = await started();
    for (const [field, value] of [['status', 'flying'], ['from', 'yesterday'], ['number', '2026-11'], ['cursor', 'bogus']] as const) {
      const res = await request(desk!, supervisor, 'GET', `/api/tickets/search?${field}=${value}`);
      expect(res.status).toBe(400);
      const body = await res.json() as { error: { details: Array<{ field: string; message: string }> } };
      expect(body.error.details[0]!.field).toBe(field);
      expect(body.error.details[0]!.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
