import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HotlineHttp } from '../../app.ts';
import { hotlineError } from '../../domain/errors.ts';
import { cookieIsSecure } from '../../http-transport.ts';
import type { TransportSettings } from '../../http-transport.ts';
import type { AuthService } from './auth.service.ts';
import { LoginBody, LoginReply, MeReply } from './auth.schemas.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { EVERY_ROLE, requireRole } from './route-access.ts';
import { SESSION_COOKIE, sessionOf } from './session-guard.ts';
import type { SessionSockets } from './session-sockets.ts';
import { DEVICE_COOKIE, DEVICE_TTL_MS } from './trusted-devices.ts';
import type { TrustedDevices } from './trusted-devices.ts';

// Routes declare their roles with requireRole; the guard and the session of a request live beside it.
export { requireRole } from './route-access.ts';
export { installSessionGuard, sessionOf, SESSION_COOKIE } from './session-guard.ts';
export type { AuthVia } from './session-guard.ts';

export interface AuthRouteDeps {
  auth: AuthService;
  throttle: LoginThrottle;
  devices: TrustedDevices;
  transport: Pick<TransportSettings, 'cookieSecure'>;
  sessionSockets?: Pick<SessionSockets, 'ended'>;
}

export function registerAuthRoutes(app: HotlineHttp, deps: AuthRouteDeps): void {
  const { auth, throttle, devices } = deps;
  const cookieOptions = (request: FastifyRequest) => ({
    path: '/', httpOnly: true, sameSite: 'lax' as const, secure: cookieIsSecure(request, deps.transport),
  });
  const setSessionCookie = (request: FastifyRequest, reply: FastifyReply, id: string) =>
    reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions(request), maxAge: Math.floor(auth.settings.sessionTtlMs / 1000) });

  app.post('/api/login', { schema: { body: LoginBody, response: { 200: LoginReply } }, config: { public: true } }, async (request, reply) => {
    const { username, password } = request.body;
    const deviceCookie = request.cookies?.[DEVICE_COOKIE];
    const attempt = { address: request.ip, username, trustedDevice: devices.recognise(deviceCookie, username) };
    const verdict = throttle.check(attempt);
    if (!verdict.allowed) {
      request.log.warn({ address: request.ip, username, by: verdict.by }, 'login throttled');
      reply.header('retry-after', String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000))));
      throw hotlineError('ERR_RATE_LIMITED');
    }
    const session = await auth.login(username, password);
    if (!session) {
      throttle.failed(attempt);
      request.log.info({ address: request.ip, username, trustedDevice: attempt.trustedDevice !== undefined }, 'login refused');
      throw hotlineError('ERR_UNAUTHENTICATED', { reason: 'bad_credentials' });
    }
    throttle.succeeded(attempt);
    request.log.info({ address: request.ip, userId: session.account.id }, 'login accepted');
    setSessionCookie(request, reply, session.id);
    const device = devices.remember(session.account.id, deviceCookie);
    reply.setCookie(DEVICE_COOKIE, device, { ...cookieOptions(request), path: '/api/login', sameSite: 'strict', maxAge: Math.floor(DEVICE_TTL_MS / 1000) });
    const { account } = session;
    return {
      user: account,
      agent: account.agentId ? { id: account.agentId } : null,
      csrfToken: session.csrfToken,
      token: session.id,
      expiresAt: session.expiresAt,
    };
  });

  app.post('/api/logout', { preHandler: requireRole(...EVERY_ROLE) }, async (request, reply) => {
    const { id } = sessionOf(request);
    auth.logout(id);
    // The other tabs of this session sign in again rather than keep a socket of a session that is gone.
    deps.sessionSockets?.ended(id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/me', { preHandler: requireRole(...EVERY_ROLE), schema: { response: { 200: MeReply } } }, async (request, reply) => {
    const session = sessionOf(request);
    if (request.authVia === 'cookie') setSessionCookie(request, reply, session.id);
    const { account } = session;
    return {
      user: account,
      agent: account.agentId ? { id: account.agentId } : null,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    };
  });
}
