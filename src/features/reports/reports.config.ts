import type { Config } from '../../config/config.ts';
import type { ReportsPolicyInput } from './reports.policy.ts';

/** The rates, ranking and hotspot policy from the service configuration (`reports.*`); see POLICY.md. */
export function reportsPolicyFrom(config: Pick<Config, 'reports'>): ReportsPolicyInput {
  const r = config.reports;
  return {
    rates: {
      satisfactionWeights: { ...r.rates.satisfactionWeights },
      resolutionDenominator: r.rates.resolutionDenominator,
      satisfactionDenominator: r.rates.satisfactionDenominator,
      compositeWeights: { ...r.rates.compositeWeights },
      compositeWhenMissing: r.rates.compositeWhenMissing,
      perTicketPoints: r.rates.perTicketPoints === null ? null : { ...r.rates.perTicketPoints },
    },
    ranking: { ...r.ranking },
    volume: r.volume,
    hotspot: { ...r.hotspot },
    openMonthCacheSeconds: r.openMonthCacheSeconds,
    listLength: r.listLength,
  };
}
