import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectClean, openDesktop, waitFor } from './call-harness.ts';
import type { DesktopSocket, TestAgent } from './call-harness.ts';
import { startLiveHarness } from './monitoring-harness.ts';
import type { LiveHarness } from './monitoring-harness.ts';

let h: LiveHarness;
let agent: TestAgent;
let desk: DesktopSocket;

beforeEach(async () => {
  h = await startLiveHarness();
  agent = await h.addAgent('a1');
  desk = await openDesktop(h.url, agent.token);
});
afterEach(async () => { desk.close(); await h.close(); });

const sim = () => h.hotline.sim!.control;
const unitLeg = () => sim().channels().find((c) => c.id.startsWith('hl-outbound-'));
const statuses = () => desk.frames.filter((f) => f.type === 'conference.status').map((f) => f.conference.status as string);

describe('three-way calls', () => {
  it('when the agent calls a number in, then the unit rings, joins the call bridge, and dropping it leaves agent and citizen talking', async () => {
    sim().setCitizen('01062345678', { mode: 'answer', ringMs: 150 });
    const call = await h.connectCall();
    const res = await h.api(agent, 'POST', `/api/calls/${call.callId}/conference`, { number: '010-62345678' });
    expect(res.status).toBe(201);
    const id = res.body.conference.id as string;
    const bridge = await waitFor('the unit in the call bridge', () => {
      const b = sim().bridges().find((x) => x.id === call.bridgeId);
      return b && b.channels.length === 3 ? b : undefined;
    });
    expect(bridge.channels).toContain(unitLeg()!.id);
    await waitFor('connected reported', () => statuses().includes('connected'));
    expect(statuses().slice(0, 3)).toEqual(['dialing', 'ringing', 'connected']);

    expect((await h.api(agent, 'POST', `/api/conferences/${id}/drop-unit`)).status).toBe(200);
    await waitFor('the unit gone', () => unitLeg() === undefined);
    expect(sim().bridges().find((x) => x.id === call.bridgeId)?.channels.sort()).toEqual([call.agentChannelId, call.callerChannelId].sort());
    expect(statuses()).toContain('dropped');
    expect(h.hotline.calls.byId(call.callId)?.call.state).toBe('connected');
    sim().remoteHangup(call.callerChannelId);
    await expectClean(h as never);
  });

  it('when the agent leaves, then citizen and unit stay connected with the recording going, the agent wraps up, and the unit hanging up ends the call', async () => {
    const unit = h.hotline.db.prepare(`SELECT code, contact_number FROM units WHERE contact_number IS NOT NULL ORDER BY code LIMIT 1`).get() as { code: string; contact_number: string };
    expect(unit.contact_number).toMatch(/^0106\d{7}$/);
    sim().setCitizen(unit.contact_number, { mode: 'answer', ringMs: 100 });
    const call = await h.connectCall();
    const res = await h.api(agent, 'POST', `/api/calls/${call.callId}/conference`, { unitCode: unit.code });
    expect(res.status).toBe(201);
    await waitFor('connected reported', () => statuses().includes('connected'));
    const left = await h.api(agent, 'POST', `/api/conferences/${res.body.conference.id}/leave`);
    expect(left.status).toBe(200);
    await waitFor('the agent leg gone', () => !sim().channels().some((c) => c.id === call.agentChannelId));
    await waitFor('the agent in wrap-up', () => h.hotline.agents.list().find((a) => a.id === agent.agentId)?.state === 'wrap_up');
    const unitId = unitLeg()!.id;
    expect(sim().bridges().find((x) => x.id === call.bridgeId)?.channels.sort()).toEqual([call.callerChannelId, unitId].sort());
    expect((await h.hotline.ari.recordings.getLive(call.callId)).state).toBe('recording');
    expect(h.hotline.calls.byId(call.callId)?.call.state).toBe('connected');

    sim().remoteHangup(unitId);
    await expectClean(h as never);
    await h.hotline.recordings.idle();
    await waitFor('the recording stored', () => h.hotline.recordingsRepo.byCall(call.callId)[0]?.path);
    const actions = (h.hotline.db.prepare(`SELECT action FROM audit_log WHERE subject = ? AND action LIKE 'conference.%' ORDER BY id`).all(call.callId) as Array<{ action: string }>).map((r) => r.action);
    expect(actions).toEqual(['conference.start', 'conference.connected', 'conference.agent_left', 'conference.end']);
  });

  it('when the unit is busy, then the agent is told and the call goes on with nothing left of the unit leg', async () => {
    sim().setCitizen('01069999999', { mode: 'busy' });
    const call = await h.connectCall();
    expect((await h.api(agent, 'POST', `/api/calls/${call.callId}/conference`, { number: '01069999999' })).status).toBe(201);
    await waitFor('busy reported', () => statuses().includes('busy'));
    expect(unitLeg()).toBeUndefined();
    expect(h.hotline.calls.byId(call.callId)?.call.state).toBe('connected');
  });

  it('when someone who is not the agent on the call asks, then they are refused', async () => {
    const call = await h.connectCall();
    const other = await h.addAgent('a2', { ready: false });
    expect((await h.api(other, 'POST', `/api/calls/${call.callId}/conference`, { number: '01062345678' })).status).toBe(403);
    const sup = await h.addUser('sup', 'supervisor');
    expect((await h.api(sup, 'POST', `/api/calls/${call.callId}/conference`, { number: '01062345678' })).status).toBe(403);
  });
});
