import { describe, expect, it } from 'vitest';
import { hourStart, serviceLevelReport, type AgentInterval, type CallLeg } from '../../src/domain/acd/service-level.ts';

const S = 1000;
const H = 3_600_000;
/** 2026-03-02 08:00 Beijing time (UTC+8). */
const T0 = Date.UTC(2026, 2, 2, 0, 0, 0);

const leg = (callId: string, over: Partial<CallLeg> & Pick<CallLeg, 'outcome'>): CallLeg => ({
  callId, line: '12345', queueId: 'main', arrivedAt: T0, endedAt: T0 + 60 * S, ...over,
});

const legs: CallLeg[] = [
  leg('a', { outcome: 'answered', agentId: 's1', answeredAt: T0 + 10 * S, endedAt: T0 + 160 * S, wrapUpMs: 20 * S }),
  leg('b', { outcome: 'answered', agentId: 's2', answeredAt: T0 + 20 * S, endedAt: T0 + 120 * S }),
  leg('c', { outcome: 'abandoned', endedAt: T0 + 3 * S }),
  leg('d', { outcome: 'abandoned', endedAt: T0 + 40 * S }),
  leg('e', { line: '12333', queueId: 'social', outcome: 'overflow', endedAt: T0 + 60 * S }),
  leg('e', { line: '12333', queueId: 'main', arrivedAt: T0 + 60 * S, outcome: 'answered', agentId: 's1', answeredAt: T0 + 65 * S, endedAt: T0 + 200 * S }),
  leg('f', { line: '12333', queueId: 'social', outcome: 'callback', arrivedAt: T0 + H, endedAt: T0 + H + 90 * S }),
];

describe('service level from call legs', () => {
  it('when a morning of calls is counted with the defaults, then the figures follow the definitions', () => {
    const r = serviceLevelReport(legs);
    // six calls, one short abandon (c, 3 s) left out of offered: 5 offered; a, b, e answered; only a within 15 s.
    expect(r.total).toMatchObject({
      offered: 5, answered: 3, answeredWithin15s: 1, abandoned: 2, shortAbandoned: 1, overflowed: 1,
      rate15: 1 / 5, answerRate: 3 / 5,
    });
    // waits 10, 20 and 65 s (e counted from its first arrival); handle 150 + 20, 100, 135 s.
    expect(r.total.asaSeconds).toBeCloseTo(95 / 3, 9);
    expect(r.total.ahtSeconds).toBeCloseTo(405 / 3, 9);
  });

  it.each<[string, object, object]>([
    ['short abandons are kept in offered', { excludeShortAbandons: false }, { offered: 6, answerRate: 3 / 6 }],
    ['the short-abandon threshold is 2 s', { shortAbandonSeconds: 2 }, { offered: 6, shortAbandoned: 0 }],
    ['answers within 20 s count', { answerWithinSeconds: 20 }, { answeredWithin15s: 2, rate15: 2 / 5 }],
  ])('when %s, then the totals change accordingly', (_what, options, expected) => {
    expect(serviceLevelReport(legs, [], options).total).toMatchObject(expected);
  });

  it('when figures are split, then lines count calls, queues count legs and agents count their own legs', () => {
    const r = serviceLevelReport(legs);
    expect(r.byLine['12333']).toMatchObject({ offered: 2, answered: 1, overflowed: 1 });
    expect(r.byQueue.social).toMatchObject({ offered: 2, answered: 0, overflowed: 1 });
    expect(r.byQueue.main).toMatchObject({ offered: 4, answered: 3, answeredWithin15s: 2 });
    expect(r.byAgent.s1).toMatchObject({ answered: 2, answeredWithin15s: 2 });
    expect(Object.keys(r.byHour)).toEqual([String(T0), String(T0 + H)]);
    expect(r.byHour[String(T0 + H)]).toMatchObject({ offered: 1, answered: 0, answerRate: 0 });
  });

  it('when nothing was offered, then the rates are null rather than zero', () => {
    expect(serviceLevelReport([]).total).toMatchObject({ offered: 0, rate15: null, answerRate: null, asaSeconds: null, occupancy: null });
  });

  it('when agent intervals cross an hour, then occupancy is talk and wrap-up over logged-in time, per hour too', () => {
    const intervals: AgentInterval[] = [
      { agentId: 's1', state: 'ready', from: T0 + H - 30 * 60 * S, to: T0 + H - 20 * 60 * S },
      { agentId: 's1', state: 'on_call', from: T0 + H - 20 * 60 * S, to: T0 + H + 10 * 60 * S },
      { agentId: 's1', state: 'wrap_up', from: T0 + H + 10 * 60 * S, to: T0 + H + 20 * 60 * S },
      { agentId: 's1', state: 'paused', from: T0 + H + 20 * 60 * S, to: T0 + H + 40 * 60 * S },
      { agentId: 's1', state: 'offline', from: T0 + H + 40 * 60 * S, to: T0 + 3 * H },
    ];
    const r = serviceLevelReport([], intervals);
    expect(r.byAgent.s1?.occupancy).toBeCloseTo(40 / 70, 9);
    expect(r.byHour[String(T0)]?.occupancy).toBeCloseTo(20 / 30, 9);
    expect(r.byHour[String(T0 + H)]?.occupancy).toBeCloseTo(20 / 40, 9);
  });

  it.each([
    [Date.UTC(2026, 2, 2, 0, 59), 480, Date.UTC(2026, 2, 2, 0, 0)],
    [Date.UTC(2026, 2, 2, 15, 30), 480, Date.UTC(2026, 2, 2, 15, 0)],
    [Date.UTC(2026, 2, 2, 15, 30), 330, Date.UTC(2026, 2, 2, 15, 30)],
  ])('when a call arrives at %d with offset %d min, then its hour starts at %d', (t, offset, start) => {
    expect(hourStart(t, offset)).toBe(start);
  });
});
