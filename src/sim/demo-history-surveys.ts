/**
 * The demo history's callback surveys (回访): each closure's job dialled when the dialer would have dialled it
 * (inside calling hours, spaced, nobody twice a day, confidential tickets skipped), the citizen reached or not, the
 * answers stored with the keys pressed, and a "not resolved" or "not satisfied" answer reopening the ticket as the
 * live service does. Rows go through the surveys repository and the domain's dialer rules.
 */
import { afterAttempt, canDialNow, shanghaiDayStart } from '../domain/survey-dialer.ts';
import type { AttemptOutcome, SurveyJob } from '../domain/survey-dialer.ts';
import type { ResolvedAnswer, SatisfactionAnswer } from '../domain/survey-script.ts';
import type { SurveyJobRow, SurveysRepo } from '../features/surveys/surveys.repo.ts';
import type { SurveyConfig } from '../features/surveys/surveys.schemas.ts';
import { needsReopen } from '../features/surveys/surveys.stasis.ts';
import { newId } from '../pbx/ari/ids.ts';
import type { Prng } from './prng.ts';

/** How likely a unit's work satisfies: the share of surveys that say resolved, and satisfied when resolved. */
export interface UnitQuality { respond: number; resolve: number; satisfy: number }

export interface SurveyTally { jobs: number; attempts: number; answered: number; gaveUp: number; skipped: number; reopened: number }

const KEY_OF_RESOLVED: Record<ResolvedAnswer, string> = { resolved: '1', unresolved: '2' };
const KEY_OF_SATISFACTION: Record<SatisfactionAnswer, string> = { satisfied: '1', basically_satisfied: '2', unsatisfied: '3' };

function asDomainJob(j: SurveyJobRow): SurveyJob {
  return {
    ticketId: j.ticketId, phoneNumber: j.phoneNumber, confidential: j.confidential, dueAt: j.dueAt,
    status: j.status === 'pending' || j.status === 'dialing' ? 'pending' : j.status === 'done' ? 'done' : 'gave_up',
    attempts: j.attempts, lastAttemptAt: j.lastAttemptAt, lastOutcome: j.lastOutcome as SurveyJob['lastOutcome'], notBefore: j.notBefore,
  };
}

