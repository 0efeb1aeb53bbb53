import { expect, it } from 'vitest';
import { describeWithDocs } from './api-docs.ts';
import { simulatorMissing } from './sim-harness.ts';
import { isType, startFlow } from './sim-flow.ts';
import type { Flow } from './sim-flow.ts';
import type { Json } from './trace.ts';

const missing = simulatorMissing();

async function queuedCaller(f: Flow, from: string, hangupAfterMs?: number): Promise<{ caller: string; holding: string }> {
  const placed = f.sim.control.placeCall({ line: '12345', from, hangupAfterMs });
  const start = await f.waitEvent('caller StasisStart', isType('StasisStart'));
  const caller = String((start?.channel as Json | undefined)?.id ?? placed.channelId);
  await f.req('POST', `/ari/channels/${caller}/answer`, 204);
  const holding = String(((await f.req('POST', '/ari/bridges?type=holding&name=queue-1', 200)).body as Json | null)?.id);
  await f.req('POST', `/ari/bridges/${holding}/addChannel?channel=${caller}`, 204);
  await f.req('POST', `/ari/bridges/${holding}/moh?mohClass=default`, 204);
  return { caller, holding };
}

async function connectAgent(f: Flow, caller: string, holding: string, agent: string): Promise<string> {
  const mixing = String(((await f.req('POST', '/ari/bridges?type=mixing&name=call-1', 200)).body as Json | null)?.id);
  const id = `agent-${agent}-1`;
  await f.req('POST', `/ari/channels?endpoint=PJSIP%2F${agent}&app=hotline&appArgs=agent&channelId=${id}&timeout=30`, 200);
  await f.waitEvent('agent StasisStart', isType('StasisStart', id));
  await f.req('POST', `/ari/bridges/${holding}/removeChannel?channel=${caller}`, 204);
  await f.req('POST', `/ari/bridges/${mixing}/addChannel?channel=${caller}%2C${id}`, 204);
  return mixing;
}

