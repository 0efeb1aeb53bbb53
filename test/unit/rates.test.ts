import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATES_POLICY, groupRates, unitRates,
  type DispatchRecord, type MonthRecords, type RatesPolicy, type SurveyRecord, type UnitRates,
} from '../../src/domain/rates.ts';
import type { ResolvedAnswer, SatisfactionAnswer } from '../../src/domain/survey-script.ts';

const T = Date.UTC(2026, 2, 2, 1, 0); // 2026-03-02 09:00 Shanghai
const H = 3_600_000;
const M = 60_000;

let n = 0;
function dispatch(ticketId: string, unitCode: string, signed: 'in' | 'edge' | 'late' | 'never'): DispatchRecord {
  const dispatchedAt = T + (n++) * H;
  const acceptBy = dispatchedAt + 30 * M;
  const signedAt = { in: dispatchedAt + 10 * M, edge: acceptBy, late: acceptBy + M, never: null }[signed];
  return { ticketId, unitCode, dispatchedAt, acceptBy, signedAt };
}

function survey(ticketId: string, unitCode: string, resolved: ResolvedAnswer | null, satisfaction: SatisfactionAnswer | null, reached = true): SurveyRecord {
  return { ticketId, unitCode, resolved, satisfaction, surveyedAt: T + 10 * 24 * H + Number(ticketId.slice(1)) * M, reached };
}

const R = 'resolved';
const U = 'unresolved';
const S = 'satisfied';
const B = 'basically_satisfied';
const X = 'unsatisfied';

/** 4 units, 20 dispatches, 15 surveys (2 of them nobody answered). */
const MARCH: MonthRecords = {
  dispatches: [
    dispatch('T01', 'U1', 'in'), dispatch('T02', 'U1', 'in'), dispatch('T03', 'U1', 'in'),
    dispatch('T04', 'U1', 'in'), dispatch('T05', 'U1', 'in'), dispatch('T06', 'U1', 'late'),
    dispatch('T07', 'U2', 'in'), dispatch('T08', 'U2', 'in'), dispatch('T09', 'U2', 'in'),
    dispatch('T10', 'U2', 'in'), dispatch('T11', 'U2', 'edge'),
    dispatch('T12', 'U3', 'in'), dispatch('T13', 'U3', 'in'), dispatch('T14', 'U3', 'late'),
    dispatch('T15', 'U3', 'never'), dispatch('T16', 'U3', 'never'),
    dispatch('T17', 'U4', 'in'), dispatch('T18', 'U4', 'in'), dispatch('T19', 'U4', 'in'), dispatch('T20', 'U4', 'edge'),
  ],
  surveys: [
    survey('T01', 'U1', R, S), survey('T02', 'U1', R, S), survey('T03', 'U1', R, B), survey('T04', 'U1', U, X), survey('T05', 'U1', R, null),
    survey('T07', 'U2', R, S), survey('T08', 'U2', R, S), survey('T09', 'U2', U, B), survey('T10', 'U2', R, X), survey('T11', 'U2', null, null, false),
    survey('T12', 'U3', R, S), survey('T13', 'U3', null, S), survey('T14', 'U3', U, X),
    survey('T17', 'U4', R, B), survey('T18', 'U4', null, null, false),
  ],
};

type Row = [unit: string, dispatched: number, signedInTime: number, surveyed: number, unreached: number,
  resolutionRated: number, resolvedCount: number, satisfactionRated: number, s: number, b: number, x: number,
  responseRate: number, resolutionRate: number, satisfactionScore: number, satisfactionRate: number, composite: number];

function expectRows(actual: readonly UnitRates[], rows: Row[]): void {
  expect(actual.map((u) => u.unitCode)).toEqual(rows.map((r) => r[0]));
  rows.forEach((r, i) => {
    const u = actual[i]!;
    expect([u.dispatched, u.signedInTime, u.surveyed, u.unreached, u.resolutionRated, u.resolvedCount, u.satisfactionRated,
      u.satisfied, u.basicallySatisfied, u.unsatisfied, u.satisfactionScore]).toEqual([...r.slice(1, 11), r[13]]);
    expect(u.responseRate).toBeCloseTo(r[11], 10);
    expect(u.resolutionRate).toBeCloseTo(r[12], 10);
    expect(u.satisfactionRate).toBeCloseTo(r[14], 10);
    expect(u.composite).toBeCloseTo(r[15], 10);
  });
}

