import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { createBus } from './bus.ts';
import type { Bus } from './bus.ts';
import { realClock } from './clock.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config/config.ts';
import { build } from './app.ts';
import type { AppSettings, HotlineApp } from './app.ts';
import { migrate, openDatabase } from './store/database.ts';
import type { Database } from './store/database.ts';
import { readUnitsSeed, seedUnits } from './store/seed-units.ts';
import { createAriClient } from './pbx/ari/client.ts';
import type { AriClient } from './pbx/ari/client.types.ts';
import type { Simulator } from './sim/types.ts';
import { createAmiClient } from './pbx/ami/client.ts';
import type { AmiClient } from './pbx/ami/types.ts';
import { createAgentsRepo } from './features/agents/agents.repo.ts';
import { createAgentsService } from './features/agents/agents.service.ts';
import type { AgentsService } from './features/agents/agents.service.ts';
import { registerAgentRoutes } from './features/agents/agents.routes.ts';
import { attachAgentPhones } from './features/agents/agents.stasis.ts';
import { createCallsRepo } from './features/calls/calls.repo.ts';
import type { CallsRepo } from './features/calls/calls.repo.ts';
import { createCallsService } from './features/calls/calls.service.ts';
import type { CallsService } from './features/calls/calls.service.ts';
import { attachCallsStasis } from './features/calls/calls.stasis.ts';
import { attachCallsReconcile } from './features/calls/calls.reconcile.ts';
import type { CallsSettings } from './features/calls/calls.types.ts';
import { acdConfigFrom, announcementPoliciesFrom, callRoutingFrom } from './features/calls/queue-settings.ts';
import { createCallbacksRepo } from './features/callbacks/callbacks.repo.ts';
import { createCallbacksService } from './features/callbacks/callbacks.service.ts';
import type { CallbacksService } from './features/callbacks/callbacks.service.ts';
import { registerCallbackRoutes } from './features/callbacks/callbacks.routes.ts';
import { createRecordingsRepo } from './features/recordings/recordings.repo.ts';
import type { RecordingsRepo } from './features/recordings/recordings.repo.ts';
import { createRecordingsService, DEFAULT_RECORDINGS_SETTINGS } from './features/recordings/recordings.service.ts';
import type { RecordingsService, RecordingsSettings } from './features/recordings/recordings.service.ts';
import { startSimulatedActors } from './sim/actors/index.ts';
import { dispatchFeature } from './features/dispatch/dispatch.feature.ts';
import { reportsFeature } from './features/reports/reports.feature.ts';
import { surveysFeature } from './features/surveys/surveys.feature.ts';
import { registerWallboard } from './features/supervision/supervision.feature.ts';
import { taxonomyInForce } from './domain/taxonomy.ts';
import { registerOpenApi } from './openapi.ts';
import { registerSoftphone, seatsFromAgents } from './features/softphone/softphone.feature.ts';
import { metricsFeature } from './features/metrics/metrics.feature.ts';
import { adminFeature } from './features/admin/admin.feature.ts';
import { openLineVersions } from './features/admin/line-versions.ts';
import { createAdminAudit } from './features/admin/admin-audit.ts';
import type { CategoryVersions } from './features/admin/category-versions.ts';
import type { WallboardFeature } from './features/supervision/supervision.feature.ts';
import { referenceDataFeature } from './features/admin/reference-data.feature.ts';
import { surveyConfigFrom } from './features/surveys/surveys.config.ts';
import { reportsPolicyFrom } from './features/reports/reports.config.ts';
import { calendarFrom } from './features/dispatch/dispatch.calendar.ts';
import { registerDirectoryAdmin } from './features/admin/directory.feature.ts';
import { startAgentStateRetention } from './features/service-level/agent-state-retention.ts';
import { createPendingWrites, keepingWrites } from './store/pending-writes.ts';
import { registerKnowledge } from './features/knowledge/knowledge.routes.ts';
import { seedKnowledge } from './features/knowledge/knowledge.seed.ts';
import { registerTicketSearch } from './features/search/search.routes.ts';
import { registerTicketExport } from './features/exports/exports.routes.ts';
import { liveCallLookup } from './features/monitoring/live-calls.ts';
import { registerMonitoring } from './features/monitoring/monitoring.feature.ts';
import type { MonitoringFeature } from './features/monitoring/monitoring.feature.ts';
import { registerConference } from './features/conference/conference.feature.ts';
import type { ConferenceFeature } from './features/conference/conference.feature.ts';
import { registerRecordings } from './features/recordings/recordings.feature.ts';
import type { RecordingsFeature } from './features/recordings/recordings.feature.ts';
import type { DispatchParts } from './features/dispatch/dispatch.feature.ts';
import type { SimulatedActors } from './sim/actors/index.ts';

