import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/** What a Range header asks for, against a file of `size` bytes. */
export type RangeAsk =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * Reads `Range: bytes=a-b`, `bytes=a-` and `bytes=-n`. A malformed or unsatisfiable range is refused
 * (416); several ranges at once are answered with the whole file, which RFC 9110 allows.
 */
export function parseRange(header: string | undefined, size: number): RangeAsk {
  if (header === undefined || header.trim() === '') return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return { kind: 'unsatisfiable' };
  const parts = m[1]!.split(',').map((p) => p.trim());
  if (parts.length > 1) return { kind: 'full' };
  const r = /^(\d*)-(\d*)$/.exec(parts[0]!);
  if (!r || (r[1] === '' && r[2] === '')) return { kind: 'unsatisfiable' };
  if (r[1] === '') {
    const suffix = Number(r[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(r[1]);
  const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

export type AudioFile =
  | { ok: true; bytes: Buffer }
  | { ok: false; why: 'missing' | 'outside' | 'tampered'; actual?: string };

/** Where a stored path points, refused when it would leave the recordings folder. */
export function resolveInside(dir: string, stored: string): string | undefined {
  const root = resolve(dir);
  const full = resolve(root, stored);
  const rel = relative(root, full);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : full;
}

/** Reads a recording and checks it against the sha256 noted when it was stored; only checked bytes are served. */
export async function readVerified(dir: string, stored: string, sha256: string | null): Promise<AudioFile> {
  const full = resolveInside(dir, stored);
  if (!full) return { ok: false, why: 'outside' };
  let bytes: Buffer;
  try { bytes = await readFile(full); } catch { return { ok: false, why: 'missing' }; }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (!sha256 || actual !== sha256.toLowerCase()) return { ok: false, why: 'tampered', actual };
  return { ok: true, bytes };
}
