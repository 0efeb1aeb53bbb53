/**
 * The monthly ranking: rates, composite and the four classes for 349 streets and townships computed from a
 * month of stored events (1.1 M tickets, 5 % of them reassigned to a second unit, 40 % called back), in a
 * temporary SQLite file. The month is generated with the report triggers off (its rows in ticket order, one
 * transaction per 50,000 tickets, secondary indexes built afterwards), then the report facts are built by rebuildFacts, the way they are recomputed
 * from the events: generation, rebuild and the month's figures are timed apart. The triggers' cost per write is
 * measured on 20,000 extra rounds and surveys, rolled back. Run alone with `npx tsx bench/ranking.ts`;
 * BENCH_TICKETS sets the size, BENCH_VERIFY=1 also checks the facts against a count of the events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { VirtualClock } from '../src/clock.ts';
import { migrate, openDatabase } from '../src/store/database.ts';
import type { Database } from '../src/store/database.ts';
import { readUnitsSeed, seedUnits } from '../src/store/seed-units.ts';
import { monthRange } from '../src/features/reports/months.ts';
import { reportsPolicy } from '../src/features/reports/reports.policy.ts';
import { createReportsRepo } from '../src/features/reports/reports.repo.ts';
import type { MonthFigures } from '../src/features/reports/reports.repo.ts';
import { createReportsService } from '../src/features/reports/reports.service.ts';
import { createReportsSource, rebuildFacts } from '../src/features/reports/reports.source.ts';
import { createPrng } from '../src/sim/prng.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1_100_000);
const SURVEYED = 0.4;
const REASSIGNED = 0.05;
const BATCH = 50_000;
const MONTH = '2026-11';
const H = 3_600_000;
const CATEGORIES = ['sanitation/rubbish', 'traffic/parking', 'water/outage', 'heating/too-cold', 'property/fees', 'property/lift',
  'labour/unpaid-wages', 'housing/rental', 'construction/noise', 'market/prices', 'power/outage', 'other/other'];

/** A seeded generator (the simulator's mulberry32), so that runs are comparable. */
const seeded = (seed: number): (() => number) => createPrng(seed).next;

/** The tables a month is generated into; their triggers and secondary indexes are dropped meanwhile. */
const GENERATED_TABLES = ['tickets', 'ticket_dispatches', 'survey_jobs', 'survey_results'];

