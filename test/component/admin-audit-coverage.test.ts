import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecured, callAs } from './security-harness.ts';
import type { Secured, Session } from './security-harness.ts';

/**
 * Issue 15: every administrative change, wherever it is made, is in the admin audit (who, from where, before
 * and after), and so is every attempt refused to a signed-in user: a supervisor's skill change, the knowledge
 * base's articles, the do-not-call list.
 */

let s: Secured;
beforeAll(async () => { s = await startSecured({ logLevel: 'info' }); }, 60_000);
afterAll(async () => { await s?.close(); });

interface Reply { status: number; body: any }

async function call(who: Session | null, method: string, path: string, body?: unknown): Promise<Reply> {
  return callAs(s, who, method, path, body);
}

/** The agent id of a signed-in agent's account. */
const agentOf = (who: Session): string => s.hotline.app.auth.findAccountByUsername(who.username)!.agentId!;

/** The audit as the console reads it: newest first. */
async function audited(action: string): Promise<any[]> {
  const res = await call(s.sessions.admin, 'GET', `/api/admin/audit?action=${encodeURIComponent(action)}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.entries;
}

describe('a supervisor\'s skill change (PUT /api/agents/:id/skills)', () => {
  it('when a supervisor changes an agent\'s skills, then the audit has who, from where, on whom, the skills before and after', async () => {
    const agentId = agentOf(s.sessions.agent);
    const before = { ...s.hotline.agents.skillsOf(agentId) };
    const res = await call(s.sessions.supervisor, 'PUT', `/api/agents/${agentId}/skills`, { skills: { general: 4, market: 2 } });
    expect(res.status).toBe(200);
    const [entry] = await audited('agent.skills');
    expect(entry).toMatchObject({
      actor: s.sessions.supervisor.username, client: '127.0.0.1', target: agentId, outcome: 'ok', reason: null,
      before: { skills: before }, after: { skills: { general: 4, market: 2 } },
    });
  });

  it('when an agent tries it, or a supervisor names no such agent, then it is refused and the refusal is audited', async () => {
    const agentId = agentOf(s.sessions.agent);
    const skills = { ...s.hotline.agents.skillsOf(agentId) };
    expect((await call(s.sessions.agent, 'PUT', `/api/agents/${agentId}/skills`, { skills: { general: 5 } })).status).toBe(403);
    expect(s.hotline.agents.skillsOf(agentId)).toEqual(skills);
    expect((await call(s.sessions.supervisor, 'PUT', '/api/agents/nobody/skills', { skills: { general: 5 } })).status).toBe(404);
    const refused = (await audited('agent.skills')).filter((e) => e.outcome === 'refused');
    expect(refused.map((e) => [e.actor, e.target, e.reason])).toEqual([
      [s.sessions.supervisor.username, 'nobody', 'ERR_NO_SUCH_AGENT'],
      [s.sessions.agent.username, agentId, 'ERR_FORBIDDEN'],
    ]);
    expect(refused[1]).toMatchObject({ client: '127.0.0.1' });
  });
});

describe('knowledge articles', () => {
  const longBody = `${'停水期间请用桶装水。'.repeat(40)}结尾`;

  it('when an article is created, edited and retired, then each is audited with title and state before and after, and only the body\'s first 200 characters', async () => {
    const created = await call(s.sessions.supervisor, 'POST', '/api/knowledge/articles', { title: '小区临时停水', body: longBody, category: 'water/outage' });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const edited = await call(s.sessions.admin, 'PUT', `/api/knowledge/articles/${id}`, { title: '小区计划停水', body: '供水公司检修管道。', version: 1 });
    expect(edited.status).toBe(200);
    expect((await call(s.sessions.supervisor, 'DELETE', `/api/knowledge/articles/${id}`)).status).toBe(204);

    const [create] = await audited('knowledge.create');
    expect(create).toMatchObject({
      actor: s.sessions.supervisor.username, client: '127.0.0.1', target: String(id), outcome: 'ok', before: null,
      after: { id, title: '小区临时停水', status: 'active', category: 'water/outage', version: 1, bodyLength: longBody.length },
    });
    expect(longBody.length).toBeGreaterThan(400);
    expect(create.after.body).toBe(`${longBody.slice(0, 200)}…`);

    const [update] = await audited('knowledge.update');
    expect(update).toMatchObject({
      actor: s.sessions.admin.username, client: '127.0.0.1', target: String(id), outcome: 'ok',
      before: { title: '小区临时停水', status: 'active', version: 1, body: `${longBody.slice(0, 200)}…` },
      after: { title: '小区计划停水', status: 'active', version: 2, body: '供水公司检修管道。' },
    });

    const [retire] = await audited('knowledge.retire');
    expect(retire).toMatchObject({
      actor: s.sessions.supervisor.username, target: String(id), outcome: 'ok',
      before: { title: '小区计划停水', status: 'active' }, after: { title: '小区计划停水', status: 'retired' },
    });
  });

  it('when an agent tries to write, or an edit comes from a stale page, then it is refused and audited, the text cut short', async () => {
    expect((await call(s.sessions.agent, 'POST', '/api/knowledge/articles', { title: '坐席自建条目', body: longBody })).status).toBe(403);
    const a = (await call(s.sessions.supervisor, 'POST', '/api/knowledge/articles', { title: '老年卡办理', body: '年满65周岁可申领。' })).body;
    expect((await call(s.sessions.supervisor, 'PUT', `/api/knowledge/articles/${a.id}`, { title: '老年卡办理（新）', body: '新', version: 1 })).status).toBe(200);
    expect((await call(s.sessions.supervisor, 'PUT', `/api/knowledge/articles/${a.id}`, { title: '旧页面的修改', body: longBody, version: 1 })).status).toBe(409);

    const [byAgent] = (await audited('knowledge.create')).filter((e) => e.outcome === 'refused');
    expect(byAgent).toMatchObject({ actor: s.sessions.agent.username, client: '127.0.0.1', reason: 'ERR_FORBIDDEN' });
    const [stale] = (await audited('knowledge.update')).filter((e) => e.outcome === 'refused');
    expect(stale).toMatchObject({ actor: s.sessions.supervisor.username, target: String(a.id), reason: 'ERR_CONFLICT', after: { request: { title: '旧页面的修改', version: 1 } } });
    expect(stale.after.request.body).toBe(`${longBody.slice(0, 200)}…`);
  });
});

describe('the do-not-call list', () => {
  it('when a supervisor adds and removes a number, then both are audited with the entry before and after; a unit user\'s try is refused and audited', async () => {
    const added = await call(s.sessions.supervisor, 'POST', '/api/surveys/do-not-call', { phoneNumber: '13900001111', reason: '本人要求不再回访' });
    expect(added.status).toBe(201);
    expect((await call(s.sessions.admin, 'DELETE', '/api/surveys/do-not-call/13900001111')).status).toBe(204);
    expect((await call(s.sessions.unit, 'POST', '/api/surveys/do-not-call', { phoneNumber: '13900002222' })).status).toBe(403);

    const [refused, add] = await audited('do_not_call.add');
    expect(add).toMatchObject({
      actor: s.sessions.supervisor.username, client: '127.0.0.1', target: '13900001111', outcome: 'ok', before: null,
      after: { phoneNumber: '13900001111', reason: '本人要求不再回访', addedBy: s.sessions.supervisor.username },
    });
    expect(refused).toMatchObject({ actor: s.sessions.unit.username, outcome: 'refused', reason: 'ERR_FORBIDDEN' });
    const [remove] = await audited('do_not_call.remove');
    expect(remove).toMatchObject({
      actor: s.sessions.admin.username, target: '13900001111', outcome: 'ok',
      before: { phoneNumber: '13900001111', reason: '本人要求不再回访' }, after: null,
    });
  });
});
