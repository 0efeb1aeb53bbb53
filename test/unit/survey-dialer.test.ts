import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DIALER_POLICY, afterAttempt, canDialNow, insideCallingHours, newSurveyJob, nextAttemptAt, nextCallingTime,
  parseClock, shanghaiDay, shanghaiDayStart,
  type AttemptOutcome, type DialContext, type DialerPolicy, type SurveyJob,
} from '../../src/domain/survey-dialer.ts';

/** Epoch ms of a wall-clock time in Shanghai: 'YYYY-MM-DD HH:MM[:SS]' minus eight hours. */
function sh(text: string): number {
  const [date, time] = text.split(' ') as [string, string];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s = 0] = time.split(':').map(Number) as [number, number, number?];
  return Date.UTC(y, mo - 1, d, h - 8, mi, s);
}

const policy: DialerPolicy = { ...DEFAULT_DIALER_POLICY, maxConcurrent: 4, pacingPerSecond: 5 };
const PHONE = '13800138000';
const quiet: DialContext = { doNotCall: new Set(), contactedToday: new Set(), activeCount: 0, lastStartedAt: null };
const closedJob = newSurveyJob({ ticketId: 'T1', phoneNumber: PHONE, confidential: false, dueAt: sh('2026-03-10 08:00') });

describe('Shanghai clock arithmetic', () => {
  it.each([
    ['2026-03-10 23:59', '2026-03-10'],
    ['2026-03-11 00:00', '2026-03-11'],
    ['2026-03-11 07:59', '2026-03-11'],
    ['2026-12-31 23:30', '2026-12-31'],
  ])('when it is %s in Shanghai, then the Shanghai day is %s', (at, day) => {
    expect(shanghaiDay(sh(at))).toBe(day);
    expect(shanghaiDayStart(sh(at))).toBe(sh(`${day} 00:00`));
  });

  it('when Shanghai passes midnight, then UTC is still on the previous date at 16:00', () => {
    expect(new Date(sh('2026-03-11 00:00')).toISOString()).toBe('2026-03-10T16:00:00.000Z');
  });

  it.each([['9:00'], ['24:00'], ['09:60'], ['0900']])('when calling hours say %s, then the clock is refused', (clock) => {
    expect(() => parseClock(clock)).toThrow(/not valid/);
  });

  it('when calling hours end before they start, then every check is refused', () => {
    expect(() => insideCallingHours(sh('2026-03-10 10:00'), { ...policy, callingHours: { start: '20:00', end: '09:00' } })).toThrow(/not valid/);
  });

  it.each([
    ['2026-03-10 08:59:59', false, '2026-03-10 09:00'],
    ['2026-03-10 09:00', true, '2026-03-10 09:00'],
    ['2026-03-10 19:59:59', true, '2026-03-10 19:59:59'],
    ['2026-03-10 20:00', false, '2026-03-11 09:00'],
    ['2026-03-10 23:59', false, '2026-03-11 09:00'],
    ['2026-03-11 00:00', false, '2026-03-11 09:00'],
    ['2026-03-11 00:30', false, '2026-03-11 09:00'],
  ])('when it is %s in Shanghai, then inside hours is %s and the next calling time is %s', (at, inside, next) => {
    expect(insideCallingHours(sh(at), policy)).toBe(inside);
    expect(nextCallingTime(sh(at), policy)).toBe(sh(next));
  });
});

