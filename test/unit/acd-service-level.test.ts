import { describe, expect, it } from 'vitest';
import { agentIntervals, hourStart, serviceLevelReport, type AgentInterval, type CallLeg } from '../../src/domain/acd/service-level.ts';

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

/** The four outcomes of a call: each call counts in exactly one. */
const OUTCOMES = ['answered', 'abandoned', 'overflowed', 'failed'] as const;

describe('service level from call legs', () => {
  it('when a morning of calls is counted with the defaults, then the figures follow the definitions', () => {
    const r = serviceLevelReport(legs);
    // six calls, one short abandon (c, 3 s) left out of offered: 5 offered; a, b, e answered; only a within 15 s.
    expect(r.total).toMatchObject({
      offered: 5, answered: 3, answeredWithin15s: 1, abandoned: 2, shortAbandoned: 1, overflowed: 1, failed: 0,
      rate15: 1 / 5, answerRate: 3 / 5,
    });
    // waits 10, 20 and 65 s (e counted from its first arrival); handle 150 + 20, 100, 135 s.
    expect(r.total.asaSeconds).toBeCloseTo(95 / 3, 9);
    expect(r.total.ahtSeconds).toBeCloseTo(405 / 3, 9);
  });

  it('when a call overflows to a callback, then it is neither answered nor abandoned, stays in offered and lowers the answer rate', () => {
    const withOverflow = serviceLevelReport([
      leg('x', { outcome: 'answered', agentId: 's1', answeredAt: T0 + 5 * S, endedAt: T0 + 65 * S }),
      leg('y', { outcome: 'callback', endedAt: T0 + 180 * S }),
      leg('z', { outcome: 'callback', endedAt: T0 + 2 * S }),
    ]).total;
    // z left for a callback after 2 s: not a short abandon (the caller did not hang up), so still offered.
    expect(withOverflow).toMatchObject({ offered: 3, answered: 1, abandoned: 0, shortAbandoned: 0, overflowed: 2, failed: 0, answerRate: 1 / 3, rate15: 1 / 3 });
    expect(withOverflow.asaSeconds).toBe(5);
  });

  it('when a call is lost with Asterisk before an answer, then it counts as failed, in offered, and not as overflowed', () => {
    const r = serviceLevelReport([leg('p', { outcome: 'failed', endedAt: T0 + 30 * S }), leg('q', { outcome: 'abandoned', endedAt: T0 + 30 * S })]);
    expect(r.total).toMatchObject({ offered: 2, answered: 0, abandoned: 1, overflowed: 0, failed: 1, answerRate: 0 });
  });

  it.each<[string, object]>([
    ['the defaults', {}],
    ['short abandons kept in offered', { excludeShortAbandons: false }],
  ])('when the morning is counted with %s, then every arrived call is in exactly one outcome, per line and per hour too', (_what, options) => {
    const r = serviceLevelReport(legs, [], options);
    const excluded = 'excludeShortAbandons' in options ? 0 : 1;
    for (const f of [r.total, ...Object.values(r.byLine), ...Object.values(r.byHour)]) {
      const short = excluded === 0 ? 0 : f.shortAbandoned;
      expect(OUTCOMES.reduce((sum, k) => sum + f[k], 0) - short).toBe(f.offered);
    }
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

  it('when agents change state, then each change holds until that agent\'s next one, clipped to the period and to now', () => {
    const M = 60 * S;
    const changes = [
      { agentId: 's2', state: 'ready', since: T0 - 30 * M },
      { agentId: 's1', state: 'ready', since: T0 - 10 * M },
      { agentId: 's1', state: 'on_call', since: T0 + 5 * M },
      { agentId: 's1', state: 'paused', since: T0 + 5 * M },
      { agentId: 's1', state: 'paused', since: T0 + 20 * M },
      { agentId: 's1', state: 'away_from_desk', since: T0 + 30 * M },
      { agentId: 's2', state: 'offline', since: T0 + 50 * M },
      { agentId: 's1', state: 'ready', since: T0 + 70 * M },
    ];
    // the tie at +5 min: the later change in the list wins (on_call lasted no time); the two paused join;
    // an unknown state counts as logged in and not busy; s1's last change is after `to`, s2's offline runs to now.
    expect(agentIntervals(changes, T0, T0 + H, T0 + 55 * M)).toEqual([
      { agentId: 's1', state: 'ready', from: T0, to: T0 + 5 * M },
      { agentId: 's1', state: 'paused', from: T0 + 5 * M, to: T0 + 55 * M },
      { agentId: 's2', state: 'ready', from: T0, to: T0 + 50 * M },
      { agentId: 's2', state: 'offline', from: T0 + 50 * M, to: T0 + 55 * M },
    ]);
    expect(agentIntervals(changes, T0 + 2 * H, T0 + 3 * H, T0 + 4 * H)).toEqual([
      { agentId: 's1', state: 'ready', from: T0 + 2 * H, to: T0 + 3 * H },
      { agentId: 's2', state: 'offline', from: T0 + 2 * H, to: T0 + 3 * H },
    ]);
    expect(agentIntervals(changes, T0, T0 + H, T0 - H)).toEqual([]);
  });

  it.each([
    [Date.UTC(2026, 2, 2, 0, 59), 480, Date.UTC(2026, 2, 2, 0, 0)],
    [Date.UTC(2026, 2, 2, 15, 30), 480, Date.UTC(2026, 2, 2, 15, 0)],
    [Date.UTC(2026, 2, 2, 15, 30), 330, Date.UTC(2026, 2, 2, 15, 30)],
  ])('when a call arrives at %d with offset %d min, then its hour starts at %d', (t, offset, start) => {
    expect(hourStart(t, offset)).toBe(start);
  });
});
