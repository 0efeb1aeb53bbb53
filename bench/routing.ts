/**
 * The queue engine's routing decision, timed one decision at a time: a seat frees and takes the
 * first waiting call it may take, or a call arrives and takes the longest-idle free seat. Floors
 * have five desks (the 12345 main line and four merged lines), 20 % of seats multi-skilled.
 * Also: the wait estimate against the wait callers actually had, in virtual time.
 */
import { pathToFileURL } from 'node:url';
import { createAcd, type Acd } from '../src/domain/acd/acd.ts';
import { createHeap } from '../src/domain/acd/heap.ts';
import type { AcdConfig, SkillLevels } from '../src/domain/acd/queues.ts';
import { estimateWait, nextAht } from '../src/domain/acd/wait-estimate.ts';
import { createPrng } from '../src/sim/prng.ts';

type Figures = Record<string, number | string>;

/** A seeded generator (the simulator's mulberry32), so that runs are comparable. */
const seeded = (seed: number): (() => number) => createPrng(seed).next;

const DESKS = [
  { line: '12315', skill: 'market' },
  { line: '12333', skill: 'social' },
  { line: '12300', skill: 'telecom' },
  { line: '12305', skill: 'postal' },
];

const FLOOR: AcdConfig = {
  lines: [{ line: '12345', queueId: 'main' }, ...DESKS.map((d) => ({ line: d.line, queueId: d.skill }))],
  queues: [
    { id: 'main', target: { skills: ['general'], minLevel: 1 } },
    ...DESKS.map((d) => ({
      id: d.skill, target: { skills: [d.skill], minLevel: 2 },
      overflowRules: [
        { afterSeconds: 20, widenTo: { skills: ['general'], minLevel: 3 } },
        { afterSeconds: 60, widenTo: { skills: ['general'], minLevel: 1 } },
      ],
    })),
  ],
};

function seatSkills(rng: () => number): SkillLevels {
  const level = (): number => 1 + Math.floor(rng() * 5);
  const desk = DESKS[Math.floor(rng() * DESKS.length)]!.skill;
  const r = rng();
  if (r < 0.2) return { general: level(), [desk]: level() };
  if (r < 0.4) return { [desk]: level() };
  return { general: level() };
}

function callLine(rng: () => number): string {
  return rng() < 0.7 ? '12345' : DESKS[Math.floor(rng() * DESKS.length)]!.line;
}

function percentile(sortedNs: Float64Array, p: number): number {
  return sortedNs[Math.min(sortedNs.length - 1, Math.floor(p * sortedNs.length))]! / 1000;
}

const round = (x: number): number => Math.round(x * 100) / 100;

/** Every seat busy, `waiting` callers queued: alternately a seat frees, then a new caller arrives. */
function busyFloor(seats: number, waiting: number, decisions: number): Figures {
  const rng = seeded(seats * 31 + waiting);
  const acd: Acd = createAcd(FLOOR);
  const ids = Array.from({ length: seats }, (_, i) => `seat${String(i).padStart(5, '0')}`);
  for (const id of ids) {
    acd.setSkills(id, seatSkills(rng));
    acd.agentRegistered(id, true);
    acd.agentBusy(id);
  }
  let now = 0;
  let next = 0;
  for (let i = 0; i < waiting; i++) acd.callArrived({ id: `c${++next}`, line: callLine(rng), priorityBoost: rng() < 0.02 ? 1 : 0 }, now);
  acd.nextAssignments(now);

  const warmup = Math.min(20_000, decisions);
  const freeNs = new Float64Array(decisions);
  const arriveNs = new Float64Array(decisions);
  let offered = 0;
  for (let i = -warmup; i < decisions; i++) {
    now += 20;
    const seat = ids[Math.floor(rng() * seats)]!;
    const t0 = process.hrtime.bigint();
    acd.agentReady(seat, now);
    const offers = acd.nextAssignments(now);
    const t1 = process.hrtime.bigint();
    for (const o of offers) acd.callAnswered(o.callId);
    if (offers.length === 0) acd.agentBusy(seat);
    else if (i >= 0) offered++;
    const t2 = process.hrtime.bigint();
    acd.callArrived({ id: `c${++next}`, line: callLine(rng) }, now);
    const late = acd.nextAssignments(now);
    const t3 = process.hrtime.bigint();
    for (const o of late) acd.callAnswered(o.callId);
    if (i >= 0) {
      freeNs[i] = Number(t1 - t0);
      arriveNs[i] = Number(t3 - t2);
    }
  }
  freeNs.sort();
  arriveNs.sort();
  const all = new Float64Array(decisions * 2);
  all.set(freeNs);
  all.set(arriveNs, decisions);
  all.sort();
  return {
    seatFreesP50Us: round(percentile(freeNs, 0.5)), seatFreesP99Us: round(percentile(freeNs, 0.99)),
    callArrivesP50Us: round(percentile(arriveNs, 0.5)), callArrivesP99Us: round(percentile(arriveNs, 0.99)),
    decisionP99Us: round(percentile(all, 0.99)),
    offersMade: offered,
  };
}

