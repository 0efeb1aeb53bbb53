import { randomUUID } from 'node:crypto';
import type { Database } from '../../store/database.ts';
import type { Role } from '../auth/auth.service.ts';

/** An account as the administrators see it: the user, its agent (seat, desk) and its unit. */
export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  unitCode: string | null;
  unitName: string | null;
  disabledAt: number | null;
  mustChangePassword: boolean;
  createdAt: number;
  lastLoginAt: number | null;
  updatedAt: number | null;
  agentId: string | null;
  seat: string | null;
  desk: string | null;
}

export interface UserFilter {
  q?: string | undefined;
  role?: Role | undefined;
  unit?: string | undefined;
  desk?: string | undefined;
  state?: 'active' | 'disabled' | 'must_change' | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
}

export interface NewAccountRecord {
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  mustChangePassword: boolean;
  unitCode: string | null;
  seat: string | null;
  desk: string | null;
  skills: Readonly<Record<string, number>> | null;
}

interface Row {
  id: string; username: string; display_name: string; role: Role; unit_id: string | null; unit_name: string | null;
  disabled_at: number | null; must_change_password: number; created_at: number; last_login_at: number | null;
  updated_at: number | null; agent_id: string | null; seat: string | null; desk: string | null;
}

const COLUMNS = `SELECT u.id, u.username, u.display_name, u.role, u.unit_id, un.name AS unit_name, u.disabled_at,
  u.must_change_password, u.created_at, u.last_login_at, u.updated_at, a.id AS agent_id, a.seat, a.desk`;
const JOINS = `LEFT JOIN agents a ON a.id = (SELECT x.id FROM agents x WHERE x.user_id = u.id ORDER BY x.id LIMIT 1)
  LEFT JOIN units un ON un.code = u.unit_id`;
const SELECT = `${COLUMNS} FROM users u ${JOINS}`;

function toRecord(r: Row): UserRecord {
  return {
    id: r.id, username: r.username, displayName: r.display_name, role: r.role, unitCode: r.unit_id, unitName: r.unit_name,
    disabledAt: r.disabled_at, mustChangePassword: r.must_change_password === 1, createdAt: r.created_at,
    lastLoginAt: r.last_login_at, updatedAt: r.updated_at, agentId: r.agent_id, seat: r.seat, desk: r.desk,
  };
}

const likePattern = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;

