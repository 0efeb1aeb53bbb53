import { afterEach, describe, expect, it } from 'vitest';
import { expectClean, startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';

/** 一次一评 through the whole service: the calls service hands the caller to the surveys feature's one question. */
describe('the after-call rating on a line that rates its calls', () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.close(); h = undefined; });

  async function ratedCall(): Promise<{ h: Harness; callerId: string; callId: string; plays: Array<{ channel: string; media: string }> }> {
    h = await startHarness({ rateAfterCall: true });
    const plays: Array<{ channel: string; media: string }> = [];
    h.hotline.ari.onEvent((event) => {
      if (event.type === 'PlaybackStarted') {
        const target = event.playback.target_uri ?? '';
        plays.push({ channel: target.replace(/^channel:/, ''), media: event.playback.media_uri });
      }
    });
    await h.addAgent('anna', { phone: { mode: 'answer', ringMs: 100, talkMs: 600 } });
    const placed = h.hotline.sim!.control.placeCall({ line: '12345', from: '13800138000' });
    expect(placed.outcome).toBe('stasis');
    const callerId = placed.channelId!;
    const callId = await waitFor('the call in the service', () => h!.hotline.calls.live()[0]?.call.id);
    return { h, callerId, callId, plays };
  }

  it('when the agent hangs up first, then the caller hears the question, presses 1, the rating is stored with the call and the caller is hung up', async () => {
    const { h, callerId, callId, plays } = await ratedCall();
    await waitFor('the rating question on the caller', () => plays.some((p) => p.channel === callerId && p.media === 'sound:hotline/rate-call'));
    const caller = h.hotline.sim!.control.channels().find((c) => c.id === callerId);
    expect(caller?.bridgeId).toBeUndefined();
    expect(h.hotline.callsRepo.call(callId)?.end_reason).toBe('agent_hangup');
    h.hotline.sim!.control.pressKey(callerId, '1', 50);
    await waitFor('the caller hung up after thanks', () => h!.hotline.sim!.control.channels().every((c) => c.id !== callerId));
    expect(plays.filter((p) => p.channel === callerId).map((p) => p.media)).toContain('sound:hotline/thanks');
    const row = h.hotline.db.prepare('SELECT * FROM call_ratings WHERE call_id = ?').get(callId) as Record<string, unknown> | undefined;
    expect(row).toBeDefined();
    expect(row!.satisfaction).toBe('satisfied');
    await expectClean(h);
  });

  it('when the caller hangs up during the question, then nothing is left behind and the call is not taken in again', async () => {
    const { h, callerId, callId, plays } = await ratedCall();
    await waitFor('the rating question on the caller', () => plays.some((p) => p.channel === callerId && p.media === 'sound:hotline/rate-call'));
    h.hotline.sim!.control.remoteHangup(callerId);
    await expectClean(h);
    const rows = h.hotline.db.prepare('SELECT id FROM calls').all();
    expect(rows).toHaveLength(1);
    expect(h.hotline.callsRepo.call(callId)?.state).toBe('ended');
  });
});
