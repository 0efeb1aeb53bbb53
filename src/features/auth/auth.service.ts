import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts';
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
}

export interface SessionView {
  id: string;                  // the bearer value; only its hash is stored
  csrfToken: string;
  expiresAt: number;
  account: Account;
}

export interface AuthSettings {
  sessionTtlMs: number;        // idle time after which a session ends; every use slides it
  cookieSecure: boolean;
  loginAttemptsPerMinute: number;
  demoPassword: string;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  sessionTtlMs: 8 * 60 * 60 * 1000,
  cookieSecure: false,
  loginAttemptsPerMinute: 10,
  demoPassword: 'hotline12345',
};

export interface NewUser {
  username: string;
  /** The password, or its hash when many demo accounts share one (hashing each would take seconds). */
  password: string | { hash: string };
  role: Role;
  displayName: string;
  agent?: { id?: string; name?: string; seat?: string | null };
}

export interface AuthService {
  readonly settings: AuthSettings;
  createUser(user: NewUser): Promise<Account>;
  login(username: string, password: string): Promise<SessionView | undefined>;
  /** The live session for a bearer value, its expiry slid forward; undefined when unknown or expired. */
  authenticate(sessionId: string): SessionView | undefined;
  logout(sessionId: string): void;
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
      if (!(await verifyPassword(password, found.passwordHash))) {
        log.info({ userId: found.account.id }, 'login refused');
        return undefined;
      }
      const id = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const now = clock.now();
      const expiresAt = now + settings.sessionTtlMs;
      repo.insertSession({ key: sessionKey(id), userId: found.account.id, csrfToken, createdAt: now, expiresAt });
      log.info({ userId: found.account.id, role: found.account.role }, 'signed in');
      return { id, csrfToken, expiresAt, account: found.account };
    },

    authenticate(sessionId) {
      if (!sessionId || sessionId.length > 200) return undefined;
      const key = sessionKey(sessionId);
      const row = repo.findSession(key);
      if (!row) return undefined;
      const now = clock.now();
      if (row.expiresAt <= now) {
        repo.deleteSession(key);
        return undefined;
      }
      let expiresAt = row.expiresAt;
      if (now - row.lastSeenAt >= SLIDE_AFTER_MS) {
        expiresAt = now + settings.sessionTtlMs;
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
      repo.deleteSession(sessionKey(sessionId));
    },

    csrfMatches(session, token) {
      if (typeof token !== 'string' || token.length === 0) return false;
      const a = Buffer.from(token);
      const b = Buffer.from(session.csrfToken);
      return a.length === b.length && timingSafeEqual(a, b);
    },

    findAccountByUsername: (username) => repo.findUserWithHash(username)?.account,

    sweepExpired: () => repo.deleteExpiredSessions(clock.now()),
  };
}
