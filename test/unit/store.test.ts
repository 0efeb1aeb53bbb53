import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate, openDatabase, type Database } from '../../src/store/database.ts';
import { readUnitsSeed, seedUnits } from '../../src/store/seed-units.ts';

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
    expect(() => db.prepare("INSERT INTO users VALUES ('u1', 'zhang', '张', 'boss', 'h', NULL, 1)").run()).toThrow(/CHECK/);
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
