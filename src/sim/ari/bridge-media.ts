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

/** BRIDGEPEER / BRIDGEPVTCALLID on every member of a mixing bridge, newest member first. */
export function bridgePeerVars(pbx: Pbx, b: SimBridge): void {
  if (b.type !== 'mixing') return;
  const members = realMembers(pbx, b);
  if (members.length + (b.recorder ? 1 : 0) < 2) return;
  for (const c of [...members].reverse()) {
    const others = members.filter((o) => o !== c);
    const names = [...(b.recorder ? [b.recorder.name] : []), ...others.map((o) => o.name)];
    if (names.length === 0) continue;
    pbx.emitVarset(c, 'BRIDGEPEER', names.join(','));
    c.vars.set('BRIDGEPEER', names.join(','));
    const pvt = !b.recorder && others.length === 1 ? others[0]!.protocolId : '';
    pbx.emitVarset(c, 'BRIDGEPVTCALLID', pvt);
    c.vars.set('BRIDGEPVTCALLID', pvt);
  }
}

function setConnected(pbx: Pbx, c: SimChannel, to: CallerId): void {
  if (c.connected.name === to.name && c.connected.number === to.number) return;
  c.connected = { ...to };
  pbx.emitChannel(c, 'ChannelConnectedLine');
}

/** Two parties in a mixing bridge see each other as connected line; a party left alone loses it. */
export function updateConnected(pbx: Pbx, b: SimBridge, afterLeave: boolean): void {
  if (b.type !== 'mixing') return;
  const members = realMembers(pbx, b);
  if (members.length === 2) {
    const [first, second] = members as [SimChannel, SimChannel];
    setConnected(pbx, second, first.caller);
    setConnected(pbx, first, second.caller);
  } else if (members.length === 1 && afterLeave) {
    setConnected(pbx, members[0]!, { name: '', number: '' });
  }
}
