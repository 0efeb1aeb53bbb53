import { randomUUID } from 'node:crypto';
import type { Database } from '../../store/database.ts';
import type { Account, NewUser, Role } from './auth.service.ts';

export interface SessionRow {
  csrfToken: string;
  expiresAt: number;
  lastSeenAt: number;
  account: Account;
}

export interface AuthRepo {
  insertUser(user: NewUser & { passwordHash: string; now: number }): Account;
  findUserWithHash(username: string): { account: Account; passwordHash: string } | undefined;
  insertSession(s: { key: string; userId: string; csrfToken: string; createdAt: number; expiresAt: number }): void;
  findSession(key: string): SessionRow | undefined;
  touchSession(key: string, lastSeenAt: number, expiresAt: number): void;
  deleteSession(key: string): void;
  deleteExpiredSessions(now: number): number;
}

interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  agent_id: string | null;
}

const ACCOUNT_COLUMNS = `u.id, u.username, u.display_name, u.role,
  (SELECT a.id FROM agents a WHERE a.user_id = u.id ORDER BY a.id LIMIT 1) AS agent_id`;

function toAccount(row: AccountRow): Account {
  return { id: row.id, username: row.username, displayName: row.display_name, role: row.role, agentId: row.agent_id };
}

export function createAuthRepo(db: Database): AuthRepo {
  const insertUser = db.prepare(`INSERT INTO users (id, username, display_name, role, password_hash, created_at)
    VALUES (?, ?, ?, ?, ?, ?)`);
  const insertAgent = db.prepare('INSERT INTO agents (id, user_id, name, seat) VALUES (?, ?, ?, ?)');
  const linkAgent = db.prepare('UPDATE agents SET user_id = ? WHERE id = ?');
  const agentById = db.prepare('SELECT id FROM agents WHERE id = ?');
  const accountByUsername = db.prepare(`SELECT ${ACCOUNT_COLUMNS}, u.password_hash FROM users u WHERE u.username = ?`);
  const accountById = db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM users u WHERE u.id = ?`);
  const insertSession = db.prepare(`INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at)
    VALUES (?, ?, ?, ?, ?, ?)`);
  const sessionByKey = db.prepare(`SELECT s.csrf_token, s.expires_at, s.last_seen_at, ${ACCOUNT_COLUMNS}
    FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`);
  const touch = db.prepare('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM sessions WHERE id = ?');
  const removeExpired = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');

  const createUser = db.transaction((user: NewUser & { passwordHash: string; now: number }): Account => {
    const id = `usr-${randomUUID()}`;
    insertUser.run(id, user.username, user.displayName, user.role, user.passwordHash, user.now);
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
      const row = accountByUsername.get(username) as (AccountRow & { password_hash: string }) | undefined;
      return row ? { account: toAccount(row), passwordHash: row.password_hash } : undefined;
    },
    insertSession(s) {
      insertSession.run(s.key, s.userId, s.csrfToken, s.createdAt, s.expiresAt, s.createdAt);
    },
    findSession(key) {
      const row = sessionByKey.get(key) as (AccountRow & { csrf_token: string; expires_at: number; last_seen_at: number }) | undefined;
      if (!row) return undefined;
      return { csrfToken: row.csrf_token, expiresAt: row.expires_at, lastSeenAt: row.last_seen_at, account: toAccount(row) };
    },
    touchSession(key, lastSeenAt, expiresAt) { touch.run(lastSeenAt, expiresAt, key); },
    deleteSession(key) { remove.run(key); },
    deleteExpiredSessions: (now) => removeExpired.run(now).changes,
  };
}
