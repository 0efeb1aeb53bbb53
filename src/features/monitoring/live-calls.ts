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

/** The lookup, plus the one change another feature may ask of a live call: the agent leaves it (三方通话). */
export interface LiveCallControl extends LiveCallLookup {
  /** The agent leaves the connected call on that leg; the call goes on without them. False when it cannot. */
  releaseAgent(callId: string, agentChannelId: string): Promise<boolean>;
}

/** Reads the calls service's live calls (its public `byId`) and passes `releaseAgent` on to it. */
export function liveCallLookup(calls: {
  byId(callId: string): LiveCall | undefined;
  releaseAgent(callId: string, agentChannelId: string): Promise<boolean>;
}): LiveCallControl {
  return {
    releaseAgent: (callId, agentChannelId) => calls.releaseAgent(callId, agentChannelId),
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