describe('whether a survey job may be dialed now', () => {
  const tried = (at: string, attempts = 1): SurveyJob => ({ ...closedJob, attempts, lastAttemptAt: sh(at), lastOutcome: 'no_answer' });

  it.each([
    { name: 'a pending closed job in calling hours', job: closedJob, at: '2026-03-10 10:00', ctx: {}, pol: {}, expected: { ok: true } },
    { name: 'it is 08:59', job: closedJob, at: '2026-03-10 08:59', ctx: {}, pol: {}, expected: { ok: false, reason: 'outside_calling_hours', retryAt: sh('2026-03-10 09:00') } },
    { name: 'it is 19:59', job: closedJob, at: '2026-03-10 19:59', ctx: {}, pol: {}, expected: { ok: true } },
    { name: 'it is 20:00', job: closedJob, at: '2026-03-10 20:00', ctx: {}, pol: {}, expected: { ok: false, reason: 'outside_calling_hours', retryAt: sh('2026-03-11 09:00') } },
    { name: 'it is 00:30 (16:30 UTC the day before)', job: closedJob, at: '2026-03-11 00:30', ctx: {}, pol: {}, expected: { ok: false, reason: 'outside_calling_hours', retryAt: sh('2026-03-11 09:00') } },
    { name: 'calling hours are 08:30-21:00 and it is 20:30', job: closedJob, at: '2026-03-10 20:30', ctx: {}, pol: { callingHours: { start: '08:30', end: '21:00' } }, expected: { ok: true } },
    { name: 'the ticket is not closed yet', job: { ...closedJob, dueAt: sh('2026-03-10 15:00') }, at: '2026-03-10 10:00', ctx: {}, pol: {}, expected: { ok: false, reason: 'not_due', retryAt: sh('2026-03-10 15:00') } },
    { name: 'the ticket closes at 21:00', job: { ...closedJob, dueAt: sh('2026-03-10 21:00') }, at: '2026-03-10 10:00', ctx: {}, pol: {}, expected: { ok: false, reason: 'not_due', retryAt: sh('2026-03-11 09:00') } },
    { name: 'the last attempt was 1 h 59 min ago', job: tried('2026-03-10 10:00'), at: '2026-03-10 11:59', ctx: {}, pol: {}, expected: { ok: false, reason: 'spacing', retryAt: sh('2026-03-10 12:00') } },
    { name: 'the last attempt was 2 h ago', job: tried('2026-03-10 10:00'), at: '2026-03-10 12:00', ctx: {}, pol: {}, expected: { ok: true } },
    { name: 'the last attempt was at 19:00', job: tried('2026-03-10 19:00'), at: '2026-03-10 19:30', ctx: {}, pol: {}, expected: { ok: false, reason: 'spacing', retryAt: sh('2026-03-11 09:00') } },
    { name: 'three attempts were made', job: tried('2026-03-10 10:00', 3), at: '2026-03-10 15:00', ctx: {}, pol: {}, expected: { ok: false, reason: 'attempts_exhausted' } },
    { name: 'the job is done', job: { ...closedJob, status: 'done' as const }, at: '2026-03-10 10:00', ctx: {}, pol: {}, expected: { ok: false, reason: 'finished' } },
    { name: 'the number is on the do-not-call list', job: closedJob, at: '2026-03-10 10:00', ctx: { doNotCall: new Set([PHONE]) }, pol: {}, expected: { ok: false, reason: 'do_not_call' } },
    { name: 'the ticket is confidential', job: { ...closedJob, confidential: true }, at: '2026-03-10 10:00', ctx: {}, pol: {}, expected: { ok: false, reason: 'confidential' } },
    { name: 'the ticket is confidential and confidential surveys are allowed', job: { ...closedJob, confidential: true }, at: '2026-03-10 10:00', ctx: {}, pol: { surveyConfidential: true }, expected: { ok: true } },
    { name: 'the number was surveyed today about another ticket', job: closedJob, at: '2026-03-10 19:00', ctx: { contactedToday: new Set([PHONE]) }, pol: {}, expected: { ok: false, reason: 'contacted_today', retryAt: sh('2026-03-11 09:00') } },
    { name: 'another number was surveyed today', job: closedJob, at: '2026-03-10 19:00', ctx: { contactedToday: new Set(['13900139000']) }, pol: {}, expected: { ok: true } },
    { name: 'every line is busy', job: closedJob, at: '2026-03-10 10:00', ctx: { activeCount: 4 }, pol: {}, expected: { ok: false, reason: 'lines_full' } },
    { name: 'one line is free', job: closedJob, at: '2026-03-10 10:00', ctx: { activeCount: 3 }, pol: {}, expected: { ok: true } },
    { name: 'the last call started 199 ms ago at 5 a second', job: closedJob, at: '2026-03-10 10:00', ctx: { lastStartedAt: sh('2026-03-10 10:00') - 199 }, pol: {}, expected: { ok: false, reason: 'pacing', retryAt: sh('2026-03-10 10:00') + 1 } },
    { name: 'the last call started 200 ms ago at 5 a second', job: closedJob, at: '2026-03-10 10:00', ctx: { lastStartedAt: sh('2026-03-10 10:00') - 200 }, pol: {}, expected: { ok: true } },
  ])('when $name, then the decision is $expected.reason', ({ job, at, ctx, pol, expected }) => {
    expect(canDialNow(job, sh(at), { ...policy, ...pol }, { ...quiet, ...ctx })).toEqual(expected);
  });
});

