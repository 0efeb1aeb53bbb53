import { describe, expect, it } from 'vitest';
import { DEFAULT_RANKING_RULES, monthlyRanking, type RankingFigures, type RankingRules } from '../../src/domain/ranking.ts';
import { unitRates } from '../../src/domain/rates.ts';

// March composites as worked out by hand in rates.test.ts (default policy):
// U1 8.3333 + 36 + 31.5 = 75.8333, U2 10 + 33.75 + 31.5 = 75.25, U3 4 + 22.5 + 30 = 56.5, U4 10 + 45 + 36 = 91.
const MARCH: RankingFigures[] = [
  { unitCode: 'U1', dispatched: 6, composite: 75.833333333333 },
  { unitCode: 'U2', dispatched: 5, composite: 75.25 },
  { unitCode: 'U3', dispatched: 5, composite: 56.5 },
  { unitCode: 'U4', dispatched: 4, composite: 91 },
];
// February: gains U1 +15.8333, U2 0, U3 +16.5, U4 -4.
const FEBRUARY: RankingFigures[] = [
  { unitCode: 'U1', dispatched: 3, composite: 60 },
  { unitCode: 'U2', dispatched: 3, composite: 75.25 },
  { unitCode: 'U3', dispatched: 3, composite: 40 },
  { unitCode: 'U4', dispatched: 3, composite: 95 },
];
// Requests received; U5 took requests but had nothing dispatched.
const VOLUME = new Map([['U1', 120], ['U2', 300], ['U3', 300], ['U4', 50], ['U5', 10]]);

const rules = (n: number, extra: Partial<RankingRules> = {}): RankingRules => ({
  advancedCount: n, progressCount: n, rectificationCount: n, governanceCount: n, minDispatched: 1, ...extra,
});

const table = (r: ReturnType<typeof monthlyRanking>) => r.map((u) => `${u.unitCode}#${u.rank ?? '-'}:${u.classes.join('+')}`).join(' ');

describe('monthly ranking of units', () => {
  it.each([
    // 4 ranked units and 10 per class: all advanced, so none left for rectification; positive gains U3, U1; all five by volume.
    { n: 10, expected: 'U4#1:advanced+governance U1#2:advanced+progress+governance U2#3:advanced+governance U3#4:advanced+progress+governance U5#-:governance' },
    // top 1 U4; best gain U3 (16.5 > 15.83); bottom non-advanced U3; volume tie U2 = U3 = 300 goes to U2 by code.
    { n: 1, expected: 'U4#1:advanced U1#2: U2#3:governance U3#4:progress+rectification U5#-:' },
    // top 2 U4, U1; gains U3, U1; bottom 2 of the rest U2, U3; volume U2, U3.
    { n: 2, expected: 'U4#1:advanced U1#2:advanced+progress U2#3:rectification+governance U3#4:progress+rectification+governance U5#-:' },
  ])('when each class takes $n, then the classes are $expected', ({ n, expected }) => {
    expect(table(monthlyRanking(MARCH, FEBRUARY, VOLUME, rules(n)))).toBe(expected);
  });

  it('when the default rules are used, then they are 10 per class and at least 1 dispatched ticket', () => {
    expect(DEFAULT_RANKING_RULES).toEqual(rules(10));
    expect(table(monthlyRanking(MARCH, FEBRUARY, VOLUME))).toBe(table(monthlyRanking(MARCH, FEBRUARY, VOLUME, rules(10))));
  });

  it('when gains are reported, then they are this month minus last month', () => {
    const gains = Object.fromEntries(monthlyRanking(MARCH, FEBRUARY, VOLUME).map((u) => [u.unitCode, u.gain]));
    expect(gains.U1).toBeCloseTo(15.833333333333, 10);
    expect([gains.U2, gains.U3, gains.U4, gains.U5]).toEqual([0, 16.5, -4, null]);
  });

  it('when a unit must have 5 dispatched tickets, then U4 (4 tickets) is not ranked and U1 leads', () => {
    // Ranked: U1 75.83, U2 75.25, U3 56.5. U4 keeps its gain (-4) but no rank and no class; governance by volume is U2.
    const r = monthlyRanking(MARCH, FEBRUARY, VOLUME, rules(1, { minDispatched: 5 }));
    expect(table(r)).toBe('U1#1:advanced U2#2:governance U3#3:progress+rectification U4#-: U5#-:');
  });

  it('when there is no previous month, then nobody is in progress', () => {
    const r = monthlyRanking(MARCH, undefined, VOLUME, rules(2));
    expect(r.every((u) => !u.classes.includes('progress') && u.gain === null)).toBe(true);
  });

  it('when two units tie on composite, then the lower unit code ranks first whatever the input order', () => {
    const tied: RankingFigures[] = [
      { unitCode: '110105', dispatched: 9, composite: 80 },
      { unitCode: '110101', dispatched: 9, composite: 80 },
      { unitCode: '110102', dispatched: 9, composite: 70 },
    ];
    const volume = new Map<string, number>();
    const expected = '110101#1:advanced 110105#2: 110102#3:rectification';
    expect(table(monthlyRanking(tied, null, volume, rules(1)))).toBe(expected);
    expect(table(monthlyRanking([...tied].reverse(), null, volume, rules(1)))).toBe(expected);
  });

  it('when a unit has no composite or last month had none, then it is unranked and has no gain', () => {
    const r = monthlyRanking(
      [{ unitCode: 'A', dispatched: 0, composite: null }, { unitCode: 'B', dispatched: 2, composite: 50 }],
      [{ unitCode: 'B', dispatched: 0, composite: null }],
      new Map([['A', 4]]),
      rules(1),
    );
    expect(r.map((u) => [u.unitCode, u.rank, u.gain, u.classes])).toEqual([['B', 1, null, ['advanced']], ['A', null, null, ['governance']]]);
  });

  it('when a class takes 0, then it is empty', () => {
    const r = monthlyRanking(MARCH, FEBRUARY, VOLUME, { ...rules(2), rectificationCount: 0, governanceCount: 0 });
    expect(table(r)).toBe('U4#1:advanced U1#2:advanced+progress U2#3: U3#4:progress U5#-:');
  });

  it('when the unit rates of a month are ranked directly, then their composites order the units', () => {
    const t = Date.UTC(2026, 2, 2, 1);
    const rates = unitRates({
      dispatches: [
        { ticketId: 'a', unitCode: 'X', dispatchedAt: t, acceptBy: t + 10, signedAt: t + 5 },
        { ticketId: 'b', unitCode: 'Y', dispatchedAt: t, acceptBy: t + 10, signedAt: t + 20 },
      ],
      surveys: [],
    });
    // X: response 1, composite 100 (reweighted over response only); Y: response 0, composite 0.
    expect(table(monthlyRanking(rates, null, new Map(), rules(1)))).toBe('X#1:advanced Y#2:rectification');
  });
});
