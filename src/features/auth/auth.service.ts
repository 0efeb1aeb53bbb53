import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import { decoyHash, hashPassword, isLightHash, verifyPassword } from './passwords.ts';
import type { AuthRepo } from './auth.repo.ts';
import { storeFailureKind } from '../../store/store-errors.ts';

export const ROLES = ['agent', 'supervisor', 'unit', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A signed-in person as every route sees them. */
export interface Account {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  agentId: string | null;     // the agent this user works as, when they are an agent
  /** Signed in with a one-time password: only /api/me, sign-out and the password change are open until it is changed. */
  mustChangePassword?: boolean;
}

export interface SessionView {
  id: string;                  // the bearer value; only its hash is stored
  csrfToken: string;
  expiresAt: number;
  account: Account;
}

export interface AuthSettings {
  sessionTtlMs: number;        // idle time after which a session ends; every use slides it
  sessionMaxAgeMs: number;     // a session ends this long after its sign-in, however much it is used
  cookieSecure: boolean;
  demoPassword: string;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  sessionTtlMs: 8 * 60 * 60 * 1000,
  sessionMaxAgeMs: 12 * 60 * 60 * 1000,
  cookieSecure: false,
  demoPassword: 'hotline12345',
};

export interface NewUser {
  username: string;
  /** The password, or its hash when many demo accounts share one (hashing each would take seconds). */
  password: string | { hash: string };
  role: Role;
  displayName: string;
  agent?: { id?: string; name?: string; seat?: string | null };
  /** A one-time password (set by an administrator): the person must change it at the first sign-in. */
  mustChangePassword?: boolean;
}

export interface AuthService {
  readonly settings: AuthSettings;
  createUser(user: NewUser): Promise<Account>;
  login(username: string, password: string): Promise<SessionView | undefined>;
  /** The live session for a bearer value, its expiry slid forward; undefined when unknown or expired. */
  authenticate(sessionId: string): SessionView | undefined;
  logout(sessionId: string): void;
  /**
   * Ends every session of the user (but `except`, a session id) and returns the ids of those this process
   * had seen, for their sockets to be closed (`sessionSockets.ended`).
   */
  endSessionsOf(userId: string, except?: string): string[];
  /** Checks the password of a signed-in user (for a change of password). */
  passwordMatches(userId: string, password: string): Promise<boolean>;
  /** Stores a new password hash; `mustChange` makes it one-time. */
  setPasswordHash(userId: string, hash: string, mustChange: boolean): void;
  csrfMatches(session: SessionView, token: string | undefined): boolean;
  findAccountByUsername(username: string): Account | undefined;
  sweepExpired(): number;
}

const SLIDE_AFTER_MS = 60_000;

export function sessionKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}

