import type { Database } from '../../store/database.ts';
import type { SurveyRecord } from '../../domain/rates.ts';
import type { HotspotTicket } from '../../domain/hotspots.ts';
import { directoryVersion, nameAtSql } from '../units/units.repo.ts';
import { monthOf, monthRange } from './months.ts';

/**
 * The one place that reads tables other features own: tickets, units and users (core), dispatch
 * rounds (dispatch) and callback survey results (surveys). A change of their columns touches this file
 * (and the triggers of 061_report_month_facts.sql). A table not there yet reads as empty.
 *
 * A calendar month's tallies are read from report_unit_months, which triggers keep current as rounds and
 * surveys are written; other ranges, and a source made with `fromEvents`, count the stored events.
 */

export interface DispatchTally { readonly unitCode: string; readonly dispatched: number; readonly signedInTime: number }
/** A unit's callback surveys in a month, one per ticket (reached over unreached, then the latest, then the fuller). */
export interface SurveyTally {
  readonly unitCode: string;
  readonly surveyed: number;
  readonly unreached: number;
  readonly resolutionRated: number;
  readonly resolvedCount: number;
  readonly satisfactionRated: number;
  readonly satisfied: number;
  readonly basicallySatisfied: number;
  readonly unsatisfied: number;
  /** Surveys with both answers: both yes ('basically satisfied' counts as yes), one no, two noes. */
  readonly bothYes: number;
  readonly oneNo: number;
  readonly bothNo: number;
}
export interface Tally { readonly key: string; readonly count: number }
export interface UnitInfo { readonly code: string; readonly name: string; readonly districtCode: string | null; readonly kind: string }
export interface NewTicket extends HotspotTicket { readonly seq: number }

export interface ReportsSource {
  /** Dispatch rounds dispatched in [from, to) by lead unit, and how many were signed for by their acceptance deadline. */
  dispatchTallies(from: number, to: number): DispatchTally[];
  /** Surveys that ended in [from, to), each with the unit leading the ticket's latest round dispatched before it ended. */
  surveys(from: number, to: number): SurveyRecord[];
  /** The same surveys as `surveys`, counted per unit by the database. */
  surveyTallies(from: number, to: number): SurveyTally[];
  /** Tickets created in [from, to) by the unit (street, township) they concern. */
  ticketsByUnit(from: number, to: number): Tally[];
  ticketsByCategory(from: number, to: number): Tally[];
  /** Tickets created in [from, to) by Asia/Shanghai day, 'YYYY-MM-DD'. */
  ticketsByDay(from: number, to: number): Tally[];
  /** Tickets stored after `afterSeq` in storage order, at most `limit`. */
  ticketsAfter(afterSeq: number, limit: number): NewTicket[];
  /** The storage position just before the first ticket created at or after `at`; the last one when none is. */
  seqBefore(at: number): number;
  /** Tickets of one unit and category created in [from, to]. */
  ticketsAt(unitCode: string, category: string, from: number, to: number): HotspotTicket[];
  units(): UnitInfo[];
  /** Every unit with the name it had at the instant `at` (a unit renamed since keeps its name then). */
  unitsAt(at: number): UnitInfo[];
  /** Moves on with every change to the units' directory (see units.repo.ts). */
  directoryVersion(): number;
  /** The unit a unit user acts for. */
  unitOfUser(userId: string): string | null;
  /** Recomputes a month's survey facts and unit tallies from the stored events (see rebuildFacts). */
  rebuildFacts(month: string): FactsRebuilt;
}

export interface FactsRebuilt { readonly month: string; readonly surveyFacts: number; readonly unitMonths: number }

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

