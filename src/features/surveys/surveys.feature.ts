import type { Logger } from 'pino';
import type { FeatureContext, FeatureRegistration } from '../../app.ts';
import type { Clock } from '../../clock.ts';
import { createSurveysRepo } from './surveys.repo.ts';
import type { SurveysRepo } from './surveys.repo.ts';
import { createAdminAudit } from '../admin/admin-audit.ts';
import { registerSurveyRoutes } from './surveys.routes.ts';
import { surveyConfig } from './surveys.schemas.ts';
import type { SurveyConfig, SurveyConfigInput } from './surveys.schemas.ts';
import { createSurveysService, scheduleSurvey } from './surveys.service.ts';
import type { ScheduleOutcome, SurveyRequest, SurveysService } from './surveys.service.ts';
import { createSurveyStasis } from './surveys.stasis.ts';
import type { SurveyStasis } from './surveys.stasis.ts';

export interface SurveyParts {
  config: SurveyConfig;
  clock: Clock;
  log: Logger;
  repo: SurveysRepo;
  surveys?: SurveysService;
  stasis?: SurveyStasis;
}

export interface SurveysFeature {
  register: FeatureRegistration;
  /** 一事一评: called by dispatch when a ticket is closed (办结). Idempotent per closure. */
  scheduleSurvey(request: SurveyRequest): ScheduleOutcome;
  /**
   * 一次一评: the caller stays on after the agent hung up; plays the one satisfaction question, stores the answer with
   * the call, thanks the caller and hangs up. The channel's events are the survey's from then on. False when no
   * rating could start (no PBX, or the channel already runs one): the caller is then the calls service's to end.
   */
  startAfterCallRating(callerChannelId: string, callId: string): boolean;
  /**
   * Whether a survey runs on this channel, or it was handed over for a rating (even one a restart interrupted):
   * the calls service leaves its events alone and does not adopt it when it reconciles.
   */
  ownsChannel(channelId: string): boolean;
  parts(): SurveyParts | undefined;
}

/**
 * The callback survey as one feature: repo, the survey calls on ARI (its own event subscription: the calls
 * feature ignores StasisStart `survey,…`), the dialer started after the first reconcile, and the HTTP API.
 */
export function surveysFeature(options: { config?: SurveyConfigInput; onReady?: (parts: SurveyParts) => void } = {}): SurveysFeature {
  let parts: SurveyParts | undefined;

  const register = (ctx: FeatureContext): void => {
    const { app, deps } = ctx;
    const config = surveyConfig({ app: deps.config.ari.app, callerId: deps.config.lines[0]?.number ?? '12345', ...options.config });
    const repo = createSurveysRepo(deps.db);
    const ari = deps.ari;
    if (!ari) {
      parts = { config, clock: deps.clock, log: deps.log, repo };
      registerSurveyRoutes(app, { repo, clock: deps.clock, audit: createAdminAudit(deps.db, () => deps.clock.now()) });
      options.onReady?.(parts);
      return;
    }
    const stasis = createSurveyStasis({
      ari, repo, clock: deps.clock, bus: deps.bus, log: deps.log, config,
      onCallEnded: (end) => surveys.callEnded(end),
    });
    const surveys: SurveysService = createSurveysService({ repo, calls: stasis, ari, clock: deps.clock, log: deps.log, config });
    const log = deps.log.child({ component: 'surveys' });
    const offEvents = ari.onEvent((event) => {
      try { stasis.handleSurveyEvent(event); } catch (error) { log.error({ err: error, type: event.type }, 'survey event handling failed'); }
    });
    const offReconcile = ari.onReconcile(async (snapshot) => {
      await stasis.reconcile(snapshot);
      if (config.enabled) surveys.resume();
    });
    const offState = ari.onStateChange((state) => { if (state === 'connected') surveys.pump(); });
    registerSurveyRoutes(app, { repo, clock: deps.clock, surveys, audit: createAdminAudit(deps.db, () => deps.clock.now()) });
    app.addHook('onClose', async () => {
      offEvents(); offReconcile(); offState();
      surveys.close();
      stasis.close();
    });
    parts = { config, clock: deps.clock, log: deps.log, repo, surveys, stasis };
    options.onReady?.(parts);
  };

  return {
    register,
    scheduleSurvey(request) {
      if (!parts) throw new Error('the surveys feature is not registered yet');
      if (parts.surveys) return parts.surveys.scheduleSurvey(request);
      return scheduleSurvey({ repo: parts.repo, clock: parts.clock, log: parts.log, config: parts.config }, request);
    },
    startAfterCallRating(callerChannelId, callId) {
      return parts?.stasis?.startAfterCallRating(callerChannelId, callId) ?? false;
    },
    ownsChannel: (channelId) => (parts?.stasis?.owns(channelId) ?? false) || parts?.repo.rating(channelId) !== undefined,
    parts: () => parts,
  };
}
