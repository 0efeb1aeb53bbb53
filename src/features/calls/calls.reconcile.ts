import type { Logger } from 'pino';
import type { AriClient, AriSnapshot } from '../../pbx/ari/client.types.ts';
import { isOurs, parseId } from '../../pbx/ari/ids.ts';
import type { CallsService } from './calls.service.ts';

/**
 * After every (re)connect, before new events: calls whose channels disappeared during the gap are
 * ended (a restarted Asterisk ends them all as lost), agent legs nobody owns are hung up, our own
 * holding and call bridges with no live call are destroyed, and callers still waiting in Stasis
 * that this process does not know (it restarted) are taken in as new calls.
 */
export function attachCallsReconcile(deps: { ari: AriClient; calls: CallsService; log: Logger }): () => void {
  const { ari, calls } = deps;
  const log = deps.log.child({ component: 'calls.reconcile' });
  let startedAt: string | undefined;

  async function restarted(): Promise<boolean> {
    try {
      const info = await ari.asterisk.info();
      const now = info.status?.startup_time;
      const before = startedAt;
      startedAt = now;
      return before !== undefined && now !== undefined && now !== before;
    } catch {
      return false;
    }
  }

  async function reconcile(snapshot: AriSnapshot): Promise<void> {
    const lost = await restarted();
    const alive = new Set(snapshot.channels.map((c) => c.id));
    let ended = 0;
    for (const live of calls.live()) {
      const c = live.call;
      if (c.channelId && !alive.has(c.channelId)) {
        ended++;
        if (lost) calls.pbxLost(c.id); else calls.channelGone(c.channelId);
        continue;
      }
      for (const legId of live.legs.keys()) {
        if (!alive.has(legId)) calls.channelGone(legId, 'no_answer');
      }
    }
    await calls.drained();

    const owned = new Set<string>();
    for (const live of calls.live()) {
      if (live.holdingBridgeId) owned.add(live.holdingBridgeId);
      if (live.mixingBridgeId) owned.add(live.mixingBridgeId);
    }
    let destroyed = 0;
    for (const bridge of snapshot.bridges) {
      const kind = parseId(bridge.id)?.kind;
      if ((kind === 'holding' || kind === 'call') && !owned.has(bridge.id)) {
        destroyed++;
        await calls.destroyBridge(bridge.id);
      }
    }
    let strays = 0;
    let adopted = 0;
    for (const channel of snapshot.channels) {
      if (calls.owns(channel.id)) continue;
      if (parseId(channel.id)?.kind === 'agent') {
        strays++;
        await calls.hangUp(channel.id);
        continue;
      }
      const data = channel.dialplan?.app_data ?? '';
      const prefix = `${ari.app},inbound,`;
      if (!isOurs(channel.id) && channel.dialplan?.app_name === 'Stasis' && data.startsWith(prefix)) {
        adopted++;
        calls.arrive(channel, data.slice(prefix.length).split(',')[0] ?? '');
      }
    }
    log.info({ reconnect: snapshot.reconnect, restarted: lost, ended, destroyed, strays, adopted }, 'calls reconciled');
  }

  return ari.onReconcile(reconcile);
}
