/**
 * A binary min-heap ordered by `before(a, b)`. Entries that went stale are dropped lazily by the
 * owner (`dropWhile`) and in bulk (`keepOnly`), so removal from the middle is O(1).
 */
export interface Heap<T> {
  readonly size: number;
  push(item: T): void;
  peek(): T | undefined;
  pop(): T | undefined;
  /** Pops from the top while `stale` holds, then returns the top. */
  dropWhile(stale: (item: T) => boolean): T | undefined;
  /** Rebuilds the heap from the entries `keep` accepts. */
  keepOnly(keep: (item: T) => boolean): void;
  items(): readonly T[];
}

export function createHeap<T>(before: (a: T, b: T) => boolean): Heap<T> {
  let items: T[] = [];

  const up = (i: number): void => {
    const item = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!before(item, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  };

  const down = (i: number): void => {
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(items[r]!, items[l]!) ? r : l;
      if (!before(items[c]!, item)) break;
      items[i] = items[c]!;
      i = c;
    }
    items[i] = item;
  };

  const pop = (): T | undefined => {
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      down(0);
    }
    return top;
  };

  return {
    get size() { return items.length; },
    push(item) { items.push(item); up(items.length - 1); },
    peek: () => items[0],
    pop,
    dropWhile(stale) {
      while (items.length > 0 && stale(items[0]!)) pop();
      return items[0];
    },
    keepOnly(keep) {
      items = items.filter(keep);
      for (let i = (items.length >> 1) - 1; i >= 0; i--) down(i);
    },
    items: () => items,
  };
}