export function createAccountsRepo(db: Database) {
  const byId = db.prepare(`${SELECT} WHERE u.id = ?`);
  const byUsername = db.prepare(`${SELECT} WHERE u.username = ? COLLATE NOCASE`);
  const usernameTaken = db.prepare('SELECT 1 FROM users WHERE username = ? COLLATE NOCASE');
  const seatTaken = db.prepare('SELECT id FROM agents WHERE seat = ?');
  const unit = db.prepare('SELECT name FROM units WHERE code = ?');
  const insertUser = db.prepare(`INSERT INTO users (id, username, display_name, role, password_hash, unit_id, created_at, updated_at, must_change_password)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertAgent = db.prepare('INSERT INTO agents (id, user_id, name, seat, desk) VALUES (?, ?, ?, ?, ?)');
  const insertLevel = db.prepare('INSERT INTO agent_skills (agent_id, skill, level) VALUES (?, ?, ?)');
  const updateUser = db.prepare('UPDATE users SET display_name = ?, unit_id = ?, updated_at = ? WHERE id = ?');
  const setDisabled = db.prepare('UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?');
  const setPassword = db.prepare('UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?');
  const levels = db.prepare('SELECT skill, level FROM agent_skills WHERE agent_id = ? ORDER BY skill');
  const activeAdmins = db.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL");

  function where(f: UserFilter): { sql: string; args: unknown[] } {
    const parts: string[] = [];
    const args: unknown[] = [];
    if (f.q) { parts.push("(u.username LIKE ? ESCAPE '\\' OR u.display_name LIKE ? ESCAPE '\\')"); args.push(likePattern(f.q), likePattern(f.q)); }
    if (f.role) { parts.push('u.role = ?'); args.push(f.role); }
    if (f.unit) { parts.push('u.unit_id = ?'); args.push(f.unit); }
    if (f.desk) { parts.push('u.id IN (SELECT d.user_id FROM agents d WHERE d.desk = ?)'); args.push(f.desk); }
    if (f.state === 'active') parts.push('u.disabled_at IS NULL');
    if (f.state === 'disabled') parts.push('u.disabled_at IS NOT NULL');
    if (f.state === 'must_change') parts.push('u.must_change_password = 1');
    return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
  }
  const listCache = new Map<string, { rows: { all(...args: unknown[]): unknown[] }; count: { get(...args: unknown[]): unknown } }>();
  function statements(sql: string) {
    let s = listCache.get(sql);
    if (!s) {
      // The page's ids first (the username index, nothing joined for the rows skipped), then their details.
      const page = `SELECT u.id FROM users u ${sql} ORDER BY u.username LIMIT ? OFFSET ?`;
      s = {
        rows: db.prepare(`${COLUMNS} FROM (${page}) page CROSS JOIN users u ON u.id = page.id ${JOINS} ORDER BY u.username`),
        count: db.prepare(`SELECT count(*) AS n FROM users u ${sql}`),
      };
      listCache.set(sql, s);
    }
    return s;
  }

  return {
    list(f: UserFilter): { total: number; users: UserRecord[] } {
      const w = where(f);
      const s = statements(w.sql);
      const total = (s.count.get(...w.args) as { n: number }).n;
      const rows = s.rows.all(...w.args, f.limit ?? 50, f.offset ?? 0) as Row[];
      return { total, users: rows.map(toRecord) };
    },
    /** Every account, by username (export). */
    *all(): Generator<UserRecord> {
      for (const r of db.prepare(`${SELECT} ORDER BY u.username`).iterate() as Iterable<Row>) yield toRecord(r);
    },
    byId: (id: string): UserRecord | undefined => { const r = byId.get(id) as Row | undefined; return r ? toRecord(r) : undefined; },
    byUsername: (username: string): UserRecord | undefined => { const r = byUsername.get(username) as Row | undefined; return r ? toRecord(r) : undefined; },
    usernameTaken: (username: string): boolean => usernameTaken.get(username) !== undefined,
    /** The agent holding the seat, if any. */
    seatHolder: (seat: string): string | undefined => (seatTaken.get(seat) as { id: string } | undefined)?.id,
    unitName: (code: string): string | undefined => (unit.get(code) as { name: string } | undefined)?.name,
    /** Stored skill levels of an agent (empty: the configured defaults apply). */
    skillLevels: (agentId: string): Record<string, number> =>
      Object.fromEntries((levels.all(agentId) as Array<{ skill: string; level: number }>).map((r) => [r.skill, r.level])),
    hasActiveAdmin: (): boolean => (activeAdmins.get() as { n: number }).n > 0,
    /** Inserts one account (its agent and skill levels too); call inside a transaction for many. */
    insert(a: NewAccountRecord, now: number): string {
      const id = `usr-${randomUUID()}`;
      insertUser.run(id, a.username, a.displayName, a.role, a.passwordHash, a.unitCode, now, now, a.mustChangePassword ? 1 : 0);
      if (a.role === 'agent') {
        const agentId = `agt-${randomUUID()}`;
        insertAgent.run(agentId, id, a.displayName, a.seat, a.desk);
        for (const [skill, level] of Object.entries(a.skills ?? {})) insertLevel.run(agentId, skill, level);
      }
      return id;
    },
    update(id: string, displayName: string, unitCode: string | null, now: number): void { updateUser.run(displayName, unitCode, now, id); },
    setDisabled(id: string, at: number | null, now: number): void { setDisabled.run(at, now, id); },
    setPassword(id: string, hash: string, mustChange: boolean, now: number): void { setPassword.run(hash, mustChange ? 1 : 0, now, id); },
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
  };
}
