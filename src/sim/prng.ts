/** A small seeded generator (mulberry32) for every random choice the simulator makes. */
export interface Prng {
  next(): number;                       // [0, 1)
  int(maxExclusive: number): number;
  uuid(): string;
}

export function createPrng(seed = 12345): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number): number => Math.floor(next() * max);
  const hex = (n: number): string => Array.from({ length: n }, () => int(16).toString(16)).join('');
  const uuid = (): string =>
    `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + int(4)).toString(16)}${hex(3)}-${hex(12)}`;
  return { next, int, uuid };
}
