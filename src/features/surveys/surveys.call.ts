import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import { newSurvey, stepSurvey } from '../../domain/survey-script.ts';
import type { SurveyAction, SurveyEvent, SurveyResult, SurveyScript, SurveyState } from '../../domain/survey-script.ts';
import type { AttemptOutcome } from '../../domain/survey-dialer.ts';
import type { AriConnectionState, AriRest } from '../../pbx/ari/client.types.ts';
import { AriError } from '../../pbx/ari/client.types.ts';
import { newId } from '../../pbx/ari/ids.ts';
import { promptMedia } from './surveys.prompts.ts';
import type { SurveyKind } from './surveys.prompts.ts';

/** The part of ARI a survey needs: originate, play and stop prompts, hang up. AriClient is one. */
export interface SurveyAri {
  channels: Pick<AriRest['channels'], 'originate' | 'get' | 'hangup' | 'play'>;
  playbacks: Pick<AriRest['playbacks'], 'stop'>;
  state(): AriConnectionState;
}

/** Who a survey channel is for: a closure survey's job, or an after-call rating's call. */
export type SurveyTarget =
  | { kind: 'closure'; jobId: string; ticketId: string; category: string | null }
  | { kind: 'after_call'; callId: string };

export interface SurveyCallHooks {
  /** The script recorded an answer: the partial answers so far. */
  answered(leg: SurveyLeg, state: SurveyState): void;
  /** The script finished (all questions, or a hangup midway). */
  finished(leg: SurveyLeg, result: SurveyResult): void;
  /** A prompt could not be played because the channel is gone or no longer in Stasis (404, 409). */
  lost?(leg: SurveyLeg): void;
}

/** One survey channel: dialling, then the script once answered, until the channel is gone. */
export interface SurveyLeg {
  readonly channelId: string;
  readonly target: SurveyTarget;
  readonly startedAt: number;
  answeredAt: number | null;
  dialStatus: string | null;
  survey: SurveyState | null;
  result: SurveyResult | null;
  gone: boolean;
  cause: number | null;
  playbacks: Map<string, string>;
  prompts: Map<string, string>;
  guards: Map<string, TimerHandle>;
  silence: TimerHandle | undefined;
  lane: Promise<void>;
}

export function newLeg(channelId: string, target: SurveyTarget, now: number): SurveyLeg {
  return {
    channelId, target, startedAt: now, answeredAt: null, dialStatus: null, survey: null, result: null, gone: false, cause: null,
    playbacks: new Map(), prompts: new Map(), guards: new Map(), silence: undefined, lane: Promise.resolve(),
  };
}

/** The outcome of an attempt that never reached the script, from the final cause or the Dial status. */
export function unansweredOutcome(cause: number | null, dialStatus: string | null): AttemptOutcome {
  if (cause === 17 || dialStatus === 'BUSY') return 'busy';
  if (cause === 19 || cause === 18 || dialStatus === 'NOANSWER') return 'no_answer';
  if (cause === 21) return 'rejected';
  return 'failed';
}

export function answeredOutcome(result: SurveyResult | null): AttemptOutcome {
  return result?.completed ? 'answered_completed' : 'answered_partial';
}

const gone = (e: unknown): boolean => e instanceof AriError && (e.status === 404 || e.status === 409 || e.status === 422);

/** Runs the survey script on answered legs: steps it on every event and carries out its actions in order. */
export function createSurveyRunner(deps: { ari: SurveyAri; clock: Clock; log: Logger; promptGuardMs: number; hooks: SurveyCallHooks }) {
  const { ari, clock, hooks } = deps;
  const log = deps.log.child({ component: 'surveys.call' });
  const kindOf = (leg: SurveyLeg): SurveyKind => leg.target.kind;

  function effect(leg: SurveyLeg, what: string, run: () => Promise<unknown>): void {
    leg.lane = leg.lane.then(async () => {
      if (leg.gone) return;
      try { await run(); } catch (error) {
        if (!gone(error)) log.warn({ err: error, channelId: leg.channelId, what }, 'survey effect failed');
        else if (what === 'play' && error instanceof AriError && error.status !== 422 && !leg.gone) hooks.lost?.(leg);
      }
    });
  }

  function stopTimers(leg: SurveyLeg): void {
    clock.clearTimeout(leg.silence);
    leg.silence = undefined;
    for (const t of leg.guards.values()) clock.clearTimeout(t);
    leg.guards.clear();
  }

  function act(leg: SurveyLeg, script: SurveyScript, action: SurveyAction): void {
    switch (action.kind) {
      case 'play': {
        const playbackId = newId('playback');
        leg.playbacks.set(playbackId, action.promptId);
        leg.prompts.set(action.promptId, playbackId);
        const media = promptMedia(action.prompt, script, kindOf(leg));
        leg.guards.set(action.promptId, clock.setTimeout(() => feed(leg, { kind: 'prompt_finished', promptId: action.promptId }), deps.promptGuardMs));
        effect(leg, 'play', () => ari.channels.play(leg.channelId, { media: media.length === 1 ? media[0]! : media, playbackId }));
        return;
      }
      case 'stop_playback': {
        const playbackId = leg.prompts.get(action.promptId);
        clock.clearTimeout(leg.guards.get(action.promptId));
        leg.guards.delete(action.promptId);
        if (playbackId) effect(leg, 'stop', () => ari.playbacks.stop(playbackId));
        return;
      }
      case 'start_silence_timer':
        clock.clearTimeout(leg.silence);
        leg.silence = clock.setTimeout(() => { leg.silence = undefined; feed(leg, { kind: 'silence_timeout' }); }, action.ms);
        return;
      case 'cancel_silence_timer':
        clock.clearTimeout(leg.silence);
        leg.silence = undefined;
        return;
      case 'hang_up':
        effect(leg, 'hangup', () => ari.channels.hangup(leg.channelId, 'normal'));
        return;
      case 'record_answer':
        if (leg.survey) hooks.answered(leg, leg.survey);
        return;
      case 'finished':
        stopTimers(leg);
        leg.result = action.result;
        hooks.finished(leg, action.result);
        return;
    }
  }

  /** Steps the leg's script with one event and runs what it asks for. */
  function feed(leg: SurveyLeg, event: SurveyEvent): void {
    if (!leg.survey) return;
    if (event.kind === 'prompt_finished') {
      clock.clearTimeout(leg.guards.get(event.promptId));
      leg.guards.delete(event.promptId);
    }
    const script = leg.survey.script;
    const step = stepSurvey(leg.survey, event);
    leg.survey = step.state;
    for (const action of step.actions) act(leg, script, action);
  }

  return {
    start(leg: SurveyLeg, script: SurveyScript): void {
      leg.survey = newSurvey(script);
      feed(leg, { kind: 'started' });
    },
    feed,
    /** PlaybackFinished of one of the leg's playbacks (a stopped one finishes as well, and is ignored by the script). */
    playbackFinished(leg: SurveyLeg, playbackId: string): void {
      const promptId = leg.playbacks.get(playbackId);
      if (promptId === undefined) return;
      leg.playbacks.delete(playbackId);
      leg.prompts.delete(promptId);
      feed(leg, { kind: 'prompt_finished', promptId });
    },
    stopTimers,
  };
}

export type SurveyRunner = ReturnType<typeof createSurveyRunner>;
