import { HotlineError } from './errors.ts';

/** A ticket as hotspot detection sees it: the street or township it concerns and its category. */
export interface HotspotTicket {
  readonly id: string;
  readonly unitCode: string;
  readonly category: string;
  readonly createdAt: number;
}

export interface HotspotRule {
  readonly windowHours: number;
  /** Tickets of one category in one unit within one window that raise an alert. */
  readonly threshold: number;
}

export const DEFAULT_HOTSPOT_RULE: HotspotRule = { windowHours: 24, threshold: 5 };

/** An alert already raised: no other alert for the same unit and category overlaps its window. */
export interface RaisedHotspot {
  readonly unitCode: string;
  readonly category: string;
  readonly windowStart: number;
}

/** 未诉先办: enough tickets of one category in one street to act before more people call. */
export interface HotspotAlert extends RaisedHotspot {
  readonly count: number;
  readonly ticketIds: readonly string[];
}

/**
 * Alerts for every unit and category whose tickets reach the threshold inside one window
 * `[windowStart, windowStart + windowHours)` that starts at one of those tickets and has begun by
 * `now`. Windows are taken earliest first; a window overlapping an alert already raised (given in
 * `raised`, or found earlier in this call) for the same unit and category raises nothing, so calling
 * again with the same tickets and the alerts raised so far gives no duplicate. Tickets created after
 * `now` are not counted. Sorted by window start, unit code, category.
 */
export function hotspotAlerts(
  tickets: readonly HotspotTicket[],
  now: number,
  rule: HotspotRule = DEFAULT_HOTSPOT_RULE,
  raised: readonly RaisedHotspot[] = [],
): HotspotAlert[] {
  if (!(rule.windowHours > 0) || !Number.isInteger(rule.threshold) || rule.threshold < 1) {
    throw new HotlineError('ERR_VALIDATION', { field: 'hotspotRule', value: rule });
  }
  const windowMs = rule.windowHours * 3_600_000;
  const groups = new Map<string, HotspotTicket[]>();
  const seen = new Set<string>();
  for (const t of tickets) {
    if (t.createdAt > now || seen.has(t.id)) continue;
    seen.add(t.id);
    const key = groupKey(t.unitCode, t.category);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [t]);
    else list.push(t);
  }
  const earlier = new Map<string, number[]>();
  for (const r of raised) {
    const key = groupKey(r.unitCode, r.category);
    const starts = earlier.get(key);
    if (starts === undefined) earlier.set(key, [r.windowStart]);
    else starts.push(r.windowStart);
  }

  const alerts: HotspotAlert[] = [];
  for (const [key, list] of groups) {
    const sorted = [...list].sort((a, b) => a.createdAt - b.createdAt || byText(a.id, b.id));
    const starts = earlier.get(key) ?? [];
    const overlaps = (start: number) => starts.some((s) => start < s + windowMs && s < start + windowMs);
    let end = 0;
    for (let i = 0; i < sorted.length; i++) {
      const first = sorted[i]!;
      const windowStart = first.createdAt;
      while (end < sorted.length && sorted[end]!.createdAt < windowStart + windowMs) end++;
      if (end - i < rule.threshold || overlaps(windowStart)) continue;
      const inside = sorted.slice(i, end);
      alerts.push({
        unitCode: first.unitCode,
        category: first.category,
        windowStart,
        count: inside.length,
        ticketIds: inside.map((t) => t.id),
      });
      starts.push(windowStart);
    }
  }
  return alerts.sort((a, b) => a.windowStart - b.windowStart || byText(a.unitCode, b.unitCode) || byText(a.category, b.category));
}

function groupKey(unitCode: string, category: string): string {
  return `${unitCode}\u0000${category}`;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