/** Drops the triggers (or the indexes declared by CREATE INDEX) on the generated tables; returns their SQL. */
function drop(db: Database, type: 'trigger' | 'index'): Array<{ name: string; sql: string }> {
  const found = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL
      AND tbl_name IN (${GENERATED_TABLES.map(() => '?').join(', ')})`)
    .all(type, ...GENERATED_TABLES) as Array<{ name: string; sql: string }>;
  for (const t of found) db.exec(`DROP ${type.toUpperCase()} "${t.name}"`);
  return found;
}
const dropTriggers = (db: Database) => drop(db, 'trigger');

const pad = (n: number) => String(n).padStart(8, '0');

function generate(db: Database, units: string[]): { tickets: number; rounds: number; surveys: number } {
  const random = seeded(12345);
  const { from, to } = monthRange(MONTH);
  // Busy streets take far more requests than quiet ones: weight 1 / (i + 5).
  const weights = units.map((_, i) => 1 / (i + 5));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((acc, w, i) => (cumulative[i] = acc + w / total), 0);
  const pick = () => { const r = random(); let lo = 0; let hi = cumulative.length - 1; while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid]! < r) lo = mid + 1; else hi = mid; } return units[lo]!; };
  // Each street's own quality, so the ranking is not a tie.
  const quality = new Map(units.map((u) => [u, 0.5 + random() * 0.5]));
  const ticket = db.prepare(`INSERT INTO tickets (id, number, type, category, description, unit_code, status, created_at, updated_at, lead_unit)
    VALUES (?, ?, 'complaint', ?, 'x', ?, 'closed', ?, ?, ?)`);
  const dispatch = db.prepare(`INSERT INTO ticket_dispatches (ticket_id, round, lead_unit, urgency, dispatched_at, accept_by, accept_warn_at, complete_by, complete_warn_at, signed_at)
    VALUES (?, ?, ?, 'general', ?, ?, ?, ?, ?, ?)`);
  const job = db.prepare(`INSERT INTO survey_jobs (id, ticket_id, phone_number, closed_at, due_at, status, attempts, last_attempt_at, created_at, updated_at)
    VALUES (?, ?, '13800138000', ?, ?, ?, 1, ?, ?, ?)`);
  const survey = db.prepare(`INSERT INTO survey_results (job_id, ticket_id, channel_id, resolved, satisfaction, completed, started_at, ended_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const signedAfter = (q: number) => (random() < 0.03 ? null : Math.floor(random() * 30 * H * (1.2 - q)));
  let surveys = 0;
  let rounds = 0;
  // Tickets come in time order (ids and creation times rise together), as a hotline stores them.
  const span = to - from - 2 * H;
  const batch = db.transaction((start: number, end: number) => {
    for (let n = start; n < end; n++) {
      const id = `t${pad(n)}`;
      let unit = pick();
      const created = from + Math.floor(((n + random()) / TICKETS) * span);
      let dispatched = created + 600_000;
      let signed = signedAfter(quality.get(unit)!);
      ticket.run(id, pad(n), CATEGORIES[Math.floor(random() * CATEGORIES.length)]!, unit, created, created, unit);
      dispatch.run(id, 1, unit, dispatched, dispatched + 24 * H, dispatched + 23 * H, dispatched + 7 * 24 * H, dispatched + 6 * 24 * H, signed === null ? null : dispatched + signed);
      rounds++;
      if (random() < REASSIGNED) {
        // Returned by the first unit and sent to another within hours: the survey counts for the second.
        unit = pick();
        dispatched += Math.floor(random() * 6 * H);
        signed = signedAfter(quality.get(unit)!);
        dispatch.run(id, 2, unit, dispatched, dispatched + 24 * H, dispatched + 23 * H, dispatched + 7 * 24 * H, dispatched + 6 * 24 * H, signed === null ? null : dispatched + signed);
        rounds++;
      }
      if (random() < SURVEYED) {
        surveys++;
        const q = quality.get(unit)!;
        const reached = random() < 0.85;
        const resolved = reached ? (random() < q ? 'resolved' : 'unresolved') : null;
        const s = random();
        const satisfaction = !reached || random() < 0.05 ? null : s < q * 0.8 ? 'satisfied' : s < q ? 'basically_satisfied' : 'unsatisfied';
        const ended = Math.min(to - 1, dispatched + Math.floor(random() * 24 * H));
        job.run(`j${pad(n)}`, id, ended - H, ended - H, reached ? 'done' : 'gave_up', ended, ended - H, ended);
        if (reached) survey.run(`j${pad(n)}`, id, `hl-survey-${n}`, resolved, satisfaction, resolved && satisfaction ? 1 : 0, ended - 90_000, ended);
      }
    }
  });
  for (let n = 0; n < TICKETS; n += BATCH) batch(n, Math.min(TICKETS, n + BATCH));
  return { tickets: TICKETS, rounds, surveys };
}

/**
 * Microseconds per write with the report triggers as installed and with them dropped: a second round for
 * `count` tickets and a survey result for each, in a transaction rolled back afterwards.
 */
function writeCost(db: Database, count: number): { withTriggers: number; without: number } {
  const { from } = monthRange(MONTH);
  const dispatch = db.prepare(`INSERT INTO ticket_dispatches (ticket_id, round, lead_unit, urgency, dispatched_at, accept_by, accept_warn_at, complete_by, complete_warn_at)
    SELECT id, 9, lead_unit, 'general', ?, ?, ?, ?, ? FROM tickets WHERE id = ?`);
  const job = db.prepare(`INSERT INTO survey_jobs (id, ticket_id, round, phone_number, closed_at, due_at, status, attempts, last_attempt_at, created_at, updated_at)
    VALUES (?, ?, 9, '13800138000', ?, ?, 'done', 1, ?, ?, ?)`);
  const survey = db.prepare(`INSERT INTO survey_results (job_id, ticket_id, channel_id, resolved, satisfaction, completed, started_at, ended_at)
    VALUES (?, ?, ?, 'resolved', 'satisfied', 1, ?, ?)`);
  const step = Math.max(1, Math.floor(TICKETS / count));
  const once = (): number => {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const id = `t${pad((i * step) % TICKETS)}`;
      const at = from + 20 * 24 * H + i;
      dispatch.run(at, at + 24 * H, at + 23 * H, at + 7 * 24 * H, at + 6 * 24 * H, id);
      job.run(`w${i}`, id, at, at, at + H, at, at + H);
      survey.run(`w${i}`, id, `hl-w-${i}`, at + H - 60_000, at + H);
    }
    return ((performance.now() - t0) * 1000) / (3 * count);
  };
  const rolledBack = (f: () => number): number => { db.exec('BEGIN'); try { return f(); } finally { db.exec('ROLLBACK'); } };
  const withTriggers = rolledBack(once);
  const without = rolledBack(() => { dropTriggers(db); return once(); });
  return { withTriggers, without };
}

