import type { FeatureContext, FeatureRegistration } from '../../app.ts';
import { CHINA_2026_CALENDAR } from '../../domain/business-calendar.ts';
import type { BusinessCalendar } from '../../domain/business-calendar.ts';
import { DEFAULT_DEADLINE_POLICY } from '../../domain/deadlines.ts';
import type { DeadlinePolicy } from '../../domain/deadlines.ts';
import { createTicketAudit } from '../tickets/ticket-audit.ts';
import { createCalendarBook, watchCalendar } from './dispatch.calendar.ts';
import type { CalendarBook } from './dispatch.calendar.ts';
import { createDispatchRepo } from './dispatch.repo.ts';
import type { DispatchRepo } from './dispatch.repo.ts';
import { registerDispatchRoutes } from './dispatch.routes.ts';
import { createHandling } from './dispatch.service.ts';
import type { Handling, HandlingNotice, SurveyRequest } from './dispatch.service.ts';
import { createDeadlineSweeper, startDeadlineTimer, SWEEP_INTERVAL_MS } from './dispatch.sweeper.ts';
import type { SweepReport } from './dispatch.sweeper.ts';
import { createHandlingViews } from './dispatch.views.ts';
import type { HandlingViews } from './dispatch.views.ts';
import { SEED_HANDLING_UNITS, seedHandlingUnits } from './handling-units.ts';
import type { HandlingUnit } from './handling-units.ts';
import { registerUnitNotices } from './unit-notices.routes.ts';
import { registerCentreNotices } from './centre-notices.routes.ts';
import type { CentreNoticeDesk } from './centre-notices.routes.ts';
import { registerDeskIntake } from './desk-intake.routes.ts';
import type { UnitNoticeDesk } from './unit-notices.routes.ts';
import type { NoticeFanoutSettings } from './unit-notices.socket.ts';
import { createUnitsRepo } from '../units/units.repo.ts';

export interface DispatchOptions {
  policy: DeadlinePolicy;
  /** The built-in and configured days; a year an administrator stores (calendar_versions) takes that year's place, live. */
  calendar: BusinessCalendar;
  /** City departments and utilities, seeded into units at start; the units in use are then read live from the directory. */
  handlingUnits: readonly HandlingUnit[];
  sweepEveryMs: number;
  /** Sees every notice besides the units' and the centre's own (stored, pushed to their pages) and the log. */
  notify?: (notice: HandlingNotice) => void;
  /** Limits of the portal's notice sockets. */
  noticeSockets?: Partial<NoticeFanoutSettings>;
  scheduleSurvey?: (request: SurveyRequest) => void;
  /** Sees the feature's parts once registered (tests, benches, the survey feature). */
  onReady?: (parts: DispatchParts) => void;
}

export interface DispatchParts {
  repo: DispatchRepo;
  handling: Handling;
  views: HandlingViews;
  unitNotices: UnitNoticeDesk;
  centreNotices: CentreNoticeDesk;
  /** The calendar the clocks use now (the administrators' years over the built-in and configured ones). */
  calendar: CalendarBook;
  sweepDeadlines(now: number): SweepReport;
}

/** Dispatch, the handling lifecycle, the deadline sweeper, the unit portal's and the centre review desk's API, as one feature. */
export function dispatchFeature(options: Partial<DispatchOptions> = {}): FeatureRegistration {
  return (ctx: FeatureContext) => {
    const { app, deps } = ctx;
    seedHandlingUnits(deps.db, options.handlingUnits ?? SEED_HANDLING_UNITS);
    // Read at each use: an administrator's change to the calendar or the directory applies without a restart.
    const calendar = createCalendarBook(deps.db, options.calendar ?? CHINA_2026_CALENDAR);
    const policy = options.policy ?? DEFAULT_DEADLINE_POLICY;
    const rules = { policy, get calendar() { return calendar.current(); } };
    const directory = createUnitsRepo(deps.db);
    const repo = createDispatchRepo(deps.db);
    const audit = createTicketAudit(deps.db);
    const log = deps.log.child({ component: 'dispatch' });
    const unitNotices = registerUnitNotices(app, {
      db: deps.db, repo, clock: deps.clock, log: deps.log, ...(options.noticeSockets ? { settings: options.noticeSockets } : {}),
    });
    const centreNotices = registerCentreNotices(app, {
      db: deps.db, clock: deps.clock, log: deps.log, ...(options.noticeSockets ? { settings: options.noticeSockets } : {}),
    });
    const notify = (n: HandlingNotice) => {
      log.info({ to: n.to, unit: n.unitCode ?? undefined, about: n.about, ticketId: n.ticketId }, 'handling notice');
      if (n.to === 'unit') unitNotices.notify(n);
      else centreNotices.notify(n);
      options.notify?.(n);
    };
    const handling = createHandling({
      repo, audit, clock: deps.clock, log: deps.log, rules, notify,
      ...(options.scheduleSurvey ? { scheduleSurvey: options.scheduleSurvey } : {}),
    });
    const views = createHandlingViews({ repo, audit, get handlingUnits() { return directory.handlingUnits(); } });
    const { sweepDeadlines } = createDeadlineSweeper({ repo, handling, audit, log: deps.log, notify });
    registerDispatchRoutes(app, { handling, views, repo, audit, clock: deps.clock, get handlingUnits() { return directory.handlingUnits(); } });
    registerDeskIntake(app, { db: deps.db, repo, handling, views, tickets: ctx.tickets, clock: deps.clock, rules, get handlingUnits() { return directory.handlingUnits(); } });
    const checkCalendar = watchCalendar(() => calendar.current(), log);
    checkCalendar(deps.clock.now());
    const stop = startDeadlineTimer(deps.clock, (now) => { checkCalendar(now); return sweepDeadlines(now); }, options.sweepEveryMs ?? SWEEP_INTERVAL_MS);
    app.addHook('onClose', async () => { stop(); });
    options.onReady?.({ repo, handling, views, unitNotices, centreNotices, calendar, sweepDeadlines });
  };
}

/** The feature with the default policy, calendar and seed units. */
export function registerDispatch(ctx: FeatureContext): void {
  void dispatchFeature()(ctx);
}
