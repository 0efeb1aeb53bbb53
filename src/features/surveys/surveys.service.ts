import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import { maskPhone } from '../../domain/phone.ts';
import {
  afterAttempt, canDialNow, insideCallingHours, nextCallingTime, shanghaiDayStart,
} from '../../domain/survey-dialer.ts';
import type { AttemptOutcome, SurveyJob } from '../../domain/survey-dialer.ts';
import { AriError } from '../../pbx/ari/client.types.ts';
import { newId } from '../../pbx/ari/ids.ts';
import type { SurveyAri } from './surveys.call.ts';
import type { SurveysRepo, SurveyJobRow } from './surveys.repo.ts';
import { endpointFor } from './surveys.schemas.ts';
import type { SurveyConfig } from './surveys.schemas.ts';
import type { SurveyCallEnd, SurveyStasis } from './surveys.stasis.ts';

/** What the dispatch feature hands over when a ticket is closed (办结). Missing contact fields are read from the ticket. */
export interface SurveyRequest {
  ticketId: string;
  closedAt: number;
  phoneNumber?: string | null;
  confidential?: boolean;
  category?: string | null;
  /** Tickets merged into this one (并单): they share its survey. */
  sharedWith?: string[];
}

export type ScheduleOutcome =
  | { scheduled: true; jobId: string; dueAt: number }
  | { scheduled: false; jobId?: string; reason: 'already_scheduled' | 'no_phone_number' | 'no_such_ticket' };

export interface SurveysServiceDeps {
  repo: SurveysRepo;
  calls: Pick<SurveyStasis, 'expect' | 'forget' | 'owns' | 'activeCount'>;
  ari: SurveyAri;
  clock: Clock;
  log: Logger;
  config: SurveyConfig;
}

const VERIFY_AFTER_MS = 5_000;

/** Digits and a leading +, nothing else: the form numbers are compared and stored in. */
export function normalisePhone(raw: string): string {
  const t = raw.trim();
  return (t.startsWith('+') ? '+' : '') + t.replace(/[^0-9]/g, '');
}

function domainJob(j: SurveyJobRow): SurveyJob {
  return {
    ticketId: j.ticketId, phoneNumber: j.phoneNumber, confidential: j.confidential, dueAt: j.dueAt,
    status: j.status === 'pending' || j.status === 'dialing' ? 'pending' : j.status === 'done' ? 'done' : 'gave_up',
    attempts: j.attempts, lastAttemptAt: j.lastAttemptAt, lastOutcome: j.lastOutcome as SurveyJob['lastOutcome'], notBefore: j.notBefore,
  };
}

/**
 * 一事一评: one survey job per ticket closure, due `delayAfterClosureMinutes` after it. Calling it again for the
 * same closure (or while a job waits) changes nothing; a later closure (after a second round of handling) gets
 * its own job. The number, confidentiality and category come from the ticket unless given.
 */
export function scheduleSurvey(
  deps: { repo: SurveysRepo; clock: Clock; log: Logger; config: Pick<SurveyConfig, 'delayAfterClosureMinutes'> },
  request: SurveyRequest,
): ScheduleOutcome {
  const { repo } = deps;
  const ticket = repo.ticketContact(request.ticketId);
  if (!ticket) return { scheduled: false, reason: 'no_such_ticket' };
  const latest = repo.latestJob(request.ticketId);
  if (latest && (latest.status === 'pending' || latest.status === 'dialing' || latest.closedAt >= request.closedAt)) {
    return { scheduled: false, jobId: latest.id, reason: 'already_scheduled' };
  }
  const raw = request.phoneNumber ?? ticket.phoneNumber;
  const phone = raw ? normalisePhone(raw) : '';
  if (phone.replace('+', '').length < 3) return { scheduled: false, reason: 'no_phone_number' };
  const id = randomUUID();
  const dueAt = request.closedAt + deps.config.delayAfterClosureMinutes * 60_000;
  repo.insertJob({
    id, ticketId: request.ticketId, round: (latest?.round ?? 0) + 1, phoneNumber: phone,
    confidential: request.confidential ?? ticket.confidential, category: request.category ?? ticket.category,
    sharedWith: request.sharedWith ?? [], closedAt: request.closedAt, dueAt,
  }, deps.clock.now());
  deps.log.info({ component: 'surveys', jobId: id, ticketId: request.ticketId, dueAt }, 'survey scheduled');
  return { scheduled: true, jobId: id, dueAt };
}

