import type { Bus } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import type { AgentEvent } from '../../domain/agent-state.ts';
import type { LiveCall } from '../calls/calls.types.ts';

/**
 * The agent leaves a connected call that goes on without them (三方通话: citizen and unit stay connected).
 * After `release` the agent's leg no longer counts as the call's agent leg, so hanging it up does not end the
 * call; the agent goes to wrap-up; the call ends when the caller hangs up (or is hung up).
 */
export interface CallHandover {
  release(callId: string, agentChannelId: string): Promise<boolean>;
}

/**
 * CallHandover over the calls service's public surface (byId and the call's lane), until the calls
 * service offers `releaseAgent(callId, agentChannelId)` itself: in the call's lane it detaches the agent
 * leg from the call and ends the agent's part of it.
 */
export function handoverThroughCalls(deps: {
  calls: { byId(callId: string): LiveCall | undefined };
  agents: { apply(agentId: string, event: AgentEvent, opts?: { wrapUpMs?: number }): unknown };
  bus: Bus;
  clock: Clock;
}): CallHandover {
  return {
    release(callId, agentChannelId) {
      const live = deps.calls.byId(callId);
      if (!live || live.finished) return Promise.resolve(false);
      return new Promise((resolve) => {
        live.lane.run(() => {
          const c = live.call;
          if (live.finished || c.state !== 'connected' || c.agentChannelId !== agentChannelId || !c.agentId) { resolve(false); return; }
          const agentId = c.agentId;
          live.call = { ...c, agentId: null, agentChannelId: null };
          const leg = live.legs.get(agentChannelId);
          if (leg) leg.gone = true;
          deps.agents.apply(agentId, { kind: 'call_ended', callId }, { wrapUpMs: live.line.wrapUpMs });
          deps.bus.publish('agent.call_ended', { agentId, callId, endedAt: deps.clock.now() });
          live.log.info({ agentId }, 'agent left the three-way call');
          resolve(true);
        });
      });
    },
  };
}
