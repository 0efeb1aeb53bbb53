import { trackRoutes } from './openapi.ts';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage } from 'node:http';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { Logger } from 'pino';
import type { Bus } from './bus.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config/config.ts';
import type { Database } from './store/database.ts';
import type { AriClient } from './pbx/ari/client.types.ts';
import type { AmiClient } from './pbx/ami/types.ts';
import { describeError } from './http-errors.ts';
import { installBoundedJsonParser } from './http-json.ts';
import { installStrictValidation } from './http-validation.ts';
import { hotlineError } from './domain/errors.ts';
import { STORE_RETRY_AFTER_SECONDS, storeFailure } from './store/store-errors.ts';
import { noteStoreFailure, storeHealth } from './store/store-health.ts';
import { createAuthRepo } from './features/auth/auth.repo.ts';
import { createAuthService } from './features/auth/auth.service.ts';
import type { AuthService, AuthSettings } from './features/auth/auth.service.ts';
import { registerAuthRoutes } from './features/auth/auth.routes.ts';
import { installSessionGuard } from './features/auth/session-guard.ts';
import { passwordChangeCheck } from './features/auth/password-change.ts';
import { registerPasswordRoutes } from './features/auth/password.routes.ts';
import { installRouteAccess } from './features/auth/route-access.ts';
import type { RouteAccess } from './features/auth/route-access.ts';
import { createLoginThrottle } from './features/auth/login-throttle.ts';
import type { ThrottlePolicy } from './features/auth/login-throttle.ts';
import { createTrustedDevices } from './features/auth/trusted-devices.ts';
import { cameOverHttps, hstsHeader, trustedProxyList } from './http-transport.ts';
import { watchSessionSockets } from './features/auth/session-sockets.ts';
import type { SessionSockets } from './features/auth/session-sockets.ts';
import { createLiveHub } from './features/live/live.hub.ts';
import type { LiveHub, LiveLimits } from './features/live/live.hub.ts';
import type { AgentStateView } from './features/live/live.messages.ts';
import { registerLiveRoutes } from './features/live/live.routes.ts';
import { createTicketsRepo } from './features/tickets/tickets.repo.ts';
import { createTicketsService } from './features/tickets/tickets.service.ts';
import { softphoneConnectSources } from './features/softphone/softphone.feature.ts';
import type { TicketsService } from './features/tickets/tickets.service.ts';
import { registerTicketMessages, registerTicketRoutes } from './features/tickets/tickets.routes.ts';
import { createUnitsRepo } from './features/units/units.repo.ts';
import { registerUnitRoutes } from './features/units/units.routes.ts';

export type HotlineHttp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export const WEB_ROOT = fileURLToPath(new URL('./web/', import.meta.url));

export interface AppSettings {
  auth: Partial<AuthSettings>;
  live: Partial<LiveLimits>;
  webRoot: string;
  bodyLimitBytes: number;
  /** Login throttling; the per-address limit comes from config http.loginFailuresPerAddress. */
  loginThrottle: Partial<ThrottlePolicy>;
}

/** What a feature registered next to the built-in ones gets to work with. */
export interface FeatureContext {
  app: HotlineHttp;
  auth: AuthService;
  hub: LiveHub;
  tickets: TicketsService;
  deps: AppDeps;
}
export type FeatureRegistration = (ctx: FeatureContext) => void | Promise<void>;

export interface AppDeps {
  config: Config;
  db: Database;
  ari?: AriClient;
  ami?: Pick<AmiClient, 'state'>;
  clock: Clock;
  log: Logger;
  bus: Bus;
  settings?: Partial<AppSettings>;
  /** The agent's state for the socket's hello; the last `agent.state` on the bus otherwise. */
  agentState?: (agentId: string) => AgentStateView | undefined;
  /** More features (calls, agents, recordings …), registered after the built-in routes. */
  features?: FeatureRegistration[];
}

export interface HotlineApp {
  app: HotlineHttp;
  auth: AuthService;
  hub: LiveHub;
  tickets: TicketsService;
  /** The live sockets of each session: slid while open, closed when the session ends. */
  sessionSockets: SessionSockets;
  /** Every route's declared access (public, or the roles that may use it), known once the app is ready. */
  routeAccess: RouteAccess[];
  close(): Promise<void>;
}

/** The static pages and their scripts: public, like the sign-in form they show. */
async function registerPages(app: HotlineHttp, root: string): Promise<void> {
  await app.register(async (pages) => {
    pages.addHook('onRoute', (route) => { route.config = { ...route.config, public: true }; });
    // A path the file server will not serve (dot segments, doubled slashes) is simply not a page: 404, like any other.
    pages.setErrorHandler((error: FastifyError, _request, reply) => {
      const status = error.statusCode === 403 || error.statusCode === 404 ? 404 : error.statusCode ?? 500;
      const described = describeError(status === 404 ? { statusCode: 404 } : error);
      return reply.code(described.status).send({ error: described.body });
    });
    await pages.register(fastifyStatic, { root, prefix: '/', redirect: true, index: ['index.html'] });
  });
}

function selfSocketSources(req: IncomingMessage): string {
  const host = String(req.headers.host ?? '');
  return /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(host) ? `ws://${host} wss://${host}` : "'self'";
}

