import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/types.ts';
import { ariRest, connectApp, delay } from './sim-helpers.ts';
import type { AppSocket, AriEventJson } from './sim-helpers.ts';

let sim: Simulator | undefined;
afterEach(async () => { await sim?.close(); sim = undefined; });

const label = (e: AriEventJson): string => (e.type === 'ChannelVarset' ? `${e.variable}=${e.value as string}` : e.type);
const of = (app: AppSocket, id: string, from = 0): string[] => app.events.slice(from).filter((e) => e.channel?.id === id).map(label);

async function bridgedCall(s: Simulator, app: AppSocket): Promise<{ callerId: string; agentId: string; mixingId: string }> {
  const ari = ariRest(s);
  const callerId = s.control.placeCall({ line: '12345', from: '+15550002222' }).channelId!;
  await ari.post(`/channels/${callerId}/answer`);
  const mixing = (await ari.post('/bridges?type=mixing')).body;
  await ari.post('/channels?endpoint=PJSIP%2Fagent1&app=hotline&appArgs=agent&channelId=agent-v&callerId=%22Hotline%22+%3C12345%3E');
  await app.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'agent-v');
  await ari.post(`/bridges/${mixing.id}/addChannel?channel=${callerId},agent-v`);
  await app.waitFor((e) => e.type === 'ChannelConnectedLine' && e.channel.id === callerId);
  return { callerId, agentId: 'agent-v', mixingId: mixing.id };
}

describe('simulator: bridge variables and connected lines as Asterisk 22 sets them', () => {
  // "At once" means within the ~12 ms Asterisk waits before a connected-line update; a stalled machine can miss it.
  it('when a bridged caller hangs up and the app hangs the agent up at once, then both lose BRIDGEPEER and BRIDGEPVTCALLID and the agent gets no connected-line update', { retry: 2 }, async () => {
    sim = await startSimulator();
    sim.control.registerPhone('agent1', { mode: 'answer', ringMs: 20 });
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    const { callerId, agentId } = await bridgedCall(sim, app);
    const from = app.events.length;
    sim.control.remoteHangup(callerId);
    await app.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === callerId);
    expect((await ari.del(`/channels/${agentId}`)).status).toBe(204);
    await app.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === agentId);
    await delay(40);
    const caller = of(app, callerId, from).filter((l) => !l.startsWith('RTPAUDIOQOS'));
    expect(caller).toEqual(['ChannelHangupRequest', 'BRIDGEPEER=', 'BRIDGEPVTCALLID=', 'ChannelLeftBridge', 'StasisEnd']);
    const agent = of(app, agentId, from).filter((l) => !l.startsWith('RTPAUDIOQOS'));
    expect(agent).toEqual(['ChannelHangupRequest', 'BRIDGEPEER=', 'BRIDGEPVTCALLID=', 'ChannelLeftBridge', 'StasisEnd', 'STASISSTATUS=SUCCESS', 'ChannelDestroyed']);
  });

  it('when a recording leaves a two-party bridge and a snoop is put on the agent, then both parties get their bridge variables again', async () => {
    sim = await startSimulator();
    sim.control.registerPhone('agent1', { mode: 'answer', ringMs: 20 });
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    const { callerId, agentId, mixingId } = await bridgedCall(sim, app);
    await ari.post(`/bridges/${mixingId}/record?name=rec-vars&format=wav`);
    const recording = app.events.length;
    await ari.post('/recordings/live/rec-vars/stop');
    await app.waitFor((e) => e.type === 'RecordingFinished');
    expect(of(app, callerId, recording)).toEqual([`BRIDGEPEER=${sim.control.channels().find((c) => c.id === agentId)!.name}`, expect.stringMatching(/^BRIDGEPVTCALLID=.+/)]);
    const snooped = app.events.length;
    expect((await ari.post(`/channels/${agentId}/snoop?spy=both&whisper=out&app=hotline&appArgs=whisper&snoopId=w1`)).status).toBe(200);
    await app.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'w1');
    expect(of(app, agentId, snooped).map((l) => l.split('=')[0])).toEqual(['BRIDGEPEER', 'BRIDGEPVTCALLID']);
    expect(of(app, callerId, snooped).map((l) => l.split('=')[0])).toEqual(['BRIDGEPEER', 'BRIDGEPVTCALLID']);
  });

  it('when the caller is alone in a mixing bridge with only BRIDGEPEER set and is hung up, then only BRIDGEPEER is cleared', async () => {
    sim = await startSimulator();
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    const callerId = sim.control.placeCall({ line: '12345', from: '+15550003333' }).channelId!;
    const mixing = (await ari.post('/bridges?type=mixing')).body;
    await ari.post(`/bridges/${mixing.id}/addChannel?channel=${callerId}`);
    await ari.post(`/bridges/${mixing.id}/record?name=rec-alone&format=wav`);
    await ari.post('/recordings/live/rec-alone/stop');
    const from = app.events.length;
    await ari.del(`/channels/${callerId}`);
    await app.waitFor((e) => e.type === 'StasisEnd');
    expect(of(app, callerId, from)).toEqual(['ChannelHangupRequest', 'BRIDGEPEER=', 'ChannelLeftBridge', 'StasisEnd']);
  });

  it('when an answer is requested, then ChannelStateChange(Up) comes after about 16 ms and before the 204', async () => {
    sim = await startSimulator();
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    const callerId = sim.control.placeCall({ line: '12345', from: '+15550004444' }).channelId!;
    await app.waitFor((e) => e.type === 'StasisStart');
    const t0 = performance.now();
    const answered = ari.post(`/channels/${callerId}/answer`);
    const up = await app.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.state === 'Up');
    const upAt = performance.now();
    expect((await answered).status).toBe(204);
    expect(upAt - t0).toBeGreaterThanOrEqual(14);
    expect(up.channel.id).toBe(callerId);
    expect((await ari.post(`/channels/${callerId}/answer`)).status).toBe(204);
  });

  it('when the clock jumps past a 1 ms ring at once, then Dial("") still comes first and the phone rings before it answers', async () => {
    const clock = new VirtualClock();
    sim = await startSimulator({ clock });
    sim.control.registerPhone('agent1', { mode: 'answer', ringMs: 1 });
    const app = await connectApp(sim);
    const ari = ariRest(sim);
    expect((await ari.post('/channels?endpoint=PJSIP%2Fagent1&app=hotline&channelId=agent-fast')).status).toBe(200);
    clock.advance(50);
    await app.waitFor((e) => e.type === 'StasisStart');
    expect(app.events.map((e) => (e.type === 'Dial' ? `Dial(${e.dialstatus as string})` : e.type === 'ChannelStateChange' ? `State(${e.channel.state as string})` : e.type)))
      .toEqual(['Dial()', 'State(Ringing)', 'Dial(RINGING)', 'State(Up)', 'Dial(ANSWER)', 'ChannelVarset', 'StasisStart']);
  });
});
