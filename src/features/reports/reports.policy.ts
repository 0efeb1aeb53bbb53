import { DEFAULT_RATES_POLICY } from '../../domain/rates.ts';
import type { RatesPolicy } from '../../domain/rates.ts';
import { DEFAULT_RANKING_RULES } from '../../domain/ranking.ts';
import type { RankingRules } from '../../domain/ranking.ts';
import { DEFAULT_HOTSPOT_RULE } from '../../domain/hotspots.ts';
import type { HotspotRule } from '../../domain/hotspots.ts';
import { hotlineError } from '../../domain/errors.ts';

/** Beijing's per-ticket points: +1 resolved and satisfied, −0.5 for one no, −1 for two. */
export const BEIJING_TICKET_POINTS = { bothYes: 1, oneNo: -0.5, bothNo: -1 } as const;

/**
 * How requests are counted for the governance class: 'dispatched' counts the dispatch rounds a unit
 * led in the month; 'located' counts the tickets created in the month about the unit's area.
 */
export type VolumeBasis = 'dispatched' | 'located';

export interface ReportsPolicy {
  readonly rates: RatesPolicy;
  readonly ranking: RankingRules;
  readonly volume: VolumeBasis;
  readonly hotspot: HotspotRule & { readonly sweepSeconds: number };
  /** How long the figures of a month not yet closed are reused before being computed again. */
  readonly openMonthCacheSeconds: number;
  /** Rows in the top-categories and hotspot-streets lists. */
  readonly listLength: number;
}

export const DEFAULT_REPORTS_POLICY: ReportsPolicy = {
  rates: DEFAULT_RATES_POLICY,
  ranking: DEFAULT_RANKING_RULES,
  volume: 'dispatched',
  hotspot: { ...DEFAULT_HOTSPOT_RULE, sweepSeconds: 60 },
  openMonthCacheSeconds: 30,
  listLength: 10,
};

export interface ReportsPolicyInput {
  rates?: Partial<Omit<RatesPolicy, 'satisfactionWeights' | 'compositeWeights'>> & {
    satisfactionWeights?: Partial<RatesPolicy['satisfactionWeights']>;
    compositeWeights?: Partial<RatesPolicy['compositeWeights']>;
  };
  ranking?: Partial<RankingRules>;
  volume?: VolumeBasis;
  hotspot?: Partial<ReportsPolicy['hotspot']>;
  openMonthCacheSeconds?: number;
  listLength?: number;
}

/** The defaults overlaid with `input`, checked: a wrong value fails at start, never in a report. */
export function reportsPolicy(input: ReportsPolicyInput = {}): ReportsPolicy {
  const base = DEFAULT_REPORTS_POLICY;
  const rates: RatesPolicy = {
    ...base.rates,
    ...input.rates,
    satisfactionWeights: { ...base.rates.satisfactionWeights, ...input.rates?.satisfactionWeights },
    compositeWeights: { ...base.rates.compositeWeights, ...input.rates?.compositeWeights },
  };
  const policy: ReportsPolicy = {
    rates,
    ranking: { ...base.ranking, ...input.ranking },
    volume: input.volume ?? base.volume,
    hotspot: { ...base.hotspot, ...input.hotspot },
    openMonthCacheSeconds: input.openMonthCacheSeconds ?? base.openMonthCacheSeconds,
    listLength: input.listLength ?? base.listLength,
  };
  const problems: string[] = [];
  for (const [k, v] of Object.entries(rates.satisfactionWeights)) if (!(v >= 0 && v <= 100)) problems.push(`rates.satisfactionWeights.${k}`);
  const cw = rates.compositeWeights;
  for (const [k, v] of Object.entries(cw)) if (!(v >= 0)) problems.push(`rates.compositeWeights.${k}`);
  if (!(cw.response + cw.resolution + cw.satisfaction > 0)) problems.push('rates.compositeWeights');
  for (const k of ['resolutionDenominator', 'satisfactionDenominator'] as const) if (rates[k] !== 'rated' && rates[k] !== 'surveyed') problems.push(`rates.${k}`);
  if (rates.compositeWhenMissing !== 'reweight' && rates.compositeWhenMissing !== 'zero') problems.push('rates.compositeWhenMissing');
  for (const [k, v] of Object.entries(policy.ranking)) if (!Number.isInteger(v) || v < 0) problems.push(`ranking.${k}`);
  if (policy.volume !== 'dispatched' && policy.volume !== 'located') problems.push('volume');
  if (!(policy.hotspot.windowHours > 0) || !Number.isInteger(policy.hotspot.threshold) || policy.hotspot.threshold < 1) problems.push('hotspot');
  if (!(policy.hotspot.sweepSeconds >= 1)) problems.push('hotspot.sweepSeconds');
  if (!(policy.openMonthCacheSeconds >= 0)) problems.push('openMonthCacheSeconds');
  if (!Number.isInteger(policy.listLength) || policy.listLength < 1 || policy.listLength > 100) problems.push('listLength');
  if (problems.length > 0) throw hotlineError('ERR_VALIDATION', { field: 'reportsPolicy', problems });
  return policy;
}
