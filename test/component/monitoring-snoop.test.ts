import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectClean, waitFor } from './call-harness.ts';
import type { TestAgent } from './call-harness.ts';
import { startLiveHarness } from './monitoring-harness.ts';
import type { LiveHarness } from './monitoring-harness.ts';

let h: LiveHarness;
let agent: TestAgent;
let supervisor: { id: string; token: string };

beforeEach(async () => {
  h = await startLiveHarness();
  agent = await h.addAgent('a1');
  supervisor = await h.addUser('sup1', 'supervisor', { seat: 'seat-sup1' });
  h.hotline.sim!.control.registerPhone('seat-sup1', { mode: 'answer', ringMs: 100 });
});
afterEach(async () => { await h.close(); });

const channels = () => h.hotline.sim!.control.channels();
const bridges = () => h.hotline.sim!.control.bridges();
const monitorBridge = () => bridges().find((b) => b.id.startsWith('hl-monitor-'));

async function startMonitor(callId: string, mode: string) {
  const res = await h.api(supervisor, 'POST', `/api/calls/${callId}/monitor`, { mode });
  expect(res.status).toBe(201);
  return res.body.monitor as { id: string; mode: string };
}

async function untilListening(targetChannelId: string) {
  return waitFor(`a snoop on ${targetChannelId} bridged with the supervisor`, () => {
    const b = monitorBridge();
    if (!b || b.channels.length !== 2) return undefined;
    const snoop = channels().find((c) => b.channels.includes(c.id) && c.name.startsWith(`Snoop/${targetChannelId}-`));
    const sup = channels().find((c) => b.channels.includes(c.id) && c.id.startsWith('hl-supervisor-'));
    return snoop && sup ? { snoop, sup, bridge: b } : undefined;
  });
}

async function untilBarged(bridgeId: string) {
  return waitFor('the supervisor in the call bridge', () => {
    const b = bridges().find((x) => x.id === bridgeId);
    return b && b.channels.length === 3 && b.channels.some((id) => id.startsWith('hl-supervisor-'))
      && !channels().some((c) => c.name.startsWith('Snoop/')) ? b : undefined;
  });
}

function auditActions(callId: string): string[] {
  return (h.hotline.db.prepare(`SELECT action FROM audit_log WHERE subject = ? AND action LIKE 'monitor.%' ORDER BY id`).all(callId) as Array<{ action: string }>).map((r) => r.action);
}

async function expectNoMonitorLeft() {
  await waitFor('no snoop, supervisor leg or monitor bridge left', () =>
    !channels().some((c) => c.name.startsWith('Snoop/') || c.id.startsWith('hl-supervisor-')) && !monitorBridge());
  await waitFor('the monitor forgotten', () => h.monitoring.monitoring.list().length === 0);
}

