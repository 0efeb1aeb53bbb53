import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { startSecured } from './security-harness.ts';
import type { Secured, Session } from './security-harness.ts';
import { openWallboard } from './wallboard-harness.ts';
import type { WallboardClient } from './wallboard-harness.ts';

/**
 * Issue 15: the lines and desks and the category tree edited in the admin console are read where they are
 * shown, without a restart: the wallboard's desks, /metrics' lines, the desks an agent may be given, and the
 * reports' category names (a past month's as they were at its end).
 */

let s: Secured;
// 21:00 in Beijing on 31 March 2026: the reports' month turns three hours in.
const clock = new VirtualClock(Date.UTC(2026, 2, 31, 13));
beforeAll(async () => { s = await startSecured({ clock, logLevel: 'info' }); }, 60_000);
afterAll(async () => { await s?.close(); });

interface Reply { status: number; body: any; text: string }

async function call(who: Session, method: string, path: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${who.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(s.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* the metrics' text */ }
  return { status: res.status, body: parsed, text };
}

const desk = (id: string, name: string) => ({ id, name, target: { skills: ['general'], minLevel: 1 } });

async function wallboardDesks(): Promise<Array<{ key: string; name: string }>> {
  const res = await call(s.sessions.supervisor, 'GET', '/api/wallboard');
  expect(res.status).toBe(200);
  return res.body.snapshot.desks.map((d: { key: string; name: string }) => ({ key: d.key, name: d.name }));
}

const metricsLines = async (): Promise<string[]> =>
  [...(await call(s.sessions.supervisor, 'GET', '/metrics')).text.matchAll(/^hotline_queue_waiting\{line="(\d+)"\} /gm)].map((m) => m[1]!);

/** The first board frame on the socket passing `test`, the service's virtual clock run on a quarter second at a time until it comes. */
async function frameWhere(board: WallboardClient, test: (frame: any) => boolean): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const found = board.frames.find((f) => (f.type === 'hello' || f.type === 'wallboard') && test(f));
    if (found) return found;
    clock.advance(250);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no such wallboard frame');
}

async function giveDesk(deskId: string): Promise<Reply> {
  const users = await call(s.sessions.admin, 'GET', '/api/admin/users?role=agent');
  const agent = (users.body.users as Array<{ id: string; username: string }>).find((u) => u.username === s.sessions.agent.username)!;
  return call(s.sessions.admin, 'PATCH', `/api/admin/users/${agent.id}`, { desk: deskId });
}

describe('lines and desks added in the console', () => {
  it('when a desk and its line are added, then the wallboard (over HTTP and its socket), /metrics and the desk picker have them at once', async () => {
    expect(await wallboardDesks()).toEqual([{ key: 'main', name: 'main' }]);
    expect(await metricsLines()).toEqual(['12345']);
    const refused = await giveDesk('business');
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].message).toBe('未知服务台：business');

    const board = await openWallboard(s.url, s.sessions.supervisor.token);
    try {
      const hello = await frameWhere(board, () => true);
      expect(hello.snapshot.desks.map((d: { key: string }) => d.key)).toEqual(['main']);
      const current = (await call(s.sessions.admin, 'GET', '/api/admin/lines')).body;
      const put = await call(s.sessions.admin, 'PUT', '/api/admin/lines', {
        lines: [{ ...current.lines[0], queue: 'main' }, { number: '12366', name: '营商环境专线', queue: 'business' }],
        queues: [...current.queues, desk('business', '营商环境专席')],
      });
      expect(put.status).toBe(200);

      expect(await wallboardDesks()).toEqual([{ key: 'main', name: 'main' }, { key: 'business', name: '营商环境专席' }]);
      const frame = await frameWhere(board, (f) => f.snapshot.desks.some((d: { key: string }) => d.key === 'business'));
      expect(frame.snapshot.lines.map((l: { key: string }) => l.key)).toEqual(['12345', '12366']);
    } finally {
      board.close();
    }
    expect(await metricsLines()).toEqual(['12345', '12366']);
    const given = await giveDesk('business');
    expect(given.status).toBe(200);
    expect(given.body.user.desk).toBe('business');
  });

  it('when a desk is added for later, then it shows and may be given only once its time has come', async () => {
    const current = (await call(s.sessions.admin, 'GET', '/api/admin/lines')).body;
    const at = clock.now() + 60 * 60_000;
    const put = await call(s.sessions.admin, 'PUT', '/api/admin/lines', { lines: current.lines, queues: [...current.queues, desk('night', '夜间专席')], effectiveAt: at });
    expect(put.status).toBe(200);
    expect((await wallboardDesks()).map((d) => d.key)).toEqual(['main', 'business']);
    expect((await giveDesk('night')).status).toBe(400);
    clock.advance(60 * 60_000);
    expect((await wallboardDesks()).map((d) => d.key)).toEqual(['main', 'business', 'night']);
    expect((await giveDesk('night')).status).toBe(200);
  });
});

describe('category names in the reports', () => {
  const PLACE = { districtCode: '110105', townshipCode: '110105001', address: '建国门外大街 1 号院', contactName: '王先生', contactPhone: '13900139001' };
  const ticket = async (category: string) => {
    const res = await call(s.sessions.agent, 'POST', '/api/tickets', { type: 'complaint', category, description: '小区供水问题一直没人处理', callerNumber: '13900139001', ...PLACE });
    expect(res.status).toBe(201);
  };
  type Groups = Array<{ code: string; items: Array<{ code: string; zh: string; en: string }> }>;
  const tree = async (): Promise<Groups> => (await call(s.sessions.admin, 'GET', '/api/admin/categories')).body.groups;
  const putTree = async (groups: Groups) => expect((await call(s.sessions.admin, 'PUT', '/api/admin/categories', { groups })).status).toBe(200);
  async function breakdown(month: string): Promise<Record<string, { zh: string; en: string }>> {
    const res = await call(s.sessions.supervisor, 'GET', `/api/reports/top-categories?month=${month}`);
    expect(res.status).toBe(200);
    return Object.fromEntries(res.body.rows.map((r: { code: string; zh: string; en: string }) => [r.code, { zh: r.zh, en: r.en }]));
  }

  it('when a category is added in the console, then the category breakdown names it', async () => {
    const groups = await tree();
    groups.find((g) => g.code === 'water')!.items.push({ code: 'water/meter', zh: '水表问题', en: 'Water meter', urgency: 'general', handling: 'department', retired: false } as never);
    await putTree(groups);
    await ticket('water/meter');
    expect((await breakdown('2026-03'))['water/meter']).toEqual({ zh: '供水 / 水表问题', en: 'Water supply / Water meter' });
  });

  it('when a category is renamed after a month has ended, then that month keeps the old name and the new month has the new one', async () => {
    await ticket('water/outage');
    clock.advance(3 * 60 * 60_000);                                        // 1 April in Beijing
    const groups = await tree();
    Object.assign(groups.find((g) => g.code === 'water')!.items.find((i) => i.code === 'water/outage')!, { zh: '计划停水', en: 'Planned outage' });
    await putTree(groups);
    await ticket('water/outage');
    expect((await breakdown('2026-03'))['water/outage']).toEqual({ zh: '供水 / 停水', en: 'Water supply / Water outage' });
    expect((await breakdown('2026-04'))['water/outage']).toEqual({ zh: '供水 / 计划停水', en: 'Water supply / Planned outage' });
  });
});
