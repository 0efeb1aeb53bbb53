/**
 * The lines and desks as data. The config file's `lines` and `queues` are version 1 on the first start, and
 * stay in charge until an administrator edits them in the console: a changed file then adds a version at the
 * next start. Once a version has come from the console, the database holds them and the file's are ignored
 * (the log says so when they differ). Each version takes effect at its time, on the service's clock: the
 * calls service is handed the version in force (`start(apply)`) and routes by it from then on.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import type { Config } from '../../config/config.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { Database } from '../../store/database.ts';
import { createAdminAudit } from './admin-audit.ts';
import type { AdminAudit, AuditActor } from './admin-audit.ts';
import { checkLines } from './lines-check.ts';
import type { LinesDoc } from './lines-check.ts';
import { createReferenceVersions, effectiveTime } from './reference-data.repo.ts';
import type { ReferenceVersion } from './reference-data.repo.ts';

export type { LinesDoc } from './lines-check.ts';

/** The author of versions read from the config file. */
export const CONFIG_FILE_AUTHOR = 'config file';

/** A timer never waits longer than this; a version further off is looked at again then (timers overflow past 24.8 days). */
const LONGEST_WAIT_MS = 24 * 3_600_000;

export interface LinesView extends LinesDoc {
  version: number;
  effectiveAt: number;
  scheduled: Array<{ version: number; effectiveAt: number }>;
}

export interface LinesChange extends LinesDoc {
  effectiveAt?: number | undefined;
}

export interface LineVersionsDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  /** The config file's values (and the default skills, which count as known). */
  config: Pick<Config, 'lines' | 'queues' | 'skills'>;
  audit?: AdminAudit;
}

/** JSON with keys in order, to compare documents whatever order their keys were written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type LineVersions = ReturnType<typeof openLineVersions>;

export function openLineVersions(deps: LineVersionsDeps) {
  const { db, clock } = deps;
  const log = deps.log.child({ component: 'lines' });
  const store = createReferenceVersions<LinesDoc>(db, 'lines');
  const fromFile: LinesDoc = { lines: deps.config.lines, queues: deps.config.queues };
  const now = clock.now();
  const current = store.inForce(now);
  if (current === undefined || canonical(current.body) !== canonical(fromFile)) {
    if (store.all().every((v) => v.author === CONFIG_FILE_AUTHOR)) {
      const added = store.add({ effectiveAt: now, createdAt: now, authorId: null, author: CONFIG_FILE_AUTHOR, body: fromFile });
      log.info({ version: added.version }, 'lines and desks read from the config file');
    } else {
      log.info({ version: current?.version }, 'lines and desks come from the database (edited in the admin console); the config file\'s are not used');
    }
  }
  const agentSkills = db.prepare('SELECT DISTINCT skill FROM agent_skills').pluck();
  const listedSkills = db.prepare("SELECT skills FROM agents WHERE skills <> '[]'").pluck();
  const audit = deps.audit ?? createAdminAudit(db, () => clock.now());
  let apply: ((doc: LinesDoc, version: number) => void) | undefined;
  let applied: number | undefined;
  let timer: TimerHandle | undefined;

  const inForce = (): ReferenceVersion<LinesDoc> => store.inForce(clock.now()) ?? store.all()[0]!;

  /** The default skills, every skill an agent holds and every skill a desk in force asks for. */
  function knownSkills(): Set<string> {
    const known = new Set([...Object.keys(deps.config.skills.defaults), ...(agentSkills.all() as string[])]);
    for (const text of listedSkills.all() as string[]) {
      try { for (const s of JSON.parse(text) as unknown[]) known.add(String(s)); } catch { /* not a list: no skills */ }
    }
    for (const q of inForce().body.queues) for (const s of [...q.target.skills, ...q.overflowRules.flatMap((r) => r.widenTo.skills)]) known.add(s);
    return known;
  }

  /** Hands the version in force to the calls service when it changed, then waits for the next scheduled one. */
  function settle(): void {
    clock.clearTimeout(timer);
    timer = undefined;
    if (!apply) return;
    const v = inForce();
    if (v.version !== applied) {
      applied = v.version;
      try {
        apply(v.body, v.version);
        log.info({ version: v.version, effectiveAt: v.effectiveAt }, 'lines and desks version in force');
      } catch (error) {
        log.error({ err: error, version: v.version }, 'lines and desks version not applied');
      }
    }
    const next = store.scheduled(clock.now())[0];
    if (next) timer = clock.setTimeout(settle, Math.min(LONGEST_WAIT_MS, Math.max(0, next.effectiveAt - clock.now())));
  }

  function view(v: ReferenceVersion<LinesDoc>): LinesView {
    return {
      version: v.version, effectiveAt: v.effectiveAt, lines: v.body.lines, queues: v.body.queues,
      scheduled: store.scheduled(clock.now()).map((s) => ({ version: s.version, effectiveAt: s.effectiveAt })),
    };
  }

  return {
    /** The lines and desks in force now (at start: what the services are built with). */
    inForce: (): LinesDoc => inForce().body,
    get: (): LinesView => view(inForce()),
    knownSkills,

    /** From now on, `applyVersion` is given each version as it comes into force (the one in force counts as given). */
    start(applyVersion: (doc: LinesDoc, version: number) => void): void {
      applied = inForce().version;
      apply = applyVersion;
      settle();
    },

    /** A new version; every problem at once as ERR_VALIDATION (the routes audit the refusal). */
    put(actor: AuditActor, change: LinesChange): LinesView {
      const at = clock.now();
      const when = effectiveTime(change.effectiveAt, at);
      const doc: LinesDoc = { lines: change.lines, queues: change.queues };
      const errors = [...checkLines(doc, knownSkills()), ...(when.error ? [when.error] : [])];
      if (errors.length > 0 || when.at === undefined) throw hotlineError('ERR_VALIDATION', { fields: errors });
      const before = inForce();
      const added = store.add({ effectiveAt: when.at, createdAt: at, authorId: actor.id, author: actor.username, body: doc });
      audit.record({
        actor, action: 'lines.update', target: `v${added.version}`, outcome: 'ok',
        before: { version: before.version, effectiveAt: before.effectiveAt, ...before.body },
        after: { version: added.version, effectiveAt: added.effectiveAt, ...added.body },
      });
      log.info({ version: added.version, effectiveAt: added.effectiveAt, scheduled: added.effectiveAt > at, by: actor.username }, 'lines and desks version added');
      settle();
      return view(added);
    },

    close(): void {
      clock.clearTimeout(timer);
      timer = undefined;
      apply = undefined;
    },
  };
}
