/**
 * The soak: many calls through the real agents, calls, callbacks and tickets services over the
 * in-process simulator in virtual time, with callers hanging up at every point, agents' phones not
 * answering, busy, declining or unreachable, agents pausing and logging out, the events socket
 * dropping and Asterisk restarting. At the end (every caller gone, the last wrap-up over) it counts what
 * was left behind. The same seed gives the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../config/config.ts';
import { createTicketsRepo } from '../../features/tickets/tickets.repo.ts';
import { createTicketsService } from '../../features/tickets/tickets.service.ts';
import { readUnitsSeed, seedUnits } from '../../store/seed-units.ts';
import { startHotlineCore } from '../actors/hotline-core.ts';
import { exponential } from '../actors/callers.ts';
import { CALL_HANDLING_EVENTS, SimulationClock } from '../in-process.ts';
import { createPrng } from '../prng.ts';
import { callLogFigures, soakChecks } from './checks.ts';
import type { CallLogFigures, SoakCheck } from './checks.ts';
import { startCitizens } from './citizens.ts';
import type { HangupPoint } from './citizens.ts';
import { startOutages } from './outages.ts';
import { startSeats } from './seats.ts';
import { Tally } from './tally.ts';

export interface SoakOptions {
  calls: number;
  seed: number;
  seats: number;
  /** Multiplies every fault's rate: 0 for a run with none, 2 for twice as many. */
  faultRate: number;
  talkSeconds: number;
  wrapUpSeconds: number;
  /** Offered traffic as a share of what the seats can take. */
  load: number;
  /** Progress is reported every so many calls. */
  progressEvery: number;
  /** On average one events-socket drop per so many calls, and one Asterisk restart (at fault rate 1). */
  dropEveryCalls: number;
  restartEveryCalls: number;
  /** The database file; a temporary one (removed afterwards) when unset. */
  dbPath?: string;
  onProgress?: (p: SoakProgress) => void;
}

export const DEFAULT_SOAK: SoakOptions = {
  calls: 1_000_000, seed: 1, seats: 300, faultRate: 1, talkSeconds: 60, wrapUpSeconds: 5, load: 0.95, progressEvery: 100_000,
  dropEveryCalls: 2_000, restartEveryCalls: 50_000,
};

export interface SoakProgress { placed: number; virtualHours: number; wallMs: number; liveCalls: number; rssMb: number }

export interface SoakResult {
  options: SoakOptions;
  placed: number;
  enteredStasis: number;
  log: CallLogFigures;
  ticketsCreated: number;
  /** Faults injected and outcomes seen, by kind. */
  faults: Array<[string, number]>;
  connection: { drops: number; reconnects: number; failedAttempts: number; eventsLost: number };
  checks: SoakCheck[];
  ok: boolean;
  virtualHours: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
}

const HANGUP_SHARE: Record<HangupPoint, number> = { greeting: 0.04, queued: 0.08, ringing: 0.03, answer: 0.02, talk: 0.05 };

