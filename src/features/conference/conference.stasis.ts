import type { Logger } from 'pino';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import type { AriEvent } from '../../pbx/ari/models.ts';
import type { ConferenceService } from './conference.service.ts';

type Failure = 'busy' | 'no_answer' | 'failed';

function failureFromDial(status: string): Failure | undefined {
  if (status === 'BUSY') return 'busy';
  if (status === 'NOANSWER') return 'no_answer';
  if (status === 'CHANUNAVAIL' || status === 'CONGESTION') return 'failed';
  return undefined;
}

/** Q.850 cause of a unit leg that never answered (a ringing timeout gives only ChannelDestroyed, cause 19). */
function failureFromCause(cause: number | undefined): Failure {
  if (cause === 19 || cause === 18) return 'no_answer';
  if (cause === 17) return 'busy';
  return 'failed';
}

/** Routes ARI events to three-way calls: the unit's leg ([conference, <id>]) and the call's own legs. */
export function attachConferenceStasis(deps: { ari: AriClient; conference: ConferenceService; log: Logger }): () => void {
  const { conference } = deps;
  const log = deps.log.child({ component: 'conference.stasis' });
  const answered = new Set<string>();

  function onEvent(event: AriEvent): void {
    switch (event.type) {
      case 'StasisStart': {
        const [kind, id] = event.args;
        if (kind === 'conference' && id) { answered.add(event.channel.id); conference.unitAnswered(event.channel.id, id); }
        return;
      }
      case 'Dial': {
        if (event.dialstatus === 'RINGING') { conference.unitRinging(event.peer.id); return; }
        const failure = failureFromDial(event.dialstatus);
        if (failure) conference.unitFailed(event.peer.id, failure);
        return;
      }
      case 'ChannelDestroyed':
        if (!answered.delete(event.channel.id)) conference.unitFailed(event.channel.id, failureFromCause(event.cause));
        conference.channelGone(event.channel.id);
        return;
      case 'ChannelHangupRequest':
      case 'StasisEnd':
        conference.channelGone(event.channel.id);
        return;
      default:
        return;
    }
  }

  const offEvents = deps.ari.onEvent((event) => {
    try { onEvent(event); } catch (error) { log.error({ err: error, type: event.type }, 'conference event handling failed'); }
  });
  const offReconcile = deps.ari.onReconcile((snapshot) => conference.reconcile(snapshot));
  return () => { offEvents(); offReconcile(); };
}
