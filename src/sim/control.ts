/** SimControl: the SIP world around the simulated Asterisk (trunk callers, agent phones, citizens). */
import type { Pbx } from './ari/state.ts';
import type { DialplanLine } from './ari/dialing.ts';
import { placeInboundCall } from './ari/dialing.ts';
import { pressKey, remoteBye } from './ari/channels.ts';
import type { PhoneBehaviour, SimBridgeView, SimChannelView, SimControl, SimFaults } from './types.ts';
import type { AmiLink } from './ami-link.ts';

export interface ControlParts {
  pbx: Pbx;
  dialplan: DialplanLine[];
  faults: SimFaults;
  ami: () => AmiLink | undefined;
}

export function createControl(parts: ControlParts): SimControl {
  const { pbx } = parts;
  return {
    registerPhone(resource: string, behaviour?: PhoneBehaviour) {
      const e = pbx.endpoints.get(resource);
      const was = e?.registered ?? false;
      const known = !!e;
      pbx.endpoints.set(resource, {
        resource, context: e?.context ?? 'agents', registered: true, staticContact: e?.staticContact ?? false,
        behaviour: behaviour ?? e?.behaviour ?? { mode: 'answer' },
      });
      if (!known) parts.ami()?.endpointsChanged();
      if (!was) parts.ami()?.registered(resource);
    },
    unregisterPhone(resource: string) {
      const e = pbx.endpoints.get(resource);
      if (!e || !e.registered || e.staticContact) return;
      e.registered = false;
      parts.ami()?.unregistered(resource);
    },
    setPhoneBehaviour(resource: string, behaviour: PhoneBehaviour) {
      const e = pbx.endpoints.get(resource);
      if (e) e.behaviour = behaviour;
      else {
        pbx.endpoints.set(resource, { resource, context: 'agents', registered: false, staticContact: false, behaviour });
        parts.ami()?.endpointsChanged();
      }
    },
    setCitizen(number: string, behaviour: PhoneBehaviour) { pbx.citizens.set(number, behaviour); },
    placeCall: (call) => placeInboundCall(pbx, parts.dialplan, call),
    remoteHangup(channelId: string) {
      const c = pbx.channels.get(channelId);
      if (c && !c.gone && c.origin !== 'snoop') remoteBye(pbx, c);
    },
    pressKey(channelId: string, digit: string, durationMs?: number) {
      const c = pbx.channels.get(channelId);
      if (c && !c.gone) pressKey(pbx, c, digit, durationMs);
    },
    channels: (): SimChannelView[] => pbx.liveChannels().map((c) => ({
      id: c.id, name: c.name, state: c.state, inStasis: c.inStasis, app: c.app, bridgeId: c.bridgeId,
    })),
    bridges: (): SimBridgeView[] => [...pbx.bridges.values()].map((b) => ({ id: b.id, bridge_type: b.type, channels: [...b.members] })),
    faults: parts.faults,
  };
}
