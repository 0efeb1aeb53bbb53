import { AriError } from '../../pbx/ari/client.types.ts';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';

export function isGone(error: unknown): boolean {
  return error instanceof AriError && (error.status === 404 || error.status === 400 || error.status === 422);
}

/** Teardown steps that count an object already gone as done. */
export function teardownSteps(ari: AriClient, log: Logger) {
  return {
    async hangUp(channelId: string | null | undefined): Promise<void> {
      if (!channelId) return;
      try { await ari.channels.hangup(channelId, 'normal'); } catch (error) {
        if (!isGone(error)) log.warn({ err: error, channelId }, 'channel hangup failed');
      }
    },
    async destroyBridge(bridgeId: string | null | undefined): Promise<void> {
      if (!bridgeId) return;
      try { await ari.bridges.destroy(bridgeId); } catch (error) {
        if (!isGone(error)) log.warn({ err: error, bridgeId }, 'bridge destroy failed');
      }
    },
  };
}

/**
 * Waits for a channel we created (a snoop, an originate) to enter Stasis: bridges only take channels
 * that are in Stasis, and a snoop's StasisStart may come just before or just after the POST answers.
 */
export function createStasisWaiter(clock: Clock) {
  const waiting = new Map<string, (entered: boolean) => void>();
  const early = new Set<string>();
  return {
    expect(channelId: string, timeoutMs: number): Promise<boolean> {
      if (early.delete(channelId)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = clock.setTimeout(() => { waiting.delete(channelId); resolve(false); }, timeoutMs);
        waiting.set(channelId, (entered) => { clock.clearTimeout(timer); waiting.delete(channelId); resolve(entered); });
      });
    },
    started(channelId: string): void {
      const w = waiting.get(channelId);
      if (w) w(true);
      else { early.add(channelId); if (early.size > 200) early.delete(early.values().next().value as string); }
    },
    gone(channelId: string): void {
      early.delete(channelId);
      waiting.get(channelId)?.(false);
    },
  };
}
