import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectClean, openDesktop, startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';

describe('an answered call', () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.close(); h = undefined; });

  it('when a citizen calls, the ready agent answers and later hangs up first, then both are bridged, the pop reaches that agent only, the caller is hung up and the recording is stored', async () => {
    h = await startHarness();
    const a = await h.addAgent('anna', { phone: { mode: 'answer', ringMs: 200, talkMs: 1200 } });
    const b = await h.addAgent('bo', { phone: null, ready: false });
    const deskA = await openDesktop(h.hotline.url, a.token);
    const deskB = await openDesktop(h.hotline.url, b.token);
    const sim = h.hotline.sim!;

    const placed = sim.control.placeCall({ line: '12345', from: '13800138000', callerName: 'Zhang' });
    expect(placed.outcome).toBe('stasis');

    const pop = await waitFor('the pop on agent A', () => deskA.frames.find((f) => f.type === 'pop'));
    expect(pop.pop.callerNumber).toBe('13800138000');
    expect(pop.pop.line).toBe('12345');
    expect(pop.pop.waitedMs).toBeGreaterThan(0);
    expect(Array.isArray(pop.pop.history)).toBe(true);
    const callId: string = pop.pop.callId;

    const bridged = await waitFor('a mixing bridge with both legs', () => sim.control.bridges().find((x) => x.bridge_type === 'mixing' && x.channels.length === 2));
    expect(bridged.id).toMatch(/^hl-call-/);
    expect(h.hotline.agents.get(a.agentId)?.state).toBe('on_call');

    await waitFor('the agent hangs up after the talk time', () => h!.hotline.calls.live().length === 0);
    await expectClean(h);
    expect(deskB.frames.some((f) => f.type === 'pop')).toBe(false);

    await h.hotline.recordings.idle();
    const rows = await waitFor('the recording row', () => { const r = h!.hotline.recordingsRepo.byCall(callId); return r.length > 0 && r[0]!.path ? r : undefined; });
    const row = rows[0]!;
    const file = join(h.dir, 'recordings', row.path!);
    expect(existsSync(file)).toBe(true);
    const bytes = readFileSync(file);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256);
    expect(row.size_bytes).toBe(bytes.length);
    expect(row.agent_id).toBe(a.agentId);
    expect(row.path).toMatch(new RegExp(`^\\d{4}/\\d{2}/\\d{2}/${callId}\\.wav$`));
    expect(row.duration_ms).toBeGreaterThan(0);

    const call = h.hotline.callsRepo.call(callId)!;
    expect(call.state).toBe('ended');
    expect(call.end_reason).toBe('agent_hangup');
    expect(call.answered_at).not.toBeNull();
    expect(call.wait_ms).toBeGreaterThan(0);
    expect(call.talk_ms).toBeGreaterThan(0);
    const legs = h.hotline.callsRepo.legs(callId);
    expect(legs).toHaveLength(1);
    expect(legs[0]!.outcome).toBe('answered');
    expect(legs[0]!.ended_at).not.toBeNull();

    await waitFor('agent back to ready after wrap-up', () => h!.hotline.agents.get(a.agentId)?.state === 'ready', 4000);
    deskA.close(); deskB.close();
  });
});
