import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMigrations, migrate, MIGRATIONS_DIR, openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/database.ts';
import { readUnitsSeed, seedUnits, unitKindOf } from '../../src/store/seed-units.ts';
import { DEFAULT_RATES_POLICY, unitRates } from '../../src/domain/rates.ts';
import { createReportsSource, rebuildFacts } from '../../src/features/reports/reports.source.ts';
import { monthRange } from '../../src/features/reports/months.ts';
import { A, B, C, day, insertDispatch, insertReportsDataset, insertSurvey, insertTicket } from './reports-dataset.ts';

let dir: string | undefined;
let db: Database | undefined;
afterEach(() => { db?.close(); if (dir) rmSync(dir, { recursive: true, force: true }); db = undefined; dir = undefined; });

function freshDb(migrations?: string): Database {
  dir ??= mkdtempSync(join(tmpdir(), 'hl-reports-facts-'));
  db = openDatabase(join(dir, 'hotline.sqlite'));
  migrate(db, migrations === undefined ? {} : { dir: migrations });
  if (migrations === undefined) seedUnits(db, readUnitsSeed());
  else seedUnitsAsBefore(db);
  return db;
}

/** The units as a database of an earlier schema held them (before the directory's administration columns). */
function seedUnitsAsBefore(database: Database): void {
  const insert = database.prepare('INSERT INTO units (code, name, district_code, kind) VALUES (?, ?, ?, ?)');
  for (const district of readUnitsSeed().districts) {
    insert.run(district.code, district.name, district.code, 'district');
    for (const unit of district.units) insert.run(unit.code, unit.name, district.code, unitKindOf(unit.name));
  }
}

const COUNTS = ['dispatched', 'signed_in_time', 'surveyed', 'unreached', 'resolution_rated', 'resolved_count', 'satisfaction_rated',
  'satisfied', 'basically_satisfied', 'unsatisfied', 'both_yes', 'one_no', 'both_no'];

/** The fact tables as stored; unit months whose counts all went back to 0 read as absent. */
function stored(database: Database) {
  return {
    surveys: database.prepare('SELECT * FROM report_survey_facts ORDER BY month, unit_code, ticket_id').all(),
    units: database.prepare(`SELECT * FROM report_unit_months WHERE ${COUNTS.map((c) => `${c} <> 0`).join(' OR ')} ORDER BY month, unit_code`).all(),
  };
}

const MONTHS = ['2026-10', '2026-11', '2026-12'];

/** What the triggers keep equals what rebuildFacts computes from the events, and reads like the events counted. */
function expectFactsMatchEvents(database: Database): void {
  const kept = stored(database);
  const facts = createReportsSource(database);
  const events = createReportsSource(database, { fromEvents: true });
  for (const month of MONTHS) {
    const { from, to } = monthRange(month);
    expect(facts.surveyTallies(from, to), month).toEqual(events.surveyTallies(from, to));
    expect(facts.dispatchTallies(from, to), month).toEqual(events.dispatchTallies(from, to));
  }
  for (const month of MONTHS) rebuildFacts(database, month);
  expect(stored(database)).toEqual(kept);
}

/** The database's survey counts per unit against unitRates over the same month's survey records. */
function expectDomainAgrees(database: Database, month: string): void {
  const { from, to } = monthRange(month);
  const source = createReportsSource(database);
  const policy = { ...DEFAULT_RATES_POLICY, perTicketPoints: { bothYes: 1, oneNo: 10, bothNo: 100 } };
  const domain = unitRates({ dispatches: [], surveys: createReportsSource(database, { fromEvents: true }).surveys(from, to) }, policy)
    .map((u) => ({ unitCode: u.unitCode, surveyed: u.surveyed, unreached: u.unreached, resolutionRated: u.resolutionRated, resolvedCount: u.resolvedCount,
      satisfactionRated: u.satisfactionRated, satisfied: u.satisfied, basicallySatisfied: u.basicallySatisfied, unsatisfied: u.unsatisfied, points: u.points }));
  const counted = source.surveyTallies(from, to).map(({ bothYes, oneNo, bothNo, ...rest }) => ({ ...rest, points: bothYes + 10 * oneNo + 100 * bothNo }));
  expect(counted).toEqual(domain);
}

