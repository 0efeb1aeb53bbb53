/**
 * What the accounts service and the import share: the repo and the audit, the checks a new account must
 * pass, an account's view, and refusals written to the audit before they are thrown.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config/config.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { ErrorCode, HotlineError, Result } from '../../domain/errors.ts';
import type { Database } from '../../store/database.ts';
import type { AgentsService } from '../agents/agents.service.ts';
import { checkPassword } from '../auth/passwords.ts';
import type { AccountChecks, ImportError } from './accounts-csv.ts';
import { createAccountsRepo } from './accounts.repo.ts';
import type { UserRecord } from './accounts.repo.ts';
import { createAdminAudit } from './admin-audit.ts';
import type { AdminAudit, AuditActor } from './admin-audit.ts';
import type { LinesDoc } from './lines-check.ts';
import { createReferenceVersions } from './reference-data.repo.ts';

export interface UserView {
  id: string; username: string; displayName: string; role: string; seat: string | null;
  skills: Record<string, number> | null; desk: string | null; unitCode: string | null; unitName: string | null;
  disabled: boolean; mustChangePassword: boolean; createdAt: number; lastLoginAt: number | null;
}

export interface LiveParts {
  agents: Pick<AgentsService, 'setSkills' | 'setSeat' | 'setDesk' | 'rename' | 'skillsOf' | 'logout'>;
  /** Ends every session of the user and closes their sockets. */
  endSessions(userId: string): void;
}

export interface AccountsServiceDeps {
  db: Database;
  config: Pick<Config, 'queues' | 'skills'>;
  clock: Clock;
  log: Logger;
  audit?: AdminAudit;
  /** The running service's parts; the command line has none and writes the database only. */
  live?: LiveParts;
  /**
   * The desks (queue ids) an agent may be given now: the running service passes the lines and desks in force.
   * Default: the version in force in the database (the command line), else the config's.
   */
  desks?: () => Iterable<string>;
}

/** Errors the service already wrote to the audit: the routes' refusal audit skips them. */
export const auditedErrors = new WeakSet<object>();

/** The skills an account may be given: the configured defaults and every skill a desk asks for. */
export function knownSkillsOf(config: Pick<Config, 'queues' | 'skills'>): Set<string> {
  const out = new Set(Object.keys(config.skills.defaults));
  for (const q of config.queues) {
    for (const s of q.target.skills) out.add(s);
    for (const r of q.overflowRules) for (const s of r.widenTo.skills) out.add(s);
  }
  return out;
}

/** The desks of the lines and desks version in force in the database; the config's before any is stored. */
function storedDesks(db: Database, config: Pick<Config, 'queues'>, clock: Clock): () => string[] {
  return () => (createReferenceVersions<LinesDoc>(db, 'lines').inForce(clock.now())?.body.queues ?? config.queues).map((q) => q.id);
}

/** A set read again at every use: it follows the desks in force. */
function readEachTime(read: () => Iterable<string>): ReadonlySet<string> {
  const now = (): Set<string> => new Set(read());
  return {
    has: (value) => now().has(value),
    get size() { return now().size; },
    forEach: (fn, thisArg?: unknown) => { now().forEach(fn, thisArg); },
    entries: () => now().entries(),
    keys: () => now().keys(),
    values: () => now().values(),
    [Symbol.iterator]: () => now()[Symbol.iterator](),
  };
}

const FIELD_OF: Record<string, string> = { display_name: 'displayName', unit_code: 'unitCode', initial_password: 'password' };

export type AccountsCore = ReturnType<typeof createAccountsCore>;

export function createAccountsCore(deps: AccountsServiceDeps) {
  const { db, config, clock, live } = deps;
  const log = deps.log.child({ component: 'accounts' });
  const repo = createAccountsRepo(db);
  const audit = deps.audit ?? createAdminAudit(db, () => clock.now());
  const knownSkills = knownSkillsOf(config);
  const desksInForce = deps.desks ?? storedDesks(db, config, clock);
  const desks = readEachTime(desksInForce);

  function skillsOf(r: UserRecord): Record<string, number> | null {
    if (!r.agentId) return null;
    if (live) return { ...live.agents.skillsOf(r.agentId) };
    const stored = repo.skillLevels(r.agentId);
    return Object.keys(stored).length ? stored : { ...config.skills.defaults };
  }

  /** Writes the refusal to the audit and returns the error to throw. */
  function refuse(actor: AuditActor, action: string, target: string | null, code: ErrorCode, details: Record<string, unknown>, after?: unknown): HotlineError {
    const error = hotlineError(code, details);
    audit.record({ actor, action, target, after, outcome: 'refused', reason: code });
    auditedErrors.add(error);
    return error;
  }

  return {
    db, config, clock, live, log, repo, audit, knownSkills, desks, skillsOf, refuse,
    checks: (): AccountChecks => ({
      usernameTaken: (u) => repo.usernameTaken(u),
      seatTaken: (s) => repo.seatHolder(s) !== undefined,
      unitExists: (c) => repo.unitName(c) !== undefined,
      knownSkills, desks: new Set(desksInForce()), listedLevel: config.skills.listedLevel,
      passwordProblems: (p, u) => checkPassword(p, u),
    }),
    view(r: UserRecord): UserView {
      return {
        id: r.id, username: r.username, displayName: r.displayName, role: r.role, seat: r.seat, skills: skillsOf(r), desk: r.desk,
        unitCode: r.unitCode, unitName: r.unitName, disabled: r.disabledAt !== null, mustChangePassword: r.mustChangePassword,
        createdAt: r.createdAt, lastLoginAt: r.lastLoginAt,
      };
    },
    /** Import errors as the error body's field details. */
    fields: (errors: readonly ImportError[]) => errors.map((e) => ({ field: FIELD_OF[e.column] ?? e.column, message: e.reason, message_en: e.reason_en })),
    /** A result of the agents service, its refusal audited. */
    unwrap<T>(actor: AuditActor, action: string, target: string, result: Result<T>): T {
      if (result.ok) return result.value;
      audit.record({ actor, action, target, outcome: 'refused', reason: result.error.code });
      auditedErrors.add(result.error);
      throw result.error;
    },
    mustFind(actor: AuditActor, action: string, id: string): UserRecord {
      const r = repo.byId(id);
      if (!r) throw refuse(actor, action, id, 'ERR_NO_SUCH_USER', { id });
      return r;
    },
    /** Ends every session of the user (the sockets too, in the running service). */
    endSessions(userId: string): void {
      if (live) live.endSessions(userId);
      else db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
    },
  };
}