describe('unit rates on the March dataset', () => {
  it('when the default policy is used (rated denominators, 100/80/0, 10/45/45), then every figure matches the hand count', () => {
    expectRows(unitRates(MARCH), [
      // U1: signed 5 of 6 (T06 late); surveyed 5, q1 answered 5 with 4 resolved; q2 answered 4 (T05 hung up): 2 S, 1 B, 1 X.
      //     score 2*100 + 80 + 0 = 280; satisfaction 280 / (100*4) = 0.7; composite 10*5/6 + 45*4/5 + 45*0.7 = 8.3333 + 36 + 31.5
      ['U1', 6, 5, 5, 0, 5, 4, 4, 2, 1, 1, 5 / 6, 0.8, 280, 0.7, 75.833333333333],
      // U2: signed 5 of 5 (T11 exactly at the deadline counts); T11 not reached; 4 rated, 3 resolved; 2 S, 1 B, 1 X = 280 / 400.
      //     composite 10*1 + 45*0.75 + 45*0.7 = 10 + 33.75 + 31.5
      ['U2', 5, 5, 4, 1, 4, 3, 4, 2, 1, 1, 1, 0.75, 280, 0.7, 75.25],
      // U3: signed 2 of 5 (T14 late, T15 and T16 never); q1 answered 2 (T13 silent), 1 resolved; q2 answered 3: 2 S, 1 X = 200 / 300.
      //     composite 10*0.4 + 45*0.5 + 45*2/3 = 4 + 22.5 + 30
      ['U3', 5, 2, 3, 0, 2, 1, 3, 2, 0, 1, 0.4, 0.5, 200, 2 / 3, 56.5],
      // U4: signed 4 of 4; T18 not reached; 1 rated, resolved, basically satisfied = 80 / 100.
      //     composite 10*1 + 45*1 + 45*0.8 = 10 + 45 + 36
      ['U4', 4, 4, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 80, 0.8, 91],
    ]);
  });

  it('when both denominators are every reached survey, then silences count against the unit', () => {
    const policy: RatesPolicy = { ...DEFAULT_RATES_POLICY, resolutionDenominator: 'surveyed', satisfactionDenominator: 'surveyed' };
    expectRows(unitRates(MARCH, policy), [
      // U1: resolution 4/5 = 0.8; satisfaction 280 / (100*5) = 0.56; composite 8.3333 + 36 + 45*0.56 = 8.3333 + 36 + 25.2
      ['U1', 6, 5, 5, 0, 5, 4, 4, 2, 1, 1, 5 / 6, 0.8, 280, 0.56, 69.533333333333],
      // U2: every reached survey answered both: unchanged
      ['U2', 5, 5, 4, 1, 4, 3, 4, 2, 1, 1, 1, 0.75, 280, 0.7, 75.25],
      // U3: resolution 1/3; satisfaction 200/300; composite 4 + 45/3 + 30 = 4 + 15 + 30
      ['U3', 5, 2, 3, 0, 2, 1, 3, 2, 0, 1, 0.4, 1 / 3, 200, 2 / 3, 49],
      ['U4', 4, 4, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 80, 0.8, 91],
    ]);
  });

  it('when basically satisfied weighs 60 and the composite weights are 20/40/40, then the figures follow', () => {
    const policy: RatesPolicy = {
      ...DEFAULT_RATES_POLICY,
      satisfactionWeights: { satisfied: 100, basically_satisfied: 60, unsatisfied: 0 },
      compositeWeights: { response: 20, resolution: 40, satisfaction: 40 },
    };
    const [u1, , , u4] = unitRates(MARCH, policy);
    // U1: score 200 + 60 = 260, rate 260/400 = 0.65; composite 20*5/6 + 40*0.8 + 40*0.65 = 16.6667 + 32 + 26
    expect([u1!.satisfactionScore, u1!.satisfactionRate]).toEqual([260, 0.65]);
    expect(u1!.composite).toBeCloseTo(74.666666666667, 10);
    // U4: rate 60/100 = 0.6; composite 20 + 40 + 24
    expect(u4!.composite).toBeCloseTo(84, 10);
  });

  it('when weights do not add up to 100, then the composite is still on a 0..100 scale', () => {
    const policy: RatesPolicy = { ...DEFAULT_RATES_POLICY, compositeWeights: { response: 1, resolution: 1, satisfaction: 2 } };
    // U4: 100 * (1*1 + 1*1 + 2*0.8) / 4 = 100 * 3.6 / 4
    expect(unitRates(MARCH, policy)[3]!.composite).toBeCloseTo(90, 10);
  });

  it('when per-ticket points are on, then both-yes +1, one no -0.5, both no -1 and half-answered surveys 0', () => {
    const policy: RatesPolicy = { ...DEFAULT_RATES_POLICY, perTicketPoints: { bothYes: 1, oneNo: -0.5, bothNo: -1 } };
    // U1: T01 +1, T02 +1, T03 +1 (basically counts as yes), T04 -1, T05 0 = 2
    // U2: T07 +1, T08 +1, T09 -0.5, T10 -0.5 = 1;  U3: T12 +1, T13 0, T14 -1 = 0;  U4: T17 +1 = 1
    expect(unitRates(MARCH, policy).map((u) => u.points)).toEqual([2, 1, 0, 1]);
    expect(unitRates(MARCH).map((u) => u.points)).toEqual([null, null, null, null]);
  });

  it('when the records come in another order, then the output is the same', () => {
    const shuffled: MonthRecords = {
      dispatches: [...MARCH.dispatches.slice(7), ...MARCH.dispatches.slice(0, 7)].reverse(),
      surveys: [...MARCH.surveys].reverse(),
    };
    expect(unitRates(shuffled)).toEqual(unitRates(MARCH));
  });

  it.each([
    { name: 'an unanswered later attempt for T01', extra: survey('T01', 'U1', null, null, false), changed: null },
    { name: 'an earlier unanswered attempt for T04', extra: { ...survey('T04', 'U1', null, null, false), surveyedAt: T }, changed: null },
    { name: 'a later full survey for T05', extra: { ...survey('T05', 'U1', R, S), surveyedAt: T + 40 * 24 * H }, changed: [5, 3, 380] },
  ])('when the month also holds $name, then one survey per ticket counts', ({ extra, changed }) => {
    const u1 = (records: MonthRecords) => unitRates(records)[0]!;
    const both = [MARCH.surveys, [...MARCH.surveys, extra]].map((surveys) => u1({ ...MARCH, surveys }));
    const got = [both[1]!.satisfactionRated, both[1]!.satisfied, both[1]!.satisfactionScore];
    // T05 answered both: q2 rated 4 + 1 = 5, satisfied 2 + 1 = 3, score 280 + 100 = 380
    expect(got).toEqual(changed ?? [both[0]!.satisfactionRated, both[0]!.satisfied, both[0]!.satisfactionScore]);
    expect([both[1]!.surveyed, both[1]!.unreached]).toEqual([5, 0]);
  });

  it.each([
    { mode: 'reweight' as const, composite: 50 }, // 100 * (10 * 0.5) / 10
    { mode: 'zero' as const, composite: 5 }, // 100 * (10 * 0.5 + 45 * 0 + 45 * 0) / 100
  ])('when a unit was never surveyed and missing rates $mode, then its composite is $composite', ({ mode, composite }) => {
    const records: MonthRecords = { dispatches: [dispatch('T90', 'U9', 'in'), dispatch('T91', 'U9', 'late')], surveys: [] };
    const [u9] = unitRates(records, { ...DEFAULT_RATES_POLICY, compositeWhenMissing: mode });
    expect([u9!.responseRate, u9!.resolutionRate, u9!.satisfactionRate, u9!.satisfactionScore]).toEqual([0.5, null, null, 0]);
    expect(u9!.composite).toBeCloseTo(composite, 10);
  });

  it('when a unit has only unanswered surveys and no dispatch, then every rate and the composite are null', () => {
    const [u8] = unitRates({ dispatches: [], surveys: [survey('T80', 'U8', null, null, false)] });
    expect([u8!.responseRate, u8!.resolutionRate, u8!.satisfactionRate, u8!.composite, u8!.unreached]).toEqual([null, null, null, null, 1]);
  });
});

