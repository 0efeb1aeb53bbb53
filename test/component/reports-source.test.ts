import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/database.ts';
import { readUnitsSeed, seedUnits } from '../../src/store/seed-units.ts';
import { unitRates } from '../../src/domain/rates.ts';
import { createReportsSource } from '../../src/features/reports/reports.source.ts';
import { monthRange } from '../../src/features/reports/months.ts';
import { A, B, C, insertDispatch, insertReportsDataset, insertSurvey, insertTicket } from './reports-dataset.ts';

let dir: string | undefined;
let db: Database | undefined;
afterEach(() => { db?.close(); if (dir) rmSync(dir, { recursive: true, force: true }); db = undefined; dir = undefined; });

function freshDb(): Database {
  dir = mkdtempSync(join(tmpdir(), 'hl-reports-src-'));
  db = openDatabase(join(dir, 'hotline.sqlite'));
  migrate(db);
  seedUnits(db, readUnitsSeed());
  return db;
}

/** What unitRates counts from the survey records, per unit: the reference the database tallies must match. */
function domainCounts(database: Database, month: string) {
  const { from, to } = monthRange(month);
  const source = createReportsSource(database);
  const policy = { ...unitRatesPolicy, perTicketPoints: { bothYes: 1, oneNo: 10, bothNo: 100 } };
  return unitRates({ dispatches: [], surveys: source.surveys(from, to) }, policy).map((u) => ({
    unitCode: u.unitCode, surveyed: u.surveyed, unreached: u.unreached, resolutionRated: u.resolutionRated, resolvedCount: u.resolvedCount,
    satisfactionRated: u.satisfactionRated, satisfied: u.satisfied, basicallySatisfied: u.basicallySatisfied, unsatisfied: u.unsatisfied, points: u.points,
  }));
}
const unitRatesPolicy = (await import('../../src/domain/rates.ts')).DEFAULT_RATES_POLICY;

function databaseCounts(database: Database, month: string) {
  const { from, to } = monthRange(month);
  return createReportsSource(database).surveyTallies(from, to)
    .map(({ bothYes, oneNo, bothNo, ...rest }) => ({ ...rest, points: bothYes + 10 * oneNo + 100 * bothNo }))
    .sort((a, b) => (a.unitCode < b.unitCode ? -1 : 1));
}

describe('survey tallies counted by the database', () => {
  it('when the fixed dataset is counted, then the database and unitRates agree per unit', () => {
    const database = freshDb();
    insertReportsDataset(database);
    expect(databaseCounts(database, '2026-11')).toEqual(domainCounts(database, '2026-11'));
    expect(databaseCounts(database, '2026-11').find((u) => u.unitCode === C)).toMatchObject({ surveyed: 2, unreached: 0, resolutionRated: 2 });
  });

  it('when many tickets have repeated, partial and unreached surveys and reassigned rounds, then both counts still agree', () => {
    const database = freshDb();
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const units = [A, B, C];
    const resolvedOf = () => [null, 'resolved', 'unresolved'][Math.floor(random() * 3)] as 'resolved' | 'unresolved' | null;
    const satisfactionOf = () => [null, 'satisfied', 'basically_satisfied', 'unsatisfied'][Math.floor(random() * 4)] as 'satisfied' | null;
    const start = monthRange('2026-11').from;
    for (let n = 0; n < 300; n++) {
      const id = `r${n}`;
      const at = start + Math.floor(random() * 20) * 86_400_000;
      insertTicket(database, { id, unit: units[n % 3]!, category: 'sanitation/rubbish', createdAt: at });
      insertDispatch(database, { ticketId: id, unit: units[n % 3]!, at, signedAfterH: 1 });
      if (random() < 0.3) insertDispatch(database, { ticketId: id, unit: units[(n + 1) % 3]!, at: at + 3 * 86_400_000, signedAfterH: 1, round: 2 });
      const surveys = Math.floor(random() * 3);
      for (let k = 0; k < surveys; k++) {
        insertSurvey(database, { ticketId: id, resolved: resolvedOf(), satisfaction: satisfactionOf(), answered: random() < 0.8, endedAt: at + (1 + Math.floor(random() * 6)) * 86_400_000 });
      }
    }
    const counted = databaseCounts(database, '2026-11');
    expect(counted.reduce((sum, u) => sum + u.surveyed + u.unreached, 0)).toBeGreaterThan(150);
    expect(counted).toEqual(domainCounts(database, '2026-11'));
  });
});
