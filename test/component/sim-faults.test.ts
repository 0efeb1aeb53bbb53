import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/types.ts';
import { ariRest, connectApp, delay, types } from './sim-helpers.ts';

let sim: Simulator | undefined;
afterEach(async () => { await sim?.close(); sim = undefined; });

async function queuedCaller(s: Simulator) {
  const ari = ariRest(s);
  const call = s.control.placeCall({ line: '12345', from: '+15550005555' });
  const id = call.channelId!;
  await ari.post(`/channels/${id}/answer`);
  const holding = (await ari.post('/bridges?type=holding&name=queue-x')).body;
  await ari.post(`/bridges/${holding.id}/addChannel?channel=${id}`);
  await ari.post(`/bridges/${holding.id}/moh?mohClass=default`);
  return { id, holdingId: holding.id as string };
}

describe('simulator: websocket gaps, restarts and authentication', () => {
  it('when the caller hangs up while no websocket is connected, then nothing is replayed and the empty bridge stays subscribed', async () => {
    sim = await startSimulator();
    const ari = ariRest(sim);
    const first = await connectApp(sim);
    const { id, holdingId } = await queuedCaller(sim);
    await first.close();
    expect((await ari.get('/applications/hotline')).body.channel_ids).toEqual([id]);
    sim.control.remoteHangup(id);
    const declined = sim.control.placeCall({ line: '12345', from: '+15550006666' });
    expect(declined.outcome).toBe('declined');
    expect((await ari.get('/applications/hotline')).body).toEqual({
      name: 'hotline', channel_ids: [], bridge_ids: [holdingId], endpoint_ids: [], device_names: [], events_allowed: [], events_disallowed: [],
    });
    const second = await connectApp(sim);
    expect((await ari.get('/channels')).body).toEqual([]);
    expect((await ari.get(`/channels/${id}/variable?variable=QUEUE_NOTE`)).body).toEqual({ message: 'Provided channel was not found' });
    expect((await ari.get(`/bridges/${holdingId}`)).body.channels).toEqual([]);
    expect((await ari.del(`/bridges/${holdingId}`)).status).toBe(204);
    await second.waitFor((e) => e.type === 'BridgeDestroyed');
    expect(types(second.events)).toEqual(['BridgeDestroyed']);
  });

  it('when Asterisk restarts mid-call, then both legs hang up with cause 4, the socket closes 1006 and ARI comes back through 404 and 503', async () => {
    sim = await startSimulator();
    sim.control.registerPhone('agent1', { mode: 'answer', ringMs: 30 });
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    const { id } = await queuedCaller(sim);
    const mixing = (await ari.post('/bridges?type=mixing')).body;
    await ari.post('/channels?endpoint=PJSIP%2Fagent1&app=hotline&appArgs=agent&channelId=agent-r');
    await app.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'agent-r');
    await ari.post(`/bridges/${mixing.id}/addChannel?channel=${id},agent-r`);
    await ari.post(`/bridges/${mixing.id}/record?name=rec-restart&format=wav`);
    const before = app.events.length;
    const restarted = sim.control.faults.restart(1000);
    expect((await app.closed).code).toBe(1006);
    const tail = app.events.slice(before).filter((e) => e.type !== 'ChannelVarset');
    expect(tail.map((e) => e.type)).toEqual([
      'ChannelHangupRequest', 'ChannelHangupRequest', 'RecordingFinished',
      'ChannelLeftBridge', 'StasisEnd', 'ChannelLeftBridge', 'StasisEnd', 'ChannelDestroyed',
    ]);
    expect(tail[0]).toMatchObject({ cause: 4, soft: true });
    const seen = new Set<string>();
    for (;;) {
      const r = await fetch(`${sim.ariUrl}/asterisk/info`, { headers: { authorization: `Basic ${Buffer.from('hotline:hotline').toString('base64')}` } })
        .then((res) => String(res.status), (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? 'error');
      seen.add(r);
      if (r === '200') break;
      await delay(15);
    }
    await restarted;
    expect(seen).toEqual(new Set(['ECONNREFUSED', '404', '503', '200']));
    const again = await connectApp(sim);
    expect((await ari.get('/channels')).body).toEqual([]);
    expect((await ari.get('/bridges')).body).toEqual([]);
    expect((await ari.get('/applications/hotline')).body).toMatchObject({ channel_ids: [], bridge_ids: [] });
    expect((await ari.get('/endpoints/PJSIP/agent1')).body.state).toBe('online');
    expect((await ari.get('/recordings/stored')).body).toEqual([{ name: 'rec-restart', format: 'wav' }]);
    expect((await ari.get('/recordings/live/rec-restart')).status).toBe(404);
    await again.close();
  });

  it('when credentials are missing or wrong, then REST answers 401 and the events socket is refused; api_key works', async () => {
    sim = await startSimulator();
    const none = await fetch(`${sim.ariUrl}/channels`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ message: 'Authentication required' });
    expect((await ariRest(sim, 'hotline:wrong').get('/channels')).status).toBe(401);
    const byKey = await fetch(`${sim.ariUrl}/channels?api_key=hotline:hotline`);
    expect(byKey.status).toBe(200);
    expect(byKey.headers.get('content-type')).toBe('application/json');
    expect((await ariRest(sim).get('/nosuchresource')).body).toEqual({ message: 'Resource not found' });
    await expect(connectApp(sim, 'hotline', 'hotline:wrong')).rejects.toThrow(/401/);
  });

  it('when the simulator runs on a VirtualClock, then nothing timed happens until the clock advances', async () => {
    const clock = new VirtualClock();
    sim = await startSimulator({ clock, sounds: { 'hotline/q1': 5000 } });
    sim.control.registerPhone('agent1', { mode: 'answer', ringMs: 2000 });
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    const orig = await ari.post('/channels?endpoint=PJSIP%2Fagent1&app=hotline&channelId=agent-v');
    expect(orig.status).toBe(200);
    await delay(100);
    expect(app.events).toEqual([]);
    clock.advance(10);
    await app.waitFor((e) => e.type === 'Dial' && e.dialstatus === 'RINGING');
    expect((await ari.get('/channels/agent-v')).body.state).toBe('Ringing');
    clock.advance(1989);
    await delay(50);
    expect(app.events.some((e) => e.type === 'StasisStart')).toBe(false);
    clock.advance(10);
    const start = await app.waitFor((e) => e.type === 'StasisStart');
    expect(start.timestamp).toBe(new Date(clock.now() - 9).toISOString().replace('Z', '+0000'));
    await ari.post('/channels/agent-v/play?media=sound:hotline/q1&playbackId=pb1');
    clock.advance(4999);
    await delay(50);
    expect((await ari.get('/playbacks/pb1')).body.state).toBe('playing');
    clock.advance(1);
    await app.waitFor((e) => e.type === 'PlaybackFinished');
  });

  it('when a snoop listens to a bridged caller and the caller hangs up, then the snoop ends by itself without a hangup request', async () => {
    sim = await startSimulator();
    sim.control.registerPhone('agent1', { mode: 'answer', ringMs: 20 });
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    const { id } = await queuedCaller(sim);
    const snoop = await ari.post(`/channels/${id}/snoop?spy=both&whisper=none&app=hotline&appArgs=snoop&snoopId=snoop-1`);
    expect(snoop.status).toBe(200);
    expect(snoop.body).toMatchObject({ id: 'snoop-1', name: `Snoop/${id}-00000000`, state: 'Up', protocol_id: '' });
    const start = await app.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'snoop-1');
    expect(start.args).toEqual(['snoop']);
    const sup = (await ari.post('/bridges?type=mixing&name=supervise')).body;
    expect((await ari.post(`/bridges/${sup.id}/addChannel?channel=snoop-1`)).status).toBe(204);
    expect((await ari.post(`/channels/nope/snoop?spy=both&app=hotline`)).body).toEqual({ message: 'Provided channel was not found' });
    expect((await ari.post(`/channels/${id}/snoop?spy=both`)).body).toEqual({ message: 'Application name is required' });
    const from = app.events.length;
    sim.control.remoteHangup(id);
    await app.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === 'snoop-1');
    const tail = app.events.slice(from).filter((e) => e.type !== 'ChannelVarset');
    expect(tail.map((e) => `${e.type}:${e.channel?.id}`)).toEqual([
      `ChannelHangupRequest:${id}`, `ChannelLeftBridge:${id}`, `StasisEnd:${id}`,
      'ChannelLeftBridge:snoop-1', 'StasisEnd:snoop-1',
    ]);
    expect((await ari.get('/channels/snoop-1')).status).toBe(404);
  });

  it('when event sockets are dropped with 1000 or 1006, then clients see that close code', async () => {
    sim = await startSimulator();
    const a = await connectApp(sim);
    sim.control.faults.dropEventSockets(1000);
    expect((await a.closed).code).toBe(1000);
    const b = await connectApp(sim);
    sim.control.faults.dropEventSockets(1006);
    expect((await b.closed).code).toBe(1006);
  });

  it('when a phone registers, then the AMI side reports it to a logged-in session', async () => {
    sim = await startSimulator();
    expect(sim.amiPort).toBeTypeOf('number');
    const socket = connect(sim.amiPort!, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => { text += String(d); });
    const until = async (re: RegExp) => { for (let i = 0; i < 100 && !re.test(text); i++) await delay(20); expect(text).toMatch(re); };
    await until(/Asterisk Call Manager/);
    socket.write('Action: Login\r\nUsername: hotline\r\nSecret: hotline\r\nEvents: on\r\n\r\n');
    await until(/Response: Success/);
    sim.control.registerPhone('agent2');
    await until(/ContactStatus: NonQualified/);
    expect(text).toMatch(/EndpointName: agent2/);
    socket.destroy();
  });
});
