import type { Logger } from 'pino';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import type { AriEvent } from '../../pbx/ari/models.ts';
import type { MonitoringService } from './monitoring.service.ts';

const DIAL_FAILURES: Record<string, string> = {
  BUSY: 'supervisor_busy', NOANSWER: 'supervisor_no_answer', CHANUNAVAIL: 'supervisor_unreachable', CONGESTION: 'supervisor_unreachable',
};

/** Q.850 causes of a supervisor's phone that never answered. */
const CAUSES: Record<number, string> = { 17: 'supervisor_busy', 18: 'supervisor_no_answer', 19: 'supervisor_no_answer', 21: 'supervisor_unreachable' };

/**
 * Routes ARI events to the monitors: the supervisor's phone answering ([supervisor, <monitorId>]), snoops
 * entering Stasis ([snoop, <monitorId>]), and every sign of a channel going away. Snoop channels end by
 * themselves when the channel they spy on hangs up, with StasisEnd only (no ChannelDestroyed).
 */
export function attachMonitoringStasis(deps: { ari: AriClient; monitoring: MonitoringService; log: Logger }): () => void {
  const { monitoring } = deps;
  const log = deps.log.child({ component: 'monitoring.stasis' });

  function onEvent(event: AriEvent): void {
    switch (event.type) {
      case 'StasisStart': {
        const [kind, monitorId] = event.args;
        if (kind === 'supervisor' && monitorId) monitoring.supervisorAnswered(event.channel.id, monitorId);
        else if (kind === 'snoop') monitoring.snoopStarted(event.channel.id);
        return;
      }
      case 'ChannelHangupRequest':
        monitoring.channelGone(event.channel.id, event.soft === true ? undefined : CAUSES[event.cause ?? -1]);
        return;
      case 'ChannelDestroyed':
        monitoring.channelGone(event.channel.id, CAUSES[event.cause]);
        return;
      case 'StasisEnd':
        monitoring.channelGone(event.channel.id);
        return;
      case 'Dial': {
        const why = DIAL_FAILURES[event.dialstatus];
        if (why) monitoring.channelGone(event.peer.id, why);
        return;
      }
      default:
        return;
    }
  }

  const offEvents = deps.ari.onEvent((event) => {
    try { onEvent(event); } catch (error) { log.error({ err: error, type: event.type }, 'monitor event handling failed'); }
  });
  const offReconcile = deps.ari.onReconcile((snapshot) => monitoring.reconcile(snapshot));
  return () => { offEvents(); offReconcile(); };
}
