import type { FeatureContext, FeatureRegistration } from '../../app.ts';
import type { Taxonomy } from '../../domain/taxonomy.ts';
import { createHotspotsRepo } from '../hotspots/hotspots.repo.ts';
import { createHotspotsService } from '../hotspots/hotspots.service.ts';
import type { HotspotsService } from '../hotspots/hotspots.service.ts';
import { registerHotspotRoutes } from '../hotspots/hotspots.routes.ts';
import { reportsPolicy } from './reports.policy.ts';
import type { ReportsPolicyInput } from './reports.policy.ts';
import { createReportsRepo } from './reports.repo.ts';
import { createReportsService } from './reports.service.ts';
import type { ReportsService } from './reports.service.ts';
import { registerReportRoutes } from './reports.routes.ts';
import { createReportsSource } from './reports.source.ts';

export interface ReportsOptions {
  policy?: ReportsPolicyInput;
  /** Run the hotspot sweeper on a timer; default true. */
  sweepHotspots?: boolean;
  /** The category tree in force at a time, for a past month's category names (src/features/admin/category-versions.ts). */
  categoriesAt?: (at: number) => Taxonomy;
  /** Sees the services once built (tests, the wallboard). */
  onReady?: (built: { reports: ReportsService; hotspots: HotspotsService }) => void;
}

/** The reports feature with its policy: rates, ranking, scorecards, CSV, the /reports/ page's data and hotspot alerts. */
export function reportsFeature(options: ReportsOptions = {}): FeatureRegistration {
  return (ctx) => registerReports(ctx, options);
}

export function registerReports(ctx: FeatureContext, options: ReportsOptions = {}): void {
  const { app, deps } = ctx;
  const policy = reportsPolicy(options.policy);
  const source = createReportsSource(deps.db);
  const reports = createReportsService({ source, repo: createReportsRepo(deps.db), clock: deps.clock, policy });
  const unitName = (code: string) => reports.units().get(code)?.name ?? code;
  const hotspotsRepo = createHotspotsRepo(deps.db);
  const hotspots = createHotspotsService({
    tickets: source, repo: hotspotsRepo, bus: deps.bus, clock: deps.clock, log: deps.log.child({ component: 'hotspots' }),
    rule: policy.hotspot, unitName,
  });
  registerReportRoutes(app, { reports, unitOfUser: source.unitOfUser, categoriesAt: options.categoriesAt });
  registerHotspotRoutes(app, { repo: hotspotsRepo, now: () => deps.clock.now(), unitOfUser: source.unitOfUser, unitName });
  if (options.sweepHotspots !== false) {
    hotspots.start();
    app.addHook('onClose', async () => { hotspots.stop(); });
  }
  options.onReady?.({ reports, hotspots });
}
