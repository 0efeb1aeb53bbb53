import { describe, expect, it } from 'vitest';
import { DEFAULT_HOTSPOT_RULE, hotspotAlerts, type HotspotTicket } from '../../src/domain/hotspots.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 2, 10, 0); // 2026-03-10 08:00 Shanghai
const STREET = '110105001';
const OTHER = '110105002';

/** Tickets of one street and category at the given hours after T0, named <prefix>1, <prefix>2, … */
function at(hours: number[], unitCode = STREET, category = 'noise', prefix = 'n'): HotspotTicket[] {
  return hours.map((h, i) => ({ id: `${prefix}${i + 1}`, unitCode, category, createdAt: T0 + h * H }));
}

const rule = DEFAULT_HOTSPOT_RULE;

describe('hotspot alerts (未诉先办)', () => {
  it.each([
    { name: '4 noise tickets in 24 h', tickets: at([0, 1, 2, 3]), now: 30, expected: [] },
    { name: '5 noise tickets in 24 h', tickets: at([0, 1, 5, 20, 23.99]), now: 24, expected: [[0, 5, 'n1 n2 n3 n4 n5']] },
    // [0, 24) holds 4; [1, 25) holds 1, 2, 3, 24: also 4.
    { name: 'the 5th ticket comes exactly 24 h after the 1st', tickets: at([0, 1, 2, 3, 24]), now: 30, expected: [] },
    { name: 'the 5th ticket is after now', tickets: at([0, 1, 2, 3, 10]), now: 9, expected: [] },
    { name: '3 noise and 2 water tickets in one street', tickets: [...at([0, 1, 2]), ...at([3, 4], STREET, 'water', 'w')], now: 24, expected: [] },
    { name: '3 noise tickets in each of two streets', tickets: [...at([0, 1, 2]), ...at([3, 4, 5], OTHER, 'noise', 'o')], now: 24, expected: [] },
    // 22:00 on the 10th to 02:00 on the 11th Shanghai: one sliding window, not two calendar days.
    { name: '5 tickets from 22:00 to 02:00 across midnight', tickets: at([14, 15, 16, 17, 18]), now: 19, expected: [[14, 5, 'n1 n2 n3 n4 n5']] },
    { name: '7 tickets in one window', tickets: at([0, 1, 2, 3, 4, 5, 6]), now: 10, expected: [[0, 7, 'n1 n2 n3 n4 n5 n6 n7']] },
    // first window [0, 24) holds 5; windows starting at 1..23 overlap it; [30, 54) holds 30, 31, 32, 33, 40.
    { name: 'two separate clusters', tickets: at([0, 1, 2, 3, 4, 30, 31, 32, 33, 40]), now: 60, expected: [[0, 5, 'n1 n2 n3 n4 n5'], [30, 5, 'n6 n7 n8 n9 n10']] },
    // [2, 26) holds 2, 3, 4, 5, 25: the first window with 5 starts at the 3rd ticket.
    { name: 'the cluster starts after two early tickets', tickets: at([-30, -29, 2, 3, 4, 5, 25]), now: 26, expected: [[2, 5, 'n3 n4 n5 n6 n7']] },
  ])('when there are $name, then the alerts are $expected', ({ tickets, now, expected }) => {
    const alerts = hotspotAlerts(tickets, T0 + now * H, rule);
    expect(alerts.map((a) => [(a.windowStart - T0) / H, a.count, a.ticketIds.join(' ')])).toEqual(expected);
    for (const a of alerts) expect([a.unitCode, a.category]).toEqual([STREET, 'noise']);
  });

  it('when the same tickets are checked again with the alert already raised, then no duplicate alert comes', () => {
    const tickets = at([0, 1, 5, 20, 23]);
    const [first] = hotspotAlerts(tickets, T0 + 23 * H, rule);
    expect(first).toBeDefined();
    expect(hotspotAlerts(tickets, T0 + 23 * H, rule, [first!])).toEqual([]);
    // a 6th ticket in the same window and a window starting at the 2nd ticket both overlap the raised one
    expect(hotspotAlerts([...tickets, ...at([23.5], STREET, 'noise', 'late')], T0 + 24 * H, rule, [first!])).toEqual([]);
  });

  it('when five more tickets come after the raised window ends, then a new alert is raised', () => {
    const tickets = at([0, 1, 5, 20, 23, 24, 25, 26, 27, 28]);
    const [first] = hotspotAlerts(tickets.slice(0, 5), T0 + 23 * H, rule);
    const later = hotspotAlerts(tickets, T0 + 30 * H, rule, [first!]);
    expect(later.map((a) => [(a.windowStart - T0) / H, a.ticketIds.join(' ')])).toEqual([[24, 'n6 n7 n8 n9 n10']]);
  });

  it('when an alert was raised for another category or street, then it does not hold this one back', () => {
    const raised = [{ unitCode: STREET, category: 'water', windowStart: T0 }, { unitCode: OTHER, category: 'noise', windowStart: T0 }];
    expect(hotspotAlerts(at([0, 1, 2, 3, 4]), T0 + 5 * H, rule, raised)).toHaveLength(1);
  });

  it('when the tickets come in another order or twice, then the alerts are the same', () => {
    const tickets = [...at([0, 1, 2, 3, 4]), ...at([1, 2, 3, 4, 5], OTHER, 'roads', 'r')];
    const expected = hotspotAlerts(tickets, T0 + 6 * H, rule);
    expect(expected.map((a) => [a.unitCode, a.category])).toEqual([[STREET, 'noise'], [OTHER, 'roads']]);
    expect(hotspotAlerts([...tickets].reverse(), T0 + 6 * H, rule)).toEqual(expected);
    expect(hotspotAlerts([...tickets, ...tickets], T0 + 6 * H, rule)).toEqual(expected);
  });

  it.each([
    // [0, 2) holds 0, 1.5; [1.5, 3.5) holds 1.5, 2, 3; later starts 2 and 3 overlap it; 10 and 50 stand alone.
    { windowHours: 2, threshold: 3, expected: [[1.5, 3]] },
    { windowHours: 72, threshold: 6, expected: [[0, 6]] },
    { windowHours: 72, threshold: 7, expected: [] },
  ])('when the rule is $windowHours h and $threshold tickets, then the alerts are $expected', ({ windowHours, threshold, expected }) => {
    const alerts = hotspotAlerts(at([0, 1.5, 2, 3, 10, 50]), T0 + 60 * H, { windowHours, threshold });
    expect(alerts.map((a) => [(a.windowStart - T0) / H, a.count])).toEqual(expected);
  });

  it.each([[{ windowHours: 0, threshold: 5 }], [{ windowHours: 24, threshold: 0 }], [{ windowHours: 24, threshold: 2.5 }]])(
    'when the rule is %j, then it is refused', (bad) => {
      expect(() => hotspotAlerts([], T0, bad)).toThrow(/not valid/);
    },
  );
});