function hasTable(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

type Row = Record<string, unknown>;

function resolvedOf(v: unknown): SurveyRecord['resolved'] {
  if (v === 'resolved' || v === 1) return 'resolved';
  if (v === 'unresolved' || v === 0) return 'unresolved';
  return null;
}

function satisfactionOf(v: unknown): SurveyRecord['satisfaction'] {
  return v === 'satisfied' || v === 'basically_satisfied' || v === 'unsatisfied' ? v : null;
}

export function createReportsSource(db: Database, options: { fromEvents?: boolean } = {}): ReportsSource {
  const lazy = <T>(make: () => T): (() => T) => { let v: T | undefined; return () => (v ??= make()); };

  const dispatchTallies = lazy(() => hasTable(db, 'ticket_dispatches')
    ? db.prepare(`SELECT lead_unit AS unitCode, count(*) AS dispatched,
        sum(CASE WHEN signed_at IS NOT NULL AND signed_at <= accept_by THEN 1 ELSE 0 END) AS signedInTime
        FROM ticket_dispatches WHERE dispatched_at >= ? AND dispatched_at < ? GROUP BY lead_unit`)
    : undefined);

  const surveys = lazy(() => {
    if (!hasTable(db, 'survey_results') || !hasTable(db, 'survey_jobs')) return undefined;
    const unitAt = (at: string) => hasTable(db, 'ticket_dispatches')
      ? `coalesce((SELECT d.lead_unit FROM ticket_dispatches d WHERE d.ticket_id = t.id AND d.dispatched_at <= ${at}
          ORDER BY d.round DESC LIMIT 1), t.lead_unit)`
      : 't.lead_unit';
    // A result row exists once the citizen picked up; a job given up after its attempts is a survey that reached nobody.
    return db.prepare(`SELECT s.ticket_id, ${unitAt('s.ended_at')} AS unit_code, s.resolved, s.satisfaction, s.ended_at, 1 AS reached
        FROM survey_results s JOIN tickets t ON t.id = s.ticket_id
        WHERE s.ended_at >= @from AND s.ended_at < @to
      UNION ALL
      SELECT j.ticket_id, ${unitAt('j.last_attempt_at')}, NULL, NULL, j.last_attempt_at, 0
        FROM survey_jobs j JOIN tickets t ON t.id = j.ticket_id
        WHERE j.status = 'gave_up' AND j.last_attempt_at >= @from AND j.last_attempt_at < @to`).raw();
  });

  const surveyTallies = lazy(() => {
    if (!hasTable(db, 'survey_results') || !hasTable(db, 'survey_jobs')) return undefined;
    // In ticket order, so the look-ups of each ticket's rounds walk the index forwards instead of jumping about.
    const lead = '(SELECT t.lead_unit FROM tickets t WHERE t.id = x.ticket_id)';
    const unit = hasTable(db, 'ticket_dispatches')
      ? `coalesce((SELECT d.lead_unit FROM ticket_dispatches d WHERE d.ticket_id = x.ticket_id AND d.dispatched_at <= x.at
          ORDER BY d.round DESC LIMIT 1), ${lead})`
      : lead;
    const no = "(resolved = 'unresolved') + (satisfaction = 'unsatisfied')";
    const both = 'resolved IS NOT NULL AND satisfaction IS NOT NULL';
    return db.prepare(`WITH x AS MATERIALIZED (SELECT * FROM (
        SELECT ticket_id, resolved, satisfaction, ended_at AS at, 1 AS reached FROM survey_results WHERE ended_at >= @from AND ended_at < @to
        UNION ALL
        SELECT ticket_id, NULL, NULL, last_attempt_at, 0 FROM survey_jobs WHERE status = 'gave_up' AND last_attempt_at >= @from AND last_attempt_at < @to
      ) ORDER BY ticket_id
      ), placed AS (
        SELECT ${unit} AS unit_code, x.* FROM x
      ), one AS (
        -- one survey per ticket and unit as unitRates keeps it: reached, then latest, then fuller, then by '<resolved>/<satisfaction>'
        SELECT unit_code, max(reached * 281474976710656 + at * 64 + ((resolved IS NOT NULL) + (satisfaction IS NOT NULL)) * 16
          + CASE resolved WHEN 'resolved' THEN 4 WHEN 'unresolved' THEN 8 ELSE 0 END
          + CASE satisfaction WHEN 'basically_satisfied' THEN 0 WHEN 'satisfied' THEN 2 WHEN 'unsatisfied' THEN 3 ELSE 1 END) AS k,
          reached, resolved, satisfaction FROM placed WHERE unit_code IS NOT NULL GROUP BY ticket_id, unit_code
      )
      SELECT unit_code AS unitCode, sum(reached) AS surveyed, sum(1 - reached) AS unreached,
        sum(resolved IS NOT NULL) AS resolutionRated, sum(resolved = 'resolved') AS resolvedCount,
        sum(satisfaction IS NOT NULL) AS satisfactionRated, sum(satisfaction = 'satisfied') AS satisfied,
        sum(satisfaction = 'basically_satisfied') AS basicallySatisfied, sum(satisfaction = 'unsatisfied') AS unsatisfied,
        sum(${both} AND ${no} = 0) AS bothYes, sum(${both} AND ${no} = 1) AS oneNo, sum(${both} AND ${no} = 2) AS bothNo
      FROM one GROUP BY unit_code`);
  });

  const byUnit = db.prepare(`SELECT unit_code AS key, count(*) AS count FROM tickets
    WHERE created_at >= ? AND created_at < ? AND unit_code IS NOT NULL GROUP BY unit_code`);
  const byCategory = db.prepare(`SELECT category AS key, count(*) AS count FROM tickets
    WHERE created_at >= ? AND created_at < ? AND category IS NOT NULL GROUP BY category ORDER BY count DESC, key`);
  const byDay = db.prepare(`SELECT strftime('%Y-%m-%d', (created_at + ${SHANGHAI_OFFSET_MS}) / 1000, 'unixepoch') AS key, count(*) AS count
    FROM tickets WHERE created_at >= ? AND created_at < ? GROUP BY key ORDER BY key`);
  const after = db.prepare(`SELECT rowid AS seq, id, unit_code AS unitCode, category, created_at AS createdAt FROM tickets
    WHERE rowid > ? ORDER BY rowid LIMIT ?`);
  const firstSince = db.prepare('SELECT min(rowid) FROM tickets WHERE created_at >= ?').pluck();
  const lastSeq = db.prepare('SELECT max(rowid) FROM tickets').pluck();
  const at = db.prepare(`SELECT id, unit_code AS unitCode, category, created_at AS createdAt FROM tickets
    WHERE unit_code = ? AND category = ? AND created_at >= ? AND created_at <= ?`);
  const units = db.prepare('SELECT code, name, district_code AS districtCode, kind FROM units ORDER BY code');
  const unitsAt = lazy(() => (hasTable(db, 'unit_names')
    ? db.prepare(`SELECT u.code, ${nameAtSql('u.code', '@at', 'u.name')} AS name, u.district_code AS districtCode, u.kind FROM units u ORDER BY u.code`)
    : undefined));
  const directory = directoryVersion(db);
  const unitOfUser = db.prepare('SELECT unit_id FROM users WHERE id = ?').pluck();

  const monthTallies = lazy(() => (options.fromEvents || !hasTable(db, 'report_unit_months') ? undefined : {
    dispatch: db.prepare(`SELECT unit_code AS unitCode, dispatched, signed_in_time AS signedInTime FROM report_unit_months
      WHERE month = ? AND dispatched <> 0 ORDER BY unit_code`),
    surveys: db.prepare(`SELECT unit_code AS unitCode, surveyed, unreached, resolution_rated AS resolutionRated, resolved_count AS resolvedCount,
        satisfaction_rated AS satisfactionRated, satisfied, basically_satisfied AS basicallySatisfied, unsatisfied,
        both_yes AS bothYes, one_no AS oneNo, both_no AS bothNo
      FROM report_unit_months WHERE month = ? AND surveyed + unreached <> 0 ORDER BY unit_code`),
  }));
  /** The calendar month [from, to) is, when it is one. */
  const wholeMonth = (from: number, to: number): string | undefined => {
    const month = monthOf(from);
    const range = monthRange(month);
    return range.from === from && range.to === to ? month : undefined;
  };

  return {
    dispatchTallies(from, to) {
      const month = wholeMonth(from, to);
      const read = monthTallies();
      if (month !== undefined && read) return read.dispatch.all(month) as DispatchTally[];
      return (dispatchTallies()?.all(from, to) ?? []) as DispatchTally[];
    },
    surveys(from, to) {
      const rows = (surveys()?.all({ from, to }) ?? []) as unknown[][];
      const out: SurveyRecord[] = [];
      for (const [ticketId, unitCode, resolved, satisfaction, endedAt, reached] of rows) {
        if (typeof unitCode !== 'string') continue;
        const r = resolvedOf(resolved);
        const s = satisfactionOf(satisfaction);
        out.push({
          ticketId: String(ticketId), unitCode, resolved: r, satisfaction: s, surveyedAt: Number(endedAt),
          reached: reached === 1,
        });
      }
      return out;
    },
    surveyTallies(from, to) {
      const month = wholeMonth(from, to);
      const read = monthTallies();
      if (month !== undefined && read) return read.surveys.all(month) as SurveyTally[];
      return ((surveyTallies()?.all({ from, to }) ?? []) as SurveyTally[]).map((r) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) out[k] = k === 'unitCode' ? v : Number(v ?? 0);
        return out as unknown as SurveyTally;
      });
    },
    ticketsByUnit: (from, to) => byUnit.all(from, to) as Tally[],
    ticketsByCategory: (from, to) => byCategory.all(from, to) as Tally[],
    ticketsByDay: (from, to) => byDay.all(from, to) as Tally[],
    ticketsAfter(afterSeq, limit) {
      return (after.all(afterSeq, limit) as Row[]).map((r) => ({
        seq: Number(r.seq), id: String(r.id), unitCode: String(r.unitCode ?? ''), category: String(r.category ?? ''), createdAt: Number(r.createdAt),
      }));
    },
    seqBefore(at) {
      const first = firstSince.get(at) as number | null;
      return first === null ? Number(lastSeq.get() ?? 0) : first - 1;
    },
    ticketsAt: (unitCode, category, from, to) => at.all(unitCode, category, from, to) as HotspotTicket[],
    units: () => units.all() as UnitInfo[],
    unitsAt: (at) => (unitsAt()?.all({ at }) ?? units.all()) as UnitInfo[],
    directoryVersion: directory,
    unitOfUser: (userId) => (unitOfUser.get(userId) as string | null | undefined) ?? null,
    rebuildFacts: (month) => rebuildFacts(db, month),
  };
}

