import { describe, expect, it } from 'vitest';
import { agentsNeeded, erlangB, erlangC, erlangForecast } from '../../src/domain/acd/erlang.ts';

/** Erlang B and C straight from the textbook definitions with factorials: fine for a handful of seats. */
function textbook(erlangs: number, agents: number): { b: number; c: number } {
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= agents; k++) { term *= erlangs / k; sum += term; }
  const b = term / sum;
  return { b, c: (agents * b) / (agents - erlangs * (1 - b)) };
}

describe('Erlang B and C', () => {
  // Values worked by hand from B = (A^N/N!) / Σ A^k/k!, and C = N·B / (N − A(1 − B)):
  // A = 2, N = 5: Σ = 1 + 2 + 2 + 4/3 + 2/3 + 4/15 = 109/15, B = (4/15)/(109/15) = 4/109.
  it.each([
    [2, 5, 4 / 109, 0.0597015],
    [10, 10, 0.2145823, 1],
    [10, 11, 0.1632323, 0.6821182],
    [10, 14, 0.0568191, 0.1741319],
  ])('when %d erlangs are offered to %d seats, then B and C match the worked values', (a, n, b, c) => {
    expect(erlangB(a, n)).toBeCloseTo(b, 6);
    expect(erlangC(a, n)).toBeCloseTo(c, 6);
  });

  it.each([[0.5, 2], [3.7, 6], [12, 15], [40, 48]])('when %d erlangs meet %d seats, then the recurrence agrees with the factorial formula', (a, n) => {
    expect(erlangC(a, n)).toBeCloseTo(textbook(a, n).c, 10);
  });

  // Call Centre Helper's worked example ("How to calculate call centre staffing using Erlang C"):
  // 100 calls per 30 minutes, 180 s handle time, 80 % in 20 s -> 13 seats give 79.6 %, 14 give 88.8 %,
  // so 14 are needed; ASA with 14 seats is 7.8 s.
  it.each([
    [13, 0.7956, 17.12],
    [14, 0.8884, 7.84],
  ])('when 100 calls per half hour of 180 s meet %d seats, then service level and ASA are as published', (agents, sl, asa) => {
    const f = erlangForecast({ ratePerSecond: 100 / 1800, ahtSeconds: 180, agents }, 20);
    expect(f.serviceLevel).toBeCloseTo(sl, 4);
    expect(f.asaSeconds).toBeCloseTo(asa, 2);
  });

  it('when the same example asks how many seats reach 80 % in 20 s, then the answer is 14', () => {
    expect(agentsNeeded(100 / 1800, 180, 0.8, 20)).toBe(14);
  });

  it.each([
    [36_000 / 86_400 * 3, 150, 0.9, 15],
    [30, 150, 0.8, 15],
    [100, 180, 0.95, 15],
  ])('when %d calls/s of %d s need %d in %d s, then the count found is the smallest that reaches it', (rate, aht, target, t) => {
    const n = agentsNeeded(rate, aht, target, t);
    expect(erlangForecast({ ratePerSecond: rate, ahtSeconds: aht, agents: n }, t).serviceLevel).toBeGreaterThanOrEqual(target);
    expect(erlangForecast({ ratePerSecond: rate, ahtSeconds: aht, agents: n - 1 }, t).serviceLevel).toBeLessThan(target);
  });

  it('when 18,000 erlangs meet 18,200 seats, then every figure stays finite and between 0 and 1', () => {
    const f = erlangForecast({ ratePerSecond: 120, ahtSeconds: 150, agents: 18_200 }, 15);
    for (const p of [f.probabilityOfWaiting, f.serviceLevel, f.occupancy]) {
      expect(Number.isFinite(p)).toBe(true);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  });

  it.each([[10, 10], [10, 9]])('when %d erlangs meet only %d seats, then everyone waits and ASA is unbounded', (a, n) => {
    const f = erlangForecast({ ratePerSecond: a / 100, ahtSeconds: 100, agents: n });
    expect(f).toMatchObject({ probabilityOfWaiting: 1, serviceLevel: 0, asaSeconds: Number.POSITIVE_INFINITY });
  });
});
