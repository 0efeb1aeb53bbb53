import type { Logger } from 'pino';
import type { Bus } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import { closureSurveyScript, rateAfterCallScript } from '../../domain/survey-script.ts';
import type { SurveyResult, SurveyState } from '../../domain/survey-script.ts';
import type { AttemptOutcome } from '../../domain/survey-dialer.ts';
import type { AriSnapshot } from '../../pbx/ari/client.types.ts';
import type { AriEvent, Channel } from '../../pbx/ari/models.ts';
import { answeredOutcome, createSurveyRunner, newLeg, unansweredOutcome } from './surveys.call.ts';
import type { SurveyAri, SurveyLeg, SurveyTarget } from './surveys.call.ts';
import { spokenTopic } from './surveys.prompts.ts';
import type { SurveysRepo } from './surveys.repo.ts';
import type { ReopenRule, SurveyConfig } from './surveys.schemas.ts';

/** How one survey attempt ended, for the dialer. */
export interface SurveyCallEnd {
  jobId: string;
  channelId: string;
  outcome: AttemptOutcome;
  cause: number | null;
}

export interface SurveyStasisDeps {
  ari: SurveyAri;
  repo: SurveysRepo;
  clock: Clock;
  bus: Bus;
  log: Logger;
  config: Pick<SurveyConfig, 'repeats' | 'silenceMs' | 'promptGuardMs' | 'reopen'>;
  /** Every closure-survey attempt that ended, exactly once. */
  onCallEnded(end: SurveyCallEnd): void;
}

/** Whether the answers ask for a second round of handling (二次办理) under the rule. */
export function needsReopen(rule: ReopenRule, result: Pick<SurveyResult, 'resolved' | 'satisfaction'>): boolean {
  if (rule === 'never') return false;
  if (result.resolved === 'unresolved') return true;
  return rule === 'unresolved_or_unsatisfied' && result.satisfaction === 'unsatisfied';
}

const channelOfTarget = (uri: string): string | undefined => (uri.startsWith('channel:') ? uri.slice('channel:'.length) : undefined);

/**
 * The survey calls in Asterisk: closure surveys the dialer originated (args `survey,<jobId>`) and one-question
 * ratings of callers who stay on after the agent hung up. Asterisk does not stop a prompt on DTMF, so a key
 * pressed during a prompt stops it here (DELETE /playbacks/{id}).
 */
