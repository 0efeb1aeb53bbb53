import { HotlineError } from './errors.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Asia/Shanghai is UTC+8 all year: China has no daylight saving time. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

export interface CallingHours {
  /** 'HH:MM' Asia/Shanghai, inclusive. */
  readonly start: string;
  /** 'HH:MM' Asia/Shanghai, exclusive: no call starts at or after it. */
  readonly end: string;
}

export interface DialerPolicy {
  readonly callingHours: CallingHours;
  readonly maxAttempts: number;
  /** Least time between two attempts on one job. */
  readonly spacingMinutes: number;
  readonly maxConcurrent: number;
  readonly pacingPerSecond: number;
  /** Whether tickets the caller asked to keep confidential are surveyed at all. */
  readonly surveyConfidential: boolean;
}

export const DEFAULT_DIALER_POLICY: DialerPolicy = {
  callingHours: { start: '09:00', end: '20:00' },
  maxAttempts: 3,
  spacingMinutes: 120,
  maxConcurrent: 30,
  pacingPerSecond: 5,
  surveyConfidential: false,
};

export type SurveyJobStatus = 'pending' | 'done' | 'gave_up';

export type AttemptOutcome = 'answered_completed' | 'answered_partial' | 'no_answer' | 'busy' | 'failed' | 'rejected';

export interface SurveyJob {
  readonly ticketId: string;
  readonly phoneNumber: string;
  readonly confidential: boolean;
  /** When the ticket was closed (or later): no call before it. */
  readonly dueAt: number;
  readonly status: SurveyJobStatus;
  readonly attempts: number;
  readonly lastAttemptAt: number | null;
  readonly lastOutcome: AttemptOutcome | null;
  /** Earliest time worth looking at the job again; null once it is final. */
  readonly notBefore: number | null;
}

export interface DialContext {
  readonly doNotCall: ReadonlySet<string>;
  /** Numbers a survey call reached today (Shanghai day): nobody is surveyed twice in one day. */
  readonly contactedToday: ReadonlySet<string>;
  readonly activeCount: number;
  /** When the latest survey call was started, for pacing. */
  readonly lastStartedAt?: number | null;
}

export type DialRefusal =
  | 'finished' | 'attempts_exhausted' | 'confidential' | 'do_not_call' | 'not_due' | 'spacing'
  | 'outside_calling_hours' | 'contacted_today' | 'lines_full' | 'pacing';

export type DialDecision = { readonly ok: true } | { readonly ok: false; readonly reason: DialRefusal; readonly retryAt?: number };

export function newSurveyJob(init: { ticketId: string; phoneNumber: string; confidential: boolean; dueAt: number }): SurveyJob {
  return { ...init, status: 'pending', attempts: 0, lastAttemptAt: null, lastOutcome: null, notBefore: init.dueAt };
}

/** Minutes after Shanghai midnight for 'HH:MM'. */
export function parseClock(clock: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock);
  if (m === null) throw new HotlineError('ERR_VALIDATION', { field: 'callingHours', value: clock });
  return Number(m[1]) * 60 + Number(m[2]);
}

function callingWindow(policy: DialerPolicy): { startMs: number; endMs: number } {
  const start = parseClock(policy.callingHours.start);
  const end = parseClock(policy.callingHours.end);
  if (end <= start) throw new HotlineError('ERR_VALIDATION', { field: 'callingHours', value: policy.callingHours });
  return { startMs: start * MINUTE_MS, endMs: end * MINUTE_MS };
}

