import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { createLoginThrottle } from '../../src/features/auth/login-throttle.ts';
import type { Attempt, LoginThrottle } from '../../src/features/auth/login-throttle.ts';

const policy = { perAddress: 10, perAccountFromAddress: 3, perAccountUntrusted: 6, windowMs: 15 * 60_000, firstBackoffMs: 1_000, maxBackoffMs: 60_000 };

function rig(): { clock: VirtualClock; throttle: LoginThrottle } {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 2));
  return { clock, throttle: createLoginThrottle({ clock, policy }) };
}

/** Tries a wrong password unless throttled; returns 'refused' or 'throttled'. */
function guess(t: LoginThrottle, attempt: Attempt): 'refused' | 'throttled' {
  if (!t.check(attempt).allowed) return 'throttled';
  t.failed(attempt);
  return 'refused';
}

describe('login throttle', () => {
  it('when one address sprays one guess over many usernames, then it is stopped once it passes the per-address limit', () => {
    const { throttle } = rig();
    const out = Array.from({ length: 12 }, (_, i) => guess(throttle, { address: '203.0.113.9', username: `user${i}` }));
    expect(out.slice(0, 10).every((x) => x === 'refused')).toBe(true);
    expect(out.slice(10)).toEqual(['throttled', 'throttled']);
    const verdict = throttle.check({ address: '203.0.113.9', username: 'someone-else' });
    expect(verdict).toMatchObject({ allowed: false, by: 'address' });
    expect(throttle.check({ address: '198.51.100.7', username: 'user0' }).allowed).toBe(true);
  });

  it('when one address guesses one account, then it backs off after the limit and the back-off doubles with each further failure', () => {
    const { clock, throttle } = rig();
    const a = { address: '203.0.113.9', username: 'agent001' };
    expect([guess(throttle, a), guess(throttle, a), guess(throttle, a)]).toEqual(['refused', 'refused', 'refused']);
    expect(throttle.check(a)).toEqual({ allowed: false, retryAfterMs: 1_000, by: 'account_from_address' });
    clock.advance(1_000);
    expect(guess(throttle, a)).toBe('refused');
    expect(throttle.check(a)).toMatchObject({ allowed: false, retryAfterMs: 2_000 });
    clock.advance(2_000);
    expect(guess(throttle, a)).toBe('refused');
    expect(throttle.check(a)).toMatchObject({ retryAfterMs: 4_000 });
  });

  it('when strangers from many addresses guess one account, then untrusted attempts back off, but the user on a browser the account signed in from is never kept out', () => {
    const { throttle } = rig();
    for (let i = 0; i < 40; i++) guess(throttle, { address: `198.51.100.${i}`, username: 'agent001' });
    const stranger = throttle.check({ address: '192.0.2.1', username: 'agent001' });
    expect(stranger).toMatchObject({ allowed: false, by: 'account' });
    const owner = { address: '192.0.2.200', username: 'agent001', trustedDevice: 'device-hash:usr-1' };
    expect(throttle.check(owner)).toEqual({ allowed: true });
    throttle.succeeded(owner);
    expect(throttle.check(owner)).toEqual({ allowed: true });
  });

  it('when a trusted browser itself keeps failing, then that browser backs off alone', () => {
    const { throttle } = rig();
    const device = { address: '192.0.2.200', username: 'agent001', trustedDevice: 'd1:usr-1' };
    for (let i = 0; i < 3; i++) guess(throttle, device);
    expect(throttle.check(device)).toMatchObject({ allowed: false, by: 'device' });
    expect(throttle.check({ ...device, trustedDevice: 'd2:usr-1' })).toEqual({ allowed: true });
    expect(throttle.check({ address: '192.0.2.200', username: 'agent001' })).toEqual({ allowed: true });
  });

  it('when the right password is given after failures, then the account and address counters start again but the spraying address keeps its count', () => {
    const { clock, throttle } = rig();
    const a = { address: '203.0.113.9', username: 'agent001' };
    guess(throttle, a); guess(throttle, a);
    throttle.succeeded(a);
    expect([guess(throttle, a), guess(throttle, a)]).toEqual(['refused', 'refused']);
    expect(throttle.check(a).allowed).toBe(true);
    for (let i = 0; i < 6; i++) guess(throttle, { address: '203.0.113.9', username: `u${i}` });
    expect(throttle.check({ address: '203.0.113.9', username: 'u99' })).toMatchObject({ allowed: false, by: 'address' });
    clock.advance(policy.windowMs + policy.maxBackoffMs);
    expect(throttle.check({ address: '203.0.113.9', username: 'u99' }).allowed).toBe(true);
    expect(throttle.sweep()).toBe(0);
  });
});
