/** Counts by kind (faults injected, outcomes seen), printed in a stable order. */
export class Tally {
  readonly #counts = new Map<string, number>();

  add(kind: string, n = 1): void { this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + n); }

  get(kind: string): number { return this.#counts.get(kind) ?? 0; }

  /** Every kind counted so far, sorted by name. */
  entries(): Array<[string, number]> { return [...this.#counts].sort(([a], [b]) => a.localeCompare(b)); }

  total(): number { let n = 0; for (const v of this.#counts.values()) n += v; return n; }
}