describeWithDocs('simulator REST bodies and events against the api-docs models', (docs) => {
  if (missing) {
    it.skip(`${missing}: model checks skipped`, () => undefined);
    return;
  }

  it.concurrent('when an inbound call is answered, recorded and hung up by the caller, then every body and event conforms', async () => {
    const f = await startFlow(docs);
    f.sim.control.registerPhone('agent1', { mode: 'answer', ringMs: 200 });
    const { caller, holding } = await queuedCaller(f, '13800138000', 2500);
    await f.req('GET', `/ari/bridges/${holding}`, 200);
    await f.req('GET', `/ari/channels/${caller}`, 200);
    const mixing = await connectAgent(f, caller, holding, 'agent1');
    await f.req('POST', `/ari/bridges/${mixing}/record?name=rec-1&format=wav&ifExists=overwrite&beep=false&terminateOn=none`, 201);
    await f.req('GET', '/ari/recordings/live/rec-1', 200);
    await f.req('DELETE', `/ari/bridges/${holding}`, 204);
    await f.waitEvent('caller StasisEnd', isType('StasisEnd', caller), 5000);
    await f.req('GET', `/ari/channels/${caller}`, 404);
    await f.req('DELETE', '/ari/channels/agent-agent1-1?reason=normal', 204);
    await f.waitEvent('RecordingFinished', isType('RecordingFinished'));
    await f.req('DELETE', `/ari/bridges/${mixing}`, 204);
    for (const path of ['/ari/recordings/stored', '/ari/recordings/stored/rec-1', '/ari/recordings/stored/rec-1/file', '/ari/endpoints',
      '/ari/endpoints/PJSIP/agent1', '/ari/applications', '/ari/applications/hotline', '/ari/asterisk/info', '/ari/asterisk/ping',
      '/ari/channels', '/ari/bridges']) await f.req('GET', path, 200);
    await f.close();
    expect(f.problems).toEqual([]);
  });

  it.concurrent('when agents are busy, do not answer or are not registered, then every body and event conforms', async () => {
    const f = await startFlow(docs);
    f.sim.control.registerPhone('agent1', { mode: 'busy', sendsRinging: false, ringMs: 100 });
    f.sim.control.registerPhone('agent2', { mode: 'no-answer' });
    f.sim.control.registerPhone('agent3', { mode: 'no-answer' });
    f.sim.control.unregisterPhone('agent3');
    await queuedCaller(f, '13800138001');
    await f.req('POST', '/ari/channels?endpoint=PJSIP%2Fagent1&app=hotline&appArgs=agent&channelId=busy-1', 200);
    await f.waitEvent('busy ChannelDestroyed', isType('ChannelDestroyed', 'busy-1'));
    await f.req('GET', '/ari/channels/busy-1', 404);
    await f.req('POST', '/ari/channels?endpoint=PJSIP%2Fagent2&app=hotline&appArgs=agent&channelId=ring-1&timeout=1', 200);
    await f.waitEvent('timeout ChannelDestroyed', isType('ChannelDestroyed', 'ring-1'), 4000);
    await f.req('POST', '/ari/channels?endpoint=PJSIP%2Fagent2&app=hotline&appArgs=agent&channelId=ring-2', 200);
    await f.waitEvent('Dial RINGING', (e) => e.type === 'Dial' && e.dialstatus === 'RINGING');
    await f.req('GET', '/ari/channels/ring-2', 200);
    await f.req('DELETE', '/ari/channels/ring-2', 204);
    await f.waitEvent('Dial NOANSWER', (e) => e.type === 'Dial' && e.dialstatus === 'NOANSWER');
    await f.req('GET', '/ari/endpoints/PJSIP/agent3', 200);
    await f.req('POST', '/ari/channels?endpoint=PJSIP%2Fagent3&app=hotline&appArgs=agent&channelId=off-1', 500);
    await f.close();
    expect(f.problems).toEqual([]);
  });

  it.concurrent('when a surveyed citizen answers and presses keys during prompts, then every body and event conforms', async () => {
    const f = await startFlow(docs);
    f.sim.control.setCitizen('citizen', { mode: 'answer', ringMs: 100, keys: [{ afterMs: 300, digit: '1', durationMs: 280 }] });
    const id = 'survey-1';
    await f.req('POST', `/ari/channels?endpoint=PJSIP%2Fcitizen&app=hotline&appArgs=survey%2CT-1&channelId=${id}&timeout=30`, 200);
    await f.waitEvent('survey StasisStart', isType('StasisStart', id));
    await f.req('POST', `/ari/channels/${id}/play?media=sound%3Ahotline%2Fq1&playbackId=pb-1&lang=en`, 201);
    await f.waitEvent('DTMF 1', isType('ChannelDtmfReceived', id));
    await f.req('GET', '/ari/playbacks/pb-1', 200);
    await f.req('DELETE', '/ari/playbacks/pb-1', 204);
    await f.waitEvent('PlaybackFinished', isType('PlaybackFinished'));
    await f.req('POST', `/ari/channels/${id}/play?media=sound%3Ahotline%2Fdoes-not-exist`, 201);
    await f.waitEvent('failed playback', (e) => e.type === 'PlaybackFinished' && (e.playback as Json).state === 'failed');
    await f.req('POST', `/ari/channels/${id}/variable?variable=SURVEY&value=1`, 204);
    await f.req('GET', `/ari/channels/${id}/variable?variable=SURVEY`, 200);
    await f.req('DELETE', `/ari/channels/${id}?reason=normal`, 204);
    await f.waitEvent('ChannelDestroyed', isType('ChannelDestroyed', id));
    await f.close();
    expect(f.problems).toEqual([]);
  });

  it.concurrent('when a supervisor listens and then whispers, then every body and event conforms', async () => {
    const f = await startFlow(docs);
    f.sim.control.registerPhone('agent1', { mode: 'answer', ringMs: 100 });
    const { caller, holding } = await queuedCaller(f, '13800138002');
    await connectAgent(f, caller, holding, 'agent1');
    await f.req('POST', `/ari/channels/${caller}/snoop?spy=both&whisper=none&app=hotline&appArgs=snoop&snoopId=snoop-1`, 200);
    await f.waitEvent('snoop StasisStart', isType('StasisStart', 'snoop-1'));
    await f.req('GET', '/ari/channels/snoop-1', 200);
    await f.req('POST', '/ari/channels/agent-agent1-1/snoop?spy=both&whisper=out&app=hotline&appArgs=whisper&snoopId=whisper-1', 200);
    await f.req('DELETE', '/ari/channels/snoop-1', 204);
    await f.waitEvent('snoop StasisEnd', isType('StasisEnd', 'snoop-1'));
    f.sim.control.remoteHangup(caller);
    await f.req('DELETE', '/ari/channels/agent-agent1-1', 204);
    await f.waitEvent('whisper StasisEnd', isType('StasisEnd', 'whisper-1'));
    await f.close();
    expect(f.problems).toEqual([]);
  });

  it.concurrent('when requests fail, then every error body is {message} (or {error}) with the traced status', async () => {
    const f = await startFlow(docs);
    const { caller, holding } = await queuedCaller(f, '13800138003');
    const mixing = String(((await f.req('POST', '/ari/bridges?type=mixing', 200)).body as Json | null)?.id);
    await f.req('POST', '/ari/bridges/no-such-bridge/addChannel?channel=x', 404);
    await f.req('POST', `/ari/bridges/${mixing}/addChannel?channel=no-such-channel`, 400);
    await f.req('POST', `/ari/bridges/${mixing}/addChannel`, 400);
    await f.req('POST', `/ari/bridges/${mixing}/removeChannel?channel=${caller}`, 422);
    await f.req('DELETE', `/ari/bridges/${mixing}/moh`, 409);
    await f.req('POST', `/ari/channels?endpoint=PJSIP%2Fagent1&app=hotline&channelId=${caller}`, 409);
    await f.req('POST', '/ari/channels?endpoint=agent1&app=hotline', 400);
    await f.req('POST', '/ari/channels?endpoint=PJSIP%2Fagent1', 400);
    await f.req('POST', '/ari/channels/no-such-channel/answer', 404);
    await f.req('POST', '/ari/channels/no-such-channel/snoop?spy=both&app=hotline', 404);
    await f.req('POST', `/ari/channels/${caller}/snoop?spy=both`, 400);
    await f.req('POST', `/ari/bridges/${holding}/record?name=r&format=nosuchformat`, 422);
    await f.req('POST', '/ari/recordings/live/none/stop', 404);
    await f.req('GET', '/ari/recordings/stored/none', 404);
    await f.req('DELETE', '/ari/playbacks/none', 404);
    await f.req('GET', '/ari/applications/none', 404);
    await f.req('GET', '/ari/endpoints/PJSIP/none', 404);
    await f.req('DELETE', `/ari/channels/${caller}`, 204);
    await f.waitEvent('caller StasisEnd', isType('StasisEnd', caller));
    await f.req('DELETE', `/ari/channels/${caller}`, 404);
    await f.close();
    expect(f.problems).toEqual([]);
  });
});
