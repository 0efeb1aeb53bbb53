import type { ResolvedAnswer, SatisfactionAnswer } from './survey-script.ts';

/** One ticket dispatched to one unit; signed in time when `signedAt <= acceptBy`. */
export interface DispatchRecord {
  readonly ticketId: string;
  readonly unitCode: string;
  readonly dispatchedAt: number;
  readonly acceptBy: number;
  readonly signedAt?: number | null;
}

/** One callback survey about a ticket handled by a unit; `reached` is false when nobody answered. */
export interface SurveyRecord {
  readonly ticketId: string;
  readonly unitCode: string;
  readonly resolved: ResolvedAnswer | null;
  readonly satisfaction: SatisfactionAnswer | null;
  readonly surveyedAt: number;
  readonly reached: boolean;
}

export interface MonthRecords {
  readonly dispatches: readonly DispatchRecord[];
  readonly surveys: readonly SurveyRecord[];
}

/**
 * 'rated': only surveys where the citizen answered that question; 'surveyed': every reached survey,
 * so a citizen who did not answer counts against the unit.
 */
export type RateDenominator = 'rated' | 'surveyed';

export interface RatesPolicy {
  /** Each answer level as a percentage of a fully satisfied answer (0..100). */
  readonly satisfactionWeights: Readonly<Record<SatisfactionAnswer, number>>;
  readonly resolutionDenominator: RateDenominator;
  readonly satisfactionDenominator: RateDenominator;
  readonly compositeWeights: { readonly response: number; readonly resolution: number; readonly satisfaction: number };
  /**
   * A rate that is null (its denominator is 0) either leaves the composite and the other weights
   * are scaled up ('reweight'), or counts as 0 ('zero'). With no rate at all the composite is null.
   */
  readonly compositeWhenMissing: 'reweight' | 'zero';
  /** Points per survey with both answers; 'basically satisfied' counts as yes. Absent: no points. */
  readonly perTicketPoints?: { readonly bothYes: number; readonly oneNo: number; readonly bothNo: number } | null;
}

export const DEFAULT_RATES_POLICY: RatesPolicy = {
  satisfactionWeights: { satisfied: 100, basically_satisfied: 80, unsatisfied: 0 },
  resolutionDenominator: 'rated',
  satisfactionDenominator: 'rated',
  compositeWeights: { response: 10, resolution: 45, satisfaction: 45 },
  compositeWhenMissing: 'reweight',
  perTicketPoints: null,
};

export interface RateCounts {
  readonly dispatched: number;
  readonly signedInTime: number;
  /** Reached surveys. */
  readonly surveyed: number;
  readonly unreached: number;
  readonly resolutionRated: number;
  readonly resolvedCount: number;
  readonly satisfactionRated: number;
  readonly satisfied: number;
  readonly basicallySatisfied: number;
  readonly unsatisfied: number;
  readonly points: number | null;
}

/** Rates are fractions 0..1, null when their denominator is 0; composite is 0..100. */
export interface RateFigures {
  readonly responseRate: number | null;
  readonly resolutionRate: number | null;
  /** Sum of the answer weights over rated surveys (e.g. two satisfied and one basically: 280). */
  readonly satisfactionScore: number;
  readonly satisfactionRate: number | null;
  readonly composite: number | null;
}

export type UnitRates = { readonly unitCode: string } & RateCounts & RateFigures;
export type GroupRates = { readonly groupCode: string; readonly unitCount: number } & RateCounts & RateFigures;

const ZERO: RateCounts = {
  dispatched: 0, signedInTime: 0, surveyed: 0, unreached: 0, resolutionRated: 0, resolvedCount: 0,
  satisfactionRated: 0, satisfied: 0, basicallySatisfied: 0, unsatisfied: 0, points: null,
};

/** The three rates and the composite for every unit in the month's records, by unit code. */
export function unitRates(records: MonthRecords, policy: RatesPolicy = DEFAULT_RATES_POLICY): UnitRates[] {
  const counts = new Map<string, RateCounts>();
  const get = (unitCode: string): RateCounts => counts.get(unitCode) ?? { ...ZERO, points: policy.perTicketPoints ? 0 : null };
  for (const d of records.dispatches) {
    const c = get(d.unitCode);
    const inTime = d.signedAt != null && d.signedAt <= d.acceptBy ? 1 : 0;
    counts.set(d.unitCode, { ...c, dispatched: c.dispatched + 1, signedInTime: c.signedInTime + inTime });
  }
  for (const s of oneSurveyPerTicket(records.surveys)) counts.set(s.unitCode, addSurvey(get(s.unitCode), s, policy));
  return [...counts.keys()].sort(byCode).map((unitCode) => {
    const c = counts.get(unitCode)!;
    return { unitCode, ...c, ...figures(c, policy) };
  });
}

/** Unit figures summed into groups (districts, departments) by `groupOf`; units it does not name are left out. */
export function groupRates(
  units: readonly UnitRates[],
  groupOf: ReadonlyMap<string, string>,
  policy: RatesPolicy = DEFAULT_RATES_POLICY,
): GroupRates[] {
  const groups = new Map<string, { counts: RateCounts; unitCount: number }>();
  for (const u of units) {
    const groupCode = groupOf.get(u.unitCode);
    if (groupCode === undefined) continue;
    const g = groups.get(groupCode);
    groups.set(groupCode, g === undefined ? { counts: countsOf(u), unitCount: 1 } : { counts: sum(g.counts, u), unitCount: g.unitCount + 1 });
  }
  return [...groups.keys()].sort(byCode).map((groupCode) => {
    const g = groups.get(groupCode)!;
    return { groupCode, unitCount: g.unitCount, ...g.counts, ...figures(g.counts, policy) };
  });
}

