import type { LiveCall } from '../calls/calls.types.ts';

/** What monitoring and three-way calls need to know about a call that is going on. */
export interface LiveCallView {
  callId: string;
  state: string;
  line: string;
  callerNumber: string;
  callerChannelId: string | null;
  agentId: string | null;
  agentChannelId: string | null;
  /** The call's mixing bridge (caller, agent, bridge recording). */
  bridgeId: string | null;
}

export interface LiveCallLookup {
  find(callId: string): LiveCallView | undefined;
}

/** Reads the calls service's live calls (its public `byId`). */
export function liveCallLookup(calls: { byId(callId: string): LiveCall | undefined }): LiveCallLookup {
  return {
    find(callId) {
      const live = calls.byId(callId);
      if (!live || live.finished) return undefined;
      const c = live.call;
      return {
        callId: c.id, state: c.state, line: c.line, callerNumber: c.callerNumber,
        callerChannelId: c.channelId, agentId: c.agentId, agentChannelId: c.agentChannelId, bridgeId: live.mixingBridgeId,
      };
    },
  };
}
