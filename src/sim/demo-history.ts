/**
 * The demo's month of history (npm start with the simulator): so that reports, rankings, hotspots and the
 * wallboard's charts show something on the first start, the 30 days before today (and today until the start) are
 * lived through in virtual time by the simulator's seeded generator — calls, agents' shifts, tickets, dispatches,
 * units' work, closures, callback surveys, deadline warnings, hotspot alerts — and written through the services and
 * repositories the live service uses, so that every report reads them as it reads real ones. The same seed gives
 * the same month. Only into a database with no calls and no tickets, and only once (an audit row marks it).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { createBus } from '../bus.ts';
import type { Config } from '../config/config.ts';
import { DEFAULT_DEADLINE_POLICY } from '../domain/deadlines.ts';
import { shanghaiDayStart } from '../domain/survey-dialer.ts';
import { createAgentsRepo } from '../features/agents/agents.repo.ts';
import { createAuthRepo } from '../features/auth/auth.repo.ts';
import { createAuthService, DEFAULT_AUTH_SETTINGS } from '../features/auth/auth.service.ts';
import type { Account } from '../features/auth/auth.service.ts';
import { seedDemoUsers } from '../features/auth/demo-users.ts';
import { hashPassword } from '../features/auth/passwords.ts';
import { createCallbacksRepo } from '../features/callbacks/callbacks.repo.ts';
import { createCallsRepo } from '../features/calls/calls.repo.ts';
import { createCentreNotices } from '../features/dispatch/centre-notices.ts';
import { calendarFrom } from '../features/dispatch/dispatch.calendar.ts';
import { createDispatchRepo } from '../features/dispatch/dispatch.repo.ts';
import { createHandling } from '../features/dispatch/dispatch.service.ts';
import type { ActorContext, HandlingNotice } from '../features/dispatch/dispatch.service.ts';
import { createDeadlineSweeper } from '../features/dispatch/dispatch.sweeper.ts';
import { SEED_HANDLING_UNITS, seedHandlingUnits } from '../features/dispatch/handling-units.ts';
import { createUnitNotices } from '../features/dispatch/unit-notices.ts';
import { ensureUnitUsers } from '../features/dispatch/unit-users.ts';
import { createHotspotsRepo } from '../features/hotspots/hotspots.repo.ts';
import { createHotspotsService } from '../features/hotspots/hotspots.service.ts';
import { reportsPolicyFrom } from '../features/reports/reports.config.ts';
import { reportsPolicy } from '../features/reports/reports.policy.ts';
import { createReportsSource } from '../features/reports/reports.source.ts';
import { scheduleSurvey } from '../features/surveys/surveys.service.ts';
import { surveyConfigFrom } from '../features/surveys/surveys.config.ts';
import { createSurveysRepo } from '../features/surveys/surveys.repo.ts';
import { surveyConfig } from '../features/surveys/surveys.schemas.ts';
import { createTicketAudit } from '../features/tickets/ticket-audit.ts';
import { createTicketsRepo } from '../features/tickets/tickets.repo.ts';
import { createTicketsService } from '../features/tickets/tickets.service.ts';
import { migrate, openDatabase } from '../store/database.ts';
import type { Database } from '../store/database.ts';
import { readUnitsSeed, seedUnits } from '../store/seed-units.ts';
import { simulatedSeat, simulatedUsername } from './actors/agents.ts';
import { createCallsHistory } from './demo-history-calls.ts';
import { placePicker } from './demo-history-content.ts';
import { createSurveysHistory } from './demo-history-surveys.ts';
import { createTicketsHistory } from './demo-history-tickets.ts';
import { createPrng } from './prng.ts';
import { historyClock, timeline } from './demo-history-timeline.ts';

const DAY = 24 * 3_600_000;
const MARKER = 'demo.history_written';

export interface DemoHistoryCounts {
  days: number; calls: number; answered: number; abandoned: number; overflowed: number; callbacks: number; agentStates: number;
  tickets: number; dispatched: number; answeredDirectly: number; merged: number; returned: number; closed: number; reworked: number;
  surveyJobs: number; surveysAnswered: number; surveysGivenUp: number; reopened: number; warnings: number; overdue: number; hotspots: number;
}

export interface DemoHistoryAccounts { agents: Account[]; supervisor: Account; password: string }

/** Whether the database has never served (no calls, no tickets) and holds no history yet. */
export function databaseIsEmpty(db: Database): boolean {
  return db.prepare(`SELECT NOT EXISTS (SELECT 1 FROM calls) AND NOT EXISTS (SELECT 1 FROM tickets)
    AND NOT EXISTS (SELECT 1 FROM audit_log WHERE action = ?)`).pluck().get(MARKER) === 1;
}

/**
 * Lives through `days` days before the day of `now`, and that day until `now`, writing what the service would have
 * written. Synchronous, in one transaction; the accounts (simulated agents, the demo supervisor) must exist.
 */
