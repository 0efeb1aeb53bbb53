/**
 * Versions of the reference data the administrators edit live (migration 093): the category tree and the
 * lines and desks, each a whole document per version with when it takes effect and who made it. The version
 * in force at a moment is the one with the latest effective time that has passed, the higher version on a tie;
 * versions whose time has not come are scheduled. Append-only: a change is a new version.
 */
import type { Database } from '../../store/database.ts';

export type ReferenceKind = 'categories' | 'lines';

export interface ReferenceVersion<T> {
  version: number;
  effectiveAt: number;
  createdAt: number;
  authorId: string | null;
  author: string;
  body: T;
}

export interface NewVersion<T> {
  effectiveAt: number;
  createdAt: number;
  authorId: string | null;
  author: string;
  body: T;
}

interface Row { version: number; effective_at: number; created_at: number; author_id: string | null; author: string; body_json: string }

/** The version in force at `now`: the latest effective time that has passed, the higher version on a tie. */
export function versionInForce<T>(versions: readonly ReferenceVersion<T>[], now: number): ReferenceVersion<T> | undefined {
  let best: ReferenceVersion<T> | undefined;
  for (const v of versions) {
    if (v.effectiveAt > now) continue;
    if (!best || v.effectiveAt > best.effectiveAt || (v.effectiveAt === best.effectiveAt && v.version > best.version)) best = v;
  }
  return best;
}

/** Versions whose time has not come, soonest first. */
export function scheduledVersions<T>(versions: readonly ReferenceVersion<T>[], now: number): ReferenceVersion<T>[] {
  return versions.filter((v) => v.effectiveAt > now).sort((a, b) => a.effectiveAt - b.effectiveAt || a.version - b.version);
}

export type ReferenceVersions<T> = ReturnType<typeof createReferenceVersions<T>>;

/**
 * One kind's versions, read once and kept in memory (they are few and small), written through to the
 * database. Every write is one transaction that takes the next version number.
 */
export function createReferenceVersions<T>(db: Database, kind: ReferenceKind) {
  const select = db.prepare(`SELECT version, effective_at, created_at, author_id, author, body_json
    FROM reference_versions WHERE kind = ? ORDER BY version`);
  const insert = db.prepare(`INSERT INTO reference_versions (kind, version, effective_at, created_at, author_id, author, body_json)
    VALUES (?, (SELECT coalesce(max(version), 0) + 1 FROM reference_versions WHERE kind = ?), ?, ?, ?, ?, ?)
    RETURNING version`);
  const toVersion = (r: Row): ReferenceVersion<T> => ({
    version: r.version, effectiveAt: r.effective_at, createdAt: r.created_at, authorId: r.author_id, author: r.author,
    body: JSON.parse(r.body_json) as T,
  });
  let all: ReferenceVersion<T>[] = (select.all(kind) as Row[]).map(toVersion);

  return {
    all: (): readonly ReferenceVersion<T>[] => all,
    inForce: (now: number): ReferenceVersion<T> | undefined => versionInForce(all, now),
    scheduled: (now: number): ReferenceVersion<T>[] => scheduledVersions(all, now),
    add(v: NewVersion<T>): ReferenceVersion<T> {
      const { version } = insert.get(kind, kind, v.effectiveAt, v.createdAt, v.authorId, v.author, JSON.stringify(v.body)) as { version: number };
      const added: ReferenceVersion<T> = { version, ...v, body: structuredClone(v.body) };
      all = [...all, added];
      return added;
    },
  };
}

/** Asked times this far in the past are taken as "now" (the console's clock, the request's way); earlier ones are refused. */
export const EFFECTIVE_SLACK_MS = 60_000;

/** When a new version takes effect: now when not asked; a time in the past (beyond the slack) is a field error. */
export function effectiveTime(asked: number | undefined, now: number):
  { at: number; error?: undefined } | { at?: undefined; error: { field: string; message: string; message_en: string } } {
  if (asked === undefined) return { at: now };
  if (asked < now - EFFECTIVE_SLACK_MS) {
    return { error: { field: 'effectiveAt', message: '生效时间不能早于当前时间', message_en: 'The effective time must not be in the past' } };
  }
  return { at: Math.max(asked, now) };
}
