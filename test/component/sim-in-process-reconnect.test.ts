import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SimulationClock, createInProcessSimulator } from '../../src/sim/in-process.ts';
import type { AriEvent } from '../../src/pbx/ari/models.ts';
import type { AriSnapshot } from '../../src/pbx/ari/client.types.ts';

async function rig() {
  const clock = new SimulationClock();
  const sim = createInProcessSimulator({ clock, log: pino({ level: 'silent' }), storeRecordings: false });
  const seen: string[] = [];
  const snapshots: AriSnapshot[] = [];
  sim.client.onEvent((e: AriEvent) => { seen.push(`${e.type}${'channel' in e && e.channel ? ` ${e.channel.id}` : ''}`); });
  sim.client.onReconcile((s) => { snapshots.push(s); seen.push(`reconcile ${s.channels.length}`); });
  await sim.client.connect();
  const run = (ms: number) => clock.runUntil(clock.now() + ms, () => sim.settle());
  return { clock, sim, seen, snapshots, run };
}

describe('in-process simulator: events socket drops and Asterisk restarts', () => {
  it('when the socket drops without a close frame, then gap events are lost, new calls are declined, and the client reconciles before new events', async () => {
    const { sim, seen, snapshots, run } = await rig();
    const first = sim.control.placeCall({ line: '12345', from: '13800000001' });
    await run(10);
    sim.dropEvents(1006);
    expect(sim.client.state()).toBe('disconnected');
    sim.control.remoteHangup(first.channelId!);
    expect(sim.control.placeCall({ line: '12345', from: '13800000002' }).outcome).toBe('declined');
    const before = seen.length;
    await run(10);
    expect(seen.slice(before)).toEqual([]);
    await run(1_000);
    expect(sim.client.state()).toBe('connected');
    expect(snapshots.map((s) => s.reconnect)).toEqual([false, true]);
    expect(seen.slice(before)).toEqual(['reconcile 0']);
    const second = sim.control.placeCall({ line: '12345', from: '13800000003' });
    await run(10);
    expect(seen.at(-1)).toBe(`StasisStart ${second.channelId}`);
    expect(sim.connection()).toMatchObject({ drops: 1, reconnects: 1 });
    expect(sim.client.stats().reconnects).toBe(1);
  });

  it('when the socket closes with a close frame, then events already sent still arrive', async () => {
    const { sim, seen, run } = await rig();
    const call = sim.control.placeCall({ line: '12345', from: '13800000004' });
    sim.dropEvents(1000);
    await run(1_000);
    expect(seen).toContain(`StasisStart ${call.channelId}`);
    expect(sim.connection().eventsLost).toBe(0);
  });

  it('when events arrive while the client reconciles, then they are handed over only after every reconcile handler', async () => {
    const { sim, seen, run, clock } = await rig();
    sim.dropEvents(1006);
    let late = '';
    sim.client.onReconcile(async () => {
      late = sim.control.placeCall({ line: '12345', from: '13800000005' }).channelId ?? '';
      await new Promise<void>((resolve) => { clock.setTimeout(resolve, 50); });
      seen.push('reconcile done');
    });
    await run(1_000);
    expect(late).not.toBe('');
    expect(seen.slice(-2)).toEqual(['reconcile done', `StasisStart ${late}`]);
  });

  it('when Asterisk restarts, then calls hang up with cause 4, REST is refused while it is down, and it comes back with a new startup time', async () => {
    const { sim, run } = await rig();
    const hangups: Array<{ cause?: number; soft?: boolean }> = [];
    sim.client.onEvent((e) => { if (e.type === 'ChannelHangupRequest') hangups.push({ cause: e.cause, soft: e.soft }); });
    sim.control.placeCall({ line: '12345', from: '13800000006' });
    await run(10);
    const startedBefore = (await sim.client.asterisk.info()).status?.startup_time;
    const restarted = sim.restart(2_000);
    await run(1_600);
    expect(hangups).toEqual([{ cause: 4, soft: true }]);
    await expect(sim.client.channels.list()).rejects.toMatchObject({ status: undefined });
    await run(2_000);
    await restarted;
    await run(30_000);
    expect(sim.client.state()).toBe('connected');
    expect(await sim.client.channels.list()).toEqual([]);
    expect((await sim.client.asterisk.info()).status?.startup_time).not.toBe(startedBefore);
    expect(sim.connection().reconnects).toBe(1);
  });
});
