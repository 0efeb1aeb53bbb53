/**
 * Accounts as the centre's administrators run them: list and search, create (with a one-time password),
 * change, disable and enable, reset a password, sign a person out everywhere, import from CSV (all or
 * nothing), export. Every change and every refused attempt goes to the admin audit. In the running service
 * skill, seat and desk changes go through the agents service (routing sees them at once); the command line
 * has no live parts and writes the database only.
 */
import type { ErrorCode } from '../../domain/errors.ts';
import { generatePassword, hashGeneratedPassword, hashPassword } from '../auth/passwords.ts';
import { checkAccount } from './accounts-csv.ts';
import type { AccountInput, AccountRow, ImportError } from './accounts-csv.ts';
import type { UserFilter, UserRecord } from './accounts.repo.ts';
import { createAccountsCore } from './accounts-core.ts';
import type { AccountsServiceDeps, UserView } from './accounts-core.ts';
import { createAccountsImport } from './accounts-import.ts';
import type { AuditActor } from './admin-audit.ts';
import type { LinesDoc } from './lines-check.ts';
import { createReferenceVersions } from './reference-data.repo.ts';

export { auditedErrors, knownSkillsOf } from './accounts-core.ts';
export type { AccountsServiceDeps, LiveParts, UserView } from './accounts-core.ts';

export interface UserPatch { displayName?: string; seat?: string; skills?: Record<string, number>; desk?: string | null; unitCode?: string }

export type AccountsService = ReturnType<typeof createAccountsService>;

/** The code for one account's errors: a taken username or seat is a conflict, the rest bad input. */
function codeFor(errors: readonly ImportError[]): ErrorCode {
  if (errors.length === 1 && errors[0]!.column === 'username' && /exists/.test(errors[0]!.reason_en)) return 'ERR_USERNAME_TAKEN';
  if (errors.length === 1 && errors[0]!.column === 'seat' && /taken/.test(errors[0]!.reason_en)) return 'ERR_SEAT_TAKEN';
  return 'ERR_VALIDATION';
}

