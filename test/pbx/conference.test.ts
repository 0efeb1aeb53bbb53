import { afterEach, describe, expect } from 'vitest';
import { clearAsterisk, exclusive, pbxIt, waitFor } from './pbx-env.ts';
import { asteriskIdle, callBridge, citizen, startRig, unitPhone } from './pbx-rig.ts';
import type { Cleanups, Rig } from './pbx-rig.ts';

/**
 * 三方通话 on a real Asterisk 22: the agent calls a unit's contact number (PJSIP/<number>@trunk, a sipp UAS on the
 * trunk contact's address) into the talking call's mixing bridge, then drops the unit, or leaves the citizen and
 * the unit talking.
 */
const UNIT_NUMBER = '01062345678';

interface ThreeWay { callId: string; conferenceId: string; unitChannelId: string; bridgeId: string; callerChannelId: string; agentChannelId: string }

const conferenceRow = (rig: Rig, id: string) => rig.h.db.prepare('SELECT status, answered_at, agent_left_at, ended_at FROM conferences WHERE id = ?').get(id) as
  { status: string; answered_at: number | null; agent_left_at: number | null; ended_at: number | null } | undefined;

/** The citizen talking with the agent, then the unit called in: all three in the call bridge. */
async function threeWay(rig: Rig): Promise<ThreeWay> {
  const talking = await waitFor('the agent on the call', async () => {
    const me = await rig.api('GET', '/api/agents/me');
    return me.body.state === 'on_call' && me.body.callId ? (me.body.callId as string) : undefined;
  }, 20_000);
  const before = await waitFor('the call bridge with both legs', async () => { const b = await callBridge(); return b && b.channels.length === 2 ? b : undefined; }, 10_000);
  const call = rig.h.callsRepo.call(talking)!;
  expect([...before.channels].sort()).toEqual([call.channel_id, call.agent_channel_id].sort());

  const started = await rig.api('POST', `/api/calls/${talking}/conference`, { number: UNIT_NUMBER });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const conferenceId = started.body.conference.id as string;
  const unitChannelId = `hl-outbound-${conferenceId}`;
  const statuses = () => rig.frames.filter((f) => f.type === 'conference.status').map((f) => (f.conference as { status: string }).status);
  await waitFor('the desktop told the unit answered', () => statuses().includes('connected'), 20_000);
  const bridge = await waitFor('the unit in the call bridge', async () => { const b = await callBridge(); return b?.channels.includes(unitChannelId) ? b : undefined; }, 5_000);
  expect([...bridge.channels].sort()).toEqual([call.channel_id, call.agent_channel_id, unitChannelId].sort());
  expect(bridge.id).toBe(before.id);
  expect(conferenceRow(rig, conferenceId)).toMatchObject({ status: 'connected' });
  expect(conferenceRow(rig, conferenceId)!.answered_at).not.toBeNull();
  console.info(`real Asterisk three-way call: desktop statuses ${statuses().join(' -> ')}`);
  return { callId: talking, conferenceId, unitChannelId, bridgeId: bridge.id, callerChannelId: call.channel_id!, agentChannelId: call.agent_channel_id! };
}

