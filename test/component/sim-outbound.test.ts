import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/types.ts';
import { ariRest, connectApp, delay, types } from './sim-helpers.ts';

let sim: Simulator | undefined;
afterEach(async () => { await sim?.close(); sim = undefined; });

const originate = (endpoint: string, id: string, extra = '') =>
  `/channels?endpoint=${encodeURIComponent(endpoint)}&app=hotline&appArgs=agent&channelId=${id}&callerId=%22Hotline%22+%3C12345%3E${extra}`;

describe('simulator: originating to agent phones and citizens', () => {
  it('when the agent phone answers 486, then Dial BUSY and ChannelDestroyed(17) follow and the channel is gone', async () => {
    sim = await startSimulator();
    sim.control.registerPhone('agent1', { mode: 'busy', ringMs: 50 });
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    expect((await ari.post(originate('PJSIP/agent1', 'agent-busy'))).status).toBe(200);
    const gone = await app.waitFor((e) => e.type === 'ChannelDestroyed');
    expect(gone).toMatchObject({ cause: 17, cause_txt: 'User busy', tech_cause: 486 });
    expect(types(app.events)).toEqual(['Dial', 'ChannelHangupRequest', 'Dial', 'ChannelDestroyed']);
    expect(app.events[1]).toMatchObject({ cause: 17, tech_cause: 486 });
    expect(app.events.map((e) => e.dialstatus).filter((d) => d !== undefined)).toEqual(['', 'BUSY']);
    expect((await ari.get('/channels/agent-busy')).status).toBe(404);
    expect((await ari.del('/channels/agent-busy')).status).toBe(404);
  });

  it('when the app gives up on a ringing agent with DELETE, then HangupRequest(32 soft), Dial NOANSWER and ChannelDestroyed(16) follow', async () => {
    sim = await startSimulator();
    sim.control.registerPhone('agent1', { mode: 'no-answer' });
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    await ari.post(originate('PJSIP/agent1', 'agent-na'));
    await app.waitFor((e) => e.type === 'Dial' && e.dialstatus === 'RINGING');
    expect((await ari.get('/channels/agent-na')).body.state).toBe('Ringing');
    expect((await ari.del('/channels/agent-na')).status).toBe(204);
    await app.waitFor((e) => e.type === 'ChannelDestroyed');
    expect(types(app.events)).toEqual(['Dial', 'ChannelStateChange', 'Dial', 'ChannelHangupRequest', 'Dial', 'ChannelDestroyed']);
    expect(app.events[3]).toMatchObject({ cause: 32, soft: true });
    expect(app.events[4]!.dialstatus).toBe('NOANSWER');
    expect(app.events[5]).toMatchObject({ cause: 16, cause_txt: 'Normal Clearing' });
  });

  it('when a citizen only rings past the originate timeout, then only ChannelDestroyed(19, tech_cause 480) follows the ringing', async () => {
    sim = await startSimulator();
    sim.control.setCitizen('citizen', { mode: 'no-answer' });
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    await ari.post(originate('PJSIP/citizen', 'survey-1', '&timeout=1'));
    const gone = await app.waitFor((e) => e.type === 'ChannelDestroyed', 3000);
    expect(gone).toMatchObject({ cause: 19, cause_txt: 'User alerting, no answer', tech_cause: 480 });
    expect(types(app.events)).toEqual(['Dial', 'ChannelStateChange', 'Dial', 'ChannelDestroyed']);
  });

  it('when the agent endpoint has no contact or does not exist, then originate answers 500 {"error":"Allocation failed"} and sends nothing', async () => {
    sim = await startSimulator();
    sim.control.registerPhone('agent2');
    sim.control.unregisterPhone('agent2');
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    expect((await ari.get('/endpoints/PJSIP/agent2')).body).toEqual({ technology: 'PJSIP', resource: 'agent2', state: 'offline', channel_ids: [] });
    const res = await ari.post(originate('PJSIP/agent2', 'agent-unreg'));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'Allocation failed' });
    expect((await ari.post('/channels?endpoint=PJSIP%2Fnosuchagent&app=hotline')).body).toEqual({ error: 'Allocation failed' });
    expect((await ari.get('/channels/agent-unreg')).status).toBe(404);
    await delay(50);
    expect(app.events).toEqual([]);
  });

  it('when a surveyed citizen presses keys during prompts, then DTMF arrives at digit end and does not stop the playback', async () => {
    sim = await startSimulator({ sounds: { 'hotline/q1': 800, 'hotline/q2': 300 } });
    sim.control.setCitizen('citizen', { mode: 'answer', ringMs: 50, keys: [{ afterMs: 100, digit: '1', durationMs: 80 }] });
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    await ari.post('/channels?endpoint=PJSIP%2Fcitizen&app=hotline&appArgs=survey%2CTICKET-1&channelId=survey-1&callerId=%22Hotline+Survey%22+%3C12345%3E&timeout=30');
    const start = await app.waitFor((e) => e.type === 'StasisStart');
    expect(start.args).toEqual(['survey', 'TICKET-1']);
    expect(start.channel.dialplan).toMatchObject({ context: 'from-trunk', app_name: 'Stasis', app_data: 'hotline,survey,TICKET-1' });
    const pb = await ari.post('/channels/survey-1/play?media=sound%3Ahotline%2Fq1&playbackId=pb-q1&lang=en');
    expect(pb.status).toBe(201);
    expect(pb.body).toMatchObject({ id: 'pb-q1', media_uri: 'sound:hotline/q1', target_uri: 'channel:survey-1', language: 'en' });
    const dtmf = await app.waitFor((e) => e.type === 'ChannelDtmfReceived');
    expect(dtmf).toMatchObject({ digit: '1', duration_ms: 80 });
    expect((await ari.get('/playbacks/pb-q1')).body.state).toBe('playing');
    expect((await ari.del('/playbacks/pb-q1')).status).toBe(204);
    const fin = await app.waitFor((e) => e.type === 'PlaybackFinished');
    expect(fin.playback.state).toBe('done');
    expect((await ari.get('/playbacks/pb-q1')).body).toEqual({ message: 'Playback not found' });
    await ari.post('/channels/survey-1/play?media=sound%3Ahotline%2Fq2');
    await app.waitFor((e) => e.type === 'PlaybackFinished' && e.playback.media_uri === 'sound:hotline/q2', 2000);
    sim.control.pressKey('survey-1', '2', 50);
    await app.waitFor((e) => e.type === 'ChannelDtmfReceived' && e.digit === '2');
    expect((await ari.post('/channels/survey-1/play?media=sound%3Ahotline%2Fdoes-not-exist')).status).toBe(201);
    const failed = await app.waitFor((e) => e.type === 'PlaybackFinished' && e.playback.state === 'failed');
    expect(failed.playback.media_uri).toBe('sound:hotline/does-not-exist');
    expect((await ari.del('/channels/survey-1?reason=normal')).status).toBe(204);
    await app.waitFor((e) => e.type === 'ChannelDestroyed');
    expect(types(app.events)).toEqual([
      'Dial', 'ChannelStateChange', 'Dial', 'ChannelStateChange', 'Dial', 'StasisStart',
      'PlaybackStarted', 'ChannelDtmfReceived', 'PlaybackFinished', 'PlaybackStarted', 'PlaybackFinished',
      'ChannelDtmfReceived', 'PlaybackStarted', 'PlaybackFinished', 'ChannelHangupRequest', 'StasisEnd', 'ChannelDestroyed',
    ]);
  });
});
