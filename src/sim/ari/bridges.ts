/** Bridges: creation, channels entering and leaving, music on hold, destruction. */
import { AriError } from './format.ts';
import type { SimBridge, SimChannel } from './model.ts';
import type { Pbx } from './state.ts';
import { bridgePeerVars, clearBridgeVars, eventChannelIds, realMembers, retuneTechnology, updateConnected } from './bridge-media.ts';
import { finishRecording, recordingsOnTarget } from './recordings.ts';

export function createBridge(pbx: Pbx, type: string | undefined, bridgeId: string | undefined, name: string | undefined): SimBridge {
  const kinds = (type ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const allowed = ['mixing', 'holding', 'dtmf_events', 'proxy_media', 'video_sfu', 'video_single', 'sdp_label'];
  if (kinds.some((k) => !allowed.includes(k)) || (bridgeId && pbx.bridges.has(bridgeId))) {
    throw new AriError(500, `Unable to create bridge. Possible duplicate bridge id '${bridgeId ?? '(null)'}'`);
  }
  const holding = kinds.includes('holding');
  const b: SimBridge = {
    id: bridgeId || pbx.prng.uuid(),
    type: holding ? 'holding' : 'mixing',
    technology: holding ? 'holding_bridge' : 'simple_bridge',
    name: name ?? '',
    creationtime: pbx.clock.now(),
    members: [],
    apps: new Set(),
    moh: false,
  };
  pbx.bridges.set(b.id, b);
  return b;
}

export function enterBridge(pbx: Pbx, b: SimBridge, c: SimChannel): void {
  c.bridgeId = b.id;
  b.members.push(c.id);
  if (c.app && c.subscribed) b.apps.add(c.app);
  retuneTechnology(b, 'grow');
  pbx.emitBridgeMember('ChannelEnteredBridge', b, c, eventChannelIds(b));
  bridgePeerVars(pbx, b);
  updateConnected(pbx, b, false);
}

/**
 * A channel leaves its bridge. 'hangup' clears the leaving channel's bridge variables and keeps the app's
 * subscription to the bridge; 'move' (removeChannel, addChannel elsewhere) ends it once none of the app's channels
 * remain. The members that stay get their bridge variables again. The connected-line update for the remaining
 * party is left to the caller for hangups (Asterisk delivers it shortly after StasisEnd).
 */
export function leaveBridge(pbx: Pbx, c: SimChannel, how: 'hangup' | 'move'): SimBridge | undefined {
  const b = c.bridgeId ? pbx.bridges.get(c.bridgeId) : undefined;
  c.bridgeId = undefined;
  if (!b) return undefined;
  b.members = b.members.filter((id) => id !== c.id);
  if (how === 'hangup' && b.type === 'mixing') clearBridgeVars(pbx, c);
  pbx.emitBridgeMember('ChannelLeftBridge', b, c, eventChannelIds(b));
  retuneTechnology(b, 'shrink');
  if (b.members.length === 0) {
    b.moh = false;
    b.announcer = undefined;
    for (const rec of recordingsOnTarget(pbx, `bridge:${b.id}`)) finishRecording(pbx, rec);
  } else {
    bridgePeerVars(pbx, b);
  }
  if (how === 'move' && c.app && !realMembers(pbx, b).some((o) => o.app === c.app)) b.apps.delete(c.app);
  if (how === 'move') updateConnected(pbx, b, true);
  return b;
}

export function addChannels(pbx: Pbx, b: SimBridge, ids: string[]): void {
  if (ids.length === 0) throw new AriError(400, 'Missing parameter channel');
  const channels = ids.map((id) => {
    const c = pbx.channels.get(id);
    if (!c || c.gone) throw new AriError(400, 'Channel not found');
    if (!c.inStasis) throw new AriError(422, 'Channel not in Stasis application');
    return c;
  });
  for (const c of channels) {
    if (c.bridgeId) leaveBridge(pbx, c, 'move');
    enterBridge(pbx, b, c);
  }
}

export function removeChannels(pbx: Pbx, b: SimBridge, ids: string[]): void {
  if (ids.length === 0) throw new AriError(400, 'Missing parameter channel');
  const channels = ids.map((id) => {
    const c = pbx.channels.get(id);
    if (!c || c.gone) throw new AriError(400, 'Channel not found');
    if (!c.inStasis) throw new AriError(422, 'Channel not in Stasis application');
    if (c.bridgeId !== b.id) throw new AriError(422, 'Channel not in this bridge');
    return c;
  });
  for (const c of channels) leaveBridge(pbx, c, 'move');
}

export function startBridgeMoh(pbx: Pbx, b: SimBridge): void {
  if (!b.announcer) b.announcer = pbx.internalPair('Announcer');
  b.moh = true;
}

export function stopBridgeMoh(b: SimBridge): void {
  if (!b.moh) throw new AriError(409, "Bridge isn't playing music");
  b.moh = false;
  b.announcer = undefined;
}

export function destroyBridge(pbx: Pbx, b: SimBridge): void {
  for (const c of realMembers(pbx, b)) leaveBridge(pbx, c, 'hangup');
  for (const rec of recordingsOnTarget(pbx, `bridge:${b.id}`)) finishRecording(pbx, rec);
  for (const p of [...pbx.playbacks.values()]) {
    if (p.targetUri === `bridge:${b.id}`) { pbx.clock.clearTimeout(p.timer); pbx.playbacks.delete(p.id); }
  }
  pbx.bridges.delete(b.id);
  pbx.emitBridge(b, 'BridgeDestroyed');
}
