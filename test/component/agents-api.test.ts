import { afterEach, describe, expect, it } from 'vitest';
import { openDesktop, startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';

describe('the agents HTTP API', () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.close(); h = undefined; });

  it('when an agent logs in, goes ready, pauses and logs out over HTTP, then each step answers the new state and the desktop hears every change', async () => {
    h = await startHarness();
    const a = await h.addAgent('anna', { ready: false });
    const desk = await openDesktop(h.hotline.url, a.token);

    const me = await h.api(a, 'GET', '/api/agents/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: a.agentId, seat: a.seat, state: 'paused', reason: 'login', registered: true });

    const ready = await h.api(a, 'POST', '/api/agents/me/state', { state: 'ready' });
    expect(ready.body).toMatchObject({ state: 'ready', reason: null });
    const paused = await h.api(a, 'POST', '/api/agents/me/state', { state: 'paused', reason: 'break' });
    expect(paused.body).toMatchObject({ state: 'paused', reason: 'break' });
    await waitFor('the pause on the desktop', () => desk.frames.find((f) => f.type === 'agent.state' && f.reason === 'break'));

    const bad = await h.api(a, 'POST', '/api/agents/me/state', { state: 'on_call' });
    expect(bad.status).toBe(400);

    const out = await h.api(a, 'POST', '/api/agents/me/logout');
    expect(out.body).toMatchObject({ state: 'offline' });
    desk.close();
  });

  it('when a second agent asks for a seat another logged-in agent holds, then the answer is 409 ERR_SEAT_TAKEN', async () => {
    h = await startHarness();
    const a = await h.addAgent('anna');
    const b = await h.addAgent('bo', { ready: false });
    const taken = await h.api(b, 'POST', '/api/agents/me/login', { seat: a.seat });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('ERR_SEAT_TAKEN');
    await h.api(a, 'POST', '/api/agents/me/logout');
    const free = await h.api(b, 'POST', '/api/agents/me/login', { seat: a.seat });
    expect(free.status).toBe(200);
    expect(free.body.seat).toBe(a.seat);
  });

  it('when an agent asks for the list of all agents, then it is refused, and a supervisor gets it', async () => {
    h = await startHarness();
    const a = await h.addAgent('anna');
    expect((await h.api(a, 'GET', '/api/agents')).status).toBe(403);
    await h.hotline.app.auth.createUser({ username: 'sue', password: 'secret-pass-1', role: 'supervisor', displayName: 'Sue' });
    const login = await fetch(h.hotline.url + '/api/login', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sue', password: 'secret-pass-1' }),
    });
    const { token } = (await login.json()) as { token: string };
    const list = await h.api(token, 'GET', '/api/agents');
    expect(list.status).toBe(200);
    expect(list.body.agents.map((x: { id: string }) => x.id)).toContain(a.agentId);
    expect((await h.api(token, 'GET', '/api/agents/me')).status).toBe(403);
  });

  it('when an agent on a call tries to log out, then it is refused with ERR_AGENT_STATE and the call is not disturbed', async () => {
    h = await startHarness();
    const a = await h.addAgent('anna');
    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13500135000' });
    await waitFor('on call', () => h!.hotline.agents.get(a.agentId)?.state === 'on_call');
    const out = await h.api(a, 'POST', '/api/agents/me/logout');
    expect(out.status).toBe(409);
    expect(out.body.error.code).toBe('ERR_AGENT_STATE');
    sim.control.remoteHangup(channelId!);
    await waitFor('wrap-up', () => h!.hotline.agents.get(a.agentId)?.state === 'wrap_up');
  });
});
