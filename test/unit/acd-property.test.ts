import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createAcd, type Acd, type Assignment } from '../../src/domain/acd/acd.ts';
import type { AcdConfig, QueueConfig, SkillLevels, SkillTarget } from '../../src/domain/acd/queues.ts';

const config: AcdConfig = {
  lines: [
    { line: '12345', queueId: 'main' },
    { line: '12333', queueId: 'social' },
    { line: '12315', queueId: 'enterprise', priority: 1 },
  ],
  queues: [
    { id: 'main', target: { skills: ['general'], minLevel: 2 }, overflowRules: [{ afterSeconds: 20, widenTo: { skills: ['general'], minLevel: 1 } }] },
    {
      id: 'social', target: { skills: ['social'], minLevel: 4 }, maxWaitSeconds: 60, overflowTo: { kind: 'queue', queueId: 'main' },
      overflowRules: [
        { afterSeconds: 40, widenTo: { skills: ['general'], minLevel: 1 } },
        { afterSeconds: 20, widenTo: { skills: ['social'], minLevel: 1 } },
      ],
    },
    { id: 'enterprise', target: { skills: ['enterprise'], minLevel: 1 }, maxWaiting: 3, maxWaitSeconds: 45, overflowTo: { kind: 'callback' } },
  ],
};
/** A later version of the lines and desks without the social desk: its line goes to main, its agents serve as if they had no desk. */
const withoutSocial: AcdConfig = {
  lines: config.lines.map((l) => (l.queueId === 'social' ? { ...l, queueId: 'main' } : l)),
  queues: config.queues.filter((q) => q.id !== 'social'),
};
const SEATS = ['s1', 's2', 's3', 's4', 's5', 's6'];
const LINES = ['12345', '12333', '12315'];
/** Desks an agent may be put on: the three queues, none, and one that is not in the plan (counts as none). */
const DESKS = [null, null, 'main', 'social', 'enterprise', 'dialect'] as const;

type Action =
  | { kind: 'arrive'; line: number; boost: number }
  | { kind: 'ready' | 'pause' | 'busy' | 'register' | 'unregister'; seat: number }
  | { kind: 'skills'; seat: number; skills: SkillLevels }
  | { kind: 'desk'; seat: number; desk: number }
  /** The other version of the lines and desks comes into force (social removed, or back). */
  | { kind: 'plan' }
  | { kind: 'answer' | 'no_answer' | 'hang_up'; pick: number }
  | { kind: 'tick'; ms: number };
/** `route: false` leaves several changes to pile up before the next routing pass. */
type Step = { action: Action; route: boolean };

const skillsArb = fc.record({ general: fc.integer({ min: 0, max: 5 }), social: fc.integer({ min: 0, max: 5 }), enterprise: fc.integer({ min: 0, max: 5 }) })
  .map((s) => Object.fromEntries(Object.entries(s).filter(([, l]) => l > 0)));
