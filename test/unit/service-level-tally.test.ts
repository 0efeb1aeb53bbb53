import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { agentIntervals, createServiceLevelTally, serviceLevelReport } from '../../src/domain/acd/service-level.ts';
import type { AgentInterval, AgentStateChange, CallLeg, LegOutcome, ServiceLevelOptions } from '../../src/domain/acd/service-level.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 24, 16, 0, 0); // midnight in Beijing
const OUTCOMES: LegOutcome[] = ['answered', 'abandoned', 'overflow', 'callback', 'failed'];
const STATES = ['ready', 'ringing', 'on_call', 'wrap_up', 'paused', 'offline', 'odd'];

const legArb = fc.record({
  line: fc.constantFrom('12345', '12333', '12315'),
  queueId: fc.constantFrom('main', 'social', 'enterprise'),
  agentId: fc.option(fc.constantFrom('a1', 'a2', 'a3', 'a4'), { nil: undefined }),
  arrivedAt: fc.integer({ min: 0, max: 6 * HOUR }),
  wait: fc.integer({ min: 0, max: 40_000 }),
  talk: fc.integer({ min: 0, max: 600_000 }),
  outcome: fc.constantFrom(...OUTCOMES),
  wrapUpMs: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: undefined }),
});
const callArb = fc.array(legArb, { minLength: 1, maxLength: 3 });

type RawLeg = { line: string; queueId: string; agentId: string | undefined; arrivedAt: number; wait: number; talk: number; outcome: LegOutcome; wrapUpMs: number | undefined };

function legsOf(callId: string, raw: readonly RawLeg[]): CallLeg[] {
  return raw.map((r) => {
    const answered = r.outcome === 'answered';
    const leg: { -readonly [K in keyof CallLeg]: CallLeg[K] } = {
      callId, line: r.line, queueId: r.queueId, arrivedAt: T0 + r.arrivedAt, endedAt: T0 + r.arrivedAt + r.wait + (answered ? r.talk : 0), outcome: r.outcome,
    };
    if (answered) leg.answeredAt = T0 + r.arrivedAt + r.wait;
    if (r.agentId !== undefined) leg.agentId = r.agentId;
    if (r.wrapUpMs !== undefined) leg.wrapUpMs = r.wrapUpMs;
    return leg;
  });
}

const changeArb = fc.record({
  agentId: fc.constantFrom('a1', 'a2', 'a3', 'a5', 'a6'),
  state: fc.constantFrom(...STATES),
  since: fc.integer({ min: -2 * HOUR, max: 6 * HOUR }),
});

const optionsArb = fc.record({
  answerWithinSeconds: fc.constantFrom(10, 15, 20),
  shortAbandonSeconds: fc.constantFrom(0, 5, 10),
  excludeShortAbandons: fc.boolean(),
  utcOffsetMinutes: fc.constantFrom(480, 0, 330),
});

/** Splits the intervals into the closed ones and, per agent, the last one when it reaches `now` (still open). */
function split(intervals: AgentInterval[], now: number): { closed: AgentInterval[]; open: AgentInterval[] } {
  const lastOf = new Map<string, AgentInterval>();
  for (const iv of intervals) lastOf.set(iv.agentId, iv);
  const open = [...lastOf.values()].filter((iv) => iv.to === now);
  const openSet = new Set(open);
  return { closed: intervals.filter((iv) => !openSet.has(iv)), open };
}

