import { afterEach, describe, expect } from 'vitest';
import { clearAsterisk, exclusive, pbxIt, waitFor } from './pbx-env.ts';
import { asteriskIdle, citizen, startRig } from './pbx-rig.ts';
import type { Cleanups } from './pbx-rig.ts';

/**
 * 一次一评 on a real Asterisk 22: on a line with rateAfterCall, the agent's phone hangs up first (a BYE from the
 * seat 4 s after it answered); the caller stays on, hears the question (sound:hotline/rate-call), presses 1 as
 * RFC 2833 and is thanked and hung up; the rating is stored.
 */
describe('一次一评 through a real Asterisk 22', () => {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  pbxIt('when the agent hangs up first on a line that rates calls, then the caller hears the rating question, their key 1 is stored as satisfied, and they are hung up after the thanks', async () => {
    cleanups.push(await exclusive());
    cleanups.push(clearAsterisk);
    const rig = await startRig({ name: 'rating', cleanups, line: { rateAfterCall: true }, seatScenario: 'seat-phone-hangs-up.xml' });
    // After the greeting (0.7 s) the agent answers about 1 s later and hangs up 4 s after that; the caller presses 1
    // 11 s after its answer, while the question (sound:hotline/rate-call, about 10 s) plays or in the silence after it.
    const caller = citizen('rating-citizen', 'citizen-rates-call.xml', ['-d', '11000']);
    cleanups.push(() => caller.stop());

    const callId = await waitFor('the agent on the call', async () => {
      const me = await rig.api('GET', '/api/agents/me');
      return me.body.state === 'on_call' && me.body.callId ? (me.body.callId as string) : undefined;
    }, 20_000);
    const callerChannelId = await waitFor('the caller channel', () => rig.h.callsRepo.call(callId)?.channel_id ?? undefined, 5_000);

    const greetingDone = rig.events.find((e) => e.type === 'PlaybackFinished' && e.playback.target_uri === `channel:${callerChannelId}`);
    expect(greetingDone?.type === 'PlaybackFinished' && greetingDone.playback.media_uri).toBe('sound:hotline/num-1');
    const question = await waitFor('the rating question played to the caller', () => rig.events.find((e) =>
      e.type === 'PlaybackStarted' && e.playback.target_uri === `channel:${callerChannelId}` && e.playback.media_uri === 'sound:hotline/rate-call'), 20_000);
    const call = rig.h.callsRepo.call(callId)!;
    expect(call).toMatchObject({ end_reason: 'agent_hangup' });
    expect(question.type).toBe('PlaybackStarted');

    const done = await caller.done;
    expect(done.code, `citizen sipp (presses 1, then must get a BYE): ${done.stderr}`).toBe(0);
    const dtmf = rig.events.filter((e) => e.type === 'ChannelDtmfReceived' && e.channel.id === callerChannelId);
    expect(dtmf.map((e) => (e.type === 'ChannelDtmfReceived' ? e.digit : ''))).toEqual(['1']);
    expect(rig.events.some((e) => e.type === 'PlaybackStarted' && e.playback.target_uri === `channel:${callerChannelId}` && e.playback.media_uri === 'sound:hotline/thanks')).toBe(true);

    const ratings = await waitFor('the rating finished', async () => {
      const r = await rig.supervisor('GET', `/api/surveys/call-ratings?callId=${callId}`);
      expect(r.status).toBe(200);
      const list = r.body.ratings as Array<{ endedAt: number | null }>;
      return list.length > 0 && list[0]!.endedAt !== null ? list : undefined;
    }, 10_000);
    expect(ratings).toHaveLength(1);
    expect(ratings[0]).toMatchObject({ callId, channelId: callerChannelId, satisfaction: 'satisfied', keys: '1', completed: true });
    console.info(`real Asterisk 一次一评: question started ${new Date(question.timestamp).toISOString()}, rating ${JSON.stringify(ratings[0])}`);

    await asteriskIdle();
    await waitFor('the call over in the service', () => rig.h.calls.live().length === 0, 10_000);
    expect(rig.h.callsRepo.call(callId)).toMatchObject({ state: 'ended', end_reason: 'agent_hangup' });
  }, 200_000);
});
