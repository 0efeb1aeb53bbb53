/**
 * `POST /api/me/password`: a signed-in person changes their own password (any role, also a session
 * limited by a one-time password). The current password is checked, the new one must pass the password
 * policy (every reason at once); the one-time flag is cleared and every other session of the person ends,
 * their sockets closed.
 */
import Type from 'typebox';
import type { HotlineHttp } from '../../app.ts';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import { PASSWORD_MAX_LENGTH } from '../../domain/password-policy.ts';
import { requireRole, sessionOf } from './auth.routes.ts';
import { ROLES } from './auth.service.ts';
import type { AuthService } from './auth.service.ts';
import { checkPassword, hashPassword } from './passwords.ts';
import type { SessionSockets } from './session-sockets.ts';

export const ChangePasswordBody = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
  newPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
}, { additionalProperties: false });

export const ChangePasswordReply = Type.Object({
  mustChangePassword: Type.Boolean(),
  otherSessionsEnded: Type.Integer(),
});

/** Wrong current passwords one person may send in WINDOW_MS before the route answers 429. */
const MAX_FAILURES = 5;
const WINDOW_MS = 15 * 60_000;

export function registerPasswordRoutes(app: HotlineHttp, deps: {
  auth: AuthService; clock: Clock; sessionSockets?: Pick<SessionSockets, 'ended'>;
}): void {
  const { auth, clock } = deps;
  const failures = new Map<string, number[]>();
  const recent = (userId: string): number[] => {
    const since = clock.now() - WINDOW_MS;
    const kept = (failures.get(userId) ?? []).filter((t) => t > since);
    if (kept.length) failures.set(userId, kept); else failures.delete(userId);
    return kept;
  };

  app.post('/api/me/password', {
    preHandler: requireRole(...ROLES),
    schema: { body: ChangePasswordBody, response: { 200: ChangePasswordReply } },
  }, async (request) => {
    const session = sessionOf(request);
    const { account } = session;
    const { currentPassword, newPassword } = request.body;
    if (recent(account.id).length >= MAX_FAILURES) throw hotlineError('ERR_RATE_LIMITED');
    if (!(await auth.passwordMatches(account.id, currentPassword))) {
      failures.set(account.id, [...recent(account.id), clock.now()]);
      request.log.info({ userId: account.id, reason: 'bad_current_password' }, 'password change refused');
      throw hotlineError('ERR_VALIDATION', { fields: [{ field: 'currentPassword', message: '当前密码不正确', message_en: 'The current password is wrong' }] });
    }
    const problems = checkPassword(newPassword, account.username)
      .map((p) => ({ field: 'newPassword', message: p.reason, message_en: p.reason_en }));
    if (newPassword === currentPassword) problems.push({ field: 'newPassword', message: '新密码不能与当前密码相同', message_en: 'The new password must differ from the current one' });
    if (problems.length) {
      request.log.info({ userId: account.id, reason: 'policy' }, 'password change refused');
      throw hotlineError('ERR_VALIDATION', { fields: problems });
    }
    auth.setPasswordHash(account.id, await hashPassword(newPassword), false);
    failures.delete(account.id);
    const ended = auth.endSessionsOf(account.id, session.id);
    for (const id of ended) deps.sessionSockets?.ended(id);
    request.log.info({ userId: account.id, otherSessionsEnded: ended.length }, 'password changed');
    return { mustChangePassword: false, otherSessionsEnded: ended.length };
  });
}
