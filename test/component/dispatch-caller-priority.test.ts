import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { shanghaiTime } from '../../src/domain/business-calendar.ts';
import { createLogger } from '../../src/log.ts';
import { WAITING_CALLER_SQL, createTicketsRepo } from '../../src/features/tickets/tickets.repo.ts';
import { createTicketsService } from '../../src/features/tickets/tickets.service.ts';
import { JIANWAI, startHandlingDesk } from './dispatch-harness.ts';
import type { HandlingDesk } from './dispatch-harness.ts';

let h: HandlingDesk | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

const MINUTE = 60_000;
const GAS = { type: 'help', category: 'gas/leak', description: '楼道里有很浓的燃气味', callerNumber: '13600136000', contactPhone: '13600136000' };

describe("the caller's queue priority from their open tickets", () => {
  it('when a caller has no ticket, or an open one within its clocks, then 0; once a clock has run out, the boost; once closed, 0 again', async () => {
    const clock = new VirtualClock(shanghaiTime('2026-11-23', '10:00'));
    h = await startHandlingDesk({ clock });
    const { as, call } = h;
    const tickets = h.desk.app.tickets;
    expect(tickets.priorityFor('13600136000')).toBe(0);
    expect(tickets.priorityFor('')).toBe(0);
    expect(tickets.priorityFor('x'.repeat(500))).toBe(0);

    const t = await h.intake(GAS);
    expect(tickets.priorityFor('13600136000')).toBe(0);
    await call(as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI });
    clock.advance(10 * MINUTE);
    expect(tickets.priorityFor('13600136000')).toBe(0);
    clock.advance(6 * MINUTE);                         // past the 15-minute acceptance clock
    expect(tickets.priorityFor('13600136000')).toBe(10);
    expect(tickets.priorityFor('13900139000')).toBe(0);

    expect((await call(as.unitA, 'POST', `/api/tickets/${t.id}/sign`)).status).toBe(200);
    expect(tickets.priorityFor('13600136000')).toBe(0);   // signed late, but signed: the completion clock still runs
    clock.advance(2 * 60 * MINUTE);                    // past the 2-hour completion clock
    expect(tickets.priorityFor('13600136000')).toBe(10);

    await call(as.unitA, 'POST', `/api/tickets/${t.id}/reply`, { result: '已关闭燃气阀门并检修', actions: '燃气公司上门处置' });
    expect(tickets.priorityFor('13600136000')).toBe(0);
    expect((await call(as.supervisor, 'POST', `/api/tickets/${t.id}/close`)).status).toBe(200);
    expect(tickets.priorityFor('13600136000')).toBe(0);
  });

  it('when a ticket of the caller was sent back for rework, then the caller gets the boost while it is open', async () => {
    const clock = new VirtualClock(shanghaiTime('2026-11-23', '10:00'));
    h = await startHandlingDesk({ clock });
    const { as, call } = h;
    const t = await h.intake();
    await call(as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI });
    await call(as.unitA, 'POST', `/api/tickets/${t.id}/sign`);
    await call(as.unitA, 'POST', `/api/tickets/${t.id}/reply`, { result: '已清运', actions: '协调物业' });
    expect(h.desk.app.tickets.priorityFor('13900139000')).toBe(0);
    expect((await call(as.supervisor, 'POST', `/api/tickets/${t.id}/rework`, { reason: '现场仍有垃圾' })).status).toBe(200);
    expect(h.desk.app.tickets.priorityFor('13900139000')).toBe(10);
  });

  it('when the boost is configured, then that number is given; the query is answered from the caller index', async () => {
    const clock = new VirtualClock(shanghaiTime('2026-11-23', '10:00'));
    h = await startHandlingDesk({ clock });
    const t = await h.intake(GAS);
    await h.call(h.as.agent, 'POST', `/api/tickets/${t.id}/dispatch`, { leadUnit: JIANWAI });
    clock.advance(20 * MINUTE);
    const own = createTicketsService({ repo: createTicketsRepo(h.desk.db), clock, log: createLogger({ level: 'silent' }), priority: { waitingCallerBoost: 3 } });
    expect(own.priorityFor('13600136000')).toBe(3);
    const plan = (h.desk.db.prepare(`EXPLAIN QUERY PLAN ${WAITING_CALLER_SQL}`).all({ caller: '13600136000', now: clock.now() }) as Array<{ detail: string }>)
      .map((r) => r.detail).join('\n');
    expect(plan).toMatch(/SEARCH t USING INDEX tickets_by_caller/);
    expect(plan).not.toMatch(/SCAN t\b/);
  });

  it('when the store cannot answer, then the caller gets no boost and nothing throws', async () => {
    const clock = new VirtualClock(shanghaiTime('2026-11-23', '10:00'));
    h = await startHandlingDesk({ clock });
    const repo = createTicketsRepo(h.desk.db);
    const broken = { ...repo, callerIsWaiting: () => { throw new Error('database is locked'); } };
    const own = createTicketsService({ repo: broken, clock, log: createLogger({ level: 'silent' }) });
    expect(own.priorityFor('13600136000')).toBe(0);
  });
});
