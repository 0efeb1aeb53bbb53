import { chmodSync, closeSync, fchmodSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';

export type Database = BetterSqlite3.Database;

/**
 * The SQLite binding for this Node. better-sqlite3 12 is the last to run on Node 20, but on Node 24 (from 24.19)
 * its statements abort the process when garbage-collected outside a JavaScript context; 13 (Node-API, Node >= 22)
 * does not. package.json installs 13 as the optional `better-sqlite3-napi` wherever the engine allows it.
 */
function sqliteBinding(): typeof BetterSqlite3 {
  const require = createRequire(import.meta.url);
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) {
    try {
      return require('better-sqlite3-napi') as typeof BetterSqlite3;
    } catch {
      process.emitWarning('better-sqlite3-napi (better-sqlite3 13) is not installed: falling back to better-sqlite3 12, which can abort on Node 24; run npm ci on this Node', 'HotlineWarning');
    }
  }
  return require('better-sqlite3') as typeof BetterSqlite3;
}

const Sqlite = sqliteBinding();

/** The folder holding the numbered migrations that ship with the service. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

const MIGRATION_FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** How long a write waits for a write lock held by another connection before it is refused (SQLITE_BUSY). */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface DatabaseOptions {
  /** The busy timeout (ms): a write waits this long for a lock held elsewhere, then fails with ERR_STORE_BUSY. */
  busyTimeoutMs?: number;
  /** Told once when files of the database were readable by other users and have been made private. */
  log?: Pick<Logger, 'warn'>;
}

/** The database holds password hashes and citizens' phone numbers: readable by the service's user only. */
export const PRIVATE_DATABASE_FILE = 0o600;

/** The files SQLite keeps beside the database file. */
const SIDE_FILES = ['-wal', '-shm', '-journal'] as const;

/** A path SQLite opens as a file of its own (not `:memory:`, a temporary database or a URI). */
function isFilePath(path: string): boolean {
  return path !== '' && path !== ':memory:' && !path.startsWith('file:');
}

/**
 * Makes the database file private (0600), creating it empty if it does not exist yet, and tightens the
 * journal files already beside it. SQLite creates its -wal and -shm files with the mode of the database
 * file itself (and sets that mode whatever the umask), so a 0600 database keeps them 0600 when they are
 * made again after a checkpoint or a restart. Returns how many existing files were more open and were changed.
 */
export function protectDatabaseFiles(path: string): number {
  if (!isFilePath(path)) return 0;
  let tightened = 0;
  for (const file of [path, ...SIDE_FILES.map((suffix) => path + suffix)]) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (file === path) createPrivate(path);
      continue;
    }
    if ((mode & 0o077) === 0) continue;
    chmodSync(file, PRIVATE_DATABASE_FILE);
    tightened++;
  }
  return tightened;
}

/** A new, empty database file made 0600 before SQLite opens it (an empty file is an empty database). */
function createPrivate(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_DATABASE_FILE);
  } catch {
    return; // a missing folder and the like: SQLite reports it when it opens the path
  }
  try { fchmodSync(fd, PRIVATE_DATABASE_FILE); } finally { closeSync(fd); }
}

/**
 * Opens (creating if needed) the hotline's SQLite file, private to the service's user (0600, with its -wal
 * and -shm; see protectDatabaseFiles): WAL journal, foreign keys on, 5 s busy timeout;
 * a page cache of up to 64 MiB, temporary tables and sorts in memory, and the file read through a memory map
 * of up to 256 MiB, so a month's reports and their rebuilds do not go back to the disk for every page.
 * While the timeout runs the process waits (better-sqlite3 is synchronous): it bounds how long a lock held
 * by another process (a backup, a second service) can stall the hotline before the write is refused.
 */
export function openDatabase(path: string, options: DatabaseOptions = {}): Database {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0 || busyTimeoutMs > 60_000) {
    throw new RangeError(`busyTimeoutMs must be a whole number of milliseconds from 0 to 60000, not ${String(busyTimeoutMs)}`);
  }
  const tightened = protectDatabaseFiles(path);
  if (tightened > 0) options.log?.warn({ files: tightened }, 'database files were readable by other users: made private (0600)');
  const db = new Sqlite(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    db.pragma('mmap_size = 268435456');
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly file: string;
}

/** The migrations in a folder, in order; a repeated number or a stray .sql name is an error. */
export function listMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const found: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const m = MIGRATION_FILE.exec(file);
    if (!m) throw new Error(`migration file ${file} must be named NNN_name.sql (lower case, digits, underscores)`);
    const version = Number(m[1]);
    const twin = found.find((x) => x.version === version);
    if (twin) throw new Error(`migrations ${twin.file} and ${file} share the number ${m[1]}`);
    found.push({ version, name: m[2]!, file });
  }
  return found;
}

/**
 * Applies every migration not yet recorded in schema_migrations, each in its own transaction.
 * A failing migration is rolled back and reported by file name; the ones before it stay applied.
 * Returns the files applied by this call.
 */
export function migrate(db: Database, options: { dir?: string; now?: () => number } = {}): string[] {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const now = options.now ?? (() => Date.now());
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const applied = new Set(
    db.prepare('SELECT version FROM schema_migrations').all().map((r) => (r as { version: number }).version),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: string[] = [];
  for (const migration of listMigrations(dir)) {
    if (applied.has(migration.version)) continue;
    const sql = readFileSync(join(dir, migration.file), 'utf8');
    const apply = db.transaction(() => {
      db.exec(sql);
      record.run(migration.version, migration.name, now());
    });
    try {
      apply();
    } catch (cause) {
      throw new Error(`migration ${migration.file} failed and was rolled back: ${(cause as Error).message}`, { cause });
    }
    done.push(migration.file);
  }
  return done;
}
