/** Faults the tests inject: dropped event sockets, an Asterisk restart, slow or failing REST, ARI down, AMI drops. */
import type { Pbx } from './ari/state.ts';
import { teardown } from './ari/channels.ts';
import { finishRecording } from './ari/recordings.ts';
import type { AriServer } from './server.ts';
import type { SimFaults } from './types.ts';
import type { AmiLink } from './ami-link.ts';

export interface FaultParts { pbx: Pbx; server: AriServer; ami: () => AmiLink | undefined }

/**
 * `core restart now`: every channel gets a soft hangup (cause 4), recordings end, then Stasis ends and originated
 * channels are destroyed. A simulator that keeps no recordings (long in-process runs) cancels them instead of
 * writing their files.
 */
export function hangUpEverything(pbx: Pbx, recordings: 'finish' | 'cancel' = 'finish'): void {
  const channels = pbx.liveChannels().filter((c) => c.origin !== 'snoop');
  for (const c of channels) pbx.emitChannel(c, 'ChannelHangupRequest', {}, { cause: 4, soft: true });
  for (const rec of [...pbx.liveRecordings.values()]) finishRecording(pbx, rec, recordings === 'finish' ? 'done' : 'canceled');
  for (const c of channels) teardown(pbx, c, { requestSent: true, qos: false, cause: 16 });
  for (const c of pbx.liveChannels()) teardown(pbx, c, { qos: false });
}

/**
 * `core restart now` as Asterisk 22 went through it: channels hung up ~12 ms after the command, the events socket
 * dropped without a close frame (1006) at about 3/4 of the time ARI is away, then connection refused, the HTTP
 * server's HTML 404 before ARI is registered, 503 "Asterisk not booted", and 200 again after downMs.
 */
const RESTART = { hangupMs: 12, closeAt: 0.75 };

export function createFaults(parts: FaultParts): SimFaults {
  const { pbx, server } = parts;
  const wait = (ms: number): Promise<void> => new Promise((resolve) => pbx.clock.setTimeout(resolve, ms));
  return {
    dropEventSockets(code = 1000) { server.dropEventSockets(code); },
    async restart(downMs = 1500) {
      await wait(RESTART.hangupMs);
      hangUpEverything(pbx);
      await wait(Math.max(0, downMs * RESTART.closeAt - RESTART.hangupMs));
      parts.ami()?.restart();
      server.dropEventSockets(1006);
      pbx.bus.reset();
      pbx.resetRuntime();
      const rest = downMs * (1 - RESTART.closeAt);
      await server.setAvailability('refused');
      await wait(rest * 0.4);
      await server.setAvailability('html404');
      await wait(rest * 0.3);
      await server.setAvailability('booting');
      await wait(rest * 0.3);
      pbx.startupTime = pbx.clock.now();
      await server.setAvailability('up');
    },
    setRest(opts) { server.rest = { ...opts }; },
    setAriDown(down: boolean) { void server.setAvailability(down ? 'refused' : 'up'); },
    dropAmi() { parts.ami()?.drop(); },
  };
}
