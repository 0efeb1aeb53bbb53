import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate, openDatabase, type Database } from '../../src/store/database.ts';
import { readUnitsSeed, seedUnits } from '../../src/store/seed-units.ts';
import { storeFailure, storeFailureKind } from '../../src/store/store-errors.ts';
import { noteStoreFailure, probeStoreWrite, storeHealth } from '../../src/store/store-health.ts';
import { createPendingWrites, keepingWrites } from '../../src/store/pending-writes.ts';
import { ERRORS, HotlineError } from '../../src/domain/errors.ts';
import { VirtualClock } from '../../src/clock.ts';
import { fillStorage, holdWriteLock, recordingLogger } from '../component/store-fault-rig.ts';

const dir = mkdtempSync(join(tmpdir(), 'hotline-store-'));
const opened: Database[] = [];
afterAll(() => {
  for (const db of opened) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function freshDb(): Database {
  const db = openDatabase(join(dir, `db-${++n}.sqlite`));
  opened.push(db);
  return db;
}

const tables = (db: Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

function migrationsFolder(name: string, files: Record<string, string>): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const [file, sql] of Object.entries(files)) writeFileSync(join(folder, file), sql);
  return folder;
}

describe('the SQLite store', () => {
  it('when a database is opened, then WAL, foreign keys and the busy timeout are set', () => {
    const db = freshDb();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('when migrations run twice on a file, then the second run applies nothing and the schema is whole', () => {
    const path = join(dir, 'twice.sqlite');
    const first = openDatabase(path);
    opened.push(first);
    const applied = migrate(first);
    expect(applied).toEqual(listMigrations().map((m) => m.file));
    expect(applied[0]).toBe('001_core.sql');
    first.close();
    const again = openDatabase(path);
    opened.push(again);
    expect(migrate(again)).toEqual([]);
    expect(tables(again)).toEqual(expect.arrayContaining([
      'agents', 'audit_log', 'call_legs', 'calls', 'recordings', 'schema_migrations', 'sessions',
      'ticket_drafts', 'tickets', 'units', 'users',
    ]));
    expect(again.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all())
      .toEqual(listMigrations().map((m) => ({ version: m.version, name: m.name })));
  });

  it('when the lookups the hotline makes are planned, then they use an index', () => {
    const db = freshDb();
    migrate(db);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' ');
    expect(plan("SELECT * FROM calls WHERE caller_number = '1' ORDER BY arrived_at DESC")).toContain('calls_by_caller');
    expect(plan("SELECT * FROM tickets WHERE caller_number = '1' ORDER BY created_at DESC")).toContain('tickets_by_caller');
    expect(plan("SELECT * FROM sessions WHERE id = 'x'")).toMatch(/USING (INDEX|PRIMARY KEY)/);
  });

  it('when a row points at a missing parent, then the foreign key refuses it', () => {
    const db = freshDb();
    migrate(db);
    expect(() => db.prepare("INSERT INTO sessions VALUES ('s1', 'nobody', 'csrf', 1, 2, 1)").run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("INSERT INTO users (id, username, display_name, role, password_hash, unit_id, created_at) VALUES ('u1', 'zhang', '张', 'boss', 'h', NULL, 1)").run()).toThrow(/CHECK/);
  });

  it('when a migration fails, then its changes are rolled back, the file is named and earlier ones stay', () => {
    const db = freshDb();
    const folder = migrationsFolder('failing', {
      '001_first.sql': 'CREATE TABLE first_table (id INTEGER PRIMARY KEY);',
      '002_broken.sql': 'CREATE TABLE half_done (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);',
    });
    expect(() => migrate(db, { dir: folder })).toThrow(/migration 002_broken\.sql failed and was rolled back: no such table: no_such_table/);
    expect(tables(db)).toContain('first_table');
    expect(tables(db)).not.toContain('half_done');
    expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([{ version: 1 }]);

    writeFileSync(join(folder, '002_broken.sql'), 'CREATE TABLE half_done (id INTEGER PRIMARY KEY);');
    expect(migrate(db, { dir: folder })).toEqual(['002_broken.sql']);
  });

  it('when two migrations share a number or a file is misnamed, then listing them fails by name', () => {
    const twins = migrationsFolder('twins', { '001_a.sql': '', '001_b.sql': '' });
    expect(() => listMigrations(twins)).toThrow('migrations 001_a.sql and 001_b.sql share the number 001');
    const odd = migrationsFolder('odd', { '1-start.sql': '' });
    expect(() => listMigrations(odd)).toThrow('1-start.sql must be named NNN_name.sql');
  });

  it('when the Beijing units are seeded twice, then 16 districts and 349 units are there once', () => {
    const db = freshDb();
    migrate(db);
    const seed = readUnitsSeed();
    expect(seed.source).toMatch(/National Bureau of Statistics/);
    expect(seedUnits(db, seed)).toEqual({ districts: 16, units: 349 });
    seedUnits(db, seed);
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(count("SELECT count(*) AS n FROM units WHERE kind = 'district'")).toBe(16);
    expect(count("SELECT count(*) AS n FROM units WHERE kind <> 'district'")).toBe(349);
    expect(db.prepare("SELECT name, district_code, kind FROM units WHERE code = '110101001'").get())
      .toEqual({ name: '东华门街道', district_code: '110101', kind: 'subdistrict' });
  });
});

describe('the database refusing writes: busy, full, unavailable', () => {
  const sqliteError = (code: string, message = 'refused') => Object.assign(new Error(message), { name: 'SqliteError', code });

  it.each([
    ['SQLITE_BUSY', 'ERR_STORE_BUSY', 503],
    ['SQLITE_BUSY_SNAPSHOT', 'ERR_STORE_BUSY', 503],
    ['SQLITE_BUSY_TIMEOUT', 'ERR_STORE_BUSY', 503],
    ['SQLITE_LOCKED', 'ERR_STORE_BUSY', 503],
    ['SQLITE_LOCKED_SHAREDCACHE', 'ERR_STORE_BUSY', 503],
    ['SQLITE_FULL', 'ERR_STORE_FULL', 507],
    ['SQLITE_IOERR', 'ERR_STORE_UNAVAILABLE', 503],
    ['SQLITE_IOERR_WRITE', 'ERR_STORE_UNAVAILABLE', 503],
    ['SQLITE_IOERR_FSYNC', 'ERR_STORE_UNAVAILABLE', 503],
    ['SQLITE_READONLY', 'ERR_STORE_UNAVAILABLE', 503],
    ['SQLITE_CANTOPEN', 'ERR_STORE_UNAVAILABLE', 503],
    ['SQLITE_CORRUPT', 'ERR_STORE_UNAVAILABLE', 503],
  ])('when SQLite fails with %s, then the catalog error is %s (%i) with the code in its details', (sqlite, code, status) => {
    const failure = storeFailure(sqliteError(sqlite));
    expect(failure).toBeInstanceOf(HotlineError);
    expect(failure).toMatchObject({ code, status, details: { sqlite } });
    expect(ERRORS[failure!.code].zh).toMatch(/数据库/);
    expect(ERRORS[failure!.code].en).toMatch(/database/i);
  });

  it('when the error is a constraint, a mistake in SQL, or no SQLite error at all, then it is not a store failure', () => {
    for (const e of [sqliteError('SQLITE_CONSTRAINT_FOREIGNKEY'), sqliteError('SQLITE_ERROR'), sqliteError('SQLITE_BUSYNESS'),
      new Error('SQLITE_FULL in the text only'), { code: 'ENOSPC' }, null, undefined, 'SQLITE_FULL', 42]) {
      expect(storeFailure(e)).toBeUndefined();
      expect(storeFailureKind(e)).toBeUndefined();
    }
  });

  it('when a store failure is wrapped as the cause of another error, then it is still found', () => {
    const wrapped = new Error('ticket not saved', { cause: new Error('step failed', { cause: sqliteError('SQLITE_FULL') }) });
    expect(storeFailure(wrapped)?.code).toBe('ERR_STORE_FULL');
    expect(storeFailureKind(wrapped)).toBe('full');
  });

  it('when the busy timeout is not a whole number of milliseconds from 0 to 60000, then opening refuses it by name', () => {
    for (const bad of [-1, 1.5, 60_001, Number.NaN]) {
      expect(() => openDatabase(join(dir, 'never.sqlite'), { busyTimeoutMs: bad })).toThrow(/busyTimeoutMs must be a whole number/);
    }
    const db = openDatabase(join(dir, `db-${++n}.sqlite`), { busyTimeoutMs: 250 });
    opened.push(db);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(250);
  });

  it('when another connection holds the write lock, then a write waits the busy timeout, fails as ERR_STORE_BUSY, and goes through once the lock is let go', () => {
    const path = join(dir, `db-${++n}.sqlite`);
    const db = openDatabase(path, { busyTimeoutMs: 150 });
    opened.push(db);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
    const lock = holdWriteLock(path);
    const started = Date.now();
    let thrown: unknown;
    try { db.prepare("INSERT INTO notes (text) VALUES ('a')").run(); } catch (error) { thrown = error; }
    const waited = Date.now() - started;
    expect(storeFailure(thrown)?.code).toBe('ERR_STORE_BUSY');
    expect(waited).toBeGreaterThanOrEqual(100);
    expect(db.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 0 });
    lock.release();
    db.prepare("INSERT INTO notes (text) VALUES ('a')").run();
    expect(db.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 1 });
  });

  it('when the storage is full in the middle of a transaction, then ERR_STORE_FULL, none of its rows stay, and writes work again once space returns', () => {
    const db = freshDb();
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL); CREATE TABLE trail (note INTEGER NOT NULL, what TEXT NOT NULL)');
    const storage = fillStorage(db);
    const save = db.transaction((text: string) => {
      const id = db.prepare('INSERT INTO notes (text) VALUES (?)').run(text).lastInsertRowid;
      db.prepare('INSERT INTO trail (note, what) VALUES (?, ?)').run(id, 'created');
    });
    let thrown: unknown;
    try { save('很长的内容'.repeat(2000)); } catch (error) { thrown = error; }
    expect(storeFailure(thrown)).toMatchObject({ code: 'ERR_STORE_FULL', status: 507 });
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT (SELECT count(*) FROM notes) AS notes, (SELECT count(*) FROM trail) AS trail').get()).toEqual({ notes: 0, trail: 0 });
    storage.restore();
    save('很长的内容'.repeat(2000));
    expect(db.prepare('SELECT (SELECT count(*) FROM notes) AS notes, (SELECT count(*) FROM trail) AS trail').get()).toEqual({ notes: 1, trail: 1 });
  });

  it('when writes are refused, then health says why until a probe write goes through again', () => {
    const path = join(dir, `db-${++n}.sqlite`);
    const db = openDatabase(path, { busyTimeoutMs: 2000 });
    opened.push(db);
    migrate(db);
    expect(storeHealth(db)).toEqual({ state: 'ok', pendingWrites: 0 });
    expect(noteStoreFailure(db, new Error('not a store failure'), 1)).toBeUndefined();
    expect(storeHealth(db).state).toBe('ok');

    const storage = fillStorage(db);
    expect(probeStoreWrite(db)).toBe('full');
    expect(noteStoreFailure(db, sqliteError('SQLITE_FULL'), 1000)).toBe('full');
    expect(storeHealth(db)).toEqual({ state: 'full', since: 1000, sqlite: 'SQLITE_FULL', pendingWrites: 0 });
    storage.restore();

    const lock = holdWriteLock(path);
    const started = Date.now();
    expect(storeHealth(db)).toMatchObject({ state: 'busy', since: 1000 });
    expect(Date.now() - started).toBeLessThan(1500); // the probe does not wait out the 2 s busy timeout
    expect(db.pragma('busy_timeout', { simple: true })).toBe(2000);
    lock.release();
    expect(storeHealth(db)).toEqual({ state: 'ok', pendingWrites: 0 });
    expect(tables(db)).not.toContain('hotline_write_probe');
  });
});

