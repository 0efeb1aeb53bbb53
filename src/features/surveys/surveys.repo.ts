import type { Database } from '../../store/database.ts';
import type { ResolvedAnswer, SatisfactionAnswer } from '../../domain/survey-script.ts';

export type SurveyJobState = 'pending' | 'dialing' | 'done' | 'gave_up' | 'skipped';

export interface SurveyJobRow {
  id: string;
  ticketId: string;
  round: number;
  phoneNumber: string;
  confidential: boolean;
  category: string | null;
  sharedWith: string[];
  closedAt: number;
  dueAt: number;
  status: SurveyJobState;
  attempts: number;
  lastAttemptAt: number | null;
  lastOutcome: string | null;
  notBefore: number | null;
  channelId: string | null;
  skipReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface SurveyResultRow {
  jobId: string;
  ticketId: string;
  channelId: string;
  resolved: ResolvedAnswer | null;
  satisfaction: SatisfactionAnswer | null;
  keys: string;
  completed: boolean;
  reopen: boolean;
  startedAt: number;
  endedAt: number | null;
}

export interface Answers { resolved: ResolvedAnswer | null; satisfaction: SatisfactionAnswer | null; keys: readonly string[] }
export interface DoNotCallEntry { phoneNumber: string; reason: string | null; addedBy: string | null; addedAt: number }
export interface TicketContact { phoneNumber: string | null; confidential: boolean; category: string | null }

type Row = Record<string, unknown>;

const toJob = (r: Row): SurveyJobRow => ({
  id: String(r.id), ticketId: String(r.ticket_id), round: Number(r.round), phoneNumber: String(r.phone_number),
  confidential: r.confidential === 1, category: (r.category as string | null) ?? null,
  sharedWith: JSON.parse(String(r.shared_with ?? '[]')) as string[], closedAt: Number(r.closed_at), dueAt: Number(r.due_at),
  status: r.status as SurveyJobState, attempts: Number(r.attempts), lastAttemptAt: (r.last_attempt_at as number | null) ?? null,
  lastOutcome: (r.last_outcome as string | null) ?? null, notBefore: (r.not_before as number | null) ?? null,
  channelId: (r.channel_id as string | null) ?? null, skipReason: (r.skip_reason as string | null) ?? null,
  createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});

const toResult = (r: Row): SurveyResultRow => ({
  jobId: String(r.job_id), ticketId: String(r.ticket_id), channelId: String(r.channel_id),
  resolved: (r.resolved as ResolvedAnswer | null) ?? null, satisfaction: (r.satisfaction as SatisfactionAnswer | null) ?? null,
  keys: String(r.keys ?? ''), completed: r.completed === 1, reopen: r.reopen === 1,
  startedAt: Number(r.started_at), endedAt: (r.ended_at as number | null) ?? null,
});

/** 一次一评: the caller's answer to the one question after a call (call_ratings). */
export interface CallRatingRow {
  callId: string;
  channelId: string;
  satisfaction: SatisfactionAnswer | null;
  keys: string;
  completed: boolean;
  startedAt: number;
  endedAt: number | null;
}

const toRating = (r: Row): CallRatingRow => ({
  callId: String(r.call_id), channelId: String(r.channel_id), satisfaction: (r.satisfaction as SatisfactionAnswer | null) ?? null,
  keys: String(r.keys ?? ''), completed: r.completed === 1, startedAt: Number(r.started_at), endedAt: (r.ended_at as number | null) ?? null,
});

export type SurveysRepo = ReturnType<typeof createSurveysRepo>;

/** The survey tables (050_surveys.sql), and the one read of a ticket's contact number for a new job. */
export function createSurveysRepo(db: Database) {
  const q = {
    ticket: db.prepare('SELECT coalesce(contact_phone, caller_number) AS phone, confidential, category FROM tickets WHERE id = ?'),
    latestJob: db.prepare('SELECT * FROM survey_jobs WHERE ticket_id = ? ORDER BY round DESC LIMIT 1'),
    job: db.prepare('SELECT * FROM survey_jobs WHERE id = ?'),
    jobByChannel: db.prepare('SELECT * FROM survey_jobs WHERE channel_id = ?'),
    insertJob: db.prepare(`INSERT INTO survey_jobs (id, ticket_id, round, phone_number, confidential, category, shared_with, closed_at,
      due_at, status, attempts, not_before, created_at, updated_at)
      VALUES (@id, @ticketId, @round, @phoneNumber, @confidential, @category, @sharedWith, @closedAt, @dueAt, 'pending', 0, @dueAt, @now, @now)`),
    nextDue: db.prepare("SELECT * FROM survey_jobs WHERE status = 'pending' AND not_before <= ? ORDER BY not_before, created_at LIMIT ?"),
    nextDueAt: db.prepare("SELECT min(not_before) FROM survey_jobs WHERE status = 'pending'").pluck(),
    dialing: db.prepare("SELECT * FROM survey_jobs WHERE status = 'dialing'"),
    saveJob: db.prepare(`UPDATE survey_jobs SET status = @status, attempts = @attempts, last_attempt_at = @lastAttemptAt,
      last_outcome = @lastOutcome, not_before = @notBefore, channel_id = @channelId, skip_reason = @skipReason, updated_at = @updatedAt
      WHERE id = @id`),
    insertAttempt: db.prepare('INSERT INTO survey_attempts (channel_id, job_id, phone_number, started_at) VALUES (?, ?, ?, ?)'),
    answered: db.prepare('UPDATE survey_attempts SET answered_at = ? WHERE channel_id = ? AND answered_at IS NULL'),
    endAttempt: db.prepare('UPDATE survey_attempts SET ended_at = ?, outcome = ?, cause = ? WHERE channel_id = ? AND ended_at IS NULL'),
    reached: db.prepare(`SELECT EXISTS (SELECT 1 FROM survey_attempts WHERE phone_number = @phone AND answered_at >= @since)
      OR EXISTS (SELECT 1 FROM survey_jobs WHERE phone_number = @phone AND status = 'dialing')`).pluck(),
    isDnc: db.prepare('SELECT 1 FROM do_not_call WHERE phone_number = ?').pluck(),
    addDnc: db.prepare(`INSERT INTO do_not_call (phone_number, reason, added_by, added_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (phone_number) DO UPDATE SET reason = excluded.reason, added_by = excluded.added_by, added_at = excluded.added_at`),
    removeDnc: db.prepare('DELETE FROM do_not_call WHERE phone_number = ?'),
    listDnc: db.prepare('SELECT phone_number, reason, added_by, added_at FROM do_not_call ORDER BY added_at DESC LIMIT ?'),
    openResult: db.prepare(`INSERT INTO survey_results (job_id, ticket_id, channel_id, started_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (job_id) DO NOTHING`),
    answer: db.prepare('UPDATE survey_results SET resolved = @resolved, satisfaction = @satisfaction, keys = @keys WHERE job_id = @jobId'),
    finishResult: db.prepare(`UPDATE survey_results SET resolved = @resolved, satisfaction = @satisfaction, keys = @keys,
      completed = @completed, reopen = @reopen, ended_at = @endedAt WHERE job_id = @jobId AND ended_at IS NULL`),
    result: db.prepare('SELECT * FROM survey_results WHERE job_id = ?'),
    resultsOfTicket: db.prepare('SELECT * FROM survey_results WHERE ticket_id = ? ORDER BY started_at'),
    jobsOfTicket: db.prepare('SELECT * FROM survey_jobs WHERE ticket_id = ? ORDER BY round'),
    jobsByStatus: db.prepare('SELECT * FROM survey_jobs WHERE status = ? ORDER BY updated_at DESC LIMIT ?'),
    recentJobs: db.prepare('SELECT * FROM survey_jobs ORDER BY updated_at DESC LIMIT ?'),
    countByStatus: db.prepare('SELECT status, count(*) AS n FROM survey_jobs GROUP BY status'),
    attemptsSince: db.prepare('SELECT coalesce(outcome, \'under_way\') AS outcome, count(*) AS n FROM survey_attempts WHERE started_at >= ? GROUP BY 1'),
    openRating: db.prepare('INSERT INTO call_ratings (call_id, channel_id, started_at) VALUES (?, ?, ?) ON CONFLICT (channel_id) DO NOTHING'),
    rate: db.prepare('UPDATE call_ratings SET satisfaction = @satisfaction, keys = @keys WHERE channel_id = @channelId'),
    finishRating: db.prepare(`UPDATE call_ratings SET satisfaction = @satisfaction, keys = @keys, completed = @completed, ended_at = @endedAt
      WHERE channel_id = @channelId AND ended_at IS NULL`),
    rating: db.prepare('SELECT * FROM call_ratings WHERE channel_id = ?'),
    ratingsOfCall: db.prepare('SELECT * FROM call_ratings WHERE call_id = ? ORDER BY started_at'),
    recentRatings: db.prepare('SELECT * FROM call_ratings ORDER BY started_at DESC LIMIT ?'),
    openRatings: db.prepare('SELECT * FROM call_ratings WHERE ended_at IS NULL'),
  };

  const save = (j: SurveyJobRow): void => {
    q.saveJob.run({
      id: j.id, status: j.status, attempts: j.attempts, lastAttemptAt: j.lastAttemptAt, lastOutcome: j.lastOutcome,
      notBefore: j.notBefore, channelId: j.channelId, skipReason: j.skipReason, updatedAt: j.updatedAt,
    });
  };
  const startAttempt = db.transaction((job: SurveyJobRow, channelId: string, now: number) => {
    save({ ...job, status: 'dialing', channelId, updatedAt: now });
    q.insertAttempt.run(channelId, job.id, job.phoneNumber, now);
  });

  return {
    ticketContact(ticketId: string): TicketContact | undefined {
      const r = q.ticket.get(ticketId) as Row | undefined;
      if (!r) return undefined;
      return { phoneNumber: (r.phone as string | null) ?? null, confidential: r.confidential === 1, category: (r.category as string | null) ?? null };
    },
    latestJob: (ticketId: string) => { const r = q.latestJob.get(ticketId) as Row | undefined; return r ? toJob(r) : undefined; },
    job: (id: string) => { const r = q.job.get(id) as Row | undefined; return r ? toJob(r) : undefined; },
    jobByChannel: (channelId: string) => { const r = q.jobByChannel.get(channelId) as Row | undefined; return r ? toJob(r) : undefined; },
    insertJob(j: Pick<SurveyJobRow, 'id' | 'ticketId' | 'round' | 'phoneNumber' | 'confidential' | 'category' | 'sharedWith' | 'closedAt' | 'dueAt'>, now: number): void {
      q.insertJob.run({ ...j, confidential: j.confidential ? 1 : 0, sharedWith: JSON.stringify(j.sharedWith), now });
    },
    dueJobs: (now: number, limit: number) => (q.nextDue.all(now, limit) as Row[]).map(toJob),
    nextDueAt: () => (q.nextDueAt.get() as number | null) ?? null,
    dialingJobs: () => (q.dialing.all() as Row[]).map(toJob),
    saveJob: save,
    /** The job is marked dialing with its channel id before the originate goes out. */
    startAttempt: (job: SurveyJobRow, channelId: string, now: number) => startAttempt(job, channelId, now),
    attemptAnswered: (channelId: string, at: number) => { q.answered.run(at, channelId); },
    endAttempt: (channelId: string, at: number, outcome: string, cause: number | null) => { q.endAttempt.run(at, outcome, cause, channelId); },
    reachedSince: (phone: string, since: number) => q.reached.get({ phone, since }) === 1,
    isDoNotCall: (phone: string) => q.isDnc.get(phone) === 1,
    addDoNotCall: (phone: string, reason: string | null, by: string | null, at: number) => { q.addDnc.run(phone, reason, by, at); },
    removeDoNotCall: (phone: string) => q.removeDnc.run(phone).changes > 0,
    doNotCallList: (limit = 1000): DoNotCallEntry[] => (q.listDnc.all(limit) as Row[]).map((r) => ({
      phoneNumber: String(r.phone_number), reason: (r.reason as string | null) ?? null, addedBy: (r.added_by as string | null) ?? null, addedAt: Number(r.added_at),
    })),
    openResult: (jobId: string, ticketId: string, channelId: string, at: number) => { q.openResult.run(jobId, ticketId, channelId, at); },
    recordAnswers: (jobId: string, a: Answers) => { q.answer.run({ jobId, resolved: a.resolved, satisfaction: a.satisfaction, keys: a.keys.join('') }); },
    finishResult(jobId: string, a: Answers & { completed: boolean; reopen: boolean; endedAt: number }): boolean {
      return q.finishResult.run({
        jobId, resolved: a.resolved, satisfaction: a.satisfaction, keys: a.keys.join(''), completed: a.completed ? 1 : 0, reopen: a.reopen ? 1 : 0, endedAt: a.endedAt,
      }).changes > 0;
    },
    result: (jobId: string) => { const r = q.result.get(jobId) as Row | undefined; return r ? toResult(r) : undefined; },
    resultsOfTicket: (ticketId: string) => (q.resultsOfTicket.all(ticketId) as Row[]).map(toResult),
    jobsOfTicket: (ticketId: string) => (q.jobsOfTicket.all(ticketId) as Row[]).map(toJob),
    jobs: (status: SurveyJobState | undefined, limit: number) =>
      ((status ? q.jobsByStatus.all(status, limit) : q.recentJobs.all(limit)) as Row[]).map(toJob),
    countByStatus: () => Object.fromEntries((q.countByStatus.all() as Row[]).map((r) => [String(r.status), Number(r.n)])) as Partial<Record<SurveyJobState, number>>,
    attemptsSince: (since: number) => Object.fromEntries((q.attemptsSince.all(since) as Row[]).map((r) => [String(r.outcome), Number(r.n)])) as Record<string, number>,
    openRating: (callId: string, channelId: string, at: number) => { q.openRating.run(callId, channelId, at); },
    rate: (channelId: string, satisfaction: SatisfactionAnswer | null, keys: readonly string[]) => { q.rate.run({ channelId, satisfaction, keys: keys.join('') }); },
    finishRating: (channelId: string, satisfaction: SatisfactionAnswer | null, keys: readonly string[], completed: boolean, endedAt: number) => {
      q.finishRating.run({ channelId, satisfaction, keys: keys.join(''), completed: completed ? 1 : 0, endedAt });
    },
    rating(channelId: string): CallRatingRow | undefined {
      const r = q.rating.get(channelId) as Row | undefined;
      return r ? toRating(r) : undefined;
    },
    /** 一次一评 ratings of one call, or the latest ones. */
    ratings: (callId: string | undefined, limit: number): CallRatingRow[] =>
      ((callId === undefined ? q.recentRatings.all(limit) : q.ratingsOfCall.all(callId)) as Row[]).map(toRating),
    openRatings: (): CallRatingRow[] => (q.openRatings.all() as Row[]).map(toRating),
  };
}