export function createAuthService(deps: { repo: AuthRepo; clock: Clock; log: Logger; settings?: Partial<AuthSettings> }): AuthService {
  const { repo, clock, log } = deps;
  const settings: AuthSettings = { ...DEFAULT_AUTH_SETTINGS, ...deps.settings };
  /**
   * The sessions this process has seen, by stored key: only a hash of a session id is stored, and the
   * sockets of a session are known by its id. None outlives sessionMaxAgeMs, so the sweep bounds it.
   */
  const seen = new Map<string, { id: string; userId: string; createdAt: number }>();

  return {
    settings,

    async createUser(user) {
      if (!ROLES.includes(user.role)) throw hotlineError('ERR_VALIDATION', { fields: [{ field: 'role', message: '角色无效', message_en: 'Unknown role' }] });
      const hash = typeof user.password === 'string' ? await hashPassword(user.password) : user.password.hash;
      return repo.insertUser({ ...user, passwordHash: hash, now: clock.now() });
    },

    async login(username, password) {
      const found = repo.findUserWithHash(username);
      if (!found) {
        await verifyPassword(password, await decoyHash());
        log.info({ username }, 'login refused');
        return undefined;
      }
      const matches = await verifyPassword(password, found.passwordHash);
      // A generated one-time password is hashed cheaply: the decoy makes its sign-in cost what any other does.
      if (isLightHash(found.passwordHash)) await verifyPassword(password, await decoyHash());
      if (!matches) {
        log.info({ userId: found.account.id, reason: 'bad_password' }, 'login refused');
        return undefined;
      }
      if (found.disabled) {
        log.info({ userId: found.account.id, reason: 'disabled' }, 'login refused');
        return undefined;
      }
      const id = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const now = clock.now();
      const expiresAt = now + Math.min(settings.sessionTtlMs, settings.sessionMaxAgeMs);
      const key = sessionKey(id);
      repo.insertSession({ key, userId: found.account.id, csrfToken, createdAt: now, expiresAt });
      try { repo.recordLogin(found.account.id, now); } catch (error) {
        if (storeFailureKind(error) === undefined) throw error;
        log.warn({ err: error }, 'last sign-in not stored: the database refused the write');
      }
      seen.set(key, { id, userId: found.account.id, createdAt: now });
      log.info({ userId: found.account.id, role: found.account.role, mustChangePassword: found.account.mustChangePassword }, 'signed in');
      return { id, csrfToken, expiresAt, account: found.account };
    },

    authenticate(sessionId) {
      if (!sessionId || sessionId.length > 200) return undefined;
      const key = sessionKey(sessionId);
      const row = repo.findSession(key);
      if (!row) return undefined;
      const now = clock.now();
      const endsAt = row.createdAt + settings.sessionMaxAgeMs;
      if (row.expiresAt <= now || endsAt <= now || row.disabled) {
        repo.deleteSession(key);
        seen.delete(key);
        return undefined;
      }
      if (!seen.has(key)) seen.set(key, { id: sessionId, userId: row.account.id, createdAt: row.createdAt });
      let expiresAt = Math.min(row.expiresAt, endsAt);
      if (now - row.lastSeenAt >= SLIDE_AFTER_MS) {
        expiresAt = Math.min(now + settings.sessionTtlMs, endsAt);
        try { repo.touchSession(key, now, expiresAt); } catch (error) {
          // A database that refuses the write (busy, full) must not turn every request away: the session keeps its expiry.
          if (storeFailureKind(error) === undefined) throw error;
          expiresAt = row.expiresAt;
          log.warn({ err: error }, 'session not extended: the database refused the write');
        }
      }
      return { id: sessionId, csrfToken: row.csrfToken, expiresAt, account: row.account };
    },

    logout(sessionId) {
      const key = sessionKey(sessionId);
      repo.deleteSession(key);
      seen.delete(key);
    },

    endSessionsOf(userId, except) {
      const ended: string[] = [];
      for (const key of repo.deleteSessionsOf(userId, except === undefined ? undefined : sessionKey(except))) {
        const known = seen.get(key);
        seen.delete(key);
        if (known) ended.push(known.id);
      }
      if (ended.length > 0) log.info({ userId, sessions: ended.length }, 'sessions of the user ended');
      return ended;
    },

    async passwordMatches(userId, password) {
      const hash = repo.passwordHashOf(userId);
      if (hash === undefined) return false;
      return verifyPassword(password, hash);
    },

    setPasswordHash(userId, hash, mustChange) {
      repo.setPassword(userId, hash, mustChange, clock.now());
    },

    csrfMatches(session, token) {
      if (typeof token !== 'string' || token.length === 0) return false;
      const a = Buffer.from(token);
      const b = Buffer.from(session.csrfToken);
      return a.length === b.length && timingSafeEqual(a, b);
    },

    findAccountByUsername: (username) => repo.findUserWithHash(username)?.account,

    sweepExpired() {
      const now = clock.now();
      const createdBefore = now - settings.sessionMaxAgeMs;
      for (const [key, s] of seen) if (s.createdAt <= createdBefore) seen.delete(key);
      return repo.deleteExpiredSessions(now, createdBefore);
    },
  };
}