describe('service level tally', () => {
  it('equals serviceLevelReport over the same calls and intervals', () => {
    fc.assert(fc.property(
      fc.array(callArb, { maxLength: 40 }), fc.array(changeArb, { maxLength: 60 }), fc.array(changeArb, { maxLength: 20 }), optionsArb,
      fc.integer({ min: 0, max: 6 * HOUR }), fc.integer({ min: 1, max: 7 * HOUR }),
      (calls, rawChanges, rawTakenBack, options: ServiceLevelOptions, fromOffset, length) => {
        const from = T0 + fromOffset;
        const now = from + length;
        const changes: AgentStateChange[] = rawChanges.map((c) => ({ ...c, since: T0 + c.since }));
        const intervals = agentIntervals(changes, from, now, now);
        const allLegs = calls.flatMap((raw, i) => legsOf(`c${i}`, raw));
        const expected = serviceLevelReport(allLegs, intervals, options);

        const tally = createServiceLevelTally(options);
        const { closed, open } = split(intervals, now);
        // intervals added and taken back again leave no trace, not even an empty agent or hour
        const takenBack = agentIntervals(rawTakenBack.map((c) => ({ ...c, agentId: `${c.agentId}x`, since: T0 + c.since })), from, now, now);
        const shared = agentIntervals(rawTakenBack.map((c) => ({ ...c, since: T0 + c.since })), from, now, now);
        for (const iv of [...takenBack, ...shared]) tally.addInterval(iv);
        // calls and closed intervals in any interleaving
        let c = 0;
        let k = 0;
        while (c < calls.length || k < closed.length) {
          if (c < calls.length && (k >= closed.length || (c + k) % 3 !== 0)) { tally.addCall(legsOf(`c${c}`, calls[c]!)); c++; } else { tally.addInterval(closed[k]!); k++; }
        }
        for (const iv of [...shared, ...takenBack]) tally.removeInterval(iv);
        expect(tally.report(open)).toEqual(expected);
        // a report does not keep the open intervals: asking twice gives the same, and without them the closed ones only
        expect(tally.report(open)).toEqual(expected);
        const closedOnly = serviceLevelReport(allLegs, closed, options);
        expect(tally.report()).toEqual(closedOnly);
        // without the per-agent table the rest is the same, and each agent's figures can be asked for alone
        expect(tally.report(open, { byAgent: false })).toEqual({ ...expected, byAgent: {} });
        for (const [agentId, figures] of Object.entries(closedOnly.byAgent)) expect(tally.agentFigures(agentId)).toEqual(figures);
        expect(tally.agentFigures('nobody')).toBeUndefined();
      },
    ), { numRuns: 300 });
  });

  it('equals serviceLevelReport as the day goes on, the open intervals growing', () => {
    fc.assert(fc.property(fc.array(callArb, { maxLength: 30 }), fc.array(changeArb, { maxLength: 50 }), (calls, rawChanges) => {
      const from = T0;
      const changes = rawChanges.map((c) => ({ ...c, since: T0 + Math.max(0, c.since) })).sort((a, b) => a.since - b.since);
      const legs = calls.map((raw, i) => legsOf(`c${i}`, raw));
      const tally = createServiceLevelTally();
      const current = new Map<string, { state: string; since: number }>();
      let added = 0;
      let applied = 0;
      for (let now = from + HOUR / 2; now <= from + 7 * HOUR; now += HOUR / 2) {
        for (; applied < changes.length && changes[applied]!.since <= now; applied++) {
          const c = changes[applied]!;
          const was = current.get(c.agentId);
          if (was) tally.addInterval({ agentId: c.agentId, state: stateOf(was.state), from: was.since, to: c.since });
          current.set(c.agentId, c);
        }
        while (added < legs.length && legs[added]![0]!.arrivedAt < now) tally.addCall(legs[added++]!);
        const open = [...current].map(([agentId, c]) => ({ agentId, state: stateOf(c.state), from: c.since, to: now }));
        const seen = changes.filter((c) => c.since <= now);
        expect(tally.report(open)).toEqual(serviceLevelReport(legs.slice(0, added).flat(), agentIntervals(seen, from, now, now)));
      }
    }), { numRuns: 100 });
  });
});

function stateOf(s: string): AgentInterval['state'] {
  return (['ready', 'ringing', 'on_call', 'wrap_up', 'paused', 'offline'] as string[]).includes(s) ? (s as AgentInterval['state']) : 'paused';
}
