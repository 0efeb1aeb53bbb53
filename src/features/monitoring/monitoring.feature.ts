import type { FeatureContext } from '../../app.ts';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import type { LiveCallLookup } from './live-calls.ts';
import { createMonitoringRepo } from './monitoring.repo.ts';
import { registerMonitoringRoutes } from './monitoring.routes.ts';
import { createMonitoringService, DEFAULT_MONITORING_SETTINGS } from './monitoring.service.ts';
import type { MonitoringService, MonitoringSettings } from './monitoring.service.ts';
import { attachMonitoringStasis } from './monitoring.stasis.ts';

export interface MonitoringFeatureDeps {
  ari: AriClient;
  calls: LiveCallLookup;
  settings?: Partial<MonitoringSettings>;
}

export interface MonitoringFeature {
  monitoring: MonitoringService;
  close(): Promise<void>;
}

/** Listen, whisper and barge on live calls through ARI snoop channels, with every use in audit_log. */
export function registerMonitoring(ctx: FeatureContext, deps: MonitoringFeatureDeps): MonitoringFeature {
  const { db, clock, log, bus, config } = ctx.deps;
  const monitoring = createMonitoringService({
    ari: deps.ari, calls: deps.calls, repo: createMonitoringRepo(db), clock, log,
    settings: { ...DEFAULT_MONITORING_SETTINGS, app: config.ari.app, ...deps.settings },
  });
  const detach = attachMonitoringStasis({ ari: deps.ari, monitoring, log });
  const offBus = bus.subscribe('call.changed', ({ callId, state }) => { if (state === 'ended') monitoring.callEnded(callId); });
  registerMonitoringRoutes(ctx.app, { monitoring });
  return {
    monitoring,
    async close() { offBus(); detach(); await monitoring.close(); },
  };
}