export function writeHistory(o: { db: Database; config: Config; log: Logger; now: number; days: number; accounts: DemoHistoryAccounts; unitPasswordHash: string }): DemoHistoryCounts {
  const { db, config } = o;
  const quiet = o.log.child({ component: 'demo-history' }, { level: 'warn' });
  const from = shanghaiDayStart(o.now) - o.days * DAY;
  const clock = historyClock(from);
  const prng = createPrng(config.simulator.seed + 3);
  const line = config.lines[0]!;
  const steps = timeline();
  const dispatchRepo = createDispatchRepo(db);
  const audit = createTicketAudit(db);
  const unitNotices = createUnitNotices(db);
  const centreNotices = createCentreNotices(db);
  const notify = (n: HandlingNotice) => {
    if (n.to === 'unit') unitNotices.record({ unitCode: n.unitCode, about: n.about, ticketId: n.ticketId, number: n.number, at: clock.now() });
    else centreNotices.record({ about: n.about, ticketId: n.ticketId, number: n.number, unitCode: n.unitCode, at: clock.now() });
  };
  const surveysRepo = createSurveysRepo(db);
  const surveys = surveyConfig({ app: config.ari.app, callerId: line.number, ...surveyConfigFrom(config) });
  const handling = createHandling({
    repo: dispatchRepo, audit, clock, log: quiet, notify,
    rules: { policy: DEFAULT_DEADLINE_POLICY, calendar: calendarFrom(config.calendar) },
    scheduleSurvey: (request) => {
      const outcome = scheduleSurvey({ repo: surveysRepo, clock, log: quiet, config: surveys }, request);
      if (outcome.scheduled) dialler.scheduled(outcome.jobId, outcome.dueAt);
    },
  });
  const { sweepDeadlines } = createDeadlineSweeper({ repo: dispatchRepo, handling, audit, log: quiet, notify });
  const unitName = (code: string) => dispatchRepo.unit(code)?.name ?? code;
  const hotspots = createHotspotsService({
    tickets: createReportsSource(db), repo: createHotspotsRepo(db), bus: createBus(), clock, log: quiet,
    rule: reportsPolicy(reportsPolicyFrom(config)).hotspot, unitName,
  });
  const authRepo = createAuthRepo(db);
  const agentsRepo = createAgentsRepo(db);
  let lastSweep = 0;
  let hotspotCount = 0;
  const unitUser = db.prepare("SELECT id FROM users WHERE unit_id = ? AND role = 'unit' ORDER BY created_at, id LIMIT 1").pluck();
  const actors = new Map<string, { ctx: ActorContext; readAt: number }>();
  let centreReadAt = 0;

  const calls = createCallsHistory({
    prng, calls: createCallsRepo(db), agents: agentsRepo, callbacks: createCallbacksRepo(db), from, to: o.now,
    seats: o.accounts.agents.map((a) => ({ id: a.agentId!, seat: agentsRepo.byId(a.agentId!)?.seat ?? a.agentId! })),
    settings: {
      line: line.number, queueId: line.queue ?? config.queues[0]!.id, wrapUpMs: line.wrapUpSeconds * 1000, greetingMs: 3_000,
      talkMs: config.simulator.talkSeconds * 1000, patienceMs: Math.max(90, config.simulator.patienceSeconds * 1.5) * 1000,
      overflowMs: 180_000, callbacks: config.callbacks,
    },
  });
  const tickets = createTicketsHistory({
    prng, handling, repo: dispatchRepo, handlingUnits: SEED_HANDLING_UNITS, agents: o.accounts.agents, supervisor: o.accounts.supervisor,
    end: o.now, at: steps.at, transaction: (fn) => db.transaction(fn)(),
    tickets: createTicketsService({ repo: createTicketsRepo(db), clock, log: quiet }),
    place: placePicker(db.prepare("SELECT code, name, district_code AS districtCode FROM units WHERE kind <> 'district' AND district_code IS NOT NULL ORDER BY code").all() as Array<{ code: string; name: string; districtCode: string }>),
    unitActor(unitCode, at) {
      let known = actors.get(unitCode);
      if (!known) {
        let id = unitUser.get(unitCode) as string | undefined;
        if (id === undefined) {
          const account = authRepo.insertUser({ username: `unit-${unitCode}`, password: { hash: o.unitPasswordHash }, passwordHash: o.unitPasswordHash, role: 'unit', displayName: unitName(unitCode), now: from });
          dispatchRepo.setUserUnit(account.id, unitCode);
          id = account.id;
        }
        known = { ctx: handling.actorOf({ id, username: `unit-${unitCode}`, displayName: unitName(unitCode), role: 'unit', agentId: null }), readAt: 0 };
        actors.set(unitCode, known);
      }
      // The unit's staff read their notices when they come to act (at most every few hours).
      if (at - known.readAt > 4 * 3_600_000) { unitNotices.markRead({ unitCode, userId: known.ctx.actor.id!, ids: 'all', now: at }); known.readAt = at; }
      return known.ctx;
    },
    centreActs(at) {
      if (at - centreReadAt > 2 * 3_600_000) { centreNotices.markRead({ userId: o.accounts.supervisor.id, ids: 'all', now: at }); centreReadAt = at; }
    },
    created(at) {
      const minute = Math.ceil((at + 1) / 60_000) * 60_000;
      if (minute > lastSweep) { lastSweep = minute; steps.at(minute, () => { hotspotCount += hotspots.sweep().length; }); }
    },
  });
  const dialler = createSurveysHistory({
    prng, repo: surveysRepo, config: surveys, now: clock.now, at: steps.at, qualityOf: tickets.qualityOf, reopen: tickets.reopen,
  });
  const raised = { warnings: 0, overdue: 0 };
  const nextCheck = db.prepare('SELECT min(next_check_at) FROM ticket_dispatches WHERE next_check_at IS NOT NULL').pluck();

  /** The deadline sweeper's minutes up to `t` that find something due (it runs every minute in the live service). */
  function sweepUntil(t: number): void {
    for (;;) {
      const due = nextCheck.get() as number | null;
      const minute = due === null ? Infinity : Math.ceil(due / 60_000) * 60_000;
      if (minute > t) return;
      clock.set(minute);
      const r = sweepDeadlines(minute);
      raised.warnings += r.warnings;
      raised.overdue += r.overdue;
    }
  }
  function runUntil(t: number): void {
    for (let step = steps.next(t); step; step = steps.next(t)) {
      sweepUntil(step.at);
      clock.set(step.at);
      step.run();
    }
    sweepUntil(t);
  }

  db.transaction(() => {
    for (let day = from; day < o.now; day += DAY) {
      for (const call of calls.day(day)) tickets.fromCall(call);
      runUntil(Math.min(day + DAY, o.now));
    }
    calls.finish();
  })();
  const c = calls.tally, k = tickets.tally, s = dialler.tally;
  const counts: DemoHistoryCounts = {
    days: o.days, calls: c.calls, answered: c.answered, abandoned: c.abandoned, overflowed: c.overflowed, callbacks: c.callbacks,
    agentStates: c.agentStates, tickets: k.tickets, dispatched: k.dispatched, answeredDirectly: k.answered, merged: k.merged,
    returned: k.returned, closed: k.closed, reworked: k.reworked, surveyJobs: s.jobs, surveysAnswered: s.answered,
    surveysGivenUp: s.gaveUp, reopened: s.reopened, warnings: raised.warnings, overdue: raised.overdue, hotspots: hotspotCount,
  };
  db.prepare("INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, 'system', ?, 'demo-history', ?)").run(o.now, MARKER, JSON.stringify(counts));
  return counts;
}

