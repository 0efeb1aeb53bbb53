import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Database } from './database.ts';
import { sqliteCodeOf, storeFailureKind } from './store-errors.ts';
import { noteStoreFailure, noteStoreWritten, registerKeptWrites, storeRefusal } from './store-health.ts';

/**
 * Writes the call path must not lose and must not be stopped by: the calls log, call legs, agent states.
 * When the database refuses one (busy, full, unavailable) the write is kept, and so is every write after it,
 * in order; they are tried again every few seconds, with a short busy timeout so a lock held elsewhere does not
 * stall the calls, and written as soon as the database takes them. The call itself goes on as if it had been
 * written. Any other error (a constraint, a mistake) is thrown as before.
 */
export interface PendingWrites {
  run(what: string, write: () => void): void;
  /** Tries the kept writes now, in order; true when none is left. */
  flush(): boolean;
  readonly size: number;
  close(): void;
}

export interface PendingWritesDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  /** How often kept writes are tried again (ms). */
  retryMs?: number;
  /** The most writes kept; past it the oldest is given up, and logged. */
  limit?: number;
  /** The busy timeout while kept writes are tried again (ms). */
  retryBusyTimeoutMs?: number;
}

interface Kept { what: string; write: () => void; at: number }

export function createPendingWrites(deps: PendingWritesDeps): PendingWrites {
  const { db, clock } = deps;
  const log = deps.log.child({ component: 'pending-writes' });
  const retryMs = deps.retryMs ?? 5000;
  const limit = deps.limit ?? 100_000;
  const retryBusyTimeoutMs = deps.retryBusyTimeoutMs ?? 250;
  const kept: Kept[] = [];
  let timer: TimerHandle | undefined;
  let lastTry = 0;
  let closed = false;

  function schedule(): void {
    if (closed || timer !== undefined || kept.length === 0) return;
    timer = clock.setTimeout(() => { timer = undefined; flush(); }, retryMs);
  }

  function keep(what: string, write: () => void): void {
    if (kept.length >= limit) {
      const dropped = kept.shift()!;
      log.error({ what: dropped.what, keptSince: dropped.at, limit }, 'kept write given up: too many writes waiting for the database');
    }
    kept.push({ what, write, at: clock.now() });
  }

  /** Runs one write; true when written, false when the database refused it (recorded), throws on anything else. */
  function attempt(what: string, write: () => void): boolean {
    try {
      write();
      return true;
    } catch (error) {
      if (noteStoreFailure(db, error, clock.now()) === undefined) throw error;
      log.error({ err: error, what, sqlite: sqliteCodeOf(error), kind: storeFailureKind(error), waiting: kept.length + 1 },
        'database refused a write: kept to write later, the call goes on');
      return false;
    }
  }

  function flush(): boolean {
    if (kept.length === 0) return true;
    lastTry = clock.now();
    const timeout = Number(db.pragma('busy_timeout', { simple: true }));
    db.pragma(`busy_timeout = ${Math.min(timeout, retryBusyTimeoutMs)}`);
    let written = 0;
    try {
      while (kept.length > 0) {
        const next = kept[0]!;
        let ok: boolean;
        try {
          next.write();
          ok = true;
        } catch (error) {
          if (noteStoreFailure(db, error, clock.now()) === undefined) {
            log.error({ err: error, what: next.what, keptSince: next.at }, 'kept write failed and was given up');
            kept.shift();
            continue;
          }
          ok = false;
        }
        if (!ok) break;
        kept.shift();
        written++;
      }
    } finally {
      db.pragma(`busy_timeout = ${timeout}`);
    }
    if (kept.length === 0) {
      noteStoreWritten(db);
      log.info({ written }, 'kept writes written');
      return true;
    }
    log.warn({ written, waiting: kept.length, sqlite: storeRefusal(db)?.sqlite }, 'database still refuses writes: kept writes wait');
    schedule();
    return false;
  }

  const unregister = registerKeptWrites(db, { get size() { return kept.length; }, flush });

  return {
    run(what, write) {
      // Inside a transaction the caller owns the outcome: a refusal may have rolled the whole transaction back.
      if (closed || db.inTransaction) { write(); return; }
      if (kept.length > 0) {
        keep(what, write);
        if (clock.now() - lastTry >= retryMs) flush();
        else schedule();
        return;
      }
      if (attempt(what, write)) { noteStoreWritten(db); return; }
      keep(what, write);
      lastTry = clock.now();
      schedule();
    },
    flush,
    get size() { return kept.length; },
    close() {
      if (closed) return;
      if (kept.length > 0 && db.open) flush();
      closed = true;
      clock.clearTimeout(timer);
      timer = undefined;
      if (kept.length > 0) log.error({ lost: kept.length, oldest: kept[0]!.at }, 'kept writes not written before shutdown');
      unregister();
    },
  };
}

type WriteName<T> = { [K in keyof T]: T[K] extends (...args: never[]) => infer R ? ([R] extends [void] ? K : never) : never }[keyof T];

/**
 * The same repository, with the named writes (methods returning nothing) going through `pending`: a refused one
 * is kept and written later instead of throwing into the call. Reads go straight to the repository.
 */
export function keepingWrites<T extends object>(repo: T, writes: ReadonlyArray<WriteName<T>>, pending: PendingWrites): T {
  const kept = { ...repo } as Record<PropertyKey, unknown>;
  for (const name of writes) {
    const write = repo[name] as unknown as (...args: unknown[]) => void;
    kept[name] = (...args: unknown[]) => pending.run(String(name), () => write.apply(repo, args));
  }
  return kept as T;
}