describe('report facts kept as rounds and surveys are written', () => {
  it('when the fixed dataset is stored, then the facts equal a rebuild from the events and the November figures hold', () => {
    const database = freshDb();
    insertReportsDataset(database);
    expectFactsMatchEvents(database);
    const { from, to } = monthRange('2026-11');
    const source = createReportsSource(database);
    expect(source.dispatchTallies(from, to).find((t) => t.unitCode === A)).toEqual({ unitCode: A, dispatched: 4, signedInTime: 3 });
    // c1: the unreached attempt gives way to the answered one
    expect(source.surveyTallies(from, to).find((t) => t.unitCode === C)).toMatchObject({ surveyed: 2, unreached: 0, resolutionRated: 2, resolvedCount: 1 });
    expectDomainAgrees(database, '2026-11');
  });

  it('when the survey tables already hold a month as the facts arrive, then the migration fills them from the events', () => {
    dir = mkdtempSync(join(tmpdir(), 'hl-reports-facts-'));
    const before = join(dir, 'before-061');
    mkdirSync(before);
    for (const m of listMigrations()) if (m.version < 61) copyFileSync(join(MIGRATIONS_DIR, m.file), join(before, m.file));
    const database = freshDb(before);
    insertReportsDataset(database);
    expect(migrate(database)).toContain('061_report_month_facts.sql');
    expect((database.prepare('SELECT count(*) FROM report_survey_facts').pluck().get() as number)).toBeGreaterThan(0);
    expectFactsMatchEvents(database);
  });

  it('when rounds, surveys and lead units are written in any order, changed and deleted, then the facts still equal a rebuild', () => {
    const database = freshDb();
    let seed = 11;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const units = [A, B, C];
    const resolvedOf = () => pick([null, 'resolved', 'unresolved'] as const);
    const satisfactionOf = () => pick([null, 'satisfied', 'basically_satisfied', 'unsatisfied'] as const);
    const start = day(10, 20);
    const ids: string[] = [];
    for (let n = 0; n < 240; n++) {
      const id = `f${n}`;
      ids.push(id);
      const at = start + Math.floor(random() * 40) * 86_400_000 + Math.floor(random() * 86_400_000);
      insertTicket(database, { id, unit: pick(units), category: 'sanitation/rubbish', createdAt: at });
      if (random() < 0.5) database.prepare('UPDATE tickets SET lead_unit = ? WHERE id = ?').run(pick(units), id);
      const surveysFirst = random() < 0.3;
      const surveys = () => {
        for (let k = Math.floor(random() * 4); k > 0; k--) {
          insertSurvey(database, { ticketId: id, resolved: resolvedOf(), satisfaction: satisfactionOf(), answered: random() < 0.75,
            endedAt: at + Math.floor(random() * 12 * 86_400_000) });
        }
      };
      if (surveysFirst) surveys();
      // Some tickets never dispatched: their surveys count for the ticket's own lead unit.
      const rounds = random() < 0.15 ? 0 : 1 + Math.floor(random() * 3);
      for (let r = 1; r <= rounds; r++) {
        insertDispatch(database, { ticketId: id, unit: pick(units), at: at + (r - 1) * 3 * 86_400_000, signedAfterH: random() < 0.2 ? null : random() * 40, round: r });
      }
      if (!surveysFirst) surveys();
    }
    const change = [
      () => database.prepare('UPDATE ticket_dispatches SET lead_unit = ? WHERE ticket_id = ? AND round = 1').run(pick(units), pick(ids)),
      () => database.prepare('UPDATE ticket_dispatches SET dispatched_at = dispatched_at + ? WHERE ticket_id = ?').run(Math.floor((random() - 0.5) * 8 * 86_400_000), pick(ids)),
      () => database.prepare('UPDATE ticket_dispatches SET signed_at = accept_by - 1 WHERE ticket_id = ?').run(pick(ids)),
      () => database.prepare('DELETE FROM ticket_dispatches WHERE ticket_id = ? AND round = (SELECT max(round) FROM ticket_dispatches WHERE ticket_id = ?)').run(...[pick(ids)].flatMap((t) => [t, t])),
      () => database.prepare('UPDATE tickets SET lead_unit = ? WHERE id = ?').run(pick([...units, null]), pick(ids)),
      () => database.prepare('UPDATE survey_results SET resolved = ?, satisfaction = ? WHERE job_id = (SELECT job_id FROM survey_results WHERE ticket_id = ? LIMIT 1)')
        .run(resolvedOf(), satisfactionOf(), pick(ids)),
      () => database.prepare('UPDATE survey_results SET ended_at = NULL WHERE ticket_id = ?').run(pick(ids)),
      () => database.prepare('UPDATE survey_results SET ended_at = started_at + 60000 WHERE ended_at IS NULL').run(),
      () => database.prepare("UPDATE survey_jobs SET status = CASE status WHEN 'gave_up' THEN 'done' ELSE 'gave_up' END WHERE ticket_id = ?").run(pick(ids)),
      () => database.prepare('UPDATE survey_jobs SET last_attempt_at = last_attempt_at + ? WHERE ticket_id = ?').run(Math.floor(random() * 20 * 86_400_000), pick(ids)),
      () => database.prepare('DELETE FROM survey_results WHERE job_id = (SELECT job_id FROM survey_results WHERE ticket_id = ? LIMIT 1)').run(pick(ids)),
    ];
    for (let i = 0; i < 400; i++) pick(change)();
    const counted = MONTHS.map((m) => { const { from, to } = monthRange(m); return createReportsSource(database).surveyTallies(from, to); }).flat();
    expect(counted.reduce((sum, u) => sum + u.surveyed + u.unreached, 0)).toBeGreaterThan(150);
    expectFactsMatchEvents(database);
    for (const month of MONTHS) expectDomainAgrees(database, month);
  });

  it('when a month is rebuilt, then only its rows are replaced', () => {
    const database = freshDb();
    insertReportsDataset(database);
    const october = stored(database).units.filter((u) => (u as { month: string }).month === '2026-10');
    database.prepare("UPDATE report_unit_months SET dispatched = 99 WHERE month = '2026-11'").run();
    expect(rebuildFacts(database, '2026-11')).toMatchObject({ month: '2026-11', surveyFacts: 9 });
    expect(stored(database).units.filter((u) => (u as { month: string }).month === '2026-10')).toEqual(october);
    const { from, to } = monthRange('2026-11');
    expect(createReportsSource(database).dispatchTallies(from, to)).toEqual(createReportsSource(database, { fromEvents: true }).dispatchTallies(from, to));
  });
});