export async function runSoak(partial: Partial<SoakOptions> = {}): Promise<SoakResult> {
  const o: SoakOptions = { ...DEFAULT_SOAK, ...partial };
  if (!(Number.isInteger(o.calls) && o.calls > 0)) throw new RangeError('calls must be a positive integer');
  if (!(Number.isInteger(o.seats) && o.seats > 0)) throw new RangeError('seats must be a positive integer');
  if (!(o.faultRate >= 0 && o.faultRate <= 10)) throw new RangeError('fault rate must be between 0 and 10');
  if (!(o.load > 0 && o.load <= 2)) throw new RangeError('load must be above 0 and at most 2');
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let peakRss = process.memoryUsage().rss;
  const sample = (): number => { const rss = process.memoryUsage().rss; peakRss = Math.max(peakRss, rss); return rss; };
  const sampler = setInterval(sample, 500);
  sampler.unref();

  const tempDir = o.dbPath ? undefined : mkdtempSync(join(tmpdir(), 'hotline-soak-'));
  const dbPath = o.dbPath ?? join(tempDir!, 'soak.sqlite');
  const clock = new SimulationClock();
  const start = clock.now();
  const log = pino({ level: 'silent' });
  const config = loadConfig({
    env: {},
    values: {
      lines: [{ number: '12345', wrapUpSeconds: o.wrapUpSeconds }],
      agents: { ringTimeoutSeconds: 15, wrapUpSeconds: o.wrapUpSeconds },
      log: { level: 'silent' },
    },
  });
  const greetingMs = 3000;
  const core = await startHotlineCore({
    config, clock, log, seed: o.seed + 1, eventTypes: CALL_HANDLING_EVENTS, sounds: { 'sound:hotline/greeting': greetingMs },
    dbPath, backoff: { initialMs: 500, maxMs: 30_000 },
  });
  const tally = new Tally();
  const f = o.faultRate;
  try {
    seedUnits(core.db, readUnitsSeed());
    const places = core.db.prepare(`SELECT district_code AS districtCode, code AS townshipCode FROM units
      WHERE kind <> 'district' AND district_code IS NOT NULL ORDER BY code`).all() as Array<{ districtCode: string; townshipCode: string }>;
    const tickets = createTicketsService({ repo: createTicketsRepo(core.db), clock, log });
    const phonePrng = createPrng(o.seed + 3);
    const agentIds = await core.addAgents(o.seats, {
      phone: () => ({ mode: 'answer', ringMs: 1000, talkMs: Math.max(1000, Math.round(exponential(phonePrng, o.talkSeconds * 1000))) }),
    });
    const ahtSeconds = o.talkSeconds + o.wrapUpSeconds + 2;
    const ratePerSecond = (o.load * o.seats) / ahtSeconds;
    const msPerCall = 1000 / ratePerSecond;
    const hangupShare = Object.fromEntries(Object.entries(HANGUP_SHARE).map(([k, v]) => [k, Math.min(0.15, v * f)])) as Record<HangupPoint, number>;
    const citizens = startCitizens({
      control: core.sim.control, bus: core.bus, clock, prng: createPrng(o.seed + 4), tally,
      view: { channelOf: (callId) => core.calls.byId(callId)?.call.channelId ?? undefined, isTalking: (id) => core.sim.isTalking(id) },
      settings: {
        calls: o.calls, ratePerSecond, line: '12345', hangupShare, greetingMs: greetingMs + 500, patienceMs: 40_000,
        lastResortPatienceMs: 300_000, numbers: Math.max(1000, Math.round(o.calls / 4)),
      },
    });
    const seats = startSeats({
      agentIds, agents: core.agents, phones: core.phones, tickets, control: core.sim.control, bus: core.bus, clock,
      prng: createPrng(o.seed + 5), tally,
      settings: {
        talkMs: o.talkSeconds * 1000, ringMs: 3000,
        noAnswer: 0.03 * f, busy: 0.02 * f, decline: 0.01 * f, unreachable: 0.01 * f,
        pauseWhileRinging: 0.005 * f, logoutWhileRinging: 0.005 * f, ticketShare: 0.8,
        breakEveryMs: f > 0 ? 1_800_000 / f : Number.POSITIVE_INFINITY, logoutShare: 0.3, breakMs: 300_000, comebackMs: 20_000, places,
      },
    });
    const outages = startOutages({
      sim: core.sim, clock, prng: createPrng(o.seed + 6), tally,
      settings: { dropEveryMs: f > 0 ? (o.dropEveryCalls * msPerCall) / f : 0, restartEveryMs: f > 0 ? (o.restartEveryCalls * msPerCall) / f : 0, restartDownMs: 5000 },
    });

    let moments = 0;
    let nextProgress = o.progressEvery;
    const progress = (): void => {
      const rss = sample();
      o.onProgress?.({
        placed: citizens.placed(), virtualHours: (clock.now() - start) / 3_600_000, wallMs: performance.now() - started,
        liveCalls: core.calls.live().length, rssMb: rss / 1024 / 1024,
      });
    };
    const settle = async (): Promise<void> => {
      await core.sim.settle();
      if (++moments % 2000 === 0) { core.db.exec('COMMIT'); core.db.exec('BEGIN'); }
    };
    const onMoment = (): void => {
      if (citizens.placed() >= nextProgress) { nextProgress += o.progressEvery; progress(); }
    };
    core.db.exec('BEGIN');
    while (!citizens.done()) await clock.runUntil(clock.now() + 600_000, settle, onMoment);

    outages.stop();
    seats.calm();
    const quiet = (): boolean => core.calls.live().length === 0 && core.sim.control.channels().length === 0
      && seats.ticketsPending() === 0 && !outages.restarting() && core.sim.client.state() === 'connected'
      && core.agents.list().every((a) => a.state !== 'ringing' && a.state !== 'on_call' && a.state !== 'wrap_up');
    const drainUntil = clock.now() + 6 * 3_600_000;
    while (!quiet() && clock.now() < drainUntil) await clock.runUntil(clock.now() + 60_000, settle, onMoment);
    await clock.runUntil(clock.now() + 60_000, settle, onMoment);
    core.db.exec('COMMIT');
    progress();

    const refused = tally.entries().filter(([k]) => k.startsWith('ticket refused')).reduce((n, [, v]) => n + v, 0);
    const checks = soakChecks({
      db: core.db, control: core.sim.control, agents: core.agents, calls: core.calls, callsEntered: citizens.entered(),
      ticketsCreated: seats.ticketsCreated(), ticketsRefused: refused, callbacks: config.callbacks,
    });
    const result: SoakResult = {
      options: o,
      placed: citizens.placed(),
      enteredStasis: citizens.entered(),
      log: callLogFigures(core.db),
      ticketsCreated: seats.ticketsCreated(),
      faults: tally.entries(),
      connection: core.sim.connection(),
      checks,
      ok: checks.every((c) => c.found === 0),
      virtualHours: (clock.now() - start) / 3_600_000,
      wallMs: 0,
      cpuMs: 0,
      peakRssMb: 0,
    };
    seats.stop();
    citizens.stop();
    result.wallMs = performance.now() - started;
    result.cpuMs = ((c) => (c.user + c.system) / 1000)(process.cpuUsage(cpu0));
    result.peakRssMb = Math.max(peakRss, sample()) / 1024 / 1024;
    return result;
  } finally {
    clearInterval(sampler);
    await core.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}