/** Epoch ms of the Shanghai midnight that begins the day holding `at`. */
export function shanghaiDayStart(at: number): number {
  return Math.floor((at + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** The Shanghai calendar day holding `at`, as 'YYYY-MM-DD'. */
export function shanghaiDay(at: number): string {
  return new Date(at + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

export function insideCallingHours(at: number, policy: DialerPolicy): boolean {
  const { startMs, endMs } = callingWindow(policy);
  const ms = at - shanghaiDayStart(at);
  return ms >= startMs && ms < endMs;
}

/** `at` itself when inside calling hours, else the start of the next calling window. */
export function nextCallingTime(at: number, policy: DialerPolicy): number {
  const { startMs, endMs } = callingWindow(policy);
  const day = shanghaiDayStart(at);
  const ms = at - day;
  if (ms < startMs) return day + startMs;
  if (ms >= endMs) return day + DAY_MS + startMs;
  return at;
}

/** The start of the next day's calling window. */
function tomorrowsWindow(at: number, policy: DialerPolicy): number {
  return shanghaiDayStart(at) + DAY_MS + callingWindow(policy).startMs;
}

/** When the job may next be dialed, as far as time alone decides; null when it is final or out of attempts. */
export function nextAttemptAt(job: SurveyJob, now: number, policy: DialerPolicy): number | null {
  if (job.status !== 'pending' || job.attempts >= policy.maxAttempts) return null;
  const spaced = job.lastAttemptAt === null ? -Infinity : job.lastAttemptAt + policy.spacingMinutes * MINUTE_MS;
  return nextCallingTime(Math.max(now, job.dueAt, spaced), policy);
}

/** Whether the job may be dialed now; when not, why, and when to look again if waiting helps. */
export function canDialNow(job: SurveyJob, now: number, policy: DialerPolicy, context: DialContext): DialDecision {
  if (job.status !== 'pending') return { ok: false, reason: 'finished' };
  if (job.attempts >= policy.maxAttempts) return { ok: false, reason: 'attempts_exhausted' };
  if (job.confidential && !policy.surveyConfidential) return { ok: false, reason: 'confidential' };
  if (context.doNotCall.has(job.phoneNumber)) return { ok: false, reason: 'do_not_call' };
  const retryAt = nextAttemptAt(job, now, policy)!;
  if (now < job.dueAt) return { ok: false, reason: 'not_due', retryAt };
  if (job.lastAttemptAt !== null && now < job.lastAttemptAt + policy.spacingMinutes * MINUTE_MS) {
    return { ok: false, reason: 'spacing', retryAt };
  }
  if (!insideCallingHours(now, policy)) return { ok: false, reason: 'outside_calling_hours', retryAt };
  if (context.contactedToday.has(job.phoneNumber)) return { ok: false, reason: 'contacted_today', retryAt: tomorrowsWindow(now, policy) };
  if (context.activeCount >= policy.maxConcurrent) return { ok: false, reason: 'lines_full' };
  const last = context.lastStartedAt;
  if (last != null && policy.pacingPerSecond > 0) {
    const gap = Math.ceil(1000 / policy.pacingPerSecond);
    if (now < last + gap) return { ok: false, reason: 'pacing', retryAt: last + gap };
  }
  return { ok: true };
}

/**
 * The job after one attempt. An answered call ends the job, even when the citizen hung up midway
 * (the partial answers are kept and nobody is called twice about one ticket); a rejected call
 * gives up at once; busy, no answer and failures count as attempts and retry after the spacing,
 * inside calling hours, until the attempts run out.
 */
export function afterAttempt(job: SurveyJob, outcome: AttemptOutcome, now: number, policy: DialerPolicy): SurveyJob {
  if (job.status !== 'pending') return job;
  const tried = { ...job, attempts: job.attempts + 1, lastAttemptAt: now, lastOutcome: outcome };
  switch (outcome) {
    case 'answered_completed':
    case 'answered_partial':
      return { ...tried, status: 'done', notBefore: null };
    case 'rejected':
      return { ...tried, status: 'gave_up', notBefore: null };
    case 'no_answer':
    case 'busy':
    case 'failed': {
      const notBefore = nextAttemptAt(tried, now, policy);
      return notBefore === null ? { ...tried, status: 'gave_up', notBefore: null } : { ...tried, notBefore };
    }
  }
}