export function createSurveyStasis(deps: SurveyStasisDeps) {
  const { repo, clock, bus, config } = deps;
  const log = deps.log.child({ component: 'surveys.stasis' });
  const legs = new Map<string, SurveyLeg>();

  const runner = createSurveyRunner({
    ari: deps.ari, clock, log: deps.log, promptGuardMs: config.promptGuardMs,
    hooks: {
      answered(leg: SurveyLeg, state: SurveyState) {
        const answers = { resolved: state.resolved, satisfaction: state.satisfaction, keys: state.keys };
        if (leg.target.kind === 'closure') repo.recordAnswers(leg.target.jobId, answers);
        else repo.rate(leg.channelId, state.satisfaction, state.keys);
      },
      finished(leg: SurveyLeg, result: SurveyResult) {
        const now = clock.now();
        if (leg.target.kind === 'after_call') {
          repo.finishRating(leg.channelId, result.satisfaction, result.keys, result.completed, now);
        } else {
          const reopen = needsReopen(config.reopen, result);
          const stored = repo.finishResult(leg.target.jobId, { ...result, reopen, endedAt: now });
          log.info({ jobId: leg.target.jobId, resolved: result.resolved, satisfaction: result.satisfaction, completed: result.completed }, 'survey answered');
          if (stored && reopen) bus.publish('survey.unresolved', { ticketId: leg.target.ticketId, jobId: leg.target.jobId, resolved: result.resolved, satisfaction: result.satisfaction });
        }
        if (leg.gone) end(leg);
      },
      lost(leg: SurveyLeg) {
        log.info({ channelId: leg.channelId, kind: leg.target.kind }, 'survey channel lost before its prompt played');
        channelGone(leg, null);
      },
    },
  });

  function end(leg: SurveyLeg): void {
    if (legs.get(leg.channelId) !== leg) return;
    legs.delete(leg.channelId);
    runner.stopTimers(leg);
    if (leg.target.kind !== 'closure') return;
    let outcome: AttemptOutcome;
    if (leg.answeredAt === null) outcome = unansweredOutcome(leg.cause, leg.dialStatus);
    else outcome = leg.result ? answeredOutcome(leg.result) : settle(leg.target.jobId, leg.target.ticketId);
    deps.onCallEnded({ jobId: leg.target.jobId, channelId: leg.channelId, outcome, cause: leg.cause });
  }

  /** Closes the answers of a survey whose script this process did not see end: what was answered is kept. */
  function settle(jobId: string, ticketId: string): AttemptOutcome {
    const partial = repo.result(jobId);
    if (!partial) return 'failed';
    const completed = partial.resolved !== null && partial.satisfaction !== null;
    const reopen = needsReopen(config.reopen, partial);
    const stored = repo.finishResult(jobId, { resolved: partial.resolved, satisfaction: partial.satisfaction, keys: [...partial.keys], completed, reopen, endedAt: clock.now() });
    if (stored && reopen) bus.publish('survey.unresolved', { ticketId, jobId, resolved: partial.resolved, satisfaction: partial.satisfaction });
    return completed ? 'answered_completed' : 'answered_partial';
  }

  /** The channel is gone: an answered survey hears `hangup` (keeping its answers), an unanswered one ends here. */
  function channelGone(leg: SurveyLeg, cause: number | null): void {
    if (leg.gone) return;
    leg.gone = true;
    leg.cause ??= cause;
    if (leg.survey && !leg.result) runner.feed(leg, { kind: 'hangup' });
    if (!leg.survey || leg.result) end(leg);
  }

  function answer(leg: SurveyLeg, target: Extract<SurveyTarget, { kind: 'closure' }>): void {
    const now = clock.now();
    leg.answeredAt = now;
    repo.attemptAnswered(leg.channelId, now);
    repo.openResult(target.jobId, target.ticketId, leg.channelId, now);
    runner.start(leg, closureSurveyScript({ category: spokenTopic(target.category), repeats: config.repeats, silenceMs: config.silenceMs }));
  }

  /** A survey channel we did not originate in this process (a restart): adopt it when its job still waits for it. */
  function adopt(channelId: string, jobId: string | undefined): SurveyLeg | undefined {
    const job = repo.jobByChannel(channelId);
    if (!job || job.status !== 'dialing' || (jobId !== undefined && job.id !== jobId)) return undefined;
    const leg = newLeg(channelId, { kind: 'closure', jobId: job.id, ticketId: job.ticketId, category: job.category }, job.lastAttemptAt ?? clock.now());
    legs.set(channelId, leg);
    return leg;
  }

  function hangUpStray(channelId: string): void {
    deps.ari.channels.hangup(channelId, 'normal').catch(() => {});
  }

  return {
    /** The dialer is about to originate this channel: its events belong to the survey from the first one. */
    expect(channelId: string, target: Extract<SurveyTarget, { kind: 'closure' }>): void {
      legs.set(channelId, newLeg(channelId, target, clock.now()));
    },
    /** The originate failed before any channel existed. */
    forget(channelId: string): void { legs.delete(channelId); },
    owns: (channelId: string) => legs.has(channelId),
    activeCount: () => legs.size,

    /** StasisStart with args ['survey', jobId]. Returns whether the channel is a survey's. */
    onStasisStart(channel: Channel, args: readonly string[]): boolean {
      if (args[0] !== 'survey') return false;
      const leg = legs.get(channel.id) ?? adopt(channel.id, args[1]);
      if (!leg || leg.target.kind !== 'closure') {
        log.warn({ channelId: channel.id }, 'survey channel without a job');
        hangUpStray(channel.id);
        return true;
      }
      if (leg.survey === null && !leg.gone) answer(leg, leg.target);
      return true;
    },

    /** Every ARI event: the survey's own channels and playbacks are handled, the rest ignored. */
    handleSurveyEvent(event: AriEvent): void {
      switch (event.type) {
        case 'StasisStart':
          if (event.args[0] === 'survey') this.onStasisStart(event.channel, event.args);
          return;
        case 'ChannelDtmfReceived': {
          const leg = legs.get(event.channel.id);
          if (leg && !leg.gone) runner.feed(leg, { kind: 'key', digit: event.digit });
          return;
        }
        case 'PlaybackFinished': {
          const channelId = channelOfTarget(event.playback.target_uri);
          const leg = channelId === undefined ? undefined : legs.get(channelId);
          if (leg) runner.playbackFinished(leg, event.playback.id);
          return;
        }
        case 'Dial': {
          const leg = legs.get(event.peer.id);
          if (leg && event.dialstatus) leg.dialStatus = event.dialstatus;
          return;
        }
        case 'ChannelHangupRequest': {
          const leg = legs.get(event.channel.id);
          if (leg && leg.survey) channelGone(leg, event.soft ? null : event.cause ?? null);
          return;
        }
        case 'StasisEnd': {
          const leg = legs.get(event.channel.id);
          if (leg) channelGone(leg, null);
          return;
        }
        case 'ChannelDestroyed': {
          const leg = legs.get(event.channel.id);
          if (leg) { leg.cause = event.cause; channelGone(leg, event.cause); }
          return;
        }
        default:
          return;
      }
    },

    /**
     * 一次一评: the caller stays on after the agent hung up and answers one keypress question. From here on
     * every event of the channel (keys, playbacks, hangup, StasisEnd) is the survey's; after the thanks the channel
     * is hung up. False when the channel already runs a survey or a rating.
     */
    startAfterCallRating(callerChannelId: string, callId: string): boolean {
      if (legs.has(callerChannelId)) return false;
      const leg = newLeg(callerChannelId, { kind: 'after_call', callId }, clock.now());
      leg.answeredAt = leg.startedAt;
      legs.set(callerChannelId, leg);
      repo.openRating(callId, callerChannelId, leg.startedAt);
      log.info({ callId, channelId: callerChannelId }, 'after-call rating started');
      runner.start(leg, rateAfterCallScript({ repeats: config.repeats, silenceMs: config.silenceMs }));
      return true;
    },

    /**
     * On every (re)connect, before new events: a survey channel Asterisk no longer has ended while we were not
     * listening; one we were dialling before a restart is adopted (ringing: its answer runs the script; already up:
     * hung up, answers so far kept); a dialing job whose channel is gone ends as a failed attempt, or as a partial
     * survey when the citizen had answered.
     */
    async reconcile(snapshot: AriSnapshot): Promise<void> {
      const live = new Map(snapshot.channels.map((c) => [c.id, c]));
      for (const leg of [...legs.values()]) if (!live.has(leg.channelId)) channelGone(leg, leg.cause);
      for (const rating of repo.openRatings()) {
        if (legs.has(rating.channelId)) continue;
        // A rating this process did not see end (a restart): the answer so far is kept and the caller, whose
        // conversation is over, is hung up.
        repo.finishRating(rating.channelId, rating.satisfaction, [...rating.keys], rating.satisfaction !== null, clock.now());
        if (live.has(rating.channelId)) hangUpStray(rating.channelId);
      }
      for (const job of repo.dialingJobs()) {
        const channelId = job.channelId;
        if (channelId === null || legs.has(channelId)) continue;
        const channel = live.get(channelId);
        if (channel) {
          const leg = adopt(channelId, job.id);
          if (leg && channel.state === 'Up') {
            leg.answeredAt = repo.result(job.id)?.startedAt ?? clock.now();
            hangUpStray(channelId);
          }
          continue;
        }
        const outcome = settle(job.id, job.ticketId);
        log.info({ jobId: job.id, channelId, outcome }, 'survey channel gone while not listening');
        deps.onCallEnded({ jobId: job.id, channelId, outcome, cause: null });
      }
    },

    close(): void {
      for (const leg of legs.values()) runner.stopTimers(leg);
    },
  };
}

export type SurveyStasis = ReturnType<typeof createSurveyStasis>;
