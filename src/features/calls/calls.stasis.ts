import type { Logger } from 'pino';
import type { AgentFailure } from '../../domain/call-state.ts';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import type { AriEvent } from '../../pbx/ari/models.ts';
import type { CallsService } from './calls.service.ts';

/** ChannelHangupRequest.cause with soft=true is Asterisk's soft-hangup flag: 4 = shutdown or restart. */
const SHUTDOWN_SOFT_HANGUP = 4;

/** Q.850 causes seen on an agent leg that never answered, and what they mean for the offer. */
export function failureFromCause(cause: number | undefined): AgentFailure | undefined {
  if (cause === 19 || cause === 18) return 'no_answer';
  if (cause === 17 || cause === 21) return 'busy';
  if (cause === 20 || cause === 3 || cause === 1 || cause === 27 || cause === 34 || cause === 38) return 'unreachable';
  return undefined;
}

function failureFromDial(status: string): AgentFailure | undefined {
  switch (status) {
    case 'BUSY': return 'busy';
    case 'NOANSWER': return 'no_answer';
    case 'CHANUNAVAIL': case 'CONGESTION': return 'unreachable';
    default: return undefined;
  }
}

/**
 * Routes ARI events to the calls they belong to, by channel id. Inbound callers arrive with
 * args [inbound, <line>]; agent legs enter with [agent, <callId>]. A channel going away is
 * reported by whichever of ChannelHangupRequest, StasisEnd or ChannelDestroyed comes first
 * (a caller who dialled in gets no ChannelDestroyed at all).
 */
export function attachCallsStasis(deps: { ari: AriClient; calls: CallsService; log: Logger }): () => void {
  const { calls } = deps;
  const log = deps.log.child({ component: 'calls.stasis' });

  function onEvent(event: AriEvent): void {
    switch (event.type) {
      case 'StasisStart': {
        const [kind, arg] = event.args;
        if (kind === 'inbound') calls.arrive(event.channel, arg ?? '');
        else if (kind === 'agent' && arg) calls.agentAnswered(event.channel.id, arg);
        else if (kind === undefined && event.channel.dialplan?.exten) calls.arrive(event.channel, event.channel.dialplan.exten);
        return;
      }
      case 'ChannelHangupRequest':
        if (calls.owns(event.channel.id)) {
          const soft = event.soft === true;
          calls.channelGone(event.channel.id, soft ? undefined : failureFromCause(event.cause), soft && event.cause === SHUTDOWN_SOFT_HANGUP);
        }
        return;
      case 'StasisEnd':
        if (calls.owns(event.channel.id)) calls.channelGone(event.channel.id);
        else calls.forgetHandedOff(event.channel.id);
        return;
      case 'ChannelDestroyed':
        if (calls.owns(event.channel.id)) calls.channelGone(event.channel.id, failureFromCause(event.cause) ?? 'busy');
        else calls.forgetHandedOff(event.channel.id);
        return;
      case 'Dial': {
        const failure = failureFromDial(event.dialstatus);
        if (failure && calls.owns(event.peer.id)) calls.channelGone(event.peer.id, failure);
        return;
      }
      case 'PlaybackFinished':
        calls.greetingFinished(event.playback.id);
        return;
      default:
        return;
    }
  }

  const off = deps.ari.onEvent((event) => {
    try { onEvent(event); } catch (error) { log.error({ err: error, type: event.type }, 'call event handling failed'); }
  });
  return off;
}
