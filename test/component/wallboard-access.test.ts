import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from './call-harness.ts';
import type { Harness } from './call-harness.ts';
import { openWallboard, signIn, upgradeStatus } from './wallboard-harness.ts';

describe('who may see the wallboard and the service level', () => {
  let h: Harness;
  const tokens: Record<string, string> = {};
  let agentId = '';

  beforeAll(async () => {
    h = await startHarness();
    tokens.supervisor = await signIn(h, 'sup1', 'supervisor');
    tokens.admin = await signIn(h, 'adm1', 'admin');
    const anna = await h.addAgent('anna');
    tokens.agent = anna.token;
    agentId = anna.agentId;
    tokens.unit = await signIn(h, 'unit1', 'unit');
  });
  afterAll(async () => { await h?.close(); });

  const routes: Array<[string, string, unknown?]> = [
    ['GET', '/api/wallboard'],
    ['GET', '/api/wallboard/agents'],
    ['GET', '/api/service-level'],
    ['GET', '/api/service-level?groupBy=agent'],
    ['POST', '/api/wallboard/agents/nobody/force', { action: 'ready', reason: 'checking access' }],
  ];

  it('when nobody is signed in, then every route answers 401 and the socket upgrade is refused with 401', async () => {
    for (const [method, path, body] of routes) {
      const res = await fetch(h.hotline.url + path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    expect(await upgradeStatus(h.hotline.url)).toBe(401);
    expect(await upgradeStatus(h.hotline.url, 'forged-token')).toBe(401);
  });

  it('when an agent or a unit asks, then every route answers 403 and the socket upgrade is refused with 403', async () => {
    for (const who of ['agent', 'unit']) {
      for (const [method, path, body] of routes) {
        const res = await h.api(tokens[who]!, method, path, body);
        expect(res.status, `${who} ${method} ${path}`).toBe(403);
        expect(res.body.error.code).toBe('ERR_FORBIDDEN');
      }
      expect(await upgradeStatus(h.hotline.url, tokens[who])).toBe(403);
    }
  });

  it('when a supervisor or an admin asks, then the routes answer and the socket says hello with the board and the agents', async () => {
    for (const who of ['supervisor', 'admin']) {
      const board = await h.api(tokens[who]!, 'GET', '/api/wallboard');
      expect(board.status).toBe(200);
      expect(board.body.snapshot.lines.map((l: { key: string }) => l.key)).toEqual(['12345']);
      expect((await h.api(tokens[who]!, 'GET', '/api/service-level?groupBy=line')).status).toBe(200);
      const client = await openWallboard(h.hotline.url, tokens[who]!);
      const hello = await client.next((f) => f.type === 'hello');
      expect(hello.user.role).toBe(who);
      expect(hello.snapshot.total.waiting).toBe(0);
      expect(hello.agents.find((a: { id: string }) => a.id === agentId)).toMatchObject({ state: 'ready', seat: 'seat-anna' });
      client.close();
    }
  });

  it('when a supervisor forces an agent without a reason, then it is refused as invalid and nothing changes', async () => {
    const before = h.hotline.agents.get(agentId)!.state;
    for (const body of [{ action: 'logout' }, { action: 'logout', reason: ' ' }, { action: 'explode', reason: 'because' }]) {
      const res = await h.api(tokens.supervisor!, 'POST', `/api/wallboard/agents/${agentId}/force`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(h.hotline.agents.get(agentId)!.state).toBe(before);
  });
});
