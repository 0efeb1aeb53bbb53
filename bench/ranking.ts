/**
 * The monthly ranking: rates, composite and the four classes for 349 streets and townships computed from a
 * month of stored events (1.1 M tickets, each dispatched once, 40 % called back), in a temporary SQLite file.
 * Generation is timed apart from the computation. Run alone with `npx tsx bench/ranking.ts`.
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
import { createReportsSource } from '../src/features/reports/reports.source.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1_100_000);
const SURVEYED = 0.4;
const MONTH = '2026-11';
const H = 3_600_000;
const CATEGORIES = ['sanitation/rubbish', 'traffic/parking', 'water/outage', 'heating/too-cold', 'property/fees', 'property/lift',
  'labour/unpaid-wages', 'housing/rental', 'construction/noise', 'market/prices', 'power/outage', 'other/other'];

/** mulberry32: the same seed gives the same month. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function generate(db: Database, units: string[]): { tickets: number; surveys: number } {
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
    VALUES (?, 1, ?, 'general', ?, ?, ?, ?, ?, ?)`);
  const job = db.prepare(`INSERT INTO survey_jobs (id, ticket_id, phone_number, closed_at, due_at, status, attempts, last_attempt_at, created_at, updated_at)
    VALUES (?, ?, '13800138000', ?, ?, ?, 1, ?, ?, ?)`);
  const survey = db.prepare(`INSERT INTO survey_results (job_id, ticket_id, channel_id, resolved, satisfaction, completed, started_at, ended_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  let surveys = 0;
  const batch = db.transaction((start: number, end: number) => {
    for (let n = start; n < end; n++) {
      const id = `t${n}`;
      const unit = pick();
      const q = quality.get(unit)!;
      const created = from + Math.floor(random() * (to - from - 2 * H));
      const dispatched = created + 600_000;
      const signed = random() < 0.03 ? null : dispatched + Math.floor(random() * 30 * H * (1.2 - q));
      ticket.run(id, String(n), CATEGORIES[Math.floor(random() * CATEGORIES.length)]!, unit, created, created, unit);
      dispatch.run(id, unit, dispatched, dispatched + 24 * H, dispatched + 23 * H, dispatched + 7 * 24 * H, dispatched + 6 * 24 * H, signed);
      if (random() < SURVEYED) {
        surveys++;
        const reached = random() < 0.85;
        const resolved = reached ? (random() < q ? 'resolved' : 'unresolved') : null;
        const s = random();
        const satisfaction = !reached || random() < 0.05 ? null : s < q * 0.8 ? 'satisfied' : s < q ? 'basically_satisfied' : 'unsatisfied';
        const ended = Math.min(to - 1, dispatched + Math.floor(random() * 24 * H));
        job.run(`j${n}`, id, ended - H, ended - H, reached ? 'done' : 'gave_up', ended, ended - H, ended);
        if (reached) survey.run(`j${n}`, id, `hl-survey-${n}`, resolved, satisfaction, resolved && satisfaction ? 1 : 0, ended - 90_000, ended);
      }
    }
  });
  for (let n = 0; n < TICKETS; n += 50_000) batch(n, Math.min(TICKETS, n + 50_000));
  return { tickets: TICKETS, surveys };
}

export async function benchRanking(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-bench-ranking-'));
  const db = openDatabase(join(dir, 'hotline.sqlite'));
  try {
    migrate(db);
    seedUnits(db, readUnitsSeed());
    // Ticket search indexes descriptions as tickets are stored; the ranking never reads it, so generation skips it.
    db.exec('DROP TRIGGER IF EXISTS tickets_fts_insert');
    const units = (db.prepare("SELECT code FROM units WHERE kind <> 'district' ORDER BY code").pluck().all() as string[]);
    let t0 = performance.now();
    const made = generate(db, units);
    const generationS = (performance.now() - t0) / 1000;

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
    for (let i = 0; i < 5; i++) {
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
      'dispatch rounds': made.tickets,
      'survey results': made.surveys,
      'units ranked': ranked,
      'advanced units': advanced,
      'generation (s)': generationS,
      'month rates + ranking, first run (ms)': runs[0]!,
      'month rates + ranking, median of 5 (ms)': sorted[2]!,
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