/** Timings tests and benches may shorten; production takes them from the config. */
export interface HotlineTuning {
  ringTimeoutMs: number;
  greetingGuardMs: number;
  recordings: Partial<Omit<RecordingsSettings, 'dir'>>;
  app: Partial<AppSettings>;
  /** Simulated sound lengths (ms), e.g. the greeting. */
  sounds: Record<string, number>;
  monitorRingSeconds: number;
  conferenceRingSeconds: number;
  recordingsRetention: { firstSweepMs?: number; retentionDays?: number; sweepEveryMs?: number };
}

export interface StartHotlineOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  /** Start the embedded simulator; default: when config.pbx.mode is 'simulator'. */
  simulator?: boolean;
  /** Simulated agents and callers from config.simulator (npm start). */
  actors?: boolean;
  /** Listen on config.service.host/port; default true. */
  listen?: boolean;
  tuning?: Partial<HotlineTuning>;
  /** Sees the ARI client before any feature subscribes to it (measurements see events first). */
  observeAri?: (ari: AriClient) => void;
}

export interface Hotline {
  url: string;
  app: HotlineApp;
  sim?: Simulator;
  actors?: SimulatedActors;
  ari: AriClient;
  ami?: AmiClient;
  db: Database;
  bus: Bus;
  agents: AgentsService;
  calls: CallsService;
  callsRepo: CallsRepo;
  callbacks: CallbacksService;
  recordings: RecordingsService;
  recordingsRepo: RecordingsRepo;
  monitoring?: MonitoringFeature;
  conference?: ConferenceFeature;
  recordingsAccess?: RecordingsFeature;
  close(): Promise<void>;
}

export function callsSettingsFrom(config: Config, tuning: Partial<HotlineTuning> = {}): CallsSettings {
  return {
    app: config.ari.app,
    ringTimeoutMs: tuning.ringTimeoutMs ?? config.agents.ringTimeoutSeconds * 1000,
    defaultWrapUpMs: config.agents.wrapUpSeconds * 1000,
    mohClass: 'default',
    greetingGuardMs: tuning.greetingGuardMs ?? 30_000,
    historyDays: 90,
    lines: config.lines.map((l) => ({ number: l.number, name: l.name, greeting: l.greeting, wrapUpMs: l.wrapUpSeconds * 1000, rateAfterCall: l.rateAfterCall })),
    acd: acdConfigFrom(config),
    announcements: announcementPoliciesFrom(config),
    overflowMessage: config.callbacks.message,
  };
}

