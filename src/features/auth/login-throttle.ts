/**
 * Slows down password guessing without handing an attacker a way to lock a user out.
 *
 * Three counters of failed sign-ins, each with its own window and exponential back-off:
 * - per client address, across usernames: one address spraying a guess over many accounts is stopped;
 * - per client address and account: one address guessing one account backs off early;
 * - per account from browsers it does not know: many addresses guessing one account back off too.
 * A browser where the account signed in before carries a trusted-device cookie (see trusted-devices.ts):
 * its attempts are counted for that device alone, so a stranger's failures, from anywhere, never keep the
 * user out of their own browser. A success clears the counters of that address and account.
 */
import type { Clock } from '../../clock.ts';

export interface ThrottlePolicy {
  /** Failures an address may make across all usernames in `windowMs` before it backs off. */
  perAddress: number;
  /** Failures an address (or a trusted device) may make for one account before it backs off. */
  perAccountFromAddress: number;
  /** Failures an account may take from browsers it does not know before those back off. */
  perAccountUntrusted: number;
  windowMs: number;
  /** The first back-off; it doubles with each further failure, up to `maxBackoffMs`. */
  firstBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  perAddress: 30,
  perAccountFromAddress: 5,
  perAccountUntrusted: 20,
  windowMs: 15 * 60_000,
  firstBackoffMs: 1_000,
  maxBackoffMs: 15 * 60_000,
};

export interface Attempt {
  address: string;
  username: string;
  /** The id of a valid trusted-device cookie for this account, when the browser sent one. */
  trustedDevice?: string | undefined;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number; by: 'address' | 'account_from_address' | 'device' | 'account' };

interface Counter { failures: number; firstAt: number; blockedUntil: number }

export interface LoginThrottle {
  check(attempt: Attempt): ThrottleVerdict;
  failed(attempt: Attempt): void;
  succeeded(attempt: Attempt): void;
  /** Forgets counters whose window has passed; returns how many are kept. */
  sweep(): number;
}

const MAX_COUNTERS = 200_000;

export function createLoginThrottle(deps: { clock: Clock; policy?: Partial<ThrottlePolicy> }): LoginThrottle {
  const policy: ThrottlePolicy = { ...DEFAULT_THROTTLE_POLICY, ...deps.policy };
  const counters = new Map<string, Counter>();
  const now = () => deps.clock.now();

  const user = (a: Attempt) => a.username.trim().toLowerCase().slice(0, 64);
  function keys(a: Attempt): Array<{ key: string; limit: number; by: Exclude<ThrottleVerdict, { allowed: true }>['by'] }> {
    if (a.trustedDevice) return [{ key: `d|${a.trustedDevice}`, limit: policy.perAccountFromAddress, by: 'device' }];
    return [
      { key: `a|${a.address}`, limit: policy.perAddress, by: 'address' },
      { key: `au|${a.address}|${user(a)}`, limit: policy.perAccountFromAddress, by: 'account_from_address' },
      { key: `u|${user(a)}`, limit: policy.perAccountUntrusted, by: 'account' },
    ];
  }

  function live(key: string, at: number): Counter | undefined {
    const c = counters.get(key);
    if (c && at - c.firstAt >= policy.windowMs && c.blockedUntil <= at) {
      counters.delete(key);
      return undefined;
    }
    return c;
  }

  function sweep(): number {
    const at = now();
    for (const key of counters.keys()) live(key, at);
    return counters.size;
  }

  return {
    check(attempt) {
      const at = now();
      for (const { key, by } of keys(attempt)) {
        const c = live(key, at);
        if (c && c.blockedUntil > at) return { allowed: false, retryAfterMs: c.blockedUntil - at, by };
      }
      return { allowed: true };
    },

    failed(attempt) {
      const at = now();
      if (counters.size >= MAX_COUNTERS) sweep();
      for (const { key, limit } of keys(attempt)) {
        const c = live(key, at) ?? { failures: 0, firstAt: at, blockedUntil: 0 };
        c.failures++;
        if (c.failures >= limit) {
          const backoff = Math.min(policy.maxBackoffMs, policy.firstBackoffMs * 2 ** Math.min(30, c.failures - limit));
          c.blockedUntil = at + backoff;
        }
        counters.set(key, c);
      }
    },

    succeeded(attempt) {
      for (const { key, by } of keys(attempt)) {
        // An address that signs one person in may still be spraying others: its own counter stays.
        if (by !== 'address') counters.delete(key);
      }
    },

    sweep,
  };
}
