import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { startHotline } from '../../src/hotline.ts';
import type { Hotline } from '../../src/hotline.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { createLogger, type Logger } from '../../src/log.ts';

/**
 * Another connection (as a backup or a second service would) takes the write lock of the file and holds it
 * until released.
 */
export function holdWriteLock(path: string): { release(): void } {
  const other = openDatabase(path);
  other.exec('BEGIN IMMEDIATE');
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    },
  };
}

/**
 * The database's storage runs out: no page may be added beyond those the file has now (PRAGMA max_page_count on
 * this connection, SQLITE_FULL), the way a full disk refuses the file's growth, and the free pages inside the file
 * are taken up by ballast. `restore` gives the space back.
 */
export function fillStorage(db: Database): { restore(): void } {
  const before = Number(db.pragma('max_page_count', { simple: true }));
  db.exec('CREATE TABLE IF NOT EXISTS fault_ballast (b BLOB)');
  db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const ballast = db.prepare('INSERT INTO fault_ballast (b) VALUES (zeroblob(?))');
  for (let size = pageSize; size >= 16; size = Math.floor(size / 2)) {
    for (;;) {
      try { ballast.run(size); } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_FULL') throw error;
        break;
      }
    }
  }
  if (Number(db.pragma('freelist_count', { simple: true })) !== 0) throw new Error('free pages left after filling the storage');
  return {
    restore() {
      db.pragma(`max_page_count = ${before}`);
      db.exec('DROP TABLE fault_ballast');
    },
  };
}

/**
 * With the storage full, fills the free room left in the pages of a table by inserting filler rows until
 * `misses` inserts in a row are refused: a full disk refuses small rows too once the table's last page is full.
 * Returns how many filler rows went in.
 */
export function packTable(db: Database, insertFiller: (n: number) => void, misses = 60): number {
  let added = 0;
  let refusedInARow = 0;
  for (let n = 0; n < 20_000 && refusedInARow < misses; n++) {
    try {
      insertFiller(n);
      added++;
      refusedInARow = 0;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_FULL') throw error;
      refusedInARow++;
    }
  }
  if (refusedInARow < misses) throw new Error('the table never filled up');
  return added;
}

export interface LogEntry { level: string; msg: string; [key: string]: unknown }

/** A logger that keeps every entry for the test to read. */
export function recordingLogger(level: 'debug' | 'info' = 'info'): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const log = createLogger({ level, destination: { write(line: string) { entries.push(JSON.parse(line) as LogEntry); } } });
  return { log, entries };
}

export interface FaultHotline {
  hotline: Hotline;
  dir: string;
  dbPath: string;
  entries: LogEntry[];
  /** Logs an agent in (its phone answers after 200 ms) and, unless told otherwise, makes it ready. */
  addAgent(name: string, o?: { ready?: boolean }): Promise<{ agentId: string; token: string }>;
  api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

/** The whole hotline over the simulator with a temporary SQLite file, its log kept for the test to read; `values` add to its configuration. */
export async function startFaultHotline(values: Record<string, unknown> = {}): Promise<FaultHotline> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-store-faults-'));
  const dbPath = join(dir, 'hotline.sqlite');
  const config = loadConfig({
    env: {},
    values: {
      service: { host: '127.0.0.1', port: 0 }, pbx: { mode: 'simulator' }, database: { path: dbPath },
      recordings: { dir: join(dir, 'recordings') }, lines: [{ number: '12345', wrapUpSeconds: 1 }], log: { level: 'info' },
      ...values,
    },
  });
  const { log, entries } = recordingLogger();
  const hotline = await startHotline({
    config, log,
    tuning: {
      ringTimeoutMs: 1500, sounds: { 'sound:hotline/greeting': 150 },
      recordings: { finishWaitMs: 500, retryBaseMs: 100 },
    },
  });
  async function api(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(hotline.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  }
  return {
    hotline, dir, dbPath, entries, api,
    async addAgent(name, o = {}) {
      const seat = `seat-${name}`;
      const account = await hotline.app.auth.createUser({ username: name, password: 'secret-pass-1', role: 'agent', displayName: name, agent: { seat } });
      hotline.sim!.control.registerPhone(seat, { mode: 'answer', ringMs: 200 });
      const res = await fetch(`${hotline.url}/api/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password: 'secret-pass-1' }),
      });
      const { token } = (await res.json()) as { token: string };
      const login = await api(token, 'POST', '/api/agents/me/login', {});
      if (login.status !== 200) throw new Error(`agent login failed: ${JSON.stringify(login.body)}`);
      if (o.ready !== false) await api(token, 'POST', '/api/agents/me/state', { state: 'ready' });
      return { agentId: account.agentId!, token };
    },
    async close() {
      await hotline.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