/** The whole hotline: database, PBX (a real Asterisk or the simulator), features and the HTTP server. */
export async function startHotline(opts: StartHotlineOptions): Promise<Hotline> {
  const { log } = opts;
  const tuning = opts.tuning ?? {};
  const clock = opts.clock ?? realClock;
  const bus = createBus((topic, error) => log.error({ err: error, topic }, 'bus handler failed'));
  const recordingsDir = resolve(opts.config.recordings.dir);
  mkdirSync(recordingsDir, { recursive: true, mode: 0o700 });

  const db = openDatabase(opts.config.database.path, { log });
  migrate(db);
  // Lines and desks: the config file's are version 1; once edited in the admin console they live in the database.
  const lineVersions = openLineVersions({ db, clock, log, config: opts.config });
  const config: Config = { ...opts.config, ...lineVersions.inForce() };
  seedUnits(db, readUnitsSeed());
  seedKnowledge(db);
  // Call and agent writes the database refuses (busy, full) are kept and written later: a call never stops for them.
  const pendingWrites = createPendingWrites({ db, clock, log });
  const agentStateRetention = startAgentStateRetention({ db, clock, log, settings: { retentionDays: config.serviceLevel.agentStateRetentionDays } });

  let sim: Simulator | undefined;
  if (opts.simulator ?? config.pbx.mode === 'simulator') {
    const { startSimulator } = await import('./sim/index.ts');
    sim = await startSimulator({
      clock,
      seed: config.simulator.seed,
      ariUsers: [{ username: config.ari.username, password: config.ari.password || 'hotline' }],
      recordingsDir: join(recordingsDir, '.asterisk-spool'),
      dialplan: config.lines.map((l) => ({ line: l.number, app: config.ari.app, args: ['inbound', l.number] })),
      sounds: tuning.sounds ?? {},
    });
  }

  const ari = createAriClient({
    url: sim ? sim.ariUrl : config.ari.url,
    username: config.ari.username,
    password: sim ? config.ari.password || 'hotline' : config.ari.password,
    app: config.ari.app,
    log,
    clock,
    requestTimeoutMs: config.ari.requestTimeoutMs,
  });

  opts.observeAri?.(ari);
  const ami = connectAmi(config, sim, log, clock);
  const agents = createAgentsService({ repo: keepingWrites(createAgentsRepo(db), ['saveState'], pendingWrites), clock, bus, log, wrapUpMs: config.agents.wrapUpSeconds * 1000, skills: config.skills });
  agents.load();
  const recordingsRepo = createRecordingsRepo(db);
  const recordings = createRecordingsService({
    ari, repo: recordingsRepo, clock, log,
    settings: { ...DEFAULT_RECORDINGS_SETTINGS, ...tuning.recordings, dir: recordingsDir },
  });
  // Assigned once by build() below; the calls and callbacks services read it through closures before that.
  // eslint-disable-next-line prefer-const
  let app: HotlineApp | undefined;
  const callsRepo = createCallsRepo(db);
  const calls = createCallsService({
    ari, repo: keepingWrites(callsRepo, ['insertCall', 'saveCall', 'insertLeg', 'saveLeg', 'setQueue', 'markOverflow', 'markReleased'], pendingWrites),
    agents, clock, bus, log, recordings,
    settings: callsSettingsFrom(config, tuning),
    history: (number, now, days) => app?.tickets.recentTicketsForCaller(number, now, days) ?? [],
    priorityFor: (number) => (app?.tickets as { priorityFor?: (n: string) => number } | undefined)?.priorityFor?.(number) ?? 0,
    // The callback owed to a citizen is kept, in order with the call log, while the database refuses writes.
    onMissed: (missed) => pendingWrites.run('missed call on the callback list', () => callbacks.missed(missed)),
    // 一次一评: on a line that rates calls, the caller stays on after the agent hangs up and answers one question.
    rateAfterCall: (h) => surveys.startAfterCallRating(h.callerChannelId, h.callId),
  });
  const callbacks: CallbacksService = createCallbacksService({
    repo: createCallbacksRepo(db), agents, ari, clock, bus, log, settings: { ...config.callbacks, app: config.ari.app },
    quietSince: () => calls.queue.quietSince(),
    history: (number, now, days) => app?.tickets.recentTicketsForCaller(number, now, days) ?? [],
  });
  agents.setHooks({
    agentFree: () => calls.dispatch(),
    offerCancelled: (agentId, callId) => calls.offerCancelled(agentId, callId),
    stateChanged: (status) => calls.queue.seatChanged(status),
    skillsChanged: (agentId, skills) => { calls.queue.skillsChanged(agentId, skills); calls.dispatch(); },
    deskChanged: (agentId, desk) => { calls.queue.deskChanged(agentId, desk); calls.dispatch(); },
  });
  // A version of the lines and desks edited in the console is routed by from when it takes effect, calls in progress kept;
  // the wallboard, /metrics and the accounts' desk picker read the version in force at every use.
  let wallboard: WallboardFeature | undefined;
  let categories: CategoryVersions | undefined;
  lineVersions.start((doc) => { calls.applyRouting(callRoutingFrom(doc)); wallboard?.wallboard.refresh(); });
  const adminAudit = createAdminAudit(db, () => clock.now());

  const surveys = surveysFeature({ config: surveyConfigFrom(config) });
  let dispatchParts: DispatchParts | undefined;
  let monitoring: MonitoringFeature | undefined;
  let conference: ConferenceFeature | undefined;
  let recordingsFeature: RecordingsFeature | undefined;
  const liveCalls = liveCallLookup(calls);
  // The built-in and configured holidays; years the administrators store take their place (calendar_versions).
  const calendarBase = calendarFrom(config.calendar);
  app = await build({
    config, db, ari, ami, clock, log, bus,
    settings: {
      ...tuning.app,
      auth: { sessionTtlMs: config.auth.sessionIdleMinutes * 60_000, sessionMaxAgeMs: config.auth.sessionMaxHours * 3_600_000, ...tuning.app?.auth },
    },
    agentState: (agentId) => agents.stateView(agentId),
    features: [
      registerOpenApi, registerKnowledge, registerTicketSearch, registerTicketExport,
      ({ app: http }) => registerAgentRoutes(http, { agents, audit: adminAudit, checkPhone: (seat) => phones.check(seat) }),
      ({ app: http }) => registerCallbackRoutes(http, { callbacks }),
      dispatchFeature({ calendar: calendarBase, scheduleSurvey: (request) => surveys.scheduleSurvey(request), onReady: (parts) => { dispatchParts = parts; } }),
      reportsFeature({ policy: reportsPolicyFrom(config), categoriesAt: (at) => categories?.treeAt(at) ?? taxonomyInForce() }),
      (ctx) => registerDirectoryAdmin(ctx, { calendar: calendarBase }),
      surveys.register,
      (ctx) => {
        monitoring = registerMonitoring(ctx, {
          ari, calls: liveCalls, ...(tuning.monitorRingSeconds ? { settings: { ringSeconds: tuning.monitorRingSeconds } } : {}),
        });
      },
      (ctx) => {
        conference = registerConference(ctx, {
          ari, calls: liveCalls,
          ...(tuning.conferenceRingSeconds ? { settings: { ringSeconds: tuning.conferenceRingSeconds } } : {}),
        });
      },
      (ctx) => { recordingsFeature = registerRecordings(ctx, { dir: recordingsDir, ...(tuning.recordingsRetention ? { retention: tuning.recordingsRetention } : {}) }); },
      (ctx) => { wallboard = registerWallboard(ctx, { agents, calls, linesInForce: () => lineVersions.inForce() }); },
      (ctx) => registerSoftphone(ctx, config.softphone, seatsFromAgents(agents)),
      metricsFeature({ calls, agents, ami, token: config.metrics.token, lines: () => lineVersions.inForce().lines.map((l) => l.number) }),
      adminFeature({ agents, sessionSockets: () => app?.sessionSockets, desks: () => lineVersions.inForce().queues.map((q) => q.id) }),
      referenceDataFeature({ lines: lineVersions, onReady: (parts) => { categories = parts.categories; } }),
    ],
  });

  // 二次办理: a citizen who says the problem is not solved (or is not satisfied) reopens the ticket.
  const offReopen = bus.subscribe('survey.unresolved', ({ ticketId }) => {
    if (!dispatchParts) return;
    try {
      dispatchParts.handling.run({ actor: { role: 'system', id: 'survey' }, account: null, name: '回访' }, ticketId,
        { kind: 'reopen', reason: '回访：问题未解决或不满意' });
    } catch (error) {
      log.warn({ err: error, ticketId }, 'ticket not reopened after survey');
    }
  });
  const phones = attachAgentPhones({ ari, agents, log, clock });
  const detach = [
    () => phones.detach(),
    attachCallsReconcile({ ari, calls, log }),
    attachCallsStasis({ ari, calls, log }),
  ];

  const connected = ari.connect();
  if (sim) await connected;
  else connected.catch((error: unknown) => log.warn({ err: error }, 'ARI not connected yet'));

  let url = '';
  if (opts.listen !== false) {
    url = await app.app.listen({ host: config.service.host, port: config.service.port });
    url = url.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');
  }

  const actors = sim && opts.actors
    ? await startSimulatedActors({
      sim, auth: app.auth, agents, tickets: app.tickets, bus, clock, log, settings: config.simulator,
      lines: config.lines.map((l) => l.number), password: app.auth.settings.demoPassword,
      checkPhone: (seat) => phones.check(seat),
    })
    : undefined;

  let closing: Promise<void> | undefined;
  const hotlineApp = app;
  return {
    url, app: hotlineApp, sim, actors, ari, ami, db, monitoring, conference, recordingsAccess: recordingsFeature, bus, agents, calls, callsRepo, callbacks, recordings, recordingsRepo,
    close() {
      closing ??= (async () => {
        await actors?.stop();
        offReopen();
        await monitoring?.close();
        await conference?.close();
        recordingsFeature?.close();
        lineVersions.close();
        calls.close();
        callbacks.close();
        agents.close();
        await recordings.close();
        for (const off of detach) off();
        await ari.close();
        await ami?.close();
        await hotlineApp.close();
        await sim?.close();
        agentStateRetention.stop();
        pendingWrites.close();
        db.close();
      })();
      return closing;
    },
  };
}

/** AMI carries health and registrations beside ARI: the simulator's always, a real Asterisk's when enabled. */
function connectAmi(config: Config, sim: Simulator | undefined, log: Logger, clock: Clock): AmiClient | undefined {
  const target = sim
    ? (sim.amiPort === null ? undefined : { host: '127.0.0.1', port: sim.amiPort, username: 'hotline', secret: 'hotline' })
    : (config.ami.enabled ? { host: config.ami.host, port: config.ami.port, username: config.ami.username, secret: config.ami.password } : undefined);
  if (!target) return undefined;
  const ami = createAmiClient({ ...target, log, clock });
  ami.connect().catch((error: unknown) => log.warn({ err: error }, 'AMI not connected yet'));
  return ami;
}
