/**
 * A session signed in with a one-time password (set by an administrator) may only read who it is, sign out
 * and change the password: every other route answers 403 `ERR_PASSWORD_CHANGE_REQUIRED` until it is changed.
 * The session guard calls `passwordChangeCheck` on every non-public route once the session is found.
 */
import type { FastifyRequest } from 'fastify';
import { hotlineError } from '../../domain/errors.ts';
import type { SessionView } from './auth.service.ts';

/** The routes a session with a one-time password may use, as `METHOD /pattern`. */
export const OPEN_UNTIL_PASSWORD_CHANGED: ReadonlySet<string> = new Set([
  'GET /api/me', 'HEAD /api/me', 'POST /api/logout', 'POST /api/me/password',
]);

/** Throws 403 ERR_PASSWORD_CHANGE_REQUIRED when the session must change its password and the route is not one of the few open to it. */
export function passwordChangeCheck(request: FastifyRequest, session: SessionView | null = request.hotlineSession): void {
  if (!session?.account.mustChangePassword) return;
  const route = `${request.method} ${request.routeOptions.url ?? ''}`;
  if (OPEN_UNTIL_PASSWORD_CHANGED.has(route)) return;
  throw hotlineError('ERR_PASSWORD_CHANGE_REQUIRED');
}
