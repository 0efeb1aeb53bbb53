import type { Database } from '../../src/store/database.ts';

/**
 * A small fixed dataset for the reports, inserted into the tables the dispatch and survey features own.
 * Streets: A 东华门街道 and B 景山街道 (东城区 110101), C 建外街道 (朝阳区 110105); department D 市水务局.
 */
export const A = '110101001';
export const B = '110101002';
export const C = '110105001';
export const D = 'D-WATER';
export const DONGCHENG = '110101';
export const CHAOYANG = '110105';

const H = 3_600_000;
/** Midnight Asia/Shanghai of a day in 2026 (month 1-based). */
export const day = (month: number, date: number) => Date.UTC(2026, month - 1, date) - 8 * H;

export interface SurveyRow { ticketId: string; resolved: 'resolved' | 'unresolved' | null; satisfaction: 'satisfied' | 'basically_satisfied' | 'unsatisfied' | null; answered: boolean; endedAt: number }

export function insertTicket(db: Database, t: { id: string; unit: string | null; category: string; createdAt: number }): void {
  db.prepare(`INSERT INTO tickets (id, number, type, category, description, unit_code, status, created_at, updated_at)
    VALUES (?, ?, 'complaint', ?, '测试工单内容', ?, 'closed', ?, ?)`).run(t.id, `N-${t.id}`, t.category, t.unit, t.createdAt, t.createdAt);
}

/** One dispatch round led by `unit`, with a 1-day acceptance deadline; `signedAfterH` hours after dispatch, or never. */
export function insertDispatch(db: Database, d: { ticketId: string; unit: string; at: number; signedAfterH: number | null; round?: number }): void {
  const acceptBy = d.at + 24 * H;
  db.prepare(`INSERT INTO ticket_dispatches (ticket_id, round, lead_unit, urgency, dispatched_at, accept_by, accept_warn_at, complete_by, complete_warn_at, signed_at)
    VALUES (?, ?, ?, 'general', ?, ?, ?, ?, ?, ?)`).run(d.ticketId, d.round ?? 1, d.unit, d.at, acceptBy, acceptBy - H, d.at + 7 * 24 * H, d.at + 6 * 24 * H,
    d.signedAfterH === null ? null : d.at + d.signedAfterH * H);
}

let jobSeq = 0;

/** A survey job for the ticket; answered: a result row as the survey call stores it; not answered: the job given up. */
export function insertSurvey(db: Database, s: SurveyRow): void {
  const job = `job-${++jobSeq}`;
  db.prepare(`INSERT INTO survey_jobs (id, ticket_id, round, phone_number, closed_at, due_at, status, attempts, last_attempt_at, created_at, updated_at)
    VALUES (?, ?, ?, '13800138000', ?, ?, ?, 3, ?, ?, ?)`)
    .run(job, s.ticketId, jobSeq, s.endedAt - 48 * H, s.endedAt - 24 * H, s.answered ? 'done' : 'gave_up', s.endedAt, s.endedAt - 48 * H, s.endedAt);
  if (!s.answered) return;
  db.prepare(`INSERT INTO survey_results (job_id, ticket_id, channel_id, resolved, satisfaction, completed, started_at, ended_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(job, s.ticketId, `hl-survey-${job}`, s.resolved, s.satisfaction, s.resolved !== null && s.satisfaction !== null ? 1 : 0, s.endedAt - 60_000, s.endedAt);
}

/**
 * November 2026 (worked figures in reports-rates.test.ts):
 *   A: 4 rounds, 3 signed within a day; surveys a1 resolved+satisfied, a2 resolved+basically, a3 unresolved+unsatisfied, a4 unreached
 *   B: 2 rounds, both in time; surveys b1, b2 resolved+satisfied
 *   C: 5 rounds, 1 in time; surveys c1 unresolved+basically (after an unreached attempt), c2 resolved with no satisfaction answer
 *   D: 1 round never signed; survey d1 resolved+satisfied
 * October 2026: A 2 rounds late, survey unresolved+unsatisfied; B 1 in time, resolved+satisfied; C 1 in time, resolved+basically.
 */
export function insertReportsDataset(db: Database): void {
  db.prepare("INSERT INTO units (code, name, district_code, kind) VALUES (?, '市水务局, 供水处', NULL, 'department')").run(D);
  db.transaction(() => {
    const nov = (n: number) => day(11, n) + 9 * H;
    const oct = (n: number) => day(10, n) + 9 * H;
    const round = (id: string, unit: string, category: string, at: number, signedAfterH: number | null, ticketUnit: string | null = unit) => {
      insertTicket(db, { id, unit: ticketUnit, category, createdAt: at - H });
      insertDispatch(db, { ticketId: id, unit, at, signedAfterH });
    };
    round('a1', A, 'sanitation/rubbish', nov(3), 2);
    round('a2', A, 'sanitation/rubbish', nov(4), 20);
    round('a3', A, 'sanitation/rubbish', nov(5), 23);
    round('a4', A, 'sanitation/rubbish', nov(6), 30);
    round('b1', B, 'traffic/parking', nov(3), 1);
    round('b2', B, 'traffic/parking', nov(3), 5);
    round('c1', C, 'sanitation/rubbish', nov(10), 1);
    round('c2', C, 'sanitation/rubbish', nov(10), 25);
    round('c3', C, 'sanitation/rubbish', nov(11), 48);
    round('c4', C, 'sanitation/rubbish', nov(11), null);
    round('c5', C, 'water/outage', nov(12), null);
    round('d1', D, 'water/outage', nov(20), null, null);
    round('a5', A, 'sanitation/rubbish', oct(8), 30);
    round('a6', A, 'sanitation/rubbish', oct(9), null);
    round('b3', B, 'traffic/parking', oct(8), 3);
    round('c6', C, 'sanitation/rubbish', oct(8), 4);
    const survey = (ticketId: string, endedAt: number, resolved: SurveyRow['resolved'], satisfaction: SurveyRow['satisfaction'], answered = true) =>
      insertSurvey(db, { ticketId, endedAt, resolved, satisfaction, answered });
    survey('a1', nov(15), 'resolved', 'satisfied');
    survey('a2', nov(15), 'resolved', 'basically_satisfied');
    survey('a3', nov(16), 'unresolved', 'unsatisfied');
    survey('a4', nov(16), null, null, false);
    survey('b1', nov(15), 'resolved', 'satisfied');
    survey('b2', nov(15), 'resolved', 'satisfied');
    survey('c1', nov(17), null, null, false);
    survey('c1', nov(18), 'unresolved', 'basically_satisfied');
    survey('c2', nov(18), 'resolved', null);
    survey('d1', nov(25), 'resolved', 'satisfied');
    survey('a5', oct(20), 'unresolved', 'unsatisfied');
    survey('b3', oct(20), 'resolved', 'satisfied');
    survey('c6', oct(20), 'resolved', 'basically_satisfied');
  })();
}
