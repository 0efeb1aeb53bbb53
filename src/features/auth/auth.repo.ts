import { randomUUID } from 'node:crypto';
import type { Database } from '../../store/database.ts';
import type { Account, NewUser, Role } from './auth.service.ts';

export interface SessionRow {
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  disabled: boolean;
  account: Account;
}

export interface AuthRepo {
  insertUser(user: NewUser & { passwordHash: string; now: number }): Account;
  /** The user by username, whatever its case. */
  findUserWithHash(username: string): { account: Account; passwordHash: string; disabled: boolean } | undefined;
  passwordHashOf(userId: string): string | undefined;
  setPassword(userId: string, passwordHash: string, mustChange: boolean, now: number): void;
  recordLogin(userId: string, now: number): void;
  insertSession(s: { key: string; userId: string; csrfToken: string; createdAt: number; expiresAt: number }): void;
  findSession(key: string): SessionRow | undefined;
  touchSession(key: string, lastSeenAt: number, expiresAt: number): void;
  deleteSession(key: string): void;
  /** Removes the user's sessions (but `exceptKey`) and returns their keys. */
  deleteSessionsOf(userId: string, exceptKey?: string): string[];
  deleteExpiredSessions(now: number, createdBefore: number): number;
}

interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  must_change_password: number;
  agent_id: string | null;
}

const ACCOUNT_COLUMNS = `u.id, u.username, u.display_name, u.role, u.must_change_password,
  (SELECT a.id FROM agents a WHERE a.user_id = u.id ORDER BY a.id LIMIT 1) AS agent_id`;

function toAccount(row: AccountRow): Account {
  return {
    id: row.id, username: row.username, displayName: row.display_name, role: row.role, agentId: row.agent_id,
    mustChangePassword: row.must_change_password === 1,
  };
}

export function createAuthRepo(db: Database): AuthRepo {
  const insertUser = db.prepare(`INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at, must_change_password)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertAgent = db.prepare('INSERT INTO agents (id, user_id, name, seat) VALUES (?, ?, ?, ?)');
  const linkAgent = db.prepare('UPDATE agents SET user_id = ? WHERE id = ?');
  const agentById = db.prepare('SELECT id FROM agents WHERE id = ?');
  const accountByUsername = db.prepare(`SELECT ${ACCOUNT_COLUMNS}, u.password_hash, u.disabled_at FROM users u
    WHERE u.username = ? COLLATE NOCASE`);
  const accountById = db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM users u WHERE u.id = ?`);
  const hashById = db.prepare('SELECT password_hash FROM users WHERE id = ?');
  const setPassword = db.prepare('UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?');
  const recordLogin = db.prepare('UPDATE users SET last_login_at = ? WHERE id = ?');
  const insertSession = db.prepare(`INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at)
    VALUES (?, ?, ?, ?, ?, ?)`);
  const sessionByKey = db.prepare(`SELECT s.csrf_token, s.created_at, s.expires_at, s.last_seen_at, u.disabled_at, ${ACCOUNT_COLUMNS}
    FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`);
  const touch = db.prepare('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM sessions WHERE id = ?');
  const removeOf = db.prepare('DELETE FROM sessions WHERE user_id = ? AND id <> ? RETURNING id');
  const removeExpired = db.prepare('DELETE FROM sessions WHERE expires_at <= ? OR created_at <= ?');

  const createUser = db.transaction((user: NewUser & { passwordHash: string; now: number }): Account => {
    const id = `usr-${randomUUID()}`;
    insertUser.run(id, user.username, user.displayName, user.role, user.passwordHash, user.now, user.now, user.mustChangePassword ? 1 : 0);
    if (user.agent) {
      const agentId = user.agent.id ?? `agt-${randomUUID()}`;
      if (agentById.get(agentId)) linkAgent.run(id, agentId);
      else insertAgent.run(agentId, id, user.agent.name ?? user.displayName, user.agent.seat ?? agentId);
    }
    return toAccount(accountById.get(id) as AccountRow);
  });

  return {
    insertUser: (user) => createUser(user),
    findUserWithHash(username) {
      const row = accountByUsername.get(username) as (AccountRow & { password_hash: string; disabled_at: number | null }) | undefined;
      return row ? { account: toAccount(row), passwordHash: row.password_hash, disabled: row.disabled_at !== null } : undefined;
    },
    passwordHashOf: (userId) => (hashById.get(userId) as { password_hash: string } | undefined)?.password_hash,
    setPassword(userId, hash, mustChange, now) { setPassword.run(hash, mustChange ? 1 : 0, now, userId); },
    recordLogin(userId, now) { recordLogin.run(now, userId); },
    insertSession(s) {
      insertSession.run(s.key, s.userId, s.csrfToken, s.createdAt, s.expiresAt, s.createdAt);
    },
    findSession(key) {
      const row = sessionByKey.get(key) as (AccountRow & {
        csrf_token: string; created_at: number; expires_at: number; last_seen_at: number; disabled_at: number | null;
      }) | undefined;
      if (!row) return undefined;
      return {
        csrfToken: row.csrf_token, createdAt: row.created_at, expiresAt: row.expires_at, lastSeenAt: row.last_seen_at,
        disabled: row.disabled_at !== null, account: toAccount(row),
      };
    },
    touchSession(key, lastSeenAt, expiresAt) { touch.run(lastSeenAt, expiresAt, key); },
    deleteSession(key) { remove.run(key); },
    deleteSessionsOf: (userId, exceptKey = '') => (removeOf.all(userId, exceptKey) as Array<{ id: string }>).map((r) => r.id),
    deleteExpiredSessions: (now, createdBefore) => removeExpired.run(now, createdBefore).changes,
  };
}
