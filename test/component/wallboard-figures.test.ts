import { afterAll, describe, expect, it } from 'vitest';
import { sleep, startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';
import { openWallboard, signIn } from './wallboard-harness.ts';

const FIGURES = ['offered', 'answered', 'answeredWithin15s', 'rate15', 'answerRate', 'abandoned', 'shortAbandoned', 'overflowed', 'asaSeconds', 'ahtSeconds', 'occupancy'];
const pick = (f: Record<string, unknown>) => Object.fromEntries(FIGURES.map((k) => [k, f[k]]));

describe('the wallboard counts as the service-level API does', () => {
  let h: Harness | undefined;
  afterAll(async () => { await h?.close(); });

  it('when calls are answered, abandoned short and long, and answered after more than 15 s, then the board equals GET /api/service-level for the same period', async () => {
    h = await startHarness({ wrapUpSeconds: 4 });
    const sim = h.hotline.sim!;
    const sup = await signIn(h, 'sup', 'supervisor');
    const anna = await h.addAgent('anna', { phone: { mode: 'answer', ringMs: 200, talkMs: 800 } });
    const board = await openWallboard(h.hotline.url, sup);
    await board.next((f) => f.type === 'hello');

    sim.control.placeCall({ line: '12345', from: '13800000001' });
    await waitFor('anna in wrap-up after the first call', () => h!.hotline.agents.get(anna.agentId)?.state === 'wrap_up');
    const paused = await h.api(sup, 'POST', `/api/wallboard/agents/${anna.agentId}/force`, { action: 'pause', reason: '排队演练：暂停接听' });
    expect(paused.status).toBe(200);
    expect(paused.body.agent).toMatchObject({ state: 'paused', reason: 'supervisor', callsToday: expect.any(Number) });

    const placedAt = Date.now();
    sim.control.placeCall({ line: '12345', from: '13800000002', hangupAfterMs: 1500 });
    sim.control.placeCall({ line: '12345', from: '13800000003', hangupAfterMs: 7000 });
    sim.control.placeCall({ line: '12345', from: '13800000004' });
    const waiting = await board.next((f) => f.type === 'wallboard' && f.snapshot.total.waiting === 3, 3000);
    expect(waiting.receivedAt - placedAt).toBeLessThan(2000);
    expect(waiting.snapshot.lines[0].waiting).toBe(3);
    expect(waiting.snapshot.total.longestWaitSince).toBeLessThanOrEqual(waiting.snapshot.at);

    await sleep(Math.max(0, placedAt + 16_000 - Date.now()));
    expect((await h.api(sup, 'POST', `/api/wallboard/agents/${anna.agentId}/force`, { action: 'ready', reason: '演练结束，恢复接听' })).status).toBe(200);
    await waitFor('four calls ended', () => (h!.hotline.db.prepare('SELECT COUNT(*) AS n FROM calls WHERE ended_at IS NOT NULL').get() as { n: number }).n === 4, 8000);

    const frame = await board.next((f) => f.type === 'wallboard' && f.snapshot.total.today.answered === 2 && f.snapshot.total.today.abandoned === 2, 4000);
    const snap = frame.snapshot;
    expect(pick(snap.total.today)).toMatchObject({ offered: 3, answered: 2, answeredWithin15s: 1, abandoned: 2, shortAbandoned: 1, rate15: 1 / 3, answerRate: 2 / 3 });

    expect(snap.total.today.occupancy).toBeGreaterThan(0);
    const day = await h.api(sup, 'GET', `/api/service-level?from=${snap.day.from}&to=${snap.at}&groupBy=line`);
    expect(day.status).toBe(200);
    expect(pick(snap.total.today)).toEqual(pick(day.body.total));
    expect(pick(snap.lines[0].today)).toEqual(pick(day.body.groups.find((g: { key: string }) => g.key === '12345')));

    const desks = await h.api(sup, 'GET', `/api/service-level?from=${snap.day.from}&to=${snap.at}&groupBy=queue`);
    expect(pick(snap.desks[0].today)).toEqual(pick(desks.body.groups.find((g: { key: string }) => g.key === snap.desks[0].key)));

    const hour = await h.api(sup, 'GET', `/api/service-level?from=${snap.hour.from}&to=${snap.at}`);
    expect(pick(snap.total.hour)).toEqual(pick(hour.body.total));

    const byAgent = await h.api(sup, 'GET', `/api/service-level?from=${snap.day.from}&to=${snap.at}&groupBy=agent`);
    const annaFigures = byAgent.body.groups.find((g: { key: string }) => g.key === anna.agentId);
    expect(annaFigures).toMatchObject({ name: 'anna', answered: 2 });
    const row = [...board.frames].reverse().flatMap((f) => f.agents ?? []).find((a: { id: string }) => a.id === anna.agentId);
    expect(row).toMatchObject({ callsToday: 2, handleSecondsToday: Math.round(annaFigures.ahtSeconds * 2) });

    const audit = h.hotline.db.prepare(`SELECT actor, action, subject, details FROM audit_log WHERE action LIKE 'agent.force_%' ORDER BY id`).all() as Array<{ action: string; subject: string; details: string }>;
    expect(audit.map((a) => [a.action, a.subject, JSON.parse(a.details).reason, JSON.parse(a.details).outcome])).toEqual([
      ['agent.force_pause', anna.agentId, '排队演练：暂停接听', 'done'],
      ['agent.force_ready', anna.agentId, '演练结束，恢复接听', 'done'],
    ]);
    board.close();
  }, 60_000);
});