const seatArb = fc.integer({ min: 0, max: SEATS.length - 1 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('arrive' as const), line: fc.integer({ min: 0, max: 2 }), boost: fc.constantFrom(0, 0, 0, 2) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom<'ready' | 'pause' | 'busy' | 'register' | 'unregister'>('ready', 'ready', 'ready', 'pause', 'busy', 'register', 'register', 'unregister'), seat: seatArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('skills' as const), seat: seatArb, skills: skillsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('desk' as const), seat: seatArb, desk: fc.integer({ min: 0, max: DESKS.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('plan' as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('answer' as const, 'no_answer' as const, 'hang_up' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(0, 1, 500, 5_000, 10_000, 19_999, 20_000) }) },
);

const stepArb: fc.Arbitrary<Step> = fc.record({ action: actionArb, route: fc.constantFrom(true, true, false) });

const targets = (q: QueueConfig): readonly SkillTarget[] => ('skills' in q.target ? [q.target as SkillTarget] : q.target as readonly SkillTarget[]);

/** The target as the configuration states it, read without the engine's plan. */
function mayTake(queueId: string, waitedMs: number, skills: SkillLevels): boolean {
  const q = config.queues.find((x) => x.id === queueId)!;
  const wide = [...targets(q), ...(q.overflowRules ?? []).filter((r) => r.afterSeconds * 1000 <= waitedMs).map((r) => r.widenTo)];
  return wide.some((t) => t.skills.some((s) => (skills[s] ?? 0) >= t.minLevel));
}

/** An agent on a desk in force serves that queue only; with no desk, or one not in force, every queue. */
function mayServe(desk: string | null | undefined, queueId: string, inForce: AcdConfig): boolean {
  return desk == null || !inForce.queues.some((q) => q.id === desk) || desk === queueId;
}

interface Known { id: string; seq: number }

/** The greedy rule written the slow, obvious way over every waiting call and every seat. */
function expectedOffers(acd: Acd, known: Known[], desks: ReadonlyMap<string, string | null>, inForce: AcdConfig, now: number): Assignment[] {
  const seq = new Map(known.map((k) => [k.id, k.seq]));
  const waiting = config.queues.flatMap((q) => acd.waitingOrder(q.id)).map((id) => acd.call(id)!);
  waiting.sort((a, b) => Number(b.returned) - Number(a.returned) || b.priority - a.priority || a.arrivedAt - b.arrivedAt || seq.get(a.id)! - seq.get(b.id)!);
  const free = SEATS.map((id) => acd.seat(id)).filter((s) => s !== undefined && s.state === 'ready' && s.registered && s.offeredCallId === null);
  const out: Assignment[] = [];
  for (const call of waiting) {
    const able = free.filter((s) => s !== undefined && mayServe(desks.get(s.id), call.queueId, inForce) && mayTake(call.queueId, now - call.arrivedAt, s.skills));
    able.sort((a, b) => a!.idleSince - b!.idleSince || (a!.id < b!.id ? -1 : 1));
    const seat = able[0];
    if (seat === undefined) continue;
    free.splice(free.indexOf(seat), 1);
    out.push({ callId: call.id, agentId: seat.id, queueId: call.queueId });
  }
  return out;
}

function run(steps: Step[]): { offers: number; returnedOffers: number; expired: number; deskOffers: number; desksChangedOffers: number; removedDeskOffers: number } {
  const acd = createAcd(config);
  const desks = new Map<string, string | null>();
  let inForce = config;
  let now = 0;
  let next = 0;
  const known: Known[] = [];
  const gone = new Set<string>();
  SEATS.forEach((id, i) => {
    acd.setSkills(id, i % 2 === 0 ? { general: 2 } : { general: 1, social: 3 + (i % 3), enterprise: 2 });
    acd.agentRegistered(id, true);
    if (i < 3) acd.agentReady(id, 0);
  });
  const seen = { offers: 0, returnedOffers: 0, expired: 0, deskOffers: 0, desksChangedOffers: 0, removedDeskOffers: 0 };
  const held = (): string[] => known.map((k) => k.id).filter((id) => !gone.has(id));
  const offered = (): string[] => held().filter((id) => acd.call(id)?.state === 'offered');

  for (const { action, route } of steps) {
    const seat = 'seat' in action ? SEATS[action.seat]! : '';
    switch (action.kind) {
      case 'arrive': {
        const id = `c${++next}`;
        const result = acd.callArrived({ id, line: LINES[action.line]!, priorityBoost: action.boost }, now);
        if (result.accepted) known.push({ id, seq: next });
        break;
      }
      case 'ready': acd.agentReady(seat, now); break;
      case 'pause': acd.agentUnavailable(seat); break;
      case 'busy': acd.agentBusy(seat); break;
      case 'register': acd.agentRegistered(seat, true); break;
      case 'unregister': acd.agentRegistered(seat, false); break;
      case 'skills': acd.setSkills(seat, action.skills); break;
      case 'desk': desks.set(seat, DESKS[action.desk]!); acd.setDesk(seat, DESKS[action.desk]!); break;
      case 'plan':
        inForce = inForce === config ? withoutSocial : config;
        acd.reconfigure(inForce, now);
        break;
      case 'answer':
      case 'no_answer': {
        const list = offered();
        const id = list[action.pick % Math.max(1, list.length)];
        if (id === undefined) break;
        if (action.kind === 'answer') { acd.callAnswered(id); gone.add(id); } else acd.callReturnedToHead(id);
        break;
      }
      case 'hang_up': {
        const list = held();
        const id = list[action.pick % Math.max(1, list.length)];
        if (id !== undefined) { acd.callLeft(id); gone.add(id); }
        break;
      }
      case 'tick':
        now += action.ms;
        for (const e of acd.expiredWaits(now)) {
          seen.expired++;
          if (e.destination.kind === 'callback') gone.add(e.callId);
        }
        break;
    }

    if (!route) continue;
    const expected = expectedOffers(acd, known, desks, inForce, now);
    if (JSON.stringify(expected) !== JSON.stringify(expectedOffers(acd, known, new Map(), inForce, now))) seen.desksChangedOffers++;
    const seatsBefore = new Map(SEATS.map((id) => [id, acd.seat(id)]));
    const offers = acd.nextAssignments(now);
    if (JSON.stringify(offers) !== JSON.stringify(expected)) expect(offers).toEqual(expected);
    seen.offers += offers.length;
    seen.returnedOffers += offers.filter((o) => acd.call(o.callId)?.returned).length;
    seen.deskOffers += offers.filter((o) => desks.get(o.agentId) === o.queueId).length;
    seen.removedDeskOffers += offers.filter((o) => inForce === withoutSocial && desks.get(o.agentId) === 'social' && o.queueId !== 'social').length;
    const badOffers = offers.filter((o) => {
      const before = seatsBefore.get(o.agentId);
      return before?.state !== 'ready' || !before.registered || before.offeredCallId !== null
        || acd.seat(o.agentId)?.offeredCallId !== o.callId;
    });
    expect(badOffers).toEqual([]);

    const ringing = offered().map((id) => acd.call(id)!.agentId);
    expect(new Set(ringing).size).toBe(ringing.length);
    expect(held().filter((id) => acd.call(id) === undefined)).toEqual([]);
    expect([...gone].filter((id) => acd.call(id) !== undefined)).toEqual([]);
    const waitingInEngine = config.queues.flatMap((q) => acd.waitingOrder(q.id)).sort();
    const waitingHere = held().filter((id) => acd.call(id)?.state === 'waiting').sort();
    if (waitingInEngine.join() !== waitingHere.join()) expect(waitingInEngine).toEqual(waitingHere);
  }
  return seen;
}

describe('the queue engine under random traffic', () => {
  it('when arrivals, hang-ups, no-answers, pauses, logouts, registrations, skill and desk changes and the removal and return of a desk come in any order, then every offer is the greedy first-in-first-out choice among the seats whose desk and skills allow it, and no call is lost', () => {
    fc.assert(fc.property(fc.array(stepArb, { minLength: 1, maxLength: 150, size: 'max' }), (steps) => { run(steps); }), { numRuns: 100 });
  });

  it('when the random traffic runs, then it reaches offers, returned calls, expiries, offers to agents on desks and to agents of a removed desk, so the checks above have something to check', () => {
    const total = { offers: 0, returnedOffers: 0, expired: 0, deskOffers: 0, desksChangedOffers: 0, removedDeskOffers: 0 };
    fc.assert(fc.property(fc.array(stepArb, { minLength: 100, maxLength: 150 }), (steps) => {
      const seen = run(steps);
      total.offers += seen.offers;
      total.returnedOffers += seen.returnedOffers;
      total.expired += seen.expired;
      total.deskOffers += seen.deskOffers;
      total.desksChangedOffers += seen.desksChangedOffers;
      total.removedDeskOffers += seen.removedDeskOffers;
    }), { numRuns: 25, seed: 12345 });
    expect(total.deskOffers).toBeGreaterThan(15);
    expect(total.desksChangedOffers).toBeGreaterThan(80);
    expect(total.removedDeskOffers).toBeGreaterThan(8);
    expect(total.offers).toBeGreaterThan(150);
    expect(total.returnedOffers).toBeGreaterThan(30);
    expect(total.expired).toBeGreaterThan(80);
  });
});