/** The simulated agents' accounts as startSimulatedAgents makes them, and the demo accounts npm start makes, as of `at`. */
async function demoAccounts(db: Database, config: Config, log: Logger, at: number): Promise<DemoHistoryAccounts> {
  const auth = createAuthService({ repo: createAuthRepo(db), clock: historyClock(at), log });
  const password = DEFAULT_AUTH_SETTINGS.demoPassword;
  const hash = await hashPassword(password);
  const agents: Account[] = [];
  for (let i = 1; i <= config.simulator.agents; i++) {
    const username = simulatedUsername(i);
    const account = auth.findAccountByUsername(username)
      ?? await auth.createUser({ username, password: { hash }, role: 'agent', displayName: `坐席 ${String(i).padStart(4, '0')}`, agent: { seat: simulatedSeat(i) } });
    if (account.agentId) agents.push(account);
  }
  await seedDemoUsers(auth, { agents: 0, password });
  await ensureUnitUsers(auth, createDispatchRepo(db), [{ username: 'unit', displayName: '建外街道', unitCode: '110105001' }], password);
  return { agents, supervisor: auth.findAccountByUsername('supervisor')!, password };
}

/**
 * npm start's step before the service starts: with the simulator and `simulator.history` on, a database that has
 * never served gets its month of history. Logs `demo history written` with the counts and the time it took.
 */
export async function writeDemoHistory(o: { config: Config; log: Logger; now?: number; days?: number }): Promise<DemoHistoryCounts | undefined> {
  const { config, log } = o;
  if (config.pbx.mode !== 'simulator' || config.simulator.history !== 'on' || config.simulator.agents === 0) return undefined;
  const started = performance.now();
  const db = openDatabase(config.database.path);
  try {
    migrate(db);
    if (!databaseIsEmpty(db)) {
      log.info('demo history not written: the database has calls or tickets already');
      return undefined;
    }
    seedUnits(db, readUnitsSeed());
    seedHandlingUnits(db, SEED_HANDLING_UNITS);
    const now = o.now ?? Date.now();
    const days = o.days ?? 30;
    const accounts = await demoAccounts(db, config, log, shanghaiDayStart(now) - days * DAY);
    const unitPasswordHash = await hashPassword(randomBytes(24).toString('base64url'));
    const counts = writeHistory({ db, config, log, now, days, accounts, unitPasswordHash });
    log.info({ ...counts, ms: Math.round(performance.now() - started) }, 'demo history written');
    return counts;
  } finally {
    db.close();
  }
}
