import type { FeatureContext } from '../../app.ts';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import type { LiveCallControl } from '../monitoring/live-calls.ts';
import { createConferenceRepo } from './conference.repo.ts';
import { registerConferenceRoutes } from './conference.routes.ts';
import { createConferenceService, DEFAULT_CONFERENCE_SETTINGS } from './conference.service.ts';
import type { ConferenceService, ConferenceSettings } from './conference.service.ts';
import { attachConferenceStasis } from './conference.stasis.ts';

export interface ConferenceFeatureDeps {
  ari: AriClient;
  /** The live calls; `releaseAgent` lets the agent leave a call the citizen and the unit go on with. */
  calls: LiveCallControl;
  settings?: Partial<ConferenceSettings>;
}

export interface ConferenceFeature {
  conference: ConferenceService;
  close(): Promise<void>;
}

/** 三方通话: a unit's contact called into a live call; progress goes to the agent's desktop socket. */
export function registerConference(ctx: FeatureContext, deps: ConferenceFeatureDeps): ConferenceFeature {
  const { db, clock, log, bus, config } = ctx.deps;
  const repo = createConferenceRepo(db);
  repo.fillContactNumbers();
  const conference = createConferenceService({
    ari: deps.ari, calls: deps.calls, repo, clock, log,
    settings: { ...DEFAULT_CONFERENCE_SETTINGS, app: config.ari.app, ...deps.settings },
    notify: (agentId, frame) => { ctx.hub.sendToAgent(agentId, frame); },
  });
  const detach = attachConferenceStasis({ ari: deps.ari, conference, log });
  // A desktop that (re)connects, after a restart of the service say, is told of the three-way call it is on.
  ctx.hub.afterHello((who) => (who.agentId ? conference.openFor(who.agentId).map((c) => ({ type: 'conference.status', conference: c })) : []));
  const offBus = bus.subscribe('call.changed', ({ callId, state }) => { if (state === 'ended') conference.callEnded(callId); });
  registerConferenceRoutes(ctx.app, { conference });
  return {
    conference,
    async close() { offBus(); detach(); await conference.close(); },
  };
}
