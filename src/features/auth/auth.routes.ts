import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import type { HotlineHttp } from '../../app.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { AuthService, Role, SessionView } from './auth.service.ts';
import { LoginBody, LoginReply, MeReply } from './auth.schemas.ts';
import { markUpgrade } from './session-sockets.ts';
import type { SessionSockets } from './session-sockets.ts';

export const SESSION_COOKIE = 'hl_session';

export type AuthVia = 'cookie' | 'bearer';

declare module 'fastify' {
  interface FastifyRequest {
    hotlineSession: SessionView | null;
    authVia: AuthVia | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a session (login, health). */
    public?: boolean;
    /** The session may also come as `?token=` (the websocket, for scripts). */
    tokenInQuery?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

function queryTokenOf(request: FastifyRequest): string | undefined {
  const q = request.query as Record<string, unknown> | undefined;
  return typeof q?.token === 'string' ? q.token : undefined;
}

function guarded(url: string): boolean {
  return url.startsWith('/api/') || url === '/api' || url === '/ws' || url.startsWith('/ws?') || url.startsWith('/ws/');
}

/**
 * Finds the session of every request (cookie, `Authorization: Bearer`, or `?token=` where a route allows it)
 * and refuses /api and /ws requests without one, unless the route is public. Cookie sessions must send the
 * session's CSRF token as `x-csrf-token` on every state-changing request.
 */
export function installSessionGuard(app: HotlineHttp, deps: { auth: AuthService }): void {
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
    if (config?.public || !guarded(request.url)) return;
    if (!request.hotlineSession) throw hotlineError('ERR_UNAUTHENTICATED');
    // A browser sends the cookie with a websocket upgrade from any site: only our own pages may open one with it.
    if (request.authVia === 'cookie' && request.headers.upgrade?.toLowerCase() === 'websocket' && !sameOrigin(request)) {
      throw hotlineError('ERR_FORBIDDEN', { reason: 'cross_origin_websocket' });
    }
    if (request.authVia === 'cookie' && !SAFE_METHODS.has(request.method)) {
      const token = request.headers['x-csrf-token'];
      if (!deps.auth.csrfMatches(request.hotlineSession, typeof token === 'string' ? token : undefined)) throw hotlineError('ERR_CSRF');
    }
    if (request.headers.upgrade?.toLowerCase() === 'websocket') markUpgrade(request.raw, request.hotlineSession.id);
  });
}

/** True when the request's Origin (if any) names the host it was sent to. */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** A preHandler letting through only sessions of the given roles. */
export function requireRole(...roles: Role[]): preHandlerHookHandler {
  return async function roleGuard(request: FastifyRequest, _reply: FastifyReply) {
    const session = request.hotlineSession;
    if (!session) throw hotlineError('ERR_UNAUTHENTICATED');
    if (!roles.includes(session.account.role)) throw hotlineError('ERR_FORBIDDEN', { role: session.account.role });
  };
}

/** The session of a request that passed the guard. */
export function sessionOf(request: FastifyRequest): SessionView {
  if (!request.hotlineSession) throw hotlineError('ERR_UNAUTHENTICATED');
  return request.hotlineSession;
}

/** Attempts are counted per address and username: agents of one centre often share one public address. */
function loginKey(request: FastifyRequest): string {
  const body = request.body as { username?: unknown } | undefined;
  const username = typeof body?.username === 'string' ? body.username.trim().toLowerCase().slice(0, 64) : '';
  return `${request.ip}|${username}`;
}

export function registerAuthRoutes(app: HotlineHttp, deps: { auth: AuthService; sessionSockets?: Pick<SessionSockets, 'ended'> }): void {
  const { auth } = deps;
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: auth.settings.cookieSecure,
  };

  app.post('/api/login', {
    schema: { body: LoginBody, response: { 200: LoginReply } },
    config: {
      public: true,
      rateLimit: {
        max: auth.settings.loginAttemptsPerMinute,
        timeWindow: 60_000,
        hook: 'preHandler',
        keyGenerator: loginKey,
        errorResponseBuilder: () => hotlineError('ERR_RATE_LIMITED'),
      },
    },
  }, async (request, reply) => {
    const session = await auth.login(request.body.username, request.body.password);
    if (!session) throw hotlineError('ERR_UNAUTHENTICATED', { reason: 'bad_credentials' });
    reply.setCookie(SESSION_COOKIE, session.id, { ...cookieOptions, maxAge: Math.floor(auth.settings.sessionTtlMs / 1000) });
    const { account } = session;
    return {
      user: account,
      agent: account.agentId ? { id: account.agentId } : null,
      csrfToken: session.csrfToken,
      token: session.id,
      expiresAt: session.expiresAt,
    };
  });

  app.post('/api/logout', async (request, reply) => {
    const { id } = sessionOf(request);
    auth.logout(id);
    // The other tabs of this session sign in again rather than keep a socket of a session that is gone.
    deps.sessionSockets?.ended(id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/me', { schema: { response: { 200: MeReply } } }, async (request, reply) => {
    const session = sessionOf(request);
    if (request.authVia === 'cookie') {
      reply.setCookie(SESSION_COOKIE, session.id, { ...cookieOptions, maxAge: Math.floor(auth.settings.sessionTtlMs / 1000) });
    }
    const { account } = session;
    return {
      user: account,
      agent: account.agentId ? { id: account.agentId } : null,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    };
  });
}
