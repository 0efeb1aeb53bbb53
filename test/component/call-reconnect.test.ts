import { afterEach, describe, expect, it } from 'vitest';
import { expectClean, openDesktop, sleep, startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';

/** When the events socket opened again ('reconciling') and when the reconcile was done ('connected'), after `from`. */
function watchRecovery(hh: Harness): { lost: number; reopened?: number; reconciled?: number } {
  const t: { lost: number; reopened?: number; reconciled?: number } = { lost: performance.now() };
  hh.hotline.ari.onStateChange((state) => {
    if (state === 'reconciling' && t.reopened === undefined) t.reopened = performance.now();
    if (state === 'connected' && t.reopened !== undefined && t.reconciled === undefined) t.reconciled = performance.now();
  });
  return t;
}

function reportRecovery(what: string, t: { lost: number; reopened?: number; reconciled?: number }): void {
  const ms = (x?: number) => (x === undefined ? NaN : Math.round(x - t.lost));
  console.info(`${what}: socket back after ${ms(t.reopened)} ms, state reconciled after ${ms(t.reconciled)} ms (${Math.round((t.reconciled ?? NaN) - (t.reopened ?? NaN))} ms after reconnecting)`);
  expect((t.reconciled ?? Infinity) - (t.reopened ?? 0)).toBeLessThan(2000);
}

describe('calls across a lost ARI connection', () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.close(); h = undefined; });

  it('when the desktop socket and the ARI events socket drop mid-call, then the call carries on and ends cleanly afterwards', async () => {
    h = await startHarness();
    const a = await h.addAgent('anna');
    const desk = await openDesktop(h.hotline.url, a.token);
    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13600136000' });
    await waitFor('the call connected', () => h!.hotline.calls.live()[0]?.call.state === 'connected');
    const callId = h.hotline.calls.live()[0]!.call.id;

    desk.socket.terminate();
    const reconnects = h.hotline.ari.stats().reconnects;
    const recovery = watchRecovery(h);
    sim.control.faults.dropEventSockets(1006);
    await waitFor('the ARI client reconnected', () => h!.hotline.ari.stats().reconnects > reconnects && h!.hotline.ari.state() === 'connected');
    reportRecovery('ARI events socket dropped mid-call', recovery);
    await sleep(100);
    expect(h.hotline.calls.byId(callId)?.call.state).toBe('connected');
    expect(sim.control.bridges().find((b) => b.bridge_type === 'mixing')?.channels).toHaveLength(2);
    expect(h.hotline.agents.get(a.agentId)?.state).toBe('on_call');

    const again = await openDesktop(h.hotline.url, a.token);
    const hello = await waitFor('the hello frame', () => again.frames.find((f) => f.type === 'hello'));
    expect(hello.agent?.state).toBe('on_call');

    sim.control.remoteHangup(channelId!);
    await expectClean(h);
    expect(h.hotline.callsRepo.call(callId)!.end_reason).toBe('caller_hangup');
    again.close();
  });

  it('when the caller hangs up while the events socket is down, then reconcile ends the call as abandoned and destroys its holding bridge', async () => {
    h = await startHarness();
    const sim = h.hotline.sim!;
    const { channelId } = sim.control.placeCall({ line: '12345', from: '13600136001' });
    await waitFor('the caller queued', () => h!.hotline.calls.live()[0]?.call.state === 'queued' && sim.control.bridges().length === 1);
    const callId = h.hotline.calls.live()[0]!.call.id;
    const reconnects = h.hotline.ari.stats().reconnects;
    sim.control.faults.dropEventSockets(1000);
    sim.control.remoteHangup(channelId!);
    await waitFor('the ARI client reconnected', () => h!.hotline.ari.stats().reconnects > reconnects);
    await expectClean(h);
    expect(h.hotline.callsRepo.call(callId)!.end_reason).toBe('abandoned');
  });

  it('when Asterisk restarts during a call, then the call is ended as lost, the agent goes to wrap-up, and nothing of ours is left', async () => {
    h = await startHarness();
    const a = await h.addAgent('anna');
    const sim = h.hotline.sim!;
    sim.control.placeCall({ line: '12345', from: '13600136002' });
    await waitFor('the call connected', () => h!.hotline.calls.live()[0]?.call.state === 'connected');
    const callId = h.hotline.calls.live()[0]!.call.id;
    const recovery = watchRecovery(h);
    await sim.control.faults.restart(300);
    await expectClean(h);
    await waitFor('the ARI client connected again', () => h!.hotline.ari.state() === 'connected');
    reportRecovery('Asterisk restarted mid-call (down 300 ms)', recovery);
    expect(h.hotline.callsRepo.call(callId)).toMatchObject({ state: 'ended', end_reason: 'pbx_lost' });
    expect(['wrap_up', 'ready']).toContain(h.hotline.agents.get(a.agentId)?.state);
  });
});
