import pino from 'pino';
import { afterEach, describe, expect } from 'vitest';
import { createAriClient } from '../../src/pbx/ari/client.ts';
import type { AriClient } from '../../src/pbx/ari/client.types.ts';
import { newId } from '../../src/pbx/ari/ids.ts';
import type { AriEvent } from '../../src/pbx/ari/models.ts';
import { ari, ariGet, exclusive, pbxIt, port, saveArtifact, scenario, sip, sipp, waitFor } from './pbx-env.ts';

describe('a survey keypress through a real Asterisk 22', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  pbxIt('when a survey call is originated to a phone that answers and presses 5 as RFC 2833, then the project\'s ARI client delivers ChannelDtmfReceived with digit 5 on that channel', async () => {
    cleanups.push(await exclusive());
    const app = 'hotline-pbx-test';
    const events: AriEvent[] = [];
    const client: AriClient = createAriClient({ url: ari.url, username: ari.username, password: ari.password(), app, log: pino({ level: 'silent' }) });
    client.onEvent((e) => { events.push(e); });
    cleanups.push(async () => {
      await client.close();
      saveArtifact('survey-dtmf.ari-events.jsonl', events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    });
    await client.connect();

    const phonePort = port(5500);
    const phone = sipp('survey-phone', [
      '-sf', scenario('survey-keypress.xml'), '-i', sip.trunkIp, '-p', String(phonePort), '-mp', String(port(18000)), '-m', '1',
    ]);
    cleanups.push(() => phone.stop());
    await new Promise((r) => setTimeout(r, 300));

    const channelId = newId('survey');
    // The citizen's number at a fixed address, with the trunk endpoint's codecs and DTMF mode.
    await client.channels.originate({
      endpoint: `PJSIP/trunk/sip:13800138000@${sip.trunkIp}:${phonePort}`,
      app, appArgs: 'survey,pbx-test', channelId, callerId: '12345', timeout: 10,
    });
    cleanups.push(async () => { await client.channels.hangup(channelId).catch(() => undefined); });

    await waitFor('StasisStart of the survey channel', () => events.find((e) => e.type === 'StasisStart' && e.channel.id === channelId), 10_000);
    const dtmf = await waitFor('ChannelDtmfReceived', () => events.find((e) => e.type === 'ChannelDtmfReceived' && e.channel.id === channelId), 10_000);
    expect(dtmf.type === 'ChannelDtmfReceived' && dtmf.digit).toBe('5');
    expect(dtmf.type === 'ChannelDtmfReceived' && dtmf.duration_ms).toBeGreaterThan(0);

    await client.channels.hangup(channelId, 'normal');
    const done = await phone.done;
    expect(done.code, `survey phone sipp: ${done.stderr}`).toBe(0);
    await waitFor('StasisEnd of the survey channel', () => events.find((e) => e.type === 'StasisEnd' && e.channel.id === channelId), 5_000);
    await waitFor('no channel left in Asterisk', async () => (await ariGet<unknown[]>('/channels')).body.length === 0, 5_000);
  }, 150_000);
});