export function createAccountsService(deps: AccountsServiceDeps) {
  const core = createAccountsCore(deps);
  const { db, clock, live, log, repo, audit, knownSkills, desks, view, refuse, fields, unwrap, mustFind, endSessions } = core;
  const checks = core.checks;

  /**
   * An agent on a desk takes that desk's callers only, and only with its skills: putting an agent on a desk whose
   * own target (in the lines and desks in force) their skills do not meet is refused, rather than leaving them
   * ready and taking nobody. `skills` null or empty: the default skills. `column` names the field to blame.
   */
  function deskMisfit(desk: string | null, skills: Record<string, number> | null, column: string): ImportError[] {
    if (desk === null) return [];
    const queues = createReferenceVersions<LinesDoc>(db, 'lines').inForce(clock.now())?.body.queues ?? deps.config.queues;
    const target = queues.find((q) => q.id === desk)?.target;
    const levels = skills !== null && Object.keys(skills).length > 0 ? skills : deps.config.skills.defaults;
    if (target === undefined || target.skills.some((k) => (levels[k] ?? 0) >= target.minLevel)) return [];
    return [{
      row: 1, column,
      reason: `坐席技能不符合服务台“${desk}”的要求：须有 ${target.skills.join('、')} 中的一项达到 ${target.minLevel} 级`,
      reason_en: `The agent's skills do not meet desk ${desk}'s target: one of ${target.skills.join(', ')} at level ${target.minLevel} or above`,
    }];
  }

  function insertChecked(actor: AuditActor, action: string, row: AccountRow, hash: string, oneTime: boolean): UserRecord {
    const input: AccountInput = {
      username: row.username, displayName: row.displayName, role: row.role,
      seat: row.seat ?? undefined, skills: row.skills ?? undefined, desk: row.desk ?? undefined, unitCode: row.unitCode ?? undefined,
    };
    const done = repo.transaction((): { errors?: ImportError[]; id?: string } => {
      // Checked again inside the transaction: another administrator may have taken the username or seat meanwhile.
      const again = checkAccount(input, 1, checks());
      if (again.errors.length) return { errors: again.errors };
      return { id: repo.insert({ ...row, passwordHash: hash, mustChangePassword: oneTime }, clock.now()) };
    });
    if (done.errors) throw refuse(actor, action, row.username, codeFor(done.errors), { fields: fields(done.errors) });
    return repo.byId(done.id!)!;
  }

  return {
    audit,
    repo,
    ...createAccountsImport(core),
    list: (f: UserFilter) => { const r = repo.list(f); return { total: r.total, users: r.users.map(view) }; },
    get(id: string): UserView | undefined { const r = repo.byId(id); return r ? view(r) : undefined; },
    byUsername(username: string): UserView | undefined { const r = repo.byUsername(username); return r ? view(r) : undefined; },
    hasActiveAdmin: () => repo.hasActiveAdmin(),

    /** Creates one account; without a password one is generated (returned once). `oneTime`: changed at the first sign-in. */
    async create(actor: AuditActor, input: AccountInput, opts: { oneTime?: boolean } = {}): Promise<{ user: UserView; initialPassword?: string }> {
      const checked = checkAccount(input, 1, checks());
      const misfit = checked.account?.role === 'agent' ? deskMisfit(checked.account.desk, checked.account.skills, 'desk') : [];
      const errors = [...checked.errors, ...misfit];
      if (!checked.account || errors.length) throw refuse(actor, 'user.create', input.username, codeFor(errors), { fields: fields(errors) }, { ...input, password: undefined });
      const row = checked.account;
      const generated = row.password === null ? generatePassword(row.username) : undefined;
      const hash = generated ? await hashGeneratedPassword(generated) : await hashPassword(row.password!);
      const created = insertChecked(actor, 'user.create', row, hash, opts.oneTime ?? true);
      const user = view(created);
      audit.record({ actor, action: 'user.create', target: created.username, after: user, outcome: 'ok' });
      log.info({ userId: created.id, role: created.role, by: actor.username }, 'account created');
      return generated ? { user, initialPassword: generated } : { user };
    },

    update(actor: AuditActor, id: string, patch: UserPatch): UserView {
      const before = mustFind(actor, 'user.update', id);
      const agent = before.agentId;
      const problems: ImportError[] = [];
      const bad = (column: string, reason: string, reason_en: string) => problems.push({ row: 1, column, reason, reason_en });
      if (patch.displayName !== undefined && patch.displayName.trim() === '') bad('displayName', '姓名不能为空', 'The display name must not be empty');
      if (!agent && (patch.seat !== undefined || patch.skills !== undefined || patch.desk !== undefined)) bad('role', '只有坐席账号有座席、技能和服务台', 'Only an agent has a seat, skills and a desk');
      if (patch.unitCode !== undefined && before.role !== 'unit') bad('unitCode', '只有承办单位账号可以填写单位代码', 'Only a unit user has a unit code');
      if (patch.unitCode !== undefined && repo.unitName(patch.unitCode) === undefined) bad('unitCode', `未知单位代码：${patch.unitCode}`, `Unknown unit code: ${patch.unitCode}`);
      if (patch.desk && !desks.has(patch.desk)) bad('desk', `未知服务台：${patch.desk}`, `Unknown desk: ${patch.desk}`);
      for (const [skill, level] of Object.entries(patch.skills ?? {})) {
        if (!knownSkills.has(skill)) bad('skills', `未知技能：${skill}`, `Unknown skill: ${skill}`);
        else if (!Number.isInteger(level) || level < 1 || level > 5) bad('skills', `技能等级无效：${skill}:${level}（1–5）`, `Bad skill level: ${skill}:${level} (1-5)`);
      }
      if (agent && !problems.length && (patch.desk !== undefined || patch.skills !== undefined)) {
        const desk = patch.desk !== undefined ? patch.desk : before.desk;
        problems.push(...deskMisfit(desk, patch.skills ?? core.skillsOf(before), patch.desk !== undefined ? 'desk' : 'skills'));
      }
      if (problems.length) throw refuse(actor, 'user.update', before.username, 'ERR_VALIDATION', { fields: fields(problems) }, patch);
      const beforeView = view(before);
      if (agent && patch.seat !== undefined && patch.seat !== before.seat) {
        if (live) unwrap(actor, 'user.update', before.username, live.agents.setSeat(agent, patch.seat));
        else if (repo.seatHolder(patch.seat) !== undefined) throw refuse(actor, 'user.update', before.username, 'ERR_SEAT_TAKEN', { seat: patch.seat });
        else db.prepare('UPDATE agents SET seat = ? WHERE id = ?').run(patch.seat, agent);
      }
      if (agent && patch.skills !== undefined) {
        if (live) unwrap(actor, 'user.update', before.username, live.agents.setSkills(agent, patch.skills));
        else repo.transaction(() => {
          db.prepare('DELETE FROM agent_skills WHERE agent_id = ?').run(agent);
          for (const [k, v] of Object.entries(patch.skills!)) db.prepare('INSERT INTO agent_skills (agent_id, skill, level) VALUES (?, ?, ?)').run(agent, k, v);
        });
      }
      if (agent && patch.desk !== undefined && patch.desk !== before.desk) {
        if (live) unwrap(actor, 'user.update', before.username, live.agents.setDesk(agent, patch.desk));
        else db.prepare('UPDATE agents SET desk = ? WHERE id = ?').run(patch.desk, agent);
      }
      const displayName = patch.displayName?.trim() ?? before.displayName;
      if (displayName !== before.displayName || (patch.unitCode !== undefined && patch.unitCode !== before.unitCode)) {
        repo.update(id, displayName, patch.unitCode ?? before.unitCode, clock.now());
        if (agent && displayName !== before.displayName) {
          if (live) live.agents.rename(agent, displayName);
          else db.prepare('UPDATE agents SET name = ? WHERE id = ?').run(displayName, agent);
        }
      }
      const after = view(repo.byId(id)!);
      audit.record({ actor, action: 'user.update', target: before.username, before: beforeView, after, outcome: 'ok' });
      log.info({ userId: id, by: actor.username, changed: Object.keys(patch) }, 'account changed');
      return after;
    },

    setDisabled(actor: AuditActor, id: string, disabled: boolean): UserView {
      const action = disabled ? 'user.disable' : 'user.enable';
      const before = mustFind(actor, action, id);
      if (disabled && actor.id === id) throw refuse(actor, action, before.username, 'ERR_FORBIDDEN', { reason: 'self' });
      if ((before.disabledAt !== null) !== disabled) repo.setDisabled(id, disabled ? clock.now() : null, clock.now());
      if (disabled) endSessions(id);
      // A disabled agent leaves the queue now; one on a call keeps it (logout is refused then) and is logged.
      if (disabled && live && before.agentId) {
        const out = live.agents.logout(before.agentId);
        if (!out.ok) log.warn({ userId: id, agentId: before.agentId, code: out.error.code }, 'disabled agent not logged out: on a call');
      }
      const after = view(repo.byId(id)!);
      audit.record({ actor, action, target: before.username, before: view(before), after, outcome: 'ok' });
      log.info({ userId: id, by: actor.username }, disabled ? 'account disabled' : 'account enabled');
      return after;
    },

    /** A new generated one-time password (returned once); the person's sessions end. */
    async resetPassword(actor: AuditActor, id: string): Promise<{ user: UserView; initialPassword: string }> {
      const before = mustFind(actor, 'user.reset_password', id);
      const initialPassword = generatePassword(before.username);
      repo.setPassword(id, await hashGeneratedPassword(initialPassword), true, clock.now());
      endSessions(id);
      const user = view(repo.byId(id)!);
      audit.record({ actor, action: 'user.reset_password', target: before.username, before: view(before), after: user, outcome: 'ok' });
      log.info({ userId: id, by: actor.username }, 'password reset to a one-time password');
      return { user, initialPassword };
    },

    signOut(actor: AuditActor, id: string): UserView {
      const r = mustFind(actor, 'user.sign_out', id);
      endSessions(id);
      audit.record({ actor, action: 'user.sign_out', target: r.username, outcome: 'ok' });
      log.info({ userId: id, by: actor.username }, 'account signed out everywhere');
      return view(r);
    },

  };
}
