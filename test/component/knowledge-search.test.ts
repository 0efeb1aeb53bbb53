import { afterEach, describe, expect, it } from 'vitest';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';
import { registerKnowledge } from '../../src/features/knowledge/knowledge.routes.ts';
import { seedKnowledge } from '../../src/features/knowledge/knowledge.seed.ts';

let desk: DeskApp | undefined;
afterEach(async () => { await desk?.close(); desk = undefined; });

interface Hit { id: number; title: string; titleHtml: string; snippet: string }

async function seeded() {
  desk = await startDeskApp({ features: [registerKnowledge] });
  seedKnowledge(desk.db);
  await desk.addUser('agent001', 'agent', 'agent001');
  await desk.addUser('super1', 'supervisor');
  return { agent: await desk.login('agent001'), supervisor: await desk.login('super1') };
}

function call(s: Session, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { cookie: s.cookie, 'x-csrf-token': s.csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${desk!.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function search(s: Session, q: string): Promise<Hit[]> {
  const res = await call(s, 'GET', `/api/knowledge/search?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return (await res.json() as { items: Hit[] }).items;
}

describe('knowledge-base search for direct answers', () => {
  it('when an agent types a partial phrase in another order, then the relevant article comes first', async () => {
    const { agent } = await seeded();
    const hits = await search(agent, '补办社保');
    expect(hits[0]?.title).toBe('社保卡补办流程');
    expect(hits[0]?.titleHtml).toContain('<mark>');
  });

  it('when the agent types a whole sentence from the caller, then the article on that matter is suggested', async () => {
    const { agent } = await seeded();
    const hits = await search(agent, '我家暖气片漏水了，楼下邻居也受影响，怎么办');
    expect(hits.slice(0, 3).map((h) => h.title)).toContain('暖气漏水紧急处置');
  });

  it('when the query has two characters, then articles containing them are found, also at the very end of a title', async () => {
    const { agent } = await seeded();
    expect((await search(agent, '停水')).map((h) => h.title)).toContain('停水信息查询');
    expect((await search(agent, '公积金')).map((h) => h.title)[0]).toMatch(/公积金/);
    expect((await search(agent, '举报')).map((h) => h.title)).toEqual(expect.arrayContaining(['违法停车举报方式', '群租房举报']));
  });

  it('when the query is a single character, then a LIKE scan still finds articles, title hits first', async () => {
    const { agent } = await seeded();
    const hits = await search(agent, '暖');
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]!.title).toContain('暖');
  });

  it('when an article has expired or is not valid yet, then it is not returned; the current one is', async () => {
    const { agent } = await seeded();
    const titles = (await search(agent, '采暖季供暖时间')).map((h) => h.title);
    expect(titles).toContain('2026—2027年采暖季供暖时间');
    expect(titles).not.toContain('2025—2026年采暖季供暖时间');
    expect((await search(agent, '疫苗接种点')).map((h) => h.title)).not.toContain('新冠疫苗接种点查询');
  });

  it('when nothing matches, then the list is empty; when the body has markup, then the snippet is escaped', async () => {
    const { agent, supervisor } = await seeded();
    expect(await search(agent, '火星移民签证')).toEqual([]);
    const res = await call(supervisor, 'POST', '/api/knowledge/articles', { title: '网页脚本测试条目', body: '<script>alert(1)</script> 脚本测试正文' });
    expect(res.status).toBe(201);
    const hit = (await search(agent, '脚本测试')).find((h) => h.title === '网页脚本测试条目');
    expect(hit?.snippet).toContain('&lt;script&gt;');
    expect(hit?.snippet).not.toContain('<script>');
  });

  it('when a unit user searches, then 403', async () => {
    desk = await startDeskApp({ features: [registerKnowledge] });
    await desk.addUser('unit1', 'unit');
    const res = await call(await desk.login('unit1'), 'GET', '/api/knowledge/search?q=%E7%A4%BE%E4%BF%9D');
    expect(res.status).toBe(403);
  });
});