const MONTH_OF = (at: string) => `strftime('%Y-%m', (${at} + ${SHANGHAI_OFFSET_MS}) / 1000, 'unixepoch')`;
const rebuilds = new WeakMap<Database, (month: string, from: number, to: number) => FactsRebuilt>();

/**
 * Recomputes one month of report_survey_facts and report_unit_months from the stored rounds and surveys, in one
 * transaction: what the triggers of 061_report_month_facts.sql keep current row by row, counted in bulk.
 */
export function rebuildFacts(db: Database, month: string): FactsRebuilt {
  let run = rebuilds.get(db);
  if (!run) {
    const statements = [
      db.prepare('DELETE FROM report_survey_facts WHERE month = @month'),
      // In ticket order, so the look-ups of each ticket's rounds walk the index forwards instead of jumping about.
      db.prepare(`INSERT INTO report_survey_facts (month, unit_code, ticket_id, reached, resolved, satisfaction, at)
        WITH x AS MATERIALIZED (SELECT * FROM (
          SELECT ticket_id, 1 AS reached, resolved, satisfaction, ended_at AS at FROM survey_results WHERE ended_at >= @from AND ended_at < @to
          UNION ALL
          SELECT ticket_id, 0, NULL, NULL, last_attempt_at FROM survey_jobs WHERE status = 'gave_up' AND last_attempt_at >= @from AND last_attempt_at < @to
        ) ORDER BY ticket_id)
        SELECT @month, unit_code, ticket_id, reached, resolved, satisfaction, at FROM (
          SELECT p.*, row_number() OVER (PARTITION BY unit_code, ticket_id ORDER BY reached DESC, at DESC,
              (resolved IS NOT NULL) + (satisfaction IS NOT NULL) DESC,
              CASE resolved WHEN 'resolved' THEN 1 WHEN 'unresolved' THEN 2 ELSE 0 END DESC,
              CASE satisfaction WHEN 'basically_satisfied' THEN 0 WHEN 'satisfied' THEN 2 WHEN 'unsatisfied' THEN 3 ELSE 1 END DESC) AS n
          FROM (
            SELECT coalesce((SELECT d.lead_unit FROM ticket_dispatches d WHERE d.ticket_id = x.ticket_id AND d.dispatched_at <= x.at
                ORDER BY d.round DESC LIMIT 1), (SELECT t.lead_unit FROM tickets t WHERE t.id = x.ticket_id)) AS unit_code, x.*
            FROM x
          ) AS p WHERE unit_code IS NOT NULL
        ) WHERE n = 1`),
      db.prepare('DELETE FROM report_unit_months WHERE month = @month'),
      db.prepare(`INSERT INTO report_unit_months (month, unit_code, dispatched, signed_in_time, surveyed, unreached, resolution_rated,
          resolved_count, satisfaction_rated, satisfied, basically_satisfied, unsatisfied, both_yes, one_no, both_no)
        SELECT @month, unit_code, sum(dispatched), sum(signed_in_time), sum(surveyed), sum(unreached), sum(resolution_rated), sum(resolved_count),
            sum(satisfaction_rated), sum(satisfied), sum(basically_satisfied), sum(unsatisfied), sum(both_yes), sum(one_no), sum(both_no)
        FROM (
          SELECT lead_unit AS unit_code, count(*) AS dispatched, sum(signed_at IS NOT NULL AND signed_at <= accept_by) AS signed_in_time,
              0 AS surveyed, 0 AS unreached, 0 AS resolution_rated, 0 AS resolved_count, 0 AS satisfaction_rated, 0 AS satisfied,
              0 AS basically_satisfied, 0 AS unsatisfied, 0 AS both_yes, 0 AS one_no, 0 AS both_no
            FROM ticket_dispatches WHERE dispatched_at >= @from AND dispatched_at < @to GROUP BY lead_unit
          UNION ALL
          SELECT unit_code, 0, 0, sum(reached), sum(1 - reached), sum(resolved IS NOT NULL), sum(resolved IS 'resolved'),
              sum(satisfaction IS NOT NULL), sum(satisfaction IS 'satisfied'), sum(satisfaction IS 'basically_satisfied'), sum(satisfaction IS 'unsatisfied'),
              sum(resolved IS NOT NULL AND satisfaction IS NOT NULL AND (resolved IS 'unresolved') + (satisfaction IS 'unsatisfied') = 0),
              sum(resolved IS NOT NULL AND satisfaction IS NOT NULL AND (resolved IS 'unresolved') + (satisfaction IS 'unsatisfied') = 1),
              sum(resolved IS NOT NULL AND satisfaction IS NOT NULL AND (resolved IS 'unresolved') + (satisfaction IS 'unsatisfied') = 2)
            FROM report_survey_facts WHERE month = @month GROUP BY unit_code
        ) WHERE true GROUP BY unit_code`),
    ] as const;
    const [dropFacts, insertFacts, dropUnits, insertUnits] = statements;
    const monthOfCheck = db.prepare(`SELECT ${MONTH_OF('?')}`).pluck();
    run = db.transaction((m: string, from: number, to: number): FactsRebuilt => {
      if (monthOfCheck.get(from) !== m) throw new Error(`month ${m} does not start at ${from}`);
      dropFacts.run({ month: m });
      const surveyFacts = insertFacts.run({ month: m, from, to }).changes;
      dropUnits.run({ month: m });
      const unitMonths = insertUnits.run({ month: m, from, to }).changes;
      return { month: m, surveyFacts, unitMonths };
    });
    rebuilds.set(db, run);
  }
  const { from, to } = monthRange(month);
  return run(month, from, to);
}
