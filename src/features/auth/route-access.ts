/**
 * Who may reach a route, declared on the route itself and decided on the route the router matched — never on
 * the URL text, whose spelling (`/%61pi/…`, `/API/…`, `//api/…`) an attacker chooses.
 *
 * Closed by default: every route declares either the roles that may use it (`preHandler: requireRole(...)`,
 * or `config: { roles }`) or that it is public (`config: { public: true }`: login, health, the pages and their
 * scripts). A route that declares neither stops the service at start, naming the route.
 */
import type { FastifyRequest, preHandlerHookHandler, RouteOptions } from 'fastify';
import { hotlineError } from '../../domain/errors.ts';
import { ROLES } from './auth.service.ts';
import type { Role } from './auth.service.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a session (login, health, the pages and their scripts). */
    public?: boolean;
    /** The roles that may use the route; filled in from `requireRole(...)` when the route declares that. */
    roles?: readonly Role[];
    /** A service credential the route takes instead of a session (the metrics scraper's bearer token). */
    serviceToken?: (request: FastifyRequest) => boolean;
    /** The session may also come as `?token=` (the websockets, for scripts). */
    tokenInQuery?: boolean;
    /** A websocket route (filled in from the route's `websocket: true`): only these may be upgraded. */
    socket?: boolean;
  }
}

export const EVERY_ROLE: readonly Role[] = ROLES;

const ROLES_OF = Symbol('hotline.roles');
type RoleGuard = preHandlerHookHandler & { [ROLES_OF]: readonly Role[] };

/** A preHandler letting through only sessions of the given roles; it also declares them for the route. */
export function requireRole(...roles: Role[]): preHandlerHookHandler {
  const guard = async function roleGuard(request: FastifyRequest) {
    const session = request.hotlineSession;
    if (!session) throw hotlineError('ERR_UNAUTHENTICATED');
    if (!roles.includes(session.account.role)) throw hotlineError('ERR_FORBIDDEN', { reason: 'role', role: session.account.role });
  };
  return Object.assign(guard, { [ROLES_OF]: Object.freeze([...roles]) }) as unknown as RoleGuard;
}

function hooksOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The roles a route's hooks declare: those every `requireRole` guard on it lets through. */
function declaredRoles(route: RouteOptions): readonly Role[] | undefined {
  let roles: readonly Role[] | undefined;
  for (const hook of [...hooksOf(route.onRequest), ...hooksOf(route.preValidation), ...hooksOf(route.preHandler)]) {
    const own = (hook as Partial<RoleGuard> | undefined)?.[ROLES_OF];
    if (!own) continue;
    roles = roles === undefined ? own : roles.filter((r) => own.includes(r));
  }
  return roles;
}

export interface RouteAccess { method: string; url: string; public: boolean; roles: readonly Role[]; serviceToken: boolean; socket: boolean }

/**
 * Records each route's declared access as it is added (into its config, where the session guard reads it),
 * and refuses to start when a route declares none. Install before the first route.
 */
export function installRouteAccess(app: {
  addHook(name: 'onRoute', hook: (route: RouteOptions) => void): unknown;
  addHook(name: 'onReady', hook: () => Promise<void>): unknown;
}): RouteAccess[] {
  const table: RouteAccess[] = [];
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    const config = { ...(route.config as Record<string, unknown> | undefined) } as NonNullable<RouteOptions['config']> & { roles?: readonly Role[] };
    config.socket = (route as { websocket?: boolean }).websocket === true;
    const fromHooks = declaredRoles(route);
    if (fromHooks) config.roles = config.roles ? config.roles.filter((r) => fromHooks.includes(r)) : fromHooks;
    route.config = config;
    routes.push(route);
  });
  app.addHook('onReady', async () => {
    const undeclared: string[] = [];
    for (const route of routes) {
      const config = (route.config ?? {}) as { public?: boolean; roles?: readonly Role[]; serviceToken?: unknown; socket?: boolean };
      for (const method of hooksOf(route.method)) {
        if (!config.public && !config.roles) undeclared.push(`${String(method)} ${route.url}`);
        table.push({ method: String(method), url: route.url, public: config.public === true, roles: config.roles ?? [], serviceToken: typeof config.serviceToken === 'function', socket: config.socket === true });
      }
    }
    if (undeclared.length) {
      throw new Error(`routes declare no access (requireRole(...) or config.public): ${undeclared.join(', ')}`);
    }
  });
  return table;
}
