/**
 * The session guard: one onRequest hook that decides every request on the route the router matched, never on
 * the URL text. It finds the session (cookie, `Authorization: Bearer`, or `?token=` where the route allows it),
 * then, unless the route is public:
 * - no session → 401 `ERR_UNAUTHENTICATED` (a route's service token, e.g. the metrics scraper's, also counts);
 * - a role the route does not declare → 403 `ERR_FORBIDDEN` (reason `role`), before the body is even read;
 * - a cookie session on a websocket upgrade from another origin → 403 (cross-site websocket hijacking);
 * - a cookie session on a state-changing request without the session's CSRF token, or from another origin
 *   → 403 `ERR_CSRF`.
 * Public state-changing routes (sign-in) refuse a request from another origin too; only websocket routes are upgraded.
 * An unmatched request goes on to the 404 answer: it reaches no handler.
 */
import type { FastifyRequest } from 'fastify';
import type { HotlineHttp } from '../../app.ts';
import { hotlineError } from '../../domain/errors.ts';
import { isOwnOrigin } from '../../http-transport.ts';
import type { AuthService, SessionView } from './auth.service.ts';
import { markUpgrade } from './session-sockets.ts';

export const SESSION_COOKIE = 'hl_session';

export type AuthVia = 'cookie' | 'bearer';

declare module 'fastify' {
  interface FastifyRequest {
    hotlineSession: SessionView | null;
    authVia: AuthVia | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

function queryTokenOf(request: FastifyRequest): string | undefined {
  const q = request.query as Record<string, unknown> | undefined;
  return typeof q?.token === 'string' ? q.token : undefined;
}

const isUpgrade = (request: FastifyRequest): boolean => request.headers.upgrade?.toLowerCase() === 'websocket';

export interface SessionGuardDeps {
  auth: AuthService;
  /** The service's public URL: its origin counts as the service's own besides the Host a request names. */
  publicUrl?: string | undefined;
  /** A further check of a signed-in session on every non-public route (a password that must be changed first). */
  sessionCheck?: (request: FastifyRequest, session: SessionView) => void;
}

export function installSessionGuard(app: HotlineHttp, deps: SessionGuardDeps): void {
  app.decorateRequest('hotlineSession', null);
  app.decorateRequest('authVia', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const bearer = bearerOf(request) ?? (config?.tokenInQuery ? queryTokenOf(request) : undefined);
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (bearer) {
      request.hotlineSession = deps.auth.authenticate(bearer) ?? null;
      request.authVia = request.hotlineSession ? 'bearer' : null;
    } else if (cookie) {
      request.hotlineSession = deps.auth.authenticate(cookie) ?? null;
      request.authVia = request.hotlineSession ? 'cookie' : null;
    }
    const changesState = !SAFE_METHODS.has(request.method);
    if (request.is404) return;
    // Only a websocket route is upgraded; a page's route would open the socket only to close it.
    if (isUpgrade(request) && !config?.socket) throw hotlineError('ERR_NOT_FOUND');
    if (config?.public) {
      // Signing in from another site's page (login CSRF): browsers name the page's origin.
      if (changesState && !isOwnOrigin(request, deps.publicUrl)) throw hotlineError('ERR_CSRF', { reason: 'cross_origin' });
      return;
    }
    const session = request.hotlineSession;
    if (!session) {
      if (config?.serviceToken?.(request)) return;
      throw hotlineError('ERR_UNAUTHENTICATED');
    }
    if (!config?.roles?.includes(session.account.role)) {
      if (config?.serviceToken?.(request)) return;
      throw hotlineError('ERR_FORBIDDEN', { reason: 'role', role: session.account.role });
    }
    if (request.authVia === 'cookie') {
      // A browser sends the cookie with a request from any site: only our own pages may use it.
      if (isUpgrade(request) && !isOwnOrigin(request, deps.publicUrl)) throw hotlineError('ERR_FORBIDDEN', { reason: 'cross_origin_websocket' });
      if (changesState) {
        const token = request.headers['x-csrf-token'];
        if (!deps.auth.csrfMatches(session, typeof token === 'string' ? token : undefined)) throw hotlineError('ERR_CSRF');
        if (!isOwnOrigin(request, deps.publicUrl)) throw hotlineError('ERR_CSRF', { reason: 'cross_origin' });
      }
    }
    deps.sessionCheck?.(request, session);
    if (isUpgrade(request)) markUpgrade(request.raw, session.id);
  });
}

/** The session of a request that passed the guard. */
export function sessionOf(request: FastifyRequest): SessionView {
  if (!request.hotlineSession) throw hotlineError('ERR_UNAUTHENTICATED');
  return request.hotlineSession;
}