export async function build(deps: AppDeps): Promise<HotlineApp> {
  const settings: AppSettings = { auth: {}, live: {}, webRoot: WEB_ROOT, bodyLimitBytes: 256 * 1024, loginThrottle: {}, ...deps.settings };
  const http = deps.config.http;
  const trustedProxies = trustedProxyList(http.trustedProxies);
  const { clock, bus, db } = deps;
  const log = deps.log.child({ component: 'http' });
  const startedAt = clock.now();

  const app: HotlineHttp = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: settings.bodyLimitBytes,
    // X-Forwarded-For and -Proto are believed from the configured proxies only.
    trustProxy: trustedProxies.length ? trustedProxies : false,
    // A URL the router cannot read (bad percent-encoding, an over-long parameter) gets the same error body as any other bad request.
    frameworkErrors: (error, _request, reply) => {
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      const plain = reply as unknown as { code(n: number): { send(body: unknown): void } };
      plain.code(status).send({ error: describeError(hotlineError('ERR_VALIDATION', { reason: error.code })).body });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Bodies bounded and taken as sent, every part free of NUL and lone surrogates (src/http-json.ts, src/http-validation.ts).
  installBoundedJsonParser(app);
  installStrictValidation(app);
  // Access first: the route catalog (OpenAPI) records the roles it fills in.
  const routeAccess = installRouteAccess(app);
  trackRoutes(app);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // The database refusing the work (busy, full, I/O) is the catalog's ERR_STORE_*: the transaction was rolled back whole.
    const refusedBy = noteStoreFailure(db, error, clock.now());
    const described = describeError(refusedBy === undefined ? error : storeFailure(error));
    if (refusedBy !== undefined) described.retryAfterSeconds = STORE_RETRY_AFTER_SECONDS[refusedBy];
    // The route, never the raw URL: a query string may carry a session token.
    const route = request.routeOptions.url ?? request.url.split('?')[0];
    if (described.status >= 500) request.log.error({ err: error, code: described.body.code, method: request.method, route }, 'request failed');
    else request.log.debug({ code: described.body.code, method: request.method, route }, 'request refused');
    if (described.retryAfterSeconds !== undefined) reply.header('retry-after', String(described.retryAfterSeconds));
    return reply.code(described.status).send({ error: described.body });
  });
  app.setNotFoundHandler((_request, reply) => {
    const described = describeError({ statusCode: 404 });
    return reply.code(404).send({ error: described.body });
  });

  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'", (req) => selfSocketSources(req as IncomingMessage), ...softphoneConnectSources(deps.config.softphone)],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: false,
  });
  const hsts = hstsHeader(http);
  if (hsts) app.addHook('onSend', async (request, reply) => { if (cameOverHttps(request)) reply.header('strict-transport-security', hsts); });
  await app.register(fastifyWebsocket, { options: { maxPayload: 1024 * 1024 } });

  const auth = createAuthService({ repo: createAuthRepo(db), clock, log: deps.log.child({ component: 'auth' }), settings: settings.auth });
  const tickets = createTicketsService({
    repo: createTicketsRepo(db), clock, log: deps.log, priority: { waitingCallerBoost: deps.config.tickets.waitingCallerBoost },
  });
  const hubDeps = { bus, clock, log: deps.log.child({ component: 'live' }), limits: settings.live, describeError: (e: unknown) => describeError(e).body };
  const hub = createLiveHub(deps.agentState ? { ...hubDeps, agentState: deps.agentState } : hubDeps);

  const throttle = createLoginThrottle({ clock, policy: { perAddress: http.loginFailuresPerAddress, ...settings.loginThrottle } });
  const devices = createTrustedDevices({ db, clock });
  installSessionGuard(app, { auth, publicUrl: deps.config.service.publicUrl, sessionCheck: passwordChangeCheck });
  const sessionSockets = watchSessionSockets({ wss: app.websocketServer, auth, clock, log: deps.log });

  app.get('/health', { config: { public: true } }, async (_request, reply) => {
    const ari = deps.ari ? deps.ari.state() === 'connected' : false;
    const ami = deps.ami ? deps.ami.state() === 'connected' : false;
    const database = storeHealth(db);
    const healthy = ari && (deps.ami === undefined || !deps.config.ami.enabled || ami) && database.state === 'ok';
    reply.header('cache-control', 'no-store');
    return { status: healthy ? 'ok' : 'degraded', ari, ami, database, uptimeSeconds: Math.floor((clock.now() - startedAt) / 1000) };
  });

  registerAuthRoutes(app, { auth, throttle, devices, transport: http, sessionSockets });
  registerPasswordRoutes(app, { auth, clock, sessionSockets });
  registerLiveRoutes(app, { hub });
  registerTicketRoutes(app, { tickets });
  registerTicketMessages(hub, { tickets });
  registerUnitRoutes(app, { units: createUnitsRepo(db) });
  for (const feature of deps.features ?? []) await feature({ app, auth, hub, tickets, deps });

  await registerPages(app, settings.webRoot);

  const sweep = () => {
    try { auth.sweepExpired(); devices.sweep(); throttle.sweep(); } catch (error) { log.warn({ err: error }, 'session sweep failed'); }
    sweepTimer = clock.setTimeout(sweep, 10 * 60_000);
  };
  let sweepTimer = clock.setTimeout(sweep, 10 * 60_000);

  let closing: Promise<void> | undefined;
  return {
    app,
    auth,
    hub,
    tickets,
    sessionSockets,
    routeAccess,
    close() {
      closing ??= (async () => {
        clock.clearTimeout(sweepTimer);
        sessionSockets.close();
        hub.close();
        await app.close();
      })();
      return closing;
    },
  };
}