/** Every seat free, nobody waiting: a caller arrives and takes the longest-idle seat, who frees later. */
function idleFloor(seats: number, decisions: number): Figures {
  const rng = seeded(seats);
  const acd = createAcd(FLOOR);
  const ids = Array.from({ length: seats }, (_, i) => `seat${String(i).padStart(5, '0')}`);
  let now = 0;
  for (const id of ids) {
    acd.setSkills(id, { ...seatSkills(rng), general: 1 + Math.floor(rng() * 5) });
    acd.agentRegistered(id, true);
    acd.agentReady(id, now++);
  }
  const ns = new Float64Array(decisions);
  const onCall: string[] = [];
  for (let i = -Math.min(20_000, decisions); i < decisions; i++) {
    now += 20;
    const t0 = process.hrtime.bigint();
    acd.callArrived({ id: `c${i}`, line: callLine(rng) }, now);
    const offers = acd.nextAssignments(now);
    const t1 = process.hrtime.bigint();
    for (const o of offers) { acd.callAnswered(o.callId); onCall.push(o.agentId); }
    if (onCall.length > seats / 10) { acd.agentReady(onCall.shift()!, now); acd.nextAssignments(now); }
    if (i >= 0) ns[i] = Number(t1 - t0);
  }
  ns.sort();
  return { callArrivesP50Us: round(percentile(ns, 0.5)), callArrivesP99Us: round(percentile(ns, 0.99)) };
}

/**
 * One queue of `seats` seats at high load, exponential handle times, no abandons, in virtual time:
 * the estimate given to each caller on arrival against the wait that caller then had.
 */
function waitEstimateError(seats = 50, load = 0.97, calls = 40_000): Figures {
  const rng = seeded(7);
  const expo = (mean: number): number => -Math.log(1 - rng()) * mean;
  const ahtMs = 150_000;
  const acd = createAcd({ lines: [{ line: '12345', queueId: 'main' }], queues: [{ id: 'main', target: { skills: ['general'], minLevel: 1 } }] });
  for (let i = 0; i < seats; i++) {
    acd.setSkills(`s${i}`, { general: 1 });
    acd.agentRegistered(`s${i}`, true);
    acd.agentReady(`s${i}`, 0);
  }
  type Ev = { at: number; kind: 'arrive' | 'done'; id: string };
  const events = createHeap<Ev>((a, b) => a.at < b.at);
  const estimate = new Map<string, { at: number; seconds: number }>();
  let aht: number | undefined;
  let arrived = 0;
  let errSum = 0, absSum = 0, waitSum = 0, n = 0, waitedN = 0, absWaited = 0;
  events.push({ at: 0, kind: 'arrive', id: 'c0' });
  for (let ev = events.pop(); ev !== undefined; ev = events.pop()) {
    const now = ev.at;
    if (ev.kind === 'arrive') {
      acd.callArrived({ id: ev.id, line: '12345' }, now);
      const position = acd.positionOf(ev.id) ?? 1;
      const seconds = estimateWait(position, { ahtSeconds: aht ?? ahtMs / 1000, agentsStaffed: seats, agentsFree: acd.freeSeats });
      estimate.set(ev.id, { at: now, seconds });
      if (++arrived < calls) events.push({ at: now + expo(ahtMs / seats / load), kind: 'arrive', id: `c${arrived}` });
    } else {
      acd.agentReady(ev.id, now);
    }
    for (const o of acd.nextAssignments(now)) {
      acd.callAnswered(o.callId);
      const e = estimate.get(o.callId)!;
      estimate.delete(o.callId);
      const handle = expo(ahtMs);
      aht = nextAht(aht, handle / 1000);
      events.push({ at: now + handle, kind: 'done', id: o.agentId });
      const actual = (now - e.at) / 1000;
      errSum += e.seconds - actual;
      absSum += Math.abs(e.seconds - actual);
      waitSum += actual;
      n++;
      if (e.seconds > 0) { waitedN++; absWaited += Math.abs(e.seconds - actual); }
    }
  }
  return {
    estimateCalls: n,
    estimateMeanActualWaitS: round(waitSum / n),
    estimateBiasS: round(errSum / n),
    estimateMeanAbsErrorS: round(absSum / n),
    estimateMeanAbsErrorWhenQueuedS: round(absWaited / Math.max(1, waitedN)),
    estimateNote: `${seats} seats, load ${load}, exponential 150 s handle times, estimate given on arrival`,
  };
}

export async function benchRouting(): Promise<Record<string, number | string>> {
  const out: Figures = {};
  const put = (prefix: string, f: Figures): void => { for (const [k, v] of Object.entries(f)) out[`${prefix}.${k}`] = v; };
  put('750seats_1000waiting', busyFloor(750, 1_000, 100_000));
  put('750seats_free', idleFloor(750, 100_000));
  put('10000seats_10000waiting', busyFloor(10_000, 10_000, 100_000));
  put('10000seats_free', idleFloor(10_000, 100_000));
  put('wait', waitEstimateError());
  out.targets = 'decision p99 <= 20 µs at 750/1,000; <= 200 µs at 10,000/10,000';
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchRouting().then((figures) => {
    for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k}: ${v}\n`);
  }, (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
