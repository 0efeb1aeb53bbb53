import { afterEach, describe, expect, it } from 'vitest';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';
import { registerKnowledge } from '../../src/features/knowledge/knowledge.routes.ts';
import { addTicket, request } from './search-helpers.ts';

let desk: DeskApp | undefined;
afterEach(async () => { await desk?.close(); desk = undefined; });

interface Article { id: number; title: string; version: number; updatedBy: string | null; validTo: number | null }

async function started() {
  desk = await startDeskApp({ features: [registerKnowledge] });
  await desk.addUser('agent001', 'agent', 'agent001');
  await desk.addUser('super1', 'supervisor');
  return { agent: await desk.login('agent001'), supervisor: await desk.login('super1') };
}

const call = (s: Session, method: string, path: string, body?: unknown) => request(desk!, s, method, path, body);

async function titles(s: Session, q: string): Promise<string[]> {
  const res = await call(s, 'GET', `/api/knowledge/search?q=${encodeURIComponent(q)}`);
  return (await res.json() as { items: Array<{ title: string }> }).items.map((i) => i.title);
}

describe('knowledge articles', () => {
  it('when a supervisor writes and edits an article, then it is searchable at once and versions guard concurrent edits', async () => {
    const { agent, supervisor } = await started();
    const created = await call(supervisor, 'POST', '/api/knowledge/articles', { title: '居民区临时停水', body: '请关注物业公告。', category: 'water/outage' });
    expect(created.status).toBe(201);
    const a = await created.json() as Article;
    expect(a).toMatchObject({ version: 1, title: '居民区临时停水' });
    expect(await titles(agent, '停水')).toEqual(['居民区临时停水']);
    const edited = await call(supervisor, 'PUT', `/api/knowledge/articles/${a.id}`, { title: '小区计划停电', body: '供电公司检修线路。', version: 1 });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ version: 2 });
    expect(await titles(agent, '停水')).toEqual([]);
    expect(await titles(agent, '停电')).toEqual(['小区计划停电']);
    const stale = await call(supervisor, 'PUT', `/api/knowledge/articles/${a.id}`, { title: '旧页面的修改', body: '内容', version: 1 });
    expect(stale.status).toBe(409);
    expect((await stale.json() as { error: { context: { currentVersion: number } } }).error.context.currentVersion).toBe(2);
  });

  it('when an agent tries to write, then 403; when an article is retired, then search no longer returns it', async () => {
    const { agent, supervisor } = await started();
    expect((await call(agent, 'POST', '/api/knowledge/articles', { title: '坐席自建条目', body: '正文' })).status).toBe(403);
    const a = await (await call(supervisor, 'POST', '/api/knowledge/articles', { title: '老年卡办理', body: '年满65周岁可申领。' })).json() as Article;
    expect(await titles(agent, '老年卡')).toEqual(['老年卡办理']);
    expect((await call(supervisor, 'DELETE', `/api/knowledge/articles/${a.id}`)).status).toBe(204);
    expect(await titles(agent, '老年卡')).toEqual([]);
    expect((await call(agent, 'GET', `/api/knowledge/articles/${a.id}`)).status).toBe(200);
  });

  it('when the validity window is given, then search follows it and a window ending before it starts is refused', async () => {
    const { agent, supervisor } = await started();
    const now = Date.now();
    await call(supervisor, 'POST', '/api/knowledge/articles', { title: '明年的新政策说明', body: '自明年起执行。', validFrom: now + 86_400_000 });
    await call(supervisor, 'POST', '/api/knowledge/articles', { title: '去年的旧政策说明', body: '已经废止。', validTo: now - 1 });
    await call(supervisor, 'POST', '/api/knowledge/articles', { title: '现行的政策说明', body: '正在执行。', validFrom: now - 1000, validTo: now + 86_400_000 });
    expect(await titles(agent, '政策说明')).toEqual(['现行的政策说明']);
    const bad = await call(supervisor, 'POST', '/api/knowledge/articles', { title: '时间颠倒', body: '正文', validFrom: now, validTo: now - 1 });
    expect(bad.status).toBe(400);
    expect((await bad.json() as { error: { details: Array<{ field: string }> } }).error.details[0]!.field).toBe('validTo');
  });

  it('when tickets are answered directly from articles, then the link is recorded, audited and the daily rate counts them', async () => {
    const { agent, supervisor } = await started();
    const a = await (await call(supervisor, 'POST', '/api/knowledge/articles', { title: '社保卡补办流程', body: '携带身份证到网点补办。' })).json() as Article;
    const day1 = Date.parse('2026-11-20T10:00:00+08:00');
    const day2 = Date.parse('2026-11-21T23:30:00+08:00');
    addTicket(desk!.db, { id: 'd1', number: '2026112000001', description: '社保卡丢了', status: 'answered_directly', createdAt: day1, createdBy: (await desk!.app.auth.findAccountByUsername('agent001'))!.id });
    addTicket(desk!.db, { id: 'd2', number: '2026112000002', description: '咨询供暖时间', status: 'answered_directly', createdAt: day1 + 1000 });
    addTicket(desk!.db, { id: 'd3', number: '2026112000003', description: '噪声扰民', status: 'dispatched', createdAt: day1 + 2000 });
    addTicket(desk!.db, { id: 'd4', number: '2026112000004', description: '噪声扰民', status: 'dispatched', createdAt: day1 + 3000 });
    addTicket(desk!.db, { id: 'd5', number: '2026112100001', description: '深夜来电', status: 'intake', createdAt: day2 });
    const linked = await call(agent, 'POST', '/api/knowledge/answers', { ticketId: 'd1', articleId: a.id });
    expect(linked.status).toBe(200);
    expect(await linked.json()).toEqual({ ticketId: 'd1', articleId: a.id, articleVersion: 1 });
    expect((await call(agent, 'POST', '/api/knowledge/answers', { ticketId: 'd2', articleId: a.id })).status).toBe(403);
    expect((await call(supervisor, 'POST', '/api/knowledge/answers', { ticketId: 'nope', articleId: a.id })).status).toBe(404);
    expect(desk!.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'ticket.kb_answer' AND subject = 'd1'").get()).toEqual({ n: 1 });
    const res = await call(supervisor, 'GET', '/api/knowledge/direct-answer-rate?from=2026-11-20&to=2026-11-22');
    expect(res.status).toBe(200);
    const rate = await res.json() as { days: unknown[]; total: unknown };
    expect(rate.days).toEqual([
      { day: '2026-11-20', created: 4, answeredDirectly: 2, fromKnowledgeBase: 1, rate: 0.5 },
      { day: '2026-11-21', created: 1, answeredDirectly: 0, fromKnowledgeBase: 0, rate: 0 },
      { day: '2026-11-22', created: 0, answeredDirectly: 0, fromKnowledgeBase: 0, rate: null },
    ]);
    expect(rate.total).toEqual({ created: 5, answeredDirectly: 2, fromKnowledgeBase: 1, rate: 0.4 });
    expect((await call(agent, 'GET', '/api/knowledge/direct-answer-rate?from=2026-11-20&to=2026-11-22')).status).toBe(403);
    expect((await call(supervisor, 'GET', '/api/knowledge/direct-answer-rate?from=2026-11-22&to=2026-11-20')).status).toBe(400);
  });
});
