/**
 * The real clock's precise timer: never before its moment (a plain timer can fire a millisecond early),
 * cancelled in either of its two waits, and never called before setPreciseTimer returns.
 */
import { describe, expect, it } from 'vitest';
import { realClock, VirtualClock } from '../../src/clock.ts';
import type { Clock } from '../../src/clock.ts';

const preciseNow = realClock.preciseNow!;
const setPreciseTimer = realClock.setPreciseTimer!;

describe('the real clock’s precise timer', () => {
  it('when timers are set for moments a fraction of a millisecond apart, then none fires before its moment', async () => {
    const fired: Array<{ at: number; firedAt: number }> = [];
    const start = preciseNow();
    await Promise.all(Array.from({ length: 40 }, (_, i) => new Promise<void>((resolve) => {
      const at = start + 1 + i * 0.37;
      setPreciseTimer(() => { fired.push({ at, firedAt: preciseNow() }); resolve(); }, at);
    })));
    expect(fired).toHaveLength(40);
    for (const f of fired) expect(f.firedAt).toBeGreaterThanOrEqual(f.at);
  });

  it('when a timer is cleared while its plain timer waits, or while it waits turn by turn, then it never fires', async () => {
    let calls = 0;
    const far = setPreciseTimer(() => { calls++; }, preciseNow() + 20);
    realClock.clearTimeout(far);
    const near = setPreciseTimer(() => { calls++; }, preciseNow() + 1.5);
    await new Promise((r) => setImmediate(r));
    realClock.clearTimeout(near);
    await new Promise((r) => setTimeout(r, 40));
    expect(calls).toBe(0);
  });

  it('when the moment has already passed, then the timer fires on a later turn, not inside the call that set it', async () => {
    let called = false;
    setPreciseTimer(() => { called = true; }, preciseNow() - 5);
    expect(called).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(called).toBe(true);
  });

  it('when the clock is virtual, then it offers no precise timer, and its users fall back to plain timers', () => {
    const clock: Clock = new VirtualClock();
    expect(clock.setPreciseTimer).toBeUndefined();
    expect(clock.preciseNow).toBeUndefined();
  });
});
