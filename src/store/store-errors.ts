import { hotlineError } from '../domain/errors.ts';
import type { ErrorCode, HotlineError } from '../domain/errors.ts';

/**
 * Why the database refused a statement:
 * - busy: another connection or process holds the write lock past the busy timeout (SQLITE_BUSY*, SQLITE_LOCKED*);
 * - full: the disk or the database's page limit is full (SQLITE_FULL);
 * - unavailable: the file cannot be read or written (SQLITE_IOERR*, SQLITE_READONLY*, SQLITE_CANTOPEN*,
 *   SQLITE_CORRUPT*, SQLITE_NOTADB, SQLITE_PROTOCOL).
 * Anything else (a constraint, a mistake in SQL) is not a store failure: it stays the error it is.
 */
export type StoreFailureKind = 'busy' | 'full' | 'unavailable';

const CODE_OF_KIND: Record<StoreFailureKind, ErrorCode> = {
  busy: 'ERR_STORE_BUSY',
  full: 'ERR_STORE_FULL',
  unavailable: 'ERR_STORE_UNAVAILABLE',
};

/** How long a client is asked to wait before trying again (Retry-After, seconds). */
export const STORE_RETRY_AFTER_SECONDS: Record<StoreFailureKind, number> = { busy: 5, full: 60, unavailable: 30 };

const UNAVAILABLE = /^SQLITE_(IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)(_|$)/;

function kindOfCode(code: string): StoreFailureKind | undefined {
  if (/^SQLITE_(BUSY|LOCKED)(_|$)/.test(code)) return 'busy';
  if (code === 'SQLITE_FULL') return 'full';
  if (UNAVAILABLE.test(code)) return 'unavailable';
  return undefined;
}

/** The SQLite result code an error carries, looking through a few levels of `cause`. */
export function sqliteCodeOf(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** busy, full or unavailable when the error is the database refusing the work; undefined for anything else. */
export function storeFailureKind(error: unknown): StoreFailureKind | undefined {
  const code = sqliteCodeOf(error);
  return code === undefined ? undefined : kindOfCode(code);
}

/**
 * The catalog error for a store failure (ERR_STORE_BUSY 503, ERR_STORE_FULL 507, ERR_STORE_UNAVAILABLE 503), with
 * the SQLite code in its details; undefined when the error is not a store failure.
 */
export function storeFailure(error: unknown): HotlineError | undefined {
  const code = sqliteCodeOf(error);
  const kind = code === undefined ? undefined : kindOfCode(code);
  if (kind === undefined) return undefined;
  return hotlineError(CODE_OF_KIND[kind], { sqlite: code }, { cause: error });
}
