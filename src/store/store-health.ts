import type { Database } from './database.ts';
import { sqliteCodeOf, storeFailureKind } from './store-errors.ts';
import type { StoreFailureKind } from './store-errors.ts';

/** What /health says about the database. */
export interface StoreHealth {
  /** ok, or why writes are refused: busy (the write lock is held elsewhere), full, unavailable (I/O). */
  state: 'ok' | StoreFailureKind;
  /** Since when writes have been refused, and the SQLite code of the last refusal. */
  since?: number;
  sqlite?: string;
  /** Call and agent writes kept to be written once the database takes them again. */
  pendingWrites: number;
}

/** A queue of writes kept while the database refuses them (see pending-writes.ts). */
export interface KeptWrites {
  readonly size: number;
  flush(): boolean;
}

interface Refusal { kind: StoreFailureKind; since: number; sqlite: string }
interface Watch { refusal: Refusal | undefined; kept: Set<KeptWrites> }

const watches = new WeakMap<Database, Watch>();

function watchOf(db: Database): Watch {
  let w = watches.get(db);
  if (!w) {
    w = { refusal: undefined, kept: new Set() };
    watches.set(db, w);
  }
  return w;
}

/** Records that the database refused a write; returns the kind, or undefined when the error is not a store failure. */
export function noteStoreFailure(db: Database, error: unknown, now: number): StoreFailureKind | undefined {
  const kind = storeFailureKind(error);
  if (kind === undefined) return undefined;
  const w = watchOf(db);
  const sqlite = sqliteCodeOf(error) ?? 'SQLITE_ERROR';
  w.refusal = { kind, since: w.refusal?.since ?? now, sqlite };
  return kind;
}

/** Records that a write went through: the database takes writes again. */
export function noteStoreWritten(db: Database): void {
  const w = watches.get(db);
  if (w) w.refusal = undefined;
}

/** Makes a queue of kept writes count in the health answer and be flushed when the database recovers. */
export function registerKeptWrites(db: Database, kept: KeptWrites): () => void {
  const w = watchOf(db);
  w.kept.add(kept);
  return () => { w.kept.delete(kept); };
}

/**
 * Tries a write that allocates new pages (a table and a row of two pages), then rolls it back, without waiting
 * for a lock held elsewhere. Returns why the database refused it, or undefined when it took it. Inside an open
 * transaction nothing is tried (undefined).
 */
export function probeStoreWrite(db: Database): StoreFailureKind | undefined {
  if (db.inTransaction) return undefined;
  const timeout = Number(db.pragma('busy_timeout', { simple: true }));
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec('CREATE TABLE hotline_write_probe (b BLOB)');
      db.prepare('INSERT INTO hotline_write_probe (b) VALUES (zeroblob(?))').run(pageSize * 2);
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
    return undefined;
  } catch (error) {
    const kind = storeFailureKind(error);
    if (kind === undefined) throw error;
    return kind;
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

/**
 * The database's health. While a refusal is on record the database is probed: when it takes a write again the
 * refusal is cleared and the kept writes are written.
 */
export function storeHealth(db: Database): StoreHealth {
  const w = watchOf(db);
  if (w.refusal) {
    const kind = probeStoreWrite(db);
    if (kind === undefined) {
      w.refusal = undefined;
      for (const kept of w.kept) kept.flush();
    } else {
      w.refusal = { ...w.refusal, kind };
    }
  }
  const pendingWrites = [...w.kept].reduce((n, k) => n + k.size, 0);
  const r = w.refusal;
  return r ? { state: r.kind, since: r.since, sqlite: r.sqlite, pendingWrites } : { state: 'ok', pendingWrites };
}

/** The refusal on record, without probing. */
export function storeRefusal(db: Database): { kind: StoreFailureKind; since: number; sqlite: string } | undefined {
  return watches.get(db)?.refusal;
}