describe('rates summed into districts and departments', () => {
  const districtOf = new Map([['U1', 'D1'], ['U2', 'D1'], ['U3', 'D2']]);
  const departmentOf = new Map([['U4', 'DEPT-WATER']]);

  it('when U1 and U2 make district D1, then its rates come from summed counts, not averaged rates', () => {
    const policy: RatesPolicy = { ...DEFAULT_RATES_POLICY, perTicketPoints: { bothYes: 1, oneNo: -0.5, bothNo: -1 } };
    const [d1, d2] = groupRates(unitRates(MARCH, policy), districtOf, policy);
    // D1 = U1 + U2: dispatched 6+5 = 11, in time 5+5 = 10; surveyed 5+4 = 9, unreached 1; q1 rated 9, resolved 4+3 = 7;
    // q2 rated 4+4 = 8: S 4, B 2, X 2, score 280+280 = 560; points 2+1 = 3.
    expect(d1).toMatchObject({
      groupCode: 'D1', unitCount: 2, dispatched: 11, signedInTime: 10, surveyed: 9, unreached: 1, resolutionRated: 9,
      resolvedCount: 7, satisfactionRated: 8, satisfied: 4, basicallySatisfied: 2, unsatisfied: 2, satisfactionScore: 560, points: 3,
    });
    expect(d1!.responseRate).toBeCloseTo(10 / 11, 10);
    expect(d1!.resolutionRate).toBeCloseTo(7 / 9, 10);
    expect(d1!.satisfactionRate).toBeCloseTo(0.7, 10); // 560 / 800
    // 10*10/11 + 45*7/9 + 45*0.7 = 9.0909 + 35 + 31.5 (the mean of 75.8333 and 75.25 would be 75.5417)
    expect(d1!.composite).toBeCloseTo(75.590909090909, 10);
    expect(d2).toMatchObject({ groupCode: 'D2', unitCount: 1, dispatched: 5, composite: 56.5 });
  });

  it('when only U4 is a department, then the department list holds U4 alone and the other units are left out', () => {
    const groups = groupRates(unitRates(MARCH), departmentOf);
    expect(groups.map((g) => [g.groupCode, g.unitCount, g.dispatched, g.composite])).toEqual([['DEPT-WATER', 1, 4, 91]]);
  });

  it('when the district map is given in another order, then the groups come out by code', () => {
    const reversed = new Map([...districtOf].reverse());
    expect(groupRates(unitRates(MARCH), reversed).map((g) => g.groupCode)).toEqual(['D1', 'D2']);
  });
});
