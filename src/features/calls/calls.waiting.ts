import type { Clock } from '../../clock.ts';
import { announcementsFor } from '../../domain/acd/wait-estimate.ts';
import type { AnnouncementPolicy } from '../../domain/acd/wait-estimate.ts';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import { newId } from '../../pbx/ari/ids.ts';
import type { CallQueue } from './call-queue.ts';
import { announcementMedia } from './queue-settings.ts';
import type { LiveCall } from './calls.types.ts';

export interface WaitingRoomDeps {
  ari: AriClient;
  clock: Clock;
  queue: CallQueue;
  /** The announcement policy of each queue in force (read at each announcement: a change of the desks applies at once). */
  policies(): Readonly<Record<string, AnnouncementPolicy>>;
  overflowMessage: string;
  /** A message that never reports its end is given up after this long. */
  messageGuardMs: number;
  hangUp(channelId: string): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  bindPlayback(playbackId: string, callId: string): void;
}

/**
 * What a caller hears while waiting, beyond music: optional position and wait announcements at
 * intervals, and the message before an overflow hands the caller to a callback.
 */
export function createWaitingRoom(deps: WaitingRoomDeps) {
  const { ari, clock, queue } = deps;

  function stopAnnouncing(live: LiveCall): void {
    clock.clearTimeout(live.announceTimer);
    live.announceTimer = undefined;
  }

  /** Schedules the next announcement for a waiting caller, when the queue's policy asks for any. */
  function announceLater(live: LiveCall): void {
    const policy = live.queueId ? deps.policies()[live.queueId] : undefined;
    stopAnnouncing(live);
    if (!policy?.enabled || live.call.queuedAt === null) return;
    const plan = announcementsFor({
      queuedAt: live.call.queuedAt, lastAnnouncedAt: live.lastAnnouncedAt ?? null, position: 0, estimatedWaitSeconds: Number.POSITIVE_INFINITY,
    }, clock.now(), policy);
    if (plan.nextAt === null) return;
    live.announceTimer = clock.setTimeout(() => {
      live.announceTimer = undefined;
      live.lane.run(() => announce(live, policy));
    }, Math.max(0, plan.nextAt - clock.now()));
  }

  async function announce(live: LiveCall, policy: AnnouncementPolicy): Promise<void> {
    if (live.finished || live.call.state !== 'queued' || live.overflowed) return;
    const position = queue.acd.positionOf(live.call.id);
    if (position === undefined) return;
    const now = clock.now();
    const plan = announcementsFor({
      queuedAt: live.call.queuedAt ?? now, lastAnnouncedAt: live.lastAnnouncedAt ?? null, position,
      estimatedWaitSeconds: queue.estimateWait(live.call.id) ?? Number.POSITIVE_INFINITY,
    }, now, policy);
    live.lastAnnouncedAt = now;
    const media = announcementMedia(plan.say);
    if (media.length > 0 && live.call.channelId) {
      try {
        await ari.channels.play(live.call.channelId, { media, playbackId: newId('playback') });
      } catch (error) {
        live.log.warn({ err: error }, 'queue announcement could not be played');
      }
    }
    announceLater(live);
  }

  /** The caller leaves the queue for a callback: out of the holding bridge, the message, then the call ends. */
  async function sendToCallback(live: LiveCall, reason: string): Promise<void> {
    if (live.finished || live.overflowed) return;
    live.overflowed = reason;
    stopAnnouncing(live);
    live.log.info({ reason, queueId: live.queueId }, 'caller sent to a callback');
    const caller = live.call.channelId;
    const holding = live.holdingBridgeId;
    live.holdingBridgeId = null;
    if (holding) await deps.destroyBridge(holding);
    if (!caller || live.finished) return;
    const playbackId = newId('playback');
    live.messagePlaybackId = playbackId;
    deps.bindPlayback(playbackId, live.call.id);
    live.messageTimer = clock.setTimeout(() => { void messageDone(live, playbackId); }, deps.messageGuardMs);
    try {
      await ari.channels.play(caller, { media: deps.overflowMessage, playbackId });
    } catch (error) {
      live.log.warn({ err: error, media: deps.overflowMessage }, 'overflow message could not be played');
      await messageDone(live, playbackId);
    }
  }

  async function messageDone(live: LiveCall, playbackId: string): Promise<void> {
    if (live.messagePlaybackId !== playbackId) return;
    live.messagePlaybackId = null;
    clock.clearTimeout(live.messageTimer);
    if (live.call.channelId && !live.finished) await deps.hangUp(live.call.channelId);
  }

  return {
    announceLater,
    stopAnnouncing,
    sendToCallback,
    /** PlaybackFinished for a message: true when it was an overflow message (the call then ends). */
    playbackFinished(live: LiveCall, playbackId: string): boolean {
      if (live.messagePlaybackId !== playbackId) return false;
      live.lane.run(() => messageDone(live, playbackId));
      return true;
    },
    close(live: LiveCall): void {
      stopAnnouncing(live);
      clock.clearTimeout(live.messageTimer);
    },
  };
}