describe('三方通话 through a real Asterisk 22', () => {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  pbxIt('when the agent calls a unit into a talking call and then drops it, then the unit joins the call bridge, gets a BYE when dropped, and the citizen and the agent talk on until the citizen hangs up', async () => {
    cleanups.push(await exclusive());
    cleanups.push(clearAsterisk);
    const rig = await startRig({ name: 'conference-drop', cleanups });
    const unit = unitPhone('conference-drop-unit', 'unit-phone.xml');
    cleanups.push(() => unit.stop());
    await new Promise((r) => setTimeout(r, 300));
    const caller = citizen('conference-drop-citizen', 'citizen-talks.xml', ['-d', '25000']);
    cleanups.push(() => caller.stop());

    const t = await threeWay(rig);
    const dropped = await rig.api('POST', `/api/conferences/${t.conferenceId}/drop-unit`);
    expect(dropped.status, JSON.stringify(dropped.body)).toBe(200);
    const unitDone = await unit.done;
    expect(unitDone.code, `unit sipp (must have got a BYE): ${unitDone.stderr}`).toBe(0);
    await waitFor('the unit out of the bridge', async () => !(await callBridge())?.channels.includes(t.unitChannelId), 5_000);
    expect([...((await callBridge())?.channels ?? [])].sort()).toEqual([t.callerChannelId, t.agentChannelId].sort());
    expect(conferenceRow(rig, t.conferenceId)).toMatchObject({ status: 'dropped' });
    expect(rig.h.callsRepo.call(t.callId)!.state).toBe('connected');
    expect((await rig.api('GET', '/api/agents/me')).body.state).toBe('on_call');

    const ended = await caller.done;
    expect(ended.code, `citizen sipp: ${ended.stderr}`).toBe(0);
    await waitFor('the call over in the service', () => rig.h.calls.live().length === 0, 10_000);
    expect(rig.h.callsRepo.call(t.callId)).toMatchObject({ state: 'ended', end_reason: 'caller_hangup' });
    await asteriskIdle();
    await rig.h.recordings.idle();
    await waitFor('the stored recording', () => rig.h.recordingsRepo.byCall(t.callId)[0]?.path ?? undefined, 15_000);
  }, 200_000);

  pbxIt('when the agent leaves a three-way call, then the citizen and the unit talk on in the bridge without the agent, the agent is free, and the unit hanging up hangs up the citizen and ends the call', async () => {
    cleanups.push(await exclusive());
    cleanups.push(clearAsterisk);
    const rig = await startRig({ name: 'conference-leave', cleanups });
    // The unit hangs up 12 s after it answered; the citizen talks until Asterisk hangs it up.
    const unit = unitPhone('conference-leave-unit', 'unit-phone-hangs-up.xml', ['-d', '12000']);
    cleanups.push(() => unit.stop());
    await new Promise((r) => setTimeout(r, 300));
    const caller = citizen('conference-leave-citizen', 'citizen-waits-bye.xml');
    cleanups.push(() => caller.stop());

    const t = await threeWay(rig);
    const left = await rig.api('POST', `/api/conferences/${t.conferenceId}/leave`);
    expect(left.status, JSON.stringify(left.body)).toBe(200);
    expect(left.body.conference).toMatchObject({ status: 'agent_left', agentLeft: true });
    await waitFor('the agent leg out of the bridge', async () => !(await callBridge())?.channels.includes(t.agentChannelId), 5_000);
    const bridge = await callBridge();
    expect(bridge?.id).toBe(t.bridgeId);
    expect([...(bridge?.channels ?? [])].sort()).toEqual([t.callerChannelId, t.unitChannelId].sort());
    expect(rig.h.callsRepo.call(t.callId)!.state).toBe('connected');
    const me = await waitFor('the agent off the call', async () => { const a = await rig.api('GET', '/api/agents/me'); return a.body.state !== 'on_call' ? a.body : undefined; }, 5_000);
    expect(['wrap_up', 'ready']).toContain(me.state);
    // Still talking a few seconds on: nobody hung up the citizen or the unit when the agent went.
    await new Promise((r) => setTimeout(r, 3000));
    expect([...((await callBridge())?.channels ?? [])].sort()).toEqual([t.callerChannelId, t.unitChannelId].sort());

    const unitDone = await unit.done;
    expect(unitDone.code, `unit sipp (hangs up): ${unitDone.stderr}`).toBe(0);
    const callerDone = await caller.done;
    expect(callerDone.code, `citizen sipp (must get a BYE once the unit hung up): ${callerDone.stderr}`).toBe(0);
    await waitFor('the call over in the service', () => rig.h.calls.live().length === 0, 10_000);
    expect(rig.h.callsRepo.call(t.callId)!.state).toBe('ended');
    const row = conferenceRow(rig, t.conferenceId)!;
    expect(row.status).toBe('ended');
    expect(row.agent_left_at).not.toBeNull();
    expect(row.ended_at).not.toBeNull();
    await asteriskIdle();
    await waitFor('the agent ready again', async () => (await rig.api('GET', '/api/agents/me')).body.state === 'ready', 10_000);
  }, 200_000);
});
