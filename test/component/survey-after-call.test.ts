import { afterEach, describe, expect, it } from 'vitest';
import type { AriEvent } from '../../src/pbx/ari/models.ts';
import { playedOn, startSurveyHotline, waitFor } from './survey-harness.ts';
import type { SurveyHotline } from './survey-harness.ts';

/**
 * 一次一评 through the simulator: a caller's channel is in Stasis as an inbound call is (args `inbound,12345`),
 * answered and out of any bridge, as the calls service leaves it when the agent hangs up first; the surveys feature
 * is handed the channel and runs the one-question rating on it.
 */
const PROMPT_MS = 300;
let h: SurveyHotline | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

async function callerInStasis(): Promise<{ s: SurveyHotline; channelId: string }> {
  const s = await startSurveyHotline({ defaultSoundMs: PROMPT_MS, config: { enabled: false, silenceMs: 400, repeats: 2 } });
  h = s;
  const placed = s.sim.control.placeCall({ line: '12345', from: '13800138000' });
  expect(placed.outcome).toBe('stasis');
  const channelId = placed.channelId!;
  const start = await waitFor('the caller in Stasis', () => s.events.find((e): e is Extract<AriEvent, { type: 'StasisStart' }> =>
    e.type === 'StasisStart' && e.channel.id === channelId));
  expect(start.args).toEqual(['inbound', '12345']);
  await s.ari.channels.answer(channelId);
  return { s, channelId };
}

/** Waits until the `n`-th playback of `media` has started on the channel. */
const started = (s: SurveyHotline, channelId: string, media: string, n = 1) =>
  waitFor(`${media} #${n}`, () => playedOn(s.events, channelId).filter((m) => m === media).length >= n);
const ended = (s: SurveyHotline, channelId: string) =>
  waitFor('the rating to end', () => { const r = s.parts.repo.rating(channelId); return r?.endedAt != null ? r : undefined; });

describe('一次一评: the caller rates the call after the agent hung up', () => {
  it('when the caller presses 2 during the question, then the prompt stops, the answer is stored with the call, thanks play and the caller is hung up', async () => {
    const { s, channelId } = await callerInStasis();
    expect(s.feature.startAfterCallRating(channelId, 'call-1')).toBe(true);
    expect(s.feature.ownsChannel(channelId)).toBe(true);
    expect(s.feature.startAfterCallRating(channelId, 'call-1')).toBe(false);
    await started(s, channelId, 'sound:hotline/rate-call');
    s.sim.control.pressKey(channelId, '2', 50);
    const rating = await ended(s, channelId);
    expect(rating).toMatchObject({ callId: 'call-1', channelId, satisfaction: 'basically_satisfied', keys: '2', completed: true });
    expect(playedOn(s.events, channelId)).toEqual(['sound:hotline/rate-call', 'sound:hotline/thanks']);
    expect(s.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith('/playbacks/')).map((r) => r.status)).toEqual([204]);
    await waitFor('the service to hang up the caller', () => s.requests.some((r) => r.method === 'DELETE' && r.path.startsWith(`/channels/${channelId}`) && r.status === 204));
    await waitFor('the caller channel gone', () => s.sim.control.channels().every((c) => c.id !== channelId));
    await waitFor('the rating leg released', () => s.parts.stasis!.activeCount() === 0);
    expect(s.feature.ownsChannel(channelId)).toBe(true);
    expect(s.feature.ownsChannel('1795388733.99')).toBe(false);

    const boss = await s.token('boss', 'supervisor');
    const res = await fetch(`${s.url}/api/surveys/call-ratings?callId=call-1`, { headers: { authorization: `Bearer ${boss}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ratings: [expect.objectContaining({ callId: 'call-1', satisfaction: 'basically_satisfied', completed: true })] });
    const agent = await s.token('agent1', 'agent');
    expect((await fetch(`${s.url}/api/surveys/call-ratings`, { headers: { authorization: `Bearer ${agent}` } })).status).toBe(403);
  });

  it('when the caller stays silent and then presses a wrong key, then the question is asked again each time before the answer counts', async () => {
    const { s, channelId } = await callerInStasis();
    s.feature.startAfterCallRating(channelId, 'call-2');
    await started(s, channelId, 'sound:hotline/no-input');
    await started(s, channelId, 'sound:hotline/rate-call', 2);
    s.sim.control.pressKey(channelId, '7', 50);
    await started(s, channelId, 'sound:hotline/rate-call', 3);
    s.sim.control.pressKey(channelId, '1', 50);
    const rating = await ended(s, channelId);
    expect(rating).toMatchObject({ callId: 'call-2', satisfaction: 'satisfied', keys: '71', completed: true });
    expect(playedOn(s.events, channelId)).toEqual([
      'sound:hotline/rate-call', 'sound:hotline/no-input', 'sound:hotline/rate-call', 'sound:hotline/invalid-key',
      'sound:hotline/rate-call', 'sound:hotline/thanks',
    ]);
  });

  it('when the caller hangs up in the middle of the question, then a partial rating is kept and nothing is left behind', async () => {
    const { s, channelId } = await callerInStasis();
    s.feature.startAfterCallRating(channelId, 'call-3');
    await started(s, channelId, 'sound:hotline/rate-call');
    s.sim.control.pressKey(channelId, '9', 50);
    await started(s, channelId, 'sound:hotline/invalid-key');
    s.sim.control.remoteHangup(channelId);
    const rating = await ended(s, channelId);
    expect(rating).toMatchObject({ callId: 'call-3', satisfaction: null, keys: '9', completed: false });
    expect(s.parts.stasis!.activeCount()).toBe(0);
    expect(playedOn(s.events, channelId)).not.toContain('sound:hotline/thanks');
  });

  it('when the caller is already gone as the rating starts, then the rating ends at once as unanswered', async () => {
    const { s, channelId } = await callerInStasis();
    s.sim.control.remoteHangup(channelId);
    await waitFor('the caller gone', () => s.sim.control.channels().every((c) => c.id !== channelId));
    expect(s.feature.startAfterCallRating(channelId, 'call-4')).toBe(true);
    const rating = await ended(s, channelId);
    expect(rating).toMatchObject({ callId: 'call-4', satisfaction: null, keys: '', completed: false });
    expect(s.parts.stasis!.activeCount()).toBe(0);
  });
});