export function createSurveysHistory(deps: {
  prng: Prng; repo: SurveysRepo; config: SurveyConfig; now: () => number; at(time: number, run: () => void): void;
  /** The unit the ticket's survey speaks for, and how well it works. */
  qualityOf(ticketId: string): UnitQuality;
  /** 二次办理: the answers ask for the ticket to be handled again. */
  reopen(ticketId: string, at: number): void;
}) {
  const { prng, repo, config } = deps;
  const policy = config.policy;
  const tally: SurveyTally = { jobs: 0, attempts: 0, answered: 0, gaveUp: 0, skipped: 0, reopened: 0 };

  function answers(q: UnitQuality, second: boolean): { resolved: ResolvedAnswer; satisfaction: SatisfactionAnswer } {
    const resolved: ResolvedAnswer = prng.next() < Math.min(0.98, q.resolve + (second ? 0.15 : 0)) ? 'resolved' : 'unresolved';
    const r = prng.next();
    const [happy, fair] = resolved === 'resolved' ? [q.satisfy, (1 - q.satisfy) * 0.85] : [0.05, 0.35];
    const satisfaction: SatisfactionAnswer = r < happy ? 'satisfied' : r < happy + fair ? 'basically_satisfied' : 'unsatisfied';
    return { resolved, satisfaction };
  }

  function settle(job: SurveyJobRow, channelId: string, outcome: AttemptOutcome, cause: number, at: number): void {
    const next = afterAttempt(asDomainJob(job), outcome, at, policy);
    repo.endAttempt(channelId, at, outcome, cause);
    repo.saveJob({
      ...job, status: next.status, attempts: next.attempts, lastAttemptAt: next.lastAttemptAt, lastOutcome: next.lastOutcome,
      notBefore: next.notBefore, channelId: null, updatedAt: at,
    });
    if (next.status === 'gave_up') tally.gaveUp++;
    if (next.status === 'pending' && next.notBefore !== null) deps.at(next.notBefore + prng.int(20_000), () => attempt(job.id));
  }

  /** One call of the dialer to the citizen, at the clock's time. */
  function attempt(jobId: string): void {
    const job = repo.job(jobId);
    if (!job || job.status !== 'pending') return;
    const now = deps.now();
    const reached = repo.reachedSince(job.phoneNumber, shanghaiDayStart(now));
    const decision = canDialNow(asDomainJob(job), now, policy, {
      doNotCall: new Set(), contactedToday: reached ? new Set([job.phoneNumber]) : new Set(), activeCount: 0, lastStartedAt: null,
    });
    if (!decision.ok) {
      if (decision.reason === 'finished' || decision.reason === 'attempts_exhausted' || decision.reason === 'confidential' || decision.reason === 'do_not_call') {
        const status = decision.reason === 'confidential' || decision.reason === 'do_not_call' ? 'skipped' : 'gave_up';
        repo.saveJob({ ...job, status, notBefore: null, channelId: null, skipReason: decision.reason, updatedAt: now });
        if (status === 'skipped') tally.skipped++; else tally.gaveUp++;
        return;
      }
      const retryAt = decision.retryAt ?? now + 60_000;
      repo.saveJob({ ...job, notBefore: retryAt, updatedAt: now });
      deps.at(retryAt + prng.int(20_000), () => attempt(jobId));
      return;
    }
    tally.attempts++;
    const channelId = newId('survey', prng.uuid);
    repo.startAttempt(job, channelId, now);
    const dialling = { ...job, status: 'dialing' as const, channelId, updatedAt: now };
    const r = prng.next();
    if (r >= 0.72) {
      const [outcome, cause, ms]: [AttemptOutcome, number, number] = r < 0.92 ? ['no_answer', 19, config.ringTimeoutSeconds * 1000]
        : r < 0.98 ? ['busy', 17, 3_000] : ['rejected', 21, 6_000 + prng.int(10_000)];
      settle(dialling, channelId, outcome, cause, now + ms);
      return;
    }
    const answeredAt = now + 6_000 + prng.int(15_000);
    repo.attemptAnswered(channelId, answeredAt);
    repo.openResult(job.id, job.ticketId, channelId, answeredAt);
    const second = repo.jobsOfTicket(job.ticketId).length > 1;
    const { resolved, satisfaction } = answers(deps.qualityOf(job.ticketId), second);
    const keys = [KEY_OF_RESOLVED[resolved]];
    repo.recordAnswers(job.id, { resolved, satisfaction: null, keys });
    const completed = prng.next() >= 0.05;
    if (completed) {
      keys.push(KEY_OF_SATISFACTION[satisfaction]);
      repo.recordAnswers(job.id, { resolved, satisfaction, keys });
    }
    const endedAt = answeredAt + 30_000 + prng.int(30_000);
    const result = { resolved, satisfaction: completed ? satisfaction : null };
    const reopen = needsReopen(config.reopen, result);
    repo.finishResult(job.id, { ...result, keys, completed, reopen, endedAt });
    tally.answered++;
    if (reopen) { tally.reopened++; deps.reopen(job.ticketId, endedAt); }
    settle(dialling, channelId, completed ? 'answered_completed' : 'answered_partial', 16, endedAt + 1_000);
  }

  return {
    tally,
    /** A job the closure scheduled: its first call when it is due (the dialer runs only when surveys are enabled). */
    scheduled(jobId: string, dueAt: number): void {
      tally.jobs++;
      if (config.enabled) deps.at(dueAt + prng.int(20_000), () => attempt(jobId));
    },
  };
}
