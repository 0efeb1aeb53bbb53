import type { Config } from '../../config/config.ts';
import type { SurveyConfigInput } from './surveys.schemas.ts';

/** The callback survey's settings from the service configuration (`surveys.*`, `ari.app`). */
export function surveyConfigFrom(config: Pick<Config, 'surveys' | 'ari'>): SurveyConfigInput {
  const s = config.surveys;
  return {
    enabled: s.enabled,
    app: config.ari.app,
    callerId: s.callerId,
    endpoint: s.endpoint,
    ringTimeoutSeconds: s.ringTimeoutSeconds,
    delayAfterClosureMinutes: s.delayAfterClosureMinutes,
    repeats: s.repeats,
    silenceMs: Math.round(s.silenceSeconds * 1000),
    reopen: s.reopen,
    policy: {
      callingHours: { start: s.callingHours.start, end: s.callingHours.end },
      maxAttempts: s.maxAttempts,
      spacingMinutes: s.spacingMinutes,
      maxConcurrent: s.maxConcurrent,
      pacingPerSecond: s.pacingPerSecond,
      surveyConfidential: s.surveyConfidential,
    },
  };
}