describe('after a survey attempt', () => {
  type Step = [at: string, outcome: AttemptOutcome, status: string, notBefore: string | null];
  it.each<{ name: string; steps: Step[] }>([
    { name: 'the citizen answers everything', steps: [['2026-03-10 10:00', 'answered_completed', 'done', null]] },
    { name: 'the citizen hangs up after q1', steps: [['2026-03-10 10:00', 'answered_partial', 'done', null]] },
    { name: 'the call is rejected', steps: [['2026-03-10 10:00', 'rejected', 'gave_up', null]] },
    {
      name: 'nobody answers three times',
      steps: [
        ['2026-03-10 10:00', 'no_answer', 'pending', '2026-03-10 12:00'],
        ['2026-03-10 12:00', 'busy', 'pending', '2026-03-10 14:00'],
        ['2026-03-10 14:05', 'no_answer', 'gave_up', null],
      ],
    },
    {
      name: 'the line is busy at 18:30 and the call fails next morning, then is answered',
      steps: [
        ['2026-03-10 18:30', 'busy', 'pending', '2026-03-11 09:00'],
        ['2026-03-11 09:00', 'failed', 'pending', '2026-03-11 11:00'],
        ['2026-03-11 11:00', 'answered_completed', 'done', null],
      ],
    },
    { name: 'nobody answers at 17:59:59', steps: [['2026-03-10 17:59:59', 'no_answer', 'pending', '2026-03-10 19:59:59']] },
    { name: 'nobody answers at 18:00', steps: [['2026-03-10 18:00', 'no_answer', 'pending', '2026-03-11 09:00']] },
  ])('when $name, then the job follows', ({ steps }) => {
    let job = closedJob;
    steps.forEach(([at, outcome, status, notBefore], i) => {
      job = afterAttempt(job, outcome, sh(at), policy);
      expect(job).toMatchObject({ status, attempts: i + 1, lastAttemptAt: sh(at), lastOutcome: outcome, notBefore: notBefore === null ? null : sh(notBefore) });
    });
  });

  it('when a finished job is told of another attempt, then it stays as it was', () => {
    const done = afterAttempt(closedJob, 'answered_completed', sh('2026-03-10 10:00'), policy);
    expect(afterAttempt(done, 'no_answer', sh('2026-03-10 12:00'), policy)).toBe(done);
  });

  it.each([
    [1, '2026-03-10 10:00', 'gave_up'],
    [5, '2026-03-10 10:00', 'pending'],
  ])('when at most %s attempts are allowed, then one unanswered call leaves the job %s', (maxAttempts, at, status) => {
    expect(afterAttempt(closedJob, 'no_answer', sh(at), { ...policy, maxAttempts }).status).toBe(status);
  });

  it('when the service restarts and reads the stored job back, then the next attempt time is the same', () => {
    const job = afterAttempt(closedJob, 'busy', sh('2026-03-10 19:00'), policy);
    const reread: SurveyJob = JSON.parse(JSON.stringify(job)) as SurveyJob;
    expect(nextAttemptAt(reread, sh('2026-03-10 23:00'), policy)).toBe(job.notBefore);
    expect(canDialNow(reread, sh('2026-03-11 08:59'), policy, quiet)).toEqual({ ok: false, reason: 'outside_calling_hours', retryAt: sh('2026-03-11 09:00') });
    expect(canDialNow(reread, sh('2026-03-11 09:00'), policy, quiet)).toEqual({ ok: true });
  });
});
