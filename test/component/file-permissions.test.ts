import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeSeatFiles } from '../../scripts/gen-seats.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/types.ts';
import { migrate, openDatabase } from '../../src/store/database.ts';
import { startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';
import { startService } from './call-restart-process.ts';
import type { ServiceProcess } from './call-restart-process.ts';

/** Recordings and the database hold citizens' voices, phone numbers and password hashes: the service's user only. */
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

/** Each folder from `root` down to the folder holding `file`, root included. */
function foldersDown(root: string, file: string): string[] {
  const out: string[] = [];
  for (let at = dirname(file); at.startsWith(root); at = dirname(at)) out.unshift(at);
  return out;
}

let umaskBefore: number;
beforeAll(() => { umaskBefore = process.umask(0o022); });
afterAll(() => { process.umask(umaskBefore); });

describe('files the running service writes, with umask 022', () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.close(); h = undefined; });

  it('when a call is recorded, then the recording is 0600, its folders 0700, and the database with its -wal and -shm 0600', async () => {
    h = await startHarness();
    await h.addAgent('anna', { phone: { mode: 'answer', ringMs: 100, talkMs: 600 } });
    const sim = h.hotline.sim!;
    sim.control.placeCall({ line: '12345', from: '13800138000' });
    const callId = await waitFor('a call', () => (h!.hotline.db.prepare('SELECT id FROM calls').get() as { id: string } | undefined)?.id);
    const row = await waitFor('the recording stored', () => h!.hotline.recordingsRepo.byCall(callId).find((r) => r.path), 15_000);

    const root = join(h.dir, 'recordings');
    const file = join(root, row.path!);
    expect(mode(file)).toBe('0600');
    const folders = foldersDown(root, file);
    expect(folders).toHaveLength(4); // recordings/, YYYY/, MM/, DD/
    for (const folder of folders) expect(`${folder} ${mode(folder)}`).toBe(`${folder} 0700`);

    const db = join(h.dir, 'hotline.sqlite');
    for (const f of [db, `${db}-wal`, `${db}-shm`]) expect(`${f} ${mode(f)}`).toBe(`${f} 0600`);
  }, 60_000);

  it('when the database is checkpointed, closed and opened again, then it and its -wal and -shm stay 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-perm-db-'));
    try {
      const path = join(dir, 'hotline.sqlite');
      let db = openDatabase(path);
      migrate(db);
      db.prepare("INSERT INTO calls (id, line, caller_number, state, arrived_at) VALUES ('c1', '12345', '13800138000', 'ended', 1)").run();
      db.pragma('wal_checkpoint(TRUNCATE)');
      for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(`${f} ${mode(f)}`).toBe(`${f} 0600`);
      db.close();
      db = openDatabase(path);
      db.prepare("INSERT INTO calls (id, line, caller_number, state, arrived_at) VALUES ('c2', '12345', '13800138001', 'ended', 2)").run();
      for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(`${f} ${mode(f)}`).toBe(`${f} 0600`);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('files left too open by an earlier version, tightened at start', () => {
  let sim: Simulator;
  let dir: string;
  let service: ServiceProcess | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hotline-perm-start-'));
    sim = await startSimulator({ recordingsDir: join(dir, 'spool') });
  });
  afterAll(async () => {
    await service?.kill('SIGTERM');
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the service starts on a 0644 database and a 0644/0755 recordings tree, then all become 0600/0700 and the log says how many, once each', async () => {
    const db = join(dir, 'hotline.sqlite');
    openDatabase(db).close();
    writeFileSync(`${db}-wal`, '');
    writeFileSync(`${db}-shm`, '');
    for (const f of [db, `${db}-wal`, `${db}-shm`]) chmodSync(f, 0o644);
    const root = join(dir, 'recordings');
    const wav = join(root, '2026', '01', '01', 'call-old.wav');
    mkdirSync(dirname(wav), { recursive: true });
    writeFileSync(wav, 'RIFF');
    chmodSync(wav, 0o644);
    const folders = foldersDown(root, wav);
    for (const folder of folders) chmodSync(folder, 0o755);

    service = await startService({ RESTART_DIR: dir, RESTART_ARI_URL: sim.ariUrl });
    const dbLine = await service.line((l) => String(l.msg).startsWith('database files were readable'), 'the database tightened', 60_000);
    const recLine = await service.line((l) => String(l.msg).startsWith('recordings were readable'), 'the recordings tightened', 60_000);
    expect(dbLine.files).toBe(3);
    expect({ files: recLine.files, folders: recLine.folders, failed: recLine.failed }).toEqual({ files: 1, folders: 4, failed: 0 });

    for (const f of [db, `${db}-wal`, `${db}-shm`, wav]) expect(`${f} ${mode(f)}`).toBe(`${f} 0600`);
    for (const folder of folders) expect(`${folder} ${mode(folder)}`).toBe(`${folder} 0700`);
    expect(service.lines.filter((l) => String(l.msg).startsWith('database files were readable'))).toHaveLength(1);
    expect(service.lines.filter((l) => String(l.msg).startsWith('recordings were readable'))).toHaveLength(1);
  }, 120_000);
});

describe('the seat secrets written by scripts/gen-seats.ts', () => {
  it('when existing files are replaced with --force, then a reader of the old 0644 file never sees the new secrets, and new ones are 0600 in a 0700 folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-perm-seats-'));
    const before = process.umask(0);
    try {
      const out = join(dir, 'etc', 'pjsip_seats.conf');
      const secrets = join(dir, 'etc', 'seats.csv');
      writeSeatFiles({ count: 2, out, secrets });
      expect(mode(dirname(out))).toBe('0700');
      expect([mode(out), mode(secrets)]).toEqual(['0600', '0600']);

      writeFileSync(secrets, 'old\n');
      chmodSync(secrets, 0o644);
      const reader = openSync(secrets, 'r'); // opened while the file was readable by anyone
      try {
        const generated = writeSeatFiles({ count: 2, out, secrets, force: true });
        const seen = Buffer.alloc(4096);
        const n = readSync(reader, seen, 0, seen.length, 0);
        expect(seen.subarray(0, n).toString()).toBe('old\n');
        expect(readFileSync(secrets, 'utf8')).toBe(generated.csv);
        expect([mode(out), mode(secrets)]).toEqual(['0600', '0600']);
      } finally {
        closeSync(reader);
      }
    } finally {
      process.umask(before);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