describe('listen, whisper and barge', () => {
  it('when a supervisor listens, switches to whisper, barges and goes back, then each path replaces the last and stopping leaves the call as it was', async () => {
    const call = await h.connectCall();
    const m = await startMonitor(call.callId, 'listen');
    const listen = await untilListening(call.callerChannelId);

    const whisper = await h.api(supervisor, 'POST', `/api/monitors/${m.id}/mode`, { mode: 'whisper' });
    expect(whisper.status).toBe(200);
    const coached = await untilListening(call.agentChannelId);
    expect(coached.sup.id).toBe(listen.sup.id);
    expect(channels().some((c) => c.id === listen.snoop.id)).toBe(false);

    expect((await h.api(supervisor, 'POST', `/api/monitors/${m.id}/mode`, { mode: 'barge' })).status).toBe(200);
    await untilBarged(call.bridgeId);
    expect(monitorBridge()?.channels).toEqual([]);

    expect((await h.api(supervisor, 'POST', `/api/monitors/${m.id}/mode`, { mode: 'listen' })).status).toBe(200);
    await untilListening(call.callerChannelId);
    expect(bridges().find((b) => b.id === call.bridgeId)?.channels.sort()).toEqual([call.agentChannelId, call.callerChannelId].sort());

    expect((await h.api(supervisor, 'DELETE', `/api/monitors/${m.id}`)).status).toBe(200);
    await expectNoMonitorLeft();
    expect(h.hotline.calls.byId(call.callId)?.call.state).toBe('connected');
    expect(auditActions(call.callId)).toEqual(['monitor.start', 'monitor.mode', 'monitor.mode', 'monitor.mode', 'monitor.end']);
    h.hotline.sim!.control.remoteHangup(call.callerChannelId);
    await expectClean(h as never);
  });

  const stages = ['listen', 'whisper', 'barge'] as const;
  const legs = ['caller', 'agent', 'supervisor'] as const;
  for (const stage of stages) {
    for (const leg of legs) {
      it(`when the ${leg} hangs up while the supervisor is in ${stage} mode, then the monitor ends and nothing is left behind`, async () => {
        const call = await h.connectCall();
        const m = await startMonitor(call.callId, 'listen');
        await untilListening(call.callerChannelId);
        if (stage !== 'listen') await h.api(supervisor, 'POST', `/api/monitors/${m.id}/mode`, { mode: stage });
        if (stage === 'whisper') await untilListening(call.agentChannelId);
        if (stage === 'barge') await untilBarged(call.bridgeId);
        const sup = channels().find((c) => c.id.startsWith('hl-supervisor-'))!;
        const target = leg === 'caller' ? call.callerChannelId : leg === 'agent' ? call.agentChannelId : sup.id;
        h.hotline.sim!.control.remoteHangup(target);
        await expectNoMonitorLeft();
        const end = h.hotline.db.prepare(`SELECT details FROM audit_log WHERE subject = ? AND action = 'monitor.end'`).get(call.callId) as { details: string };
        expect(JSON.parse(end.details).reason).toBe(leg === 'supervisor' ? 'supervisor_hangup' : JSON.parse(end.details).reason);
        expect(JSON.parse(end.details).reason).not.toBe('service_stopping');
        if (leg === 'supervisor') {
          expect(h.hotline.calls.byId(call.callId)?.call.state).toBe('connected');
          h.hotline.sim!.control.remoteHangup(call.callerChannelId);
        }
        await expectClean(h as never);
      });
    }
  }

  it("when the supervisor's phone is busy, then the monitor ends as busy and the call is untouched", async () => {
    h.hotline.sim!.control.setPhoneBehaviour('seat-sup1', { mode: 'busy' });
    const call = await h.connectCall();
    await startMonitor(call.callId, 'listen');
    await expectNoMonitorLeft();
    const end = h.hotline.db.prepare(`SELECT details FROM audit_log WHERE subject = ? AND action = 'monitor.end'`).get(call.callId) as { details: string };
    expect(JSON.parse(end.details).reason).toBe('supervisor_busy');
    expect(h.hotline.calls.byId(call.callId)?.call.state).toBe('connected');
  });
});

describe('who may monitor', () => {
  it('when the call has a confidential ticket draft, then a supervisor is refused and the refusal is logged, but an admin may listen', async () => {
    const call = await h.connectCall();
    h.hotline.db.prepare(`INSERT INTO ticket_drafts (id, call_id, agent_id, data, updated_at) VALUES (?, ?, ?, ?, ?)`)
      .run('d1', call.callId, agent.agentId, JSON.stringify({ confidential: true }), Date.now());
    const refused = await h.api(supervisor, 'POST', `/api/calls/${call.callId}/monitor`, { mode: 'listen' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.context.reason).toBe('confidential_ticket');
    expect(auditActions(call.callId)).toEqual(['monitor.refused']);

    const admin = await h.addUser('boss', 'admin');
    h.hotline.sim!.control.registerPhone('seat-boss', { mode: 'answer', ringMs: 100 });
    const allowed = await h.api(admin, 'POST', `/api/calls/${call.callId}/monitor`, { mode: 'listen', seat: 'seat-boss' });
    expect(allowed.status).toBe(201);
    await untilListening(call.callerChannelId);
  });

  it('when an agent or a supervisor without a seat asks, then they are refused', async () => {
    const call = await h.connectCall();
    expect((await h.api(agent, 'POST', `/api/calls/${call.callId}/monitor`, { mode: 'listen' })).status).toBe(403);
    const seatless = await h.addUser('sup2', 'supervisor');
    const res = await h.api(seatless, 'POST', `/api/calls/${call.callId}/monitor`, { mode: 'listen' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('seat');
  });
});