/** One survey per ticket and unit: a reached one over an unreached one, then the latest, then the fuller. */
function oneSurveyPerTicket(surveys: readonly SurveyRecord[]): SurveyRecord[] {
  const kept = new Map<string, SurveyRecord>();
  for (const s of surveys) {
    const key = `${s.unitCode}\u0000${s.ticketId}`;
    const held = kept.get(key);
    if (held === undefined || preferSurvey(s, held) > 0) kept.set(key, s);
  }
  return [...kept.values()];
}

function preferSurvey(a: SurveyRecord, b: SurveyRecord): number {
  const answers = (s: SurveyRecord) => (s.resolved === null ? 0 : 1) + (s.satisfaction === null ? 0 : 1);
  return Number(a.reached) - Number(b.reached)
    || a.surveyedAt - b.surveyedAt
    || answers(a) - answers(b)
    || byCode(`${a.resolved}/${a.satisfaction}`, `${b.resolved}/${b.satisfaction}`);
}

function addSurvey(c: RateCounts, s: SurveyRecord, policy: RatesPolicy): RateCounts {
  if (!s.reached) return { ...c, unreached: c.unreached + 1 };
  const sat = s.satisfaction;
  return {
    ...c,
    surveyed: c.surveyed + 1,
    resolutionRated: c.resolutionRated + (s.resolved === null ? 0 : 1),
    resolvedCount: c.resolvedCount + (s.resolved === 'resolved' ? 1 : 0),
    satisfactionRated: c.satisfactionRated + (sat === null ? 0 : 1),
    satisfied: c.satisfied + (sat === 'satisfied' ? 1 : 0),
    basicallySatisfied: c.basicallySatisfied + (sat === 'basically_satisfied' ? 1 : 0),
    unsatisfied: c.unsatisfied + (sat === 'unsatisfied' ? 1 : 0),
    points: c.points === null ? null : c.points + ticketPoints(s, policy),
  };
}

function ticketPoints(s: SurveyRecord, policy: RatesPolicy): number {
  const p = policy.perTicketPoints;
  if (!p || s.resolved === null || s.satisfaction === null) return 0;
  const noes = (s.resolved === 'unresolved' ? 1 : 0) + (s.satisfaction === 'unsatisfied' ? 1 : 0);
  return noes === 0 ? p.bothYes : noes === 1 ? p.oneNo : p.bothNo;
}

function countsOf(u: RateCounts): RateCounts {
  return sum(ZERO, u, u.points);
}

function sum(a: RateCounts, b: RateCounts, points = a.points === null || b.points === null ? null : a.points + b.points): RateCounts {
  return {
    dispatched: a.dispatched + b.dispatched,
    signedInTime: a.signedInTime + b.signedInTime,
    surveyed: a.surveyed + b.surveyed,
    unreached: a.unreached + b.unreached,
    resolutionRated: a.resolutionRated + b.resolutionRated,
    resolvedCount: a.resolvedCount + b.resolvedCount,
    satisfactionRated: a.satisfactionRated + b.satisfactionRated,
    satisfied: a.satisfied + b.satisfied,
    basicallySatisfied: a.basicallySatisfied + b.basicallySatisfied,
    unsatisfied: a.unsatisfied + b.unsatisfied,
    points,
  };
}

function figures(c: RateCounts, policy: RatesPolicy): RateFigures {
  const w = policy.satisfactionWeights;
  const satisfactionScore = c.satisfied * w.satisfied + c.basicallySatisfied * w.basically_satisfied + c.unsatisfied * w.unsatisfied;
  const responseRate = ratio(c.signedInTime, c.dispatched);
  const resolutionRate = ratio(c.resolvedCount, policy.resolutionDenominator === 'rated' ? c.resolutionRated : c.surveyed);
  const satisfactionBase = policy.satisfactionDenominator === 'rated' ? c.satisfactionRated : c.surveyed;
  const satisfactionRate = satisfactionBase === 0 ? null : satisfactionScore / (100 * satisfactionBase);
  return { responseRate, resolutionRate, satisfactionScore, satisfactionRate, composite: composite(responseRate, resolutionRate, satisfactionRate, policy) };
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function composite(response: number | null, resolution: number | null, satisfaction: number | null, policy: RatesPolicy): number | null {
  const cw = policy.compositeWeights;
  const parts: Array<[number, number | null]> = [[cw.response, response], [cw.resolution, resolution], [cw.satisfaction, satisfaction]];
  if (parts.every(([, rate]) => rate === null)) return null;
  let weighted = 0;
  let weights = 0;
  for (const [weight, rate] of parts) {
    if (rate === null && policy.compositeWhenMissing === 'reweight') continue;
    weighted += weight * (rate ?? 0);
    weights += weight;
  }
  return weights === 0 ? null : (100 * weighted) / weights;
}

function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