/** The month's tallies as read from the facts and as counted from the events, compared; ms to count the events. */
function verify(db: Database): { checked: string; eventsMs: number } {
  const { from, to } = monthRange(MONTH);
  const facts = createReportsSource(db);
  const events = createReportsSource(db, { fromEvents: true });
  const t0 = performance.now();
  const counted = JSON.stringify([events.surveyTallies(from, to), events.dispatchTallies(from, to)]);
  const eventsMs = performance.now() - t0;
  if (JSON.stringify([facts.surveyTallies(from, to), facts.dispatchTallies(from, to)]) !== counted) {
    throw new Error('the month read from the report facts differs from the month counted from the events');
  }
  return { checked: 'facts = events', eventsMs };
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function benchRanking(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-bench-ranking-'));
  const db = openDatabase(join(dir, 'hotline.sqlite'));
  try {
    migrate(db);
    seedUnits(db, readUnitsSeed());
    const units = (db.prepare("SELECT code FROM units WHERE kind <> 'district' ORDER BY code").pluck().all() as string[]);
    // Ticket search and the report facts follow every write; the month is generated without them and the
    // facts are built afterwards from the events. Ticket search is not needed for the ranking: not rebuilt.
    const triggers = dropTriggers(db).filter((t) => !t.name.startsWith('tickets_fts_'));
    // A bulk load: secondary indexes built once the rows are in, no rollback journal and no syncing meanwhile;
    // every index is back and the journal is WAL again for what is measured.
    const indexes = drop(db, 'index');
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    const cpu0 = process.cpuUsage();
    let t0 = performance.now();
    const made = generate(db, units);
    const insertS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    for (const i of indexes) db.exec(i.sql);
    const indexS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    for (const t of triggers) db.exec(t.sql);

    t0 = performance.now();
    const rebuilt = rebuildFacts(db, MONTH);
    const rebuildS = (performance.now() - t0) / 1000;
    const checked = process.env.BENCH_VERIFY ? verify(db) : undefined;
    const cost = writeCost(db, 20_000);

    const clock = new VirtualClock(Date.UTC(2026, 11, 3, 2));
    const repo = createReportsRepo(db);
    const reports = createReportsService({ source: createReportsSource(db), repo, clock, policy: reportsPolicy() });
    // October as published a month earlier: the gains compare with it.
    const october: MonthFigures[] = units.map((code, i) => ({
      code, rank: i + 1, gain: null, volume: 0, classes: [],
      figures: { dispatched: 1, signedInTime: 1, surveyed: 0, unreached: 0, resolutionRated: 0, resolvedCount: 0, satisfactionRated: 0, satisfied: 0,
        basicallySatisfied: 0, unsatisfied: 0, points: null, responseRate: 1, resolutionRate: null, satisfactionScore: 0, satisfactionRate: null, composite: 60 + (i % 30) },
    }));
    repo.publish('2026-10', { at: clock.now(), by: 'bench', policy: {} }, new Map([['unit', october]]));

    const runs: number[] = [];
    let ranked = 0;
    let advanced = 0;
    for (let i = 0; i < 10; i++) {
      t0 = performance.now();
      const report = reports.month(MONTH, 'unit', { recompute: true });
      runs.push(performance.now() - t0);
      ranked = report.rows.filter((r) => r.rank !== null).length;
      advanced = report.rows.filter((r) => r.classes.includes('advanced')).length;
    }
    t0 = performance.now();
    reports.closeMonth(MONTH, 'bench');
    const closeMs = performance.now() - t0;
    t0 = performance.now();
    reports.month(MONTH, 'unit');
    const publishedMs = performance.now() - t0;
    const sorted = [...runs].sort((a, b) => a - b);
    return {
      tickets: made.tickets,
      'dispatch rounds': made.rounds,
      'surveys (jobs)': made.surveys,
      'survey facts': rebuilt.surveyFacts,
      'units ranked': ranked,
      'advanced units': advanced,
      'generation, triggers off (s)': insertS + indexS,
      '  rows, in batches of 50,000 (s)': insertS,
      '  secondary indexes (s)': indexS,
      '  CPU time of this process (s)': (cpu.user + cpu.system) / 1e6,
      'rebuildFacts of the month (s)': rebuildS,
      'facts check': checked?.checked ?? 'not checked (BENCH_VERIFY=1)',
      ...(checked ? { 'month tallies counted from the events (ms)': checked.eventsMs } : {}),
      'write with report triggers (µs)': cost.withTriggers,
      'write without them (µs)': cost.without,
      'month rates + ranking, first run (ms)': runs[0]!,
      'month rates + ranking, p50 of 10 (ms)': percentile(sorted, 50),
      'month rates + ranking, p99 of 10 (ms)': percentile(sorted, 99),
      'close month, 3 levels (ms)': closeMs,
      'read published ranking (ms)': publishedMs,
      target: '<= 1,000 ms',
    };
  } finally {
    db.close();
    if (process.env.BENCH_KEEP) console.error(dir); else rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await benchRanking();
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(42)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : v}`);
}