/**
 * The callback dialer: one durable job per ticket closure, dialled only inside calling hours, at most
 * `maxConcurrent` channels at once and `pacingPerSecond` new calls a second, attempts bounded and spaced by the
 * domain rules. A job is marked `dialing` with its channel id before the originate goes out, so a restart
 * neither loses nor repeats a call. One clock timer waits for the next thing to do.
 */
export function createSurveysService(deps: SurveysServiceDeps) {
  const { repo, calls, ari, clock, config } = deps;
  const policy = config.policy;
  const log = deps.log.child({ component: 'surveys' });
  let timer: TimerHandle | undefined;
  let timerAt: number | null = null;
  let ready = false;
  let closed = false;
  let lastStartedAt: number | null = null;
  let started = 0;

  function arm(at: number | null): void {
    clock.clearTimeout(timer);
    timer = undefined;
    timerAt = at;
    if (at === null || closed) return;
    timer = clock.setTimeout(() => { timer = undefined; timerAt = null; pump(); }, Math.max(0, at - clock.now()));
  }

  function finalise(job: SurveyJobRow, status: 'gave_up' | 'skipped', reason: string, now: number): void {
    repo.saveJob({ ...job, status, notBefore: null, channelId: null, skipReason: reason, updatedAt: now });
    log.info({ jobId: job.id, ticketId: job.ticketId, reason }, 'survey not dialled');
  }

  /** Starts every call that may start now, then waits for the next due time (or for a line to free up). */
  function pump(): void {
    if (closed || !ready) return;
    if (ari.state() !== 'connected') { arm(null); return; }
    const now = clock.now();
    if (!insideCallingHours(now, policy)) {
      const next = repo.nextDueAt();
      arm(next === null ? null : nextCallingTime(Math.max(now, next), policy));
      return;
    }
    for (;;) {
      if (calls.activeCount() >= policy.maxConcurrent) { arm(null); return; }
      const gap = policy.pacingPerSecond > 0 ? Math.ceil(1000 / policy.pacingPerSecond) : 0;
      if (lastStartedAt !== null && now < lastStartedAt + gap) { arm(lastStartedAt + gap); return; }
      const job = repo.dueJobs(now, 1)[0];
      if (!job) { arm(repo.nextDueAt()); return; }
      const decision = canDialNow(domainJob(job), now, policy, {
        doNotCall: repo.isDoNotCall(job.phoneNumber) ? new Set([job.phoneNumber]) : new Set(),
        contactedToday: repo.reachedSince(job.phoneNumber, shanghaiDayStart(now)) ? new Set([job.phoneNumber]) : new Set(),
        activeCount: calls.activeCount(),
        lastStartedAt,
      });
      if (decision.ok) { dial(job, now); continue; }
      switch (decision.reason) {
        case 'finished': case 'attempts_exhausted':
          finalise(job, 'gave_up', decision.reason, now); continue;
        case 'confidential': case 'do_not_call':
          finalise(job, 'skipped', decision.reason, now); continue;
        case 'lines_full': case 'pacing':
          arm(decision.retryAt ?? null); return;
        default:
          repo.saveJob({ ...job, notBefore: decision.retryAt ?? now + 60_000, updatedAt: now });
          continue;
      }
    }
  }

  function dial(job: SurveyJobRow, now: number): void {
    const channelId = newId('survey');
    repo.startAttempt(job, channelId, now);
    calls.expect(channelId, { kind: 'closure', jobId: job.id, ticketId: job.ticketId, category: job.category });
    const gap = policy.pacingPerSecond > 0 ? Math.ceil(1000 / policy.pacingPerSecond) : 0;
    const slot = lastStartedAt === null ? now : lastStartedAt + gap;
    lastStartedAt = now - slot < gap ? slot : now;
    started += 1;
    log.info({ jobId: job.id, ticketId: job.ticketId, channelId, phone: maskPhone(job.phoneNumber), attempt: job.attempts + 1 }, 'survey call dialled');
    ari.channels.originate({
      endpoint: endpointFor(config, job.phoneNumber), app: config.app, appArgs: `survey,${job.id}`, channelId,
      callerId: config.callerId, timeout: config.ringTimeoutSeconds,
    }).catch((error: unknown) => originateFailed(job.id, channelId, error));
  }

  function originateFailed(jobId: string, channelId: string, error: unknown): void {
    const uncertain = !(error instanceof AriError) || error.status === undefined || error.status === 503 || error.status === 504;
    if (uncertain) {
      log.warn({ err: error, jobId, channelId }, 'survey originate unanswered; checking the channel');
      clock.setTimeout(() => verify(jobId, channelId), VERIFY_AFTER_MS);
      return;
    }
    log.warn({ jobId, channelId, status: error.status, message: error.message }, 'survey originate refused');
    calls.forget(channelId);
    callEnded({ jobId, channelId, outcome: 'failed', cause: null });
  }

  /** After an originate without an answer: the channel exists (its events will tell) or it never came to be. */
  function verify(jobId: string, channelId: string): void {
    if (closed || !calls.owns(channelId)) return;
    ari.channels.get(channelId).then(
      () => {},
      (error: unknown) => {
        if (error instanceof AriError && error.status === 404) {
          calls.forget(channelId);
          callEnded({ jobId, channelId, outcome: 'failed', cause: null });
        } else clock.setTimeout(() => verify(jobId, channelId), VERIFY_AFTER_MS);
      },
    );
  }

  function callEnded(end: SurveyCallEnd): void {
    const job = repo.job(end.jobId);
    if (!job || job.status !== 'dialing' || job.channelId !== end.channelId) return;
    const now = clock.now();
    const next = afterAttempt(domainJob(job), end.outcome, now, policy);
    repo.endAttempt(end.channelId, now, end.outcome, end.cause);
    repo.saveJob({
      ...job, status: next.status, attempts: next.attempts, lastAttemptAt: next.lastAttemptAt, lastOutcome: next.lastOutcome,
      notBefore: next.notBefore, channelId: null, updatedAt: now,
    });
    log.info({ jobId: job.id, outcome: end.outcome, attempts: next.attempts, status: next.status }, 'survey attempt ended');
    pump();
  }

  return {
    scheduleSurvey(request: SurveyRequest): ScheduleOutcome {
      const outcome = scheduleSurvey({ repo, clock, log, config }, request);
      if (outcome.scheduled && (timerAt === null || outcome.dueAt < timerAt)) pump();
      return outcome;
    },
    callEnded,
    /** The first reconcile is done: the dialer may start. Later reconciles call it again. */
    resume(): void { ready = true; pump(); },
    pump,
    stats() {
      const now = clock.now();
      return {
        jobs: repo.countByStatus(),
        activeChannels: calls.activeCount(),
        maxConcurrent: policy.maxConcurrent,
        attemptsToday: repo.attemptsSince(shanghaiDayStart(now)),
        startedSinceBoot: started,
        insideCallingHours: insideCallingHours(now, policy),
        nextWakeAt: timerAt,
        dialing: ready && ari.state() === 'connected',
      };
    },
    close(): void { closed = true; arm(null); },
  };
}

export type SurveysService = ReturnType<typeof createSurveysService>;
export type { AttemptOutcome };
