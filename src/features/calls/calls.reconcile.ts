import type { Logger } from 'pino';
import type { AriClient, AriSnapshot } from '../../pbx/ari/client.types.ts';
import { isOurs, parseId } from '../../pbx/ari/ids.ts';
import type { CallsService } from './calls.service.ts';

/**
 * After every (re)connect, before new events: calls whose channels disappeared during the gap are
 * ended (a restarted Asterisk ends them all as lost), agent legs nobody owns are hung up, our own
 * holding and call bridges with no live call are destroyed, and callers still waiting in Stasis
 * that this process does not know are taken in as new calls. The first reconcile of the process
 * first takes up the calls the database still has open (the service restarted under them), so only
 * what none of them owns counts as stray or new.
 */
export function attachCallsReconcile(deps: { ari: AriClient; calls: CallsService; log: Logger }): () => void {
  const { ari, calls } = deps;
  const log = deps.log.child({ component: 'calls.reconcile' });
  let startedAt: string | undefined;
  let recovered = false;

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
    const release = calls.holdRouting();
    try { await reconcileHeld(snapshot); } finally { release(); }
  }

  async function reconcileHeld(snapshot: AriSnapshot): Promise<void> {
    const began = performance.now();
    if (!recovered) {
      recovered = true;
      try { await calls.recoverAfterRestart(snapshot); } catch (error) { log.error({ err: error }, 'open calls could not be taken up again'); }
    }
    // Channels of calls this process handles: a call that ends below (its agent hung up in the gap) leaves its
    // caller's channel in the snapshot, and that channel is not a new call to take in.
    const known = new Set(snapshot.channels.filter((c) => calls.owns(c.id)).map((c) => c.id));
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
    calls.forgetHandedOff({ alive });
    for (const channel of snapshot.channels) {
      if (calls.owns(channel.id) || known.has(channel.id) || calls.handedOff(channel.id)) continue;
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
    const ms = Math.round(performance.now() - began);
    log.info({ reconnect: snapshot.reconnect, restarted: lost, ended, destroyed, strays, adopted, ms }, 'calls reconciled');
  }

  return ari.onReconcile(reconcile);
}
