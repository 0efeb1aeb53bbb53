import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startHarness, waitFor } from './call-harness.ts';
import type { Harness, TestAgent } from './call-harness.ts';
import { openWallboard, signIn } from './wallboard-harness.ts';
import type { WallboardClient } from './wallboard-harness.ts';

describe('the live wallboard socket and the agent grid', () => {
  let h: Harness;
  let sup: string;
  let board: WallboardClient;
  const agents: TestAgent[] = [];

  beforeAll(async () => {
    h = await startHarness({ wrapUpSeconds: 1 });
    sup = await signIn(h, 'sup', 'supervisor');
    for (const name of ['ann', 'bob', 'cai']) agents.push(await h.addAgent(name, { phone: { mode: 'answer', ringMs: 150, talkMs: 1500 } }));
    board = await openWallboard(h.hotline.url, sup);
    await board.next((f) => f.type === 'hello');
  });
  afterAll(async () => { board?.close(); await h?.close(); });

  it('when calls keep changing state, then frames come at most once a second and each change shows within a second', async () => {
    const sim = h.hotline.sim!;
    const firstSeq = board.frames.length;
    const started = Date.now();
    for (let i = 0; i < 12; i++) {
      sim.control.placeCall({ line: '12345', from: `1390000${String(i).padStart(4, '0')}`, hangupAfterMs: i % 4 === 3 ? 400 : undefined });
      await sleep(250);
    }
    await waitFor('every call over', () => h.hotline.calls.live().length === 0, 15_000);
    await sleep(1200);
    const frames = board.frames.slice(firstSeq).filter((f) => f.type === 'wallboard');
    expect(frames.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < frames.length; i++) expect(frames[i].serverTime - frames[i - 1].serverTime).toBeGreaterThanOrEqual(1000);
    expect(frames[0].receivedAt - started).toBeLessThan(1200);
    const last = frames.at(-1).snapshot;
    expect(last.total.waiting).toBe(0);
    expect(last.total.today.answered + last.total.today.abandoned + last.total.today.overflowed).toBe(12);
  }, 40_000);

  it('when an agent answers, then the grid shows the call with the caller number masked, and clears it when the call ends', async () => {
    const sim = h.hotline.sim!;
    sim.control.placeCall({ line: '12345', from: '13912345678' });
    const onCall = await board.next((f) => f.type === 'wallboard' && f.agents.some((a: any) => a.caller === '139****5678'), 5000);
    const row = onCall.agents.find((a: any) => a.caller === '139****5678');
    expect(row.state).toBe('on_call');
    expect(row.line).toBe('12345');
    expect(JSON.stringify(board.frames)).not.toContain('13912345678');
    await board.next((f) => f.type === 'wallboard' && f.agents.some((a: any) => a.id === row.id && a.caller === null && a.state !== 'on_call'), 5000);
  });

  it('when a supervisor forces an agent off a live call, then it is refused and the refusal is audited; a force logout is done and shown', async () => {
    const sim = h.hotline.sim!;
    for (const a of agents) sim.control.setPhoneBehaviour(a.seat, { mode: 'answer', ringMs: 100, talkMs: 4000 });
    sim.control.placeCall({ line: '12345', from: '13700000001' });
    const busy = await waitFor('an agent on the call', () => h.hotline.agents.list().find((a) => a.state === 'on_call'));
    const refused = await h.api(sup, 'POST', `/api/wallboard/agents/${busy.id}/force`, { action: 'logout', reason: 'end of shift' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('ERR_AGENT_STATE');
    expect(h.hotline.agents.get(busy.id)!.state).toBe('on_call');

    const idle = h.hotline.agents.list().find((a) => a.state === 'ready')!;
    const askedAt = Date.now();
    const done = await h.api(sup, 'POST', `/api/wallboard/agents/${idle.id}/force`, { action: 'logout', reason: 'end of shift' });
    expect(done.status).toBe(200);
    expect(done.body.agent).toMatchObject({ id: idle.id, state: 'offline' });
    const shown = await board.next((f) => f.type === 'wallboard' && f.receivedAt >= askedAt && f.agents.some((a: any) => a.id === idle.id && a.state === 'offline'), 3000);
    expect(shown.receivedAt - askedAt).toBeLessThan(1300);
    expect(shown.snapshot.agents.byState.offline).toBeGreaterThanOrEqual(1);

    const audit = h.hotline.db.prepare(`SELECT action, subject, details FROM audit_log WHERE action = 'agent.force_logout' ORDER BY id`).all() as Array<{ subject: string; details: string }>;
    expect(audit.map((a) => [a.subject, JSON.parse(a.details).outcome])).toEqual([[busy.id, 'refused'], [idle.id, 'done']]);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ reason: 'end of shift', by: 'sup', from: 'on_call', refused: 'force_logout_while_on_call' });
  });
});
