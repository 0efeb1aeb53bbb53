import type { UnitRates } from './rates.ts';

export type RankingClass = 'advanced' | 'progress' | 'rectification' | 'governance';

export const RANKING_CLASSES: readonly RankingClass[] = ['advanced', 'progress', 'rectification', 'governance'];

/** What ranking needs of a unit's month: its composite score and how many tickets it was sent. */
export type RankingFigures = Pick<UnitRates, 'unitCode' | 'dispatched' | 'composite'>;

export interface RankingRules {
  /** Top N by composite. */
  readonly advancedCount: number;
  /** Top N by composite gain over the previous month; only a gain above 0 counts. */
  readonly progressCount: number;
  /** Bottom N by composite, among units not already advanced. */
  readonly rectificationCount: number;
  /** Top N by request volume. */
  readonly governanceCount: number;
  /** A unit sent fewer tickets than this in the month is not ranked. */
  readonly minDispatched: number;
}

export const DEFAULT_RANKING_RULES: RankingRules = {
  advancedCount: 10, progressCount: 10, rectificationCount: 10, governanceCount: 10, minDispatched: 1,
};

export interface UnitRanking {
  readonly unitCode: string;
  /**
   * 1 for the highest composite; ties are broken by unit code. Null when the unit is not ranked:
   * fewer dispatches than `minDispatched`, or no composite (no rate has a denominator). An unranked
   * unit is in no class except, by its volume, governance.
   */
  readonly rank: number | null;
  readonly composite: number | null;
  /** Composite minus last month's; null without a composite in either month. */
  readonly gain: number | null;
  readonly volume: number;
  readonly classes: readonly RankingClass[];
}

/**
 * The month's ranking of units into the four classes. `volumeByUnit` holds the requests each unit
 * received (units only named there appear unranked). Sorted by rank, unranked units last, by code.
 */
export function monthlyRanking(
  current: readonly RankingFigures[],
  previous: readonly RankingFigures[] | null | undefined,
  volumeByUnit: ReadonlyMap<string, number>,
  rules: RankingRules = DEFAULT_RANKING_RULES,
): UnitRanking[] {
  const byUnit = new Map<string, RankingFigures>();
  for (const u of current) byUnit.set(u.unitCode, u);
  const before = new Map<string, number | null>();
  for (const u of previous ?? []) before.set(u.unitCode, u.composite);
  const codes = [...new Set([...byUnit.keys(), ...volumeByUnit.keys()])].sort(byCode);

  const ranked = codes
    .map((code) => byUnit.get(code))
    .filter((u): u is RankingFigures & { composite: number } => u !== undefined && u.composite !== null && u.dispatched >= rules.minDispatched)
    .sort((a, b) => b.composite - a.composite || byCode(a.unitCode, b.unitCode));
  const rank = new Map(ranked.map((u, i) => [u.unitCode, i + 1]));

  const gainOf = (code: string): number | null => {
    const now = byUnit.get(code)?.composite ?? null;
    const then = before.get(code) ?? null;
    return now === null || then === null ? null : now - then;
  };
  const volumeOf = (code: string): number => volumeByUnit.get(code) ?? 0;

  const advanced = new Set(ranked.slice(0, rules.advancedCount).map((u) => u.unitCode));
  const progress = new Set(
    top(ranked.map((u) => u.unitCode).filter((c) => (gainOf(c) ?? 0) > 0), (c) => gainOf(c)!, rules.progressCount),
  );
  const notAdvanced = ranked.filter((u) => !advanced.has(u.unitCode)).map((u) => u.unitCode);
  const rectification = new Set(
    rules.rectificationCount > 0 ? notAdvanced.slice(Math.max(0, notAdvanced.length - rules.rectificationCount)) : [],
  );
  const governance = new Set(top(codes.filter((c) => volumeOf(c) > 0), volumeOf, rules.governanceCount));

  const member: Record<RankingClass, ReadonlySet<string>> = { advanced, progress, rectification, governance };
  return codes
    .map((unitCode) => ({
      unitCode,
      rank: rank.get(unitCode) ?? null,
      composite: byUnit.get(unitCode)?.composite ?? null,
      gain: gainOf(unitCode),
      volume: volumeOf(unitCode),
      classes: RANKING_CLASSES.filter((k) => member[k].has(unitCode)),
    }))
    .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || byCode(a.unitCode, b.unitCode));
}

function top(codes: readonly string[], value: (code: string) => number, count: number): string[] {
  if (count <= 0) return [];
  return [...codes].sort((a, b) => value(b) - value(a) || byCode(a, b)).slice(0, count);
}

function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
