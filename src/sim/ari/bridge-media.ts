/** What a bridge's membership changes do to its technology, BRIDGEPEER variables and connected lines. */
import type { CallerId, SimBridge, SimChannel } from './model.ts';
import type { Pbx } from './state.ts';

export function realMembers(pbx: Pbx, b: SimBridge): SimChannel[] {
  return b.members.map((id) => pbx.channels.get(id)).filter((c): c is SimChannel => !!c);
}

/** Channel ids as a bridge snapshot inside an event shows them: a lone Recorder shows up once everyone has left. */
export function eventChannelIds(b: SimBridge): string[] {
  if (b.members.length === 0 && b.recorder) return [b.recorder.id];
  return [...b.members];
}

/** Mixing bridges go softmix with more than two members (the Recorder counts) and back to simple_bridge once two or fewer remain. */
export function retuneTechnology(b: SimBridge, change: 'grow' | 'shrink'): void {
  if (b.type !== 'mixing') return;
  const count = b.members.length + (b.recorder ? 1 : 0);
  if (change === 'grow' && count > 2) b.technology = 'softmix';
  if (change === 'shrink' && count <= 2) b.technology = 'simple_bridge';
}

/**
 * Sets a bridge variable the way Asterisk's setvar helper does: a value is stored and published; no value removes
 * the variable, which is published (empty) only when the channel had it.
 */
export function setBridgeVar(pbx: Pbx, c: SimChannel, name: 'BRIDGEPEER' | 'BRIDGEPVTCALLID', value: string | undefined): void {
  if (value === undefined) {
    if (!c.vars.has(name)) return;
    c.vars.delete(name);
    pbx.emitVarset(c, name, '');
    return;
  }
  c.vars.set(name, value);
  pbx.emitVarset(c, name, value);
}

/** The private call id a channel technology reports: the SIP Call-ID for PJSIP, none for Snoop, Local or Recorder. */
function pvtCallId(c: SimChannel): string | undefined {
  return c.name.startsWith('PJSIP/') ? c.protocolId : undefined;
}

/**
 * BRIDGEPEER / BRIDGEPVTCALLID on every member of a mixing bridge with two or more participants (the Recorder
 * counts), newest member first. Two participants see each other's name and private call id; with more, every
 * member sees the others' names and the call id is removed.
 */
export function bridgePeerVars(pbx: Pbx, b: SimBridge): void {
  if (b.type !== 'mixing') return;
  const members = realMembers(pbx, b);
  const count = members.length + (b.recorder ? 1 : 0);
  if (count < 2) return;
  for (const c of [...members].reverse()) {
    const others = members.filter((o) => o !== c);
    const names = [...(b.recorder ? [b.recorder.name] : []), ...others.map((o) => o.name)];
    setBridgeVar(pbx, c, 'BRIDGEPEER', names.join(','));
    setBridgeVar(pbx, c, 'BRIDGEPVTCALLID', count === 2 && others.length === 1 ? pvtCallId(others[0]!) : undefined);
  }
}

/** A channel pulled out of its bridge by a hangup loses both bridge variables. */
export function clearBridgeVars(pbx: Pbx, c: SimChannel): void {
  setBridgeVar(pbx, c, 'BRIDGEPEER', undefined);
  setBridgeVar(pbx, c, 'BRIDGEPVTCALLID', undefined);
}

/** What a member's connected line becomes: the other party of a two-party bridge, or nothing once left alone. */
function connectedTarget(pbx: Pbx, b: SimBridge, c: SimChannel, afterLeave: boolean): CallerId | undefined {
  if (b.type !== 'mixing' || c.bridgeId !== b.id) return undefined;
  const members = realMembers(pbx, b);
  if (members.length === 2) return members.find((o) => o !== c)?.caller;
  if (members.length === 1 && afterLeave) return { name: '', number: '' };
  return undefined;
}

function setConnected(pbx: Pbx, c: SimChannel, to: CallerId | undefined): void {
  if (!to || (c.connected.name === to.name && c.connected.number === to.number)) return;
  c.connected = { ...to };
  pbx.emitChannel(c, 'ChannelConnectedLine');
}

/** Two parties in a mixing bridge see each other as connected line; a party left alone loses it. */
export function updateConnected(pbx: Pbx, b: SimBridge, afterLeave: boolean): void {
  if (b.type !== 'mixing') return;
  const members = realMembers(pbx, b);
  for (const c of [...members].reverse()) setConnected(pbx, c, connectedTarget(pbx, b, c, afterLeave));
}

/**
 * How long the bridge takes to deliver a connected-line update to the parties that remain after a hangup. A party
 * hung up in the meantime never gets it (its timers die with it). Asterisk took about 1.2 ms on loopback and dropped
 * the update when the app hung the remaining party up 0.1 ms after StasisEnd; the value leaves room for an app
 * reacting to StasisEnd over HTTP (5-8 ms here) while staying well under a deliberate follow-up request.
 */
export const CONNECTED_LINE_DELAY_MS = 12;

export function deferConnectedUpdate(pbx: Pbx, b: SimBridge): void {
  if (b.type !== 'mixing') return;
  for (const c of realMembers(pbx, b)) {
    pbx.after(c, CONNECTED_LINE_DELAY_MS, () => {
      if (pbx.bridges.get(b.id) === b) setConnected(pbx, c, connectedTarget(pbx, b, c, true));
    });
  }
}
