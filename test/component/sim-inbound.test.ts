import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/types.ts';
import { ariRest, connectApp, delay, types } from './sim-helpers.ts';

let sim: Simulator | undefined;
afterEach(async () => { await sim?.close(); sim = undefined; });

const INBOUND_ANSWERED = [
  'StasisStart', 'ChannelStateChange', 'ChannelEnteredBridge',
  'Dial', 'ChannelStateChange', 'Dial', 'ChannelStateChange', 'Dial', 'StasisStart',
  'ChannelLeftBridge', 'ChannelEnteredBridge', 'ChannelEnteredBridge', 'ChannelConnectedLine', 'ChannelConnectedLine',
  'RecordingStarted',
  'ChannelHangupRequest', 'ChannelLeftBridge', 'StasisEnd', 'ChannelConnectedLine',
  'ChannelHangupRequest', 'ChannelLeftBridge', 'RecordingFinished', 'StasisEnd', 'ChannelDestroyed',
  'BridgeDestroyed',
];

describe('simulator: inbound call answered by an agent', () => {
  it('when a queued caller is bridged to an answering agent, recorded and hangs up, then the events follow inbound-answered and the recording is a valid WAV', async () => {
    sim = await startSimulator({ seed: 1 });
    sim.control.registerPhone('agent1', { mode: 'answer', ringMs: 150 });
    const app = await connectApp(sim);
    const ari = ariRest(sim);

    const call = sim.control.placeCall({ line: '12345', from: '+15550001111', callerName: 'Test Caller' });
    expect(call.outcome).toBe('stasis');
    const callerId = call.channelId!;
    const start = await app.waitFor((e) => e.type === 'StasisStart');
    expect(start.channel.state).toBe('Ring');
    expect(start.channel.name).toMatch(/^PJSIP\/trunk-[0-9a-f]{8}$/);
    expect(start.channel.id).toMatch(/^\d+\.\d+$/);
    expect(start.args).toEqual(['inbound', '12345']);

    expect((await ari.post(`/channels/${callerId}/answer`)).status).toBe(204);
    const holding = (await ari.post('/bridges?type=holding&name=queue-1')).body;
    expect(holding.technology).toBe('holding_bridge');
    expect((await ari.post(`/bridges/${holding.id}/addChannel?channel=${callerId}`)).status).toBe(204);
    expect((await ari.post(`/bridges/${holding.id}/moh?mohClass=default`)).status).toBe(204);

    const mixing = (await ari.post(`/bridges?type=mixing&name=call-${callerId}`)).body;
    const agentId = 'agent-aae367a9-a677-4be6-9e17-eb7308cb352b';
    const orig = await ari.post(`/channels?endpoint=PJSIP%2Fagent1&app=hotline&appArgs=agent&channelId=${agentId}&callerId=%22Hotline%22+%3C12345%3E&timeout=30`);
    expect(orig.status).toBe(200);
    expect(orig.body).toMatchObject({ id: agentId, state: 'Down', caller: { name: 'Hotline', number: '12345' } });
    expect(orig.body.dialplan).toMatchObject({ context: 'agents', app_name: 'AppDial2' });
    const agentStart = await app.waitFor((e) => e.type === 'StasisStart' && e.channel.id === agentId);
    expect(agentStart.args).toEqual(['agent']);

    expect((await ari.post(`/bridges/${holding.id}/removeChannel?channel=${callerId}`)).status).toBe(204);
    expect((await ari.post(`/bridges/${mixing.id}/addChannel?channel=${callerId},${agentId}`)).status).toBe(204);
    const rec = await ari.post(`/bridges/${mixing.id}/record?name=rec-inbound&format=wav&ifExists=overwrite&beep=false&terminateOn=none`);
    expect(rec.status).toBe(201);
    expect(rec.body).toEqual({ name: 'rec-inbound', format: 'wav', state: 'queued', target_uri: `bridge:${mixing.id}` });
    const stopMoh = await ari.del(`/bridges/${holding.id}/moh`);
    expect(stopMoh.status).toBe(409);
    expect(stopMoh.body).toEqual({ message: "Bridge isn't playing music" });
    expect((await ari.del(`/bridges/${holding.id}`)).status).toBe(204);

    await delay(400);
    sim.control.remoteHangup(callerId);
    await app.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === callerId);
    await app.waitFor((e) => e.type === 'ChannelConnectedLine' && e.channel.id === agentId && e.channel.connected.number === '');
    expect((await ari.get(`/channels/${callerId}`)).body).toEqual({ message: 'Channel not found' });
    expect((await ari.del(`/channels/${callerId}`)).status).toBe(404);
    expect((await ari.get(`/bridges/${mixing.id}`)).body.channels).toEqual([agentId]);
    expect((await ari.del(`/channels/${agentId}?reason=normal`)).status).toBe(204);
    expect((await ari.del(`/bridges/${mixing.id}`)).status).toBe(204);
    await app.waitFor((e) => e.type === 'BridgeDestroyed');

    expect(types(app.events)).toEqual(INBOUND_ANSWERED);
    const destroyed = app.events.find((e) => e.type === 'ChannelDestroyed')!;
    expect(destroyed).toMatchObject({ cause: 16, cause_txt: 'Normal Clearing' });
    expect(app.events.filter((e) => e.type === 'ChannelDestroyed' && e.channel.id === callerId)).toEqual([]);
    const finished = app.events.find((e) => e.type === 'RecordingFinished')!;
    expect(finished.recording).toMatchObject({ name: 'rec-inbound', state: 'done', duration: 0 });

    expect((await ari.get('/recordings/stored')).body).toEqual([{ name: 'rec-inbound', format: 'wav' }]);
    const file = await ari.get('/recordings/stored/rec-inbound/file');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('audio/wav');
    expect(file.headers.get('cache-control')).toBe('no-cache, no-store');
    const wav = file.bytes!;
    expect(Number(file.headers.get('content-length'))).toBe(wav.length);
    expect(wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(wav.subarray(8, 12).toString('ascii')).toBe('WAVE');
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
    expect(wav.length - 44).toBeGreaterThan(16000 * 0.3);
    expect((await ari.get('/channels')).body).toEqual([]);
    expect((await ari.get('/bridges')).body).toEqual([]);
    await app.close();
  });

  it('when the agent hangs up first, then the agent leg is destroyed and the caller stays alone in the bridge until the app hangs it up', async () => {
    sim = await startSimulator();
    sim.control.registerPhone('agent1', { mode: 'answer', ringMs: 30, talkMs: 200 });
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    const callerId = sim.control.placeCall({ line: '12345', from: '+15550001111' }).channelId!;
    await ari.post(`/channels/${callerId}/answer`);
    const mixing = (await ari.post('/bridges?type=mixing')).body;
    await ari.post('/channels?endpoint=PJSIP%2Fagent1&app=hotline&appArgs=agent&channelId=agent-2&callerId=%22Hotline%22+%3C12345%3E');
    await app.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'agent-2');
    await ari.post(`/bridges/${mixing.id}/addChannel?channel=${callerId},agent-2`);
    await ari.post(`/bridges/${mixing.id}/record?name=rec-agent-first&format=wav`);
    const from = app.events.length;
    await app.waitFor((e) => e.type === 'ChannelDestroyed');
    await app.waitFor((e) => e.type === 'ChannelConnectedLine' && e.channel.id === callerId && e.channel.connected.number === '');
    const bye = app.events.slice(from).filter((e) => e.type !== 'ChannelVarset');
    expect(bye.map((e) => e.type)).toEqual(['ChannelHangupRequest', 'ChannelLeftBridge', 'StasisEnd', 'ChannelDestroyed', 'ChannelConnectedLine']);
    expect(bye[0]!.cause).toBeUndefined();
    expect(bye[1]!.bridge.technology).toBe('softmix');
    expect(bye[4]!.channel).toMatchObject({ id: callerId, connected: { name: '', number: '' } });
    expect((await ari.get(`/bridges/${mixing.id}`)).body.channels).toEqual([callerId]);
    const rest = app.events.length;
    await ari.del(`/channels/${callerId}`);
    await app.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === callerId);
    expect(types(app.events.slice(rest))).toEqual(['ChannelHangupRequest', 'ChannelLeftBridge', 'RecordingFinished', 'StasisEnd']);
  });

  it('when REST faults are set, then answers fail with the given status until cleared, and ARI down refuses connections', async () => {
    sim = await startSimulator();
    const ari = ariRest(sim);
    sim.control.faults.setRest({ failRate: 1, status: 503 });
    expect((await ari.get('/channels')).status).toBe(503);
    sim.control.faults.setRest({});
    expect((await ari.get('/channels')).status).toBe(200);
    sim.control.faults.setAriDown(true);
    await delay(20);
    await expect(fetch(`${sim.ariUrl}/channels`)).rejects.toThrow();
    sim.control.faults.setAriDown(false);
    await delay(20);
    expect((await ari.get('/channels')).status).toBe(200);
  });
});
