/**
 * Trusted devices: after a successful sign-in a browser gets a long-lived, HttpOnly cookie naming it, and the
 * account is remembered on it; later attempts for that account that carry the cookie are throttled for that
 * browser alone (login-throttle.ts). One browser may be remembered for several accounts (a workstation shared
 * across shifts). The cookie is a random value; the database keeps its hash, never the value.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../store/database.ts';

export const DEVICE_COOKIE = 'hl_device';
export const DEVICE_TTL_MS = 180 * 24 * 60 * 60 * 1000;
/** The browsers an account is remembered on; the least recently used are forgotten first. */
const DEVICES_PER_USER = 20;

const hashOf = (value: string): string => createHash('sha256').update(value).digest('base64url');

export interface TrustedDevices {
  /** An id for this browser and account when `cookie` names a browser the account `username` is remembered on. */
  recognise(cookie: string | undefined, username: string): string | undefined;
  /** Remembers the account on the browser; returns the cookie's value (the browser's own, or a new one). */
  remember(userId: string, cookie: string | undefined): string;
  sweep(): number;
}

export function createTrustedDevices(deps: { db: Database; clock: Clock }): TrustedDevices {
  const { db, clock } = deps;
  const find = db.prepare(`SELECT d.user_id AS userId FROM trusted_devices d JOIN users u ON u.id = d.user_id
    WHERE d.token_hash = ? AND d.last_used_at > ? AND u.username = ?`);
  const upsert = db.prepare(`INSERT INTO trusted_devices (token_hash, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (token_hash, user_id) DO UPDATE SET last_used_at = excluded.last_used_at`);
  const trim = db.prepare(`DELETE FROM trusted_devices WHERE user_id = ? AND token_hash NOT IN
    (SELECT token_hash FROM trusted_devices WHERE user_id = ? ORDER BY last_used_at DESC LIMIT ${DEVICES_PER_USER})`);
  const expire = db.prepare('DELETE FROM trusted_devices WHERE last_used_at <= ?');

  const valid = (cookie: string | undefined): cookie is string => typeof cookie === 'string' && /^[A-Za-z0-9_-]{43}$/.test(cookie);

  return {
    recognise(cookie, username) {
      if (!valid(cookie)) return undefined;
      const hash = hashOf(cookie);
      const row = find.get(hash, clock.now() - DEVICE_TTL_MS, username) as { userId: string } | undefined;
      return row ? `${hash}:${row.userId}` : undefined;
    },
    remember(userId, cookie) {
      const now = clock.now();
      const value = valid(cookie) ? cookie : randomBytes(32).toString('base64url');
      upsert.run(hashOf(value), userId, now, now);
      trim.run(userId, userId);
      return value;
    },
    sweep: () => expire.run(clock.now() - DEVICE_TTL_MS).changes,
  };
}
