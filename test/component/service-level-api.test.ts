import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from './call-harness.ts';
import type { Harness, TestAgent } from './call-harness.ts';
import { signIn } from './wallboard-harness.ts';

const S = 1000;
/** 2026-03-02 09:00 in Beijing: a day long past, so the agents' live states do not fall in it. */
const NINE = Date.UTC(2026, 2, 2, 1, 0, 0);
const DAY_START = Date.UTC(2026, 2, 1, 16, 0, 0);

describe('GET /api/service-level', () => {
  let h: Harness;
  let sup: string;
  let ann: TestAgent;

  function call(id: string, at: number, o: { answeredAfter?: number; endedAfter?: number; reason?: string | null; agent?: string; line?: string }) {
    h.hotline.db.prepare(`INSERT INTO calls (id, line, caller_number, state, arrived_at, answered_at, ended_at, end_reason, agent_id)
      VALUES (?, ?, '13800000000', ?, ?, ?, ?, ?, ?)`).run(
      id, o.line ?? '12345', o.endedAfter === undefined ? 'connected' : 'ended', at,
      o.answeredAfter === undefined ? null : at + o.answeredAfter, o.endedAfter === undefined ? null : at + o.endedAfter,
      o.reason ?? null, o.agent ?? null);
  }

  beforeAll(async () => {
    h = await startHarness({ wrapUpSeconds: 10 });
    sup = await signIn(h, 'sup', 'supervisor');
    ann = await h.addAgent('ann', { phone: null, ready: false });
    call('a', NINE, { answeredAfter: 10 * S, endedAfter: 130 * S, reason: 'caller_hangup', agent: ann.agentId });
    call('b', NINE + 60 * S, { answeredAfter: 20 * S, endedAfter: 80 * S, reason: 'agent_hangup', agent: ann.agentId });
    call('c', NINE + 120 * S, { endedAfter: 3 * S, reason: 'abandoned' });
    call('d', NINE + 180 * S, { endedAfter: 40 * S, reason: 'abandoned' });
    call('e', NINE + 3600 * S, { endedAfter: 30 * S, reason: 'pbx_lost' });
    call('h', NINE + 3800 * S, { endedAfter: 120 * S, reason: 'overflow' });
    call('f', NINE + 3700 * S, { answeredAfter: 5 * S, reason: null, agent: ann.agentId });
    call('g', DAY_START - 1, { answeredAfter: 1 * S, endedAfter: 60 * S, reason: 'caller_hangup', agent: ann.agentId });
    // ann's day as the agents service writes it (the agents table's state columns; a trigger keeps the history)
    const state = h.hotline.db.prepare('UPDATE agents SET state = ?, state_reason = ?, state_since = ? WHERE id = ?');
    for (const [what, reason, minute] of [['ready', null, 0], ['on_call', null, 10], ['wrap_up', null, 30], ['ready', null, 35],
      ['paused', 'meeting', 60], ['offline', null, 120]] as const) state.run(what, reason, NINE + minute * 60 * S, ann.agentId);
  });
  afterAll(async () => { await h?.close(); });

  it('when a day of calls is asked for, then ended calls that arrived in the day count by the definitions, the running one and yesterday\'s do not', async () => {
    const res = await h.api(sup, 'GET', '/api/service-level?from=2026-03-02&to=2026-03-02');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: DAY_START, to: DAY_START + 86_400_000, groupBy: null, groups: [] });
    // a, b answered; c a short abandon (left out of offered); d abandoned; e lost with Asterisk (failed);
    // h sent to a message and a callback (overflowed): neither answered nor abandoned, but offered.
    expect(res.body.total).toMatchObject({
      offered: 5, answered: 2, answeredWithin15s: 1, abandoned: 2, shortAbandoned: 1, overflowed: 1, failed: 1,
      rate15: 1 / 5, answerRate: 2 / 5, asaSeconds: 15,
    });
    // AHT: talk (120 s and 60 s) plus the line's 10 s wrap-up each.
    expect(res.body.total.ahtSeconds).toBe(100);
  });

  it('when grouped by hour, then calls fall in the Beijing hour they arrived in, in order', async () => {
    const res = await h.api(sup, 'GET', `/api/service-level?from=${DAY_START}&to=${DAY_START + 86_400_000}&groupBy=hour`);
    expect(res.body.groups.map((g: any) => [g.key, g.name, g.offered, g.answered, g.abandoned, g.overflowed, g.failed])).toEqual([
      [String(NINE), '2026-03-02 09:00', 3, 2, 2, 0, 0],
      [String(NINE + 3_600_000), '2026-03-02 10:00', 2, 0, 0, 1, 1],
    ]);
  });

  it('when grouped by line, desk or agent, then each group carries its key, its name and its figures', async () => {
    const lines = await h.api(sup, 'GET', '/api/service-level?from=2026-03-02&to=2026-03-02&groupBy=line');
    expect(lines.body.groups).toEqual([expect.objectContaining({ key: '12345', name: '12345 市民服务热线', offered: 5, overflowed: 1 })]);
    const desks = await h.api(sup, 'GET', '/api/service-level?from=2026-03-02&to=2026-03-02&groupBy=queue');
    expect(desks.body.groups).toEqual([expect.objectContaining({ key: 'main', offered: 5, overflowed: 1 })]);
    const agents = await h.api(sup, 'GET', '/api/service-level?from=2026-03-02&to=2026-03-02&groupBy=agent');
    expect(agents.body.groups).toEqual([expect.objectContaining({ key: ann.agentId, name: 'ann', answered: 2, ahtSeconds: 100 })]);
  });

  it('when agents changed state in the period, then occupancy is on call plus wrap-up over logged-in time, from the stored history', async () => {
    // ann: ready 09:00, on a call 09:10–09:30, wrap-up to 09:35, ready, paused 10:00, offline 11:00.
    const day = await h.api(sup, 'GET', '/api/service-level?from=2026-03-02&to=2026-03-02&groupBy=agent');
    expect(day.body.total.occupancy).toBeCloseTo(25 / 120, 12);
    expect(day.body.groups.find((g: any) => g.key === ann.agentId).occupancy).toBeCloseTo(25 / 120, 12);
    const hours = await h.api(sup, 'GET', `/api/service-level?from=${NINE}&to=${NINE + 3 * 3_600_000}&groupBy=hour`);
    expect(hours.body.groups.map((g: any) => g.occupancy)).toEqual([25 / 60, 0]);
    const cut = await h.api(sup, 'GET', `/api/service-level?from=${NINE + 20 * 60 * S}&to=${NINE + 40 * 60 * S}`);
    expect(cut.body.total.occupancy).toBeCloseTo(15 / 20, 12);
  });

  it('when the period is cut at a moment, then only calls that arrived before it count', async () => {
    const res = await h.api(sup, 'GET', `/api/service-level?from=2026-03-02T09:00&to=${NINE + 120 * S}`);
    expect(res.body.total).toMatchObject({ offered: 2, answered: 2 });
  });

  it('when the period is not valid, then the request is refused with the field named', async () => {
    for (const [query, field] of [['from=yesterday', 'from'], ['to=2026-13-01', 'to'], [`from=${NINE}&to=${NINE}`, 'to'], ['from=2020-01-01&to=2026-01-01', 'to'], ['groupBy=district', 'groupBy']] as const) {
      const res = await h.api(sup, 'GET', `/api/service-level?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('ERR_VALIDATION');
      expect(res.body.error.details.map((d: { field: string }) => d.field).join(' '), query).toContain(field);
    }
  });
});