describe('kept writes: the call path goes on while the database refuses writes', () => {
  function rig(o: { limit?: number } = {}) {
    const db = freshDb();
    db.exec('CREATE TABLE calls (id TEXT PRIMARY KEY, state TEXT NOT NULL, note TEXT)');
    const clock = new VirtualClock(1_000_000);
    const { log, entries } = recordingLogger('debug');
    const pending = createPendingWrites({ db, clock, log, retryMs: 5000, ...(o.limit ? { limit: o.limit } : {}) });
    const insert = db.prepare('INSERT INTO calls (id, state, note) VALUES (?, ?, ?)');
    const update = db.prepare('UPDATE calls SET state = ? WHERE id = ?');
    const repo = {
      insertCall(id: string, state: string, note = '') { insert.run(id, state, note); },
      saveCall(id: string, state: string) { update.run(state, id); },
      call: (id: string) => db.prepare('SELECT id, state FROM calls WHERE id = ?').get(id) as { id: string; state: string } | undefined,
    };
    const calls = keepingWrites(repo, ['insertCall', 'saveCall'], pending);
    return { db, clock, entries, pending, calls, rows: () => db.prepare('SELECT id, state FROM calls ORDER BY rowid').all() };
  }
  const big = '通话备注'.repeat(1500);

  it('when a write is refused, then it and every later write are kept in order and written once space returns', () => {
    const r = rig();
    r.calls.insertCall('c1', 'arrived');
    const storage = fillStorage(r.db);
    expect(() => r.calls.insertCall('c2', 'arrived', big)).not.toThrow();
    r.calls.saveCall('c1', 'queued');       // would fit, but waits behind c2 to keep the order
    r.calls.saveCall('c2', 'queued');
    expect(r.pending.size).toBe(3);
    expect(r.rows()).toEqual([{ id: 'c1', state: 'arrived' }]);
    expect(storeHealth(r.db)).toMatchObject({ state: 'full', sqlite: 'SQLITE_FULL', pendingWrites: 3 });
    const refused = r.entries.filter((e) => e.msg.startsWith('database refused a write'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: 'error', what: 'insertCall', sqlite: 'SQLITE_FULL', kind: 'full' });

    r.clock.advance(5000);                  // still full: tried again, still kept
    expect(r.pending.size).toBe(3);
    expect(r.entries.some((e) => e.msg.startsWith('database still refuses writes'))).toBe(true);

    storage.restore();
    r.clock.advance(5000);
    expect(r.pending.size).toBe(0);
    expect(r.rows()).toEqual([{ id: 'c1', state: 'queued' }, { id: 'c2', state: 'queued' }]);
    expect(r.entries.find((e) => e.msg === 'kept writes written')).toMatchObject({ written: 3 });
    expect(storeHealth(r.db)).toEqual({ state: 'ok', pendingWrites: 0 });
    r.pending.close();
  });

  it('when health finds the database taking writes again, then the kept writes are written at once', () => {
    const r = rig();
    const storage = fillStorage(r.db);
    r.calls.insertCall('c1', 'arrived', big);
    expect(r.pending.size).toBe(1);
    storage.restore();
    expect(storeHealth(r.db)).toEqual({ state: 'ok', pendingWrites: 0 });
    expect(r.rows()).toEqual([{ id: 'c1', state: 'arrived' }]);
    r.pending.close();
  });

  it('when a write fails for another reason than the store, then it is thrown as before and nothing is kept', () => {
    const r = rig();
    r.calls.insertCall('c1', 'arrived');
    expect(() => r.calls.insertCall('c1', 'arrived')).toThrow(/UNIQUE/);
    expect(r.pending.size).toBe(0);
    expect(r.calls.call('c1')).toEqual({ id: 'c1', state: 'arrived' });
    r.pending.close();
  });

  it('when a kept write later fails for another reason, then it alone is given up, logged, and the rest are written', () => {
    const r = rig();
    const storage = fillStorage(r.db);
    r.calls.insertCall('c1', 'arrived', big);
    r.calls.insertCall('c1', 'again');       // a duplicate: refused by the key once space returns
    r.calls.insertCall('c2', 'arrived');
    storage.restore();
    expect(r.pending.flush()).toBe(true);
    expect(r.rows()).toEqual([{ id: 'c1', state: 'arrived' }, { id: 'c2', state: 'arrived' }]);
    expect(r.entries.find((e) => e.msg === 'kept write failed and was given up')).toMatchObject({ level: 'error', what: 'insertCall' });
    r.pending.close();
  });

  it('when a write runs inside a transaction, then a refusal is thrown to the transaction, not kept', () => {
    const r = rig();
    const storage = fillStorage(r.db);
    expect(() => r.db.transaction(() => r.calls.insertCall('c1', 'arrived', big))()).toThrow(/full/);
    expect(r.pending.size).toBe(0);
    storage.restore();
    r.pending.close();
  });

  it('when more writes wait than the limit, then the oldest is given up and logged; at shutdown the rest are written or reported', () => {
    const r = rig({ limit: 2 });
    const storage = fillStorage(r.db);
    r.calls.insertCall('c1', 'arrived', big);
    r.calls.insertCall('c2', 'arrived', big);
    r.calls.insertCall('c3', 'arrived', big);
    expect(r.pending.size).toBe(2);
    expect(r.entries.find((e) => e.msg.startsWith('kept write given up'))).toMatchObject({ level: 'error', what: 'insertCall', limit: 2 });
    r.pending.close();                     // still full: reported as not written
    expect(r.entries.find((e) => e.msg === 'kept writes not written before shutdown')).toMatchObject({ lost: 2 });
    storage.restore();
    const again = rig();
    const full = fillStorage(again.db);
    again.calls.insertCall('c9', 'arrived', big);
    full.restore();
    again.pending.close();                 // space is back: written on the way out
    expect(again.rows()).toEqual([{ id: 'c9', state: 'arrived' }]);
  });
});
