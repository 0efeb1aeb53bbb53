import Type from 'typebox';
import { DEFAULT_DIALER_POLICY } from '../../domain/survey-dialer.ts';
import type { DialerPolicy } from '../../domain/survey-dialer.ts';
import { DEFAULT_SURVEY_REPEATS, DEFAULT_SURVEY_SILENCE_MS } from '../../domain/survey-script.ts';

/** When a survey's answers ask for the ticket to be handled a second time (二次办理). */
export type ReopenRule = 'unresolved_or_unsatisfied' | 'unresolved' | 'never';

/** Everything the callback survey can be told; config keys under `surveys.*`. */
export interface SurveyConfig {
  /** The Stasis application survey calls enter. */
  app: string;
  /** Caller id shown to the citizen: the hotline's own number. */
  callerId: string;
  /** The dial string for a citizen's number, e.g. `PJSIP/{number}@trunk`. */
  endpoint: string;
  /** Seconds Asterisk lets the citizen's phone ring. */
  ringTimeoutSeconds: number;
  /** How long after closure (办结) the first call may go out. */
  delayAfterClosureMinutes: number;
  policy: DialerPolicy;
  repeats: number;
  silenceMs: number;
  /** A prompt that never reports its end (unknown media) is taken as finished after this long. */
  promptGuardMs: number;
  reopen: ReopenRule;
  /** Start the dialer when the feature is registered. */
  enabled: boolean;
}

export const DEFAULT_SURVEY_CONFIG: SurveyConfig = {
  app: 'hotline',
  callerId: '12345',
  endpoint: 'PJSIP/{number}@trunk',
  ringTimeoutSeconds: 30,
  delayAfterClosureMinutes: 60,
  policy: DEFAULT_DIALER_POLICY,
  repeats: DEFAULT_SURVEY_REPEATS,
  silenceMs: DEFAULT_SURVEY_SILENCE_MS,
  promptGuardMs: 60_000,
  reopen: 'unresolved_or_unsatisfied',
  enabled: true,
};

export type SurveyConfigInput = Partial<Omit<SurveyConfig, 'policy'>> & { policy?: Partial<DialerPolicy> };

export function surveyConfig(input: SurveyConfigInput = {}): SurveyConfig {
  return { ...DEFAULT_SURVEY_CONFIG, ...input, policy: { ...DEFAULT_SURVEY_CONFIG.policy, ...input.policy } };
}

/** The dial string for one citizen: `{number}` in the configured pattern. */
export function endpointFor(config: Pick<SurveyConfig, 'endpoint'>, number: string): string {
  return config.endpoint.replaceAll('{number}', number);
}

const Phone = Type.String({ maxLength: 26, pattern: '^\\+?[0-9][0-9 -]{2,24}$' });

export const SurveysQuery = Type.Object({
  ticketId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  status: Type.Optional(Type.Enum(['pending', 'dialing', 'done', 'gave_up', 'skipped'])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false });

export const CallRatingsQuery = Type.Object({
  callId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false });

export const DoNotCallBody = Type.Object({
  phoneNumber: Phone,
  reason: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });

export const DoNotCallParams = Type.Object({ phoneNumber: Phone });
