import { afterEach, describe, expect, it } from 'vitest';
import { expectClean, sleep, startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';

async function supervisorToken(h: Harness): Promise<string> {
  await h.hotline.app.auth.createUser({ username: 'boss', password: 'secret-pass-1', role: 'supervisor', displayName: 'boss' });
  const res = await fetch(h.hotline.url + '/api/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'boss', password: 'secret-pass-1' }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe('agent skills set by a supervisor', () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.close(); h = undefined; });

  it('when a supervisor sets an agent\'s skills, then they are stored and routing follows them at once; agents and bad levels are refused', async () => {
    h = await startHarness();
    const boss = await supervisorToken(h);
    const anna = await h.addAgent('anna');
    expect((await h.api(boss, 'GET', `/api/agents/${anna.agentId}/skills`)).body).toEqual({ agentId: anna.agentId, skills: { general: 3 } });

    const desk = await h.api(boss, 'PUT', `/api/agents/${anna.agentId}/skills`, { skills: { social: 4 } });
    expect(desk).toEqual({ status: 200, body: { agentId: anna.agentId, skills: { social: 4 } } });
    expect((await h.api(anna, 'PUT', `/api/agents/${anna.agentId}/skills`, { skills: { general: 5 } })).status).toBe(403);
    expect((await h.api(boss, 'PUT', `/api/agents/${anna.agentId}/skills`, { skills: { general: 7 } })).status).toBe(400);
    expect((await h.api(boss, 'PUT', '/api/agents/nobody/skills', { skills: { general: 1 } })).status).toBe(404);
    const stored = h.hotline.db.prepare('SELECT skill, level FROM agent_skills WHERE agent_id = ?').all(anna.agentId);
    expect(stored).toEqual([{ skill: 'social', level: 4 }]);

    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13600136000' });
    await waitFor('the call queued', () => h!.hotline.calls.live()[0]?.call.state === 'queued');
    await sleep(300);
    expect(h.hotline.agents.get(anna.agentId)?.state).toBe('ready');

    await h.api(boss, 'PUT', `/api/agents/${anna.agentId}/skills`, { skills: { general: 2, social: 4 } });
    await waitFor('anna on the call', () => h!.hotline.agents.get(anna.agentId)?.state === 'on_call');
    sim.control.remoteHangup(channelId!);
    await expectClean(h);
  });
});
