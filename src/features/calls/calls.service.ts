import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus, TicketSummary } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import { newInboundCall, transitionCall } from '../../domain/call-state.ts';
import type { AgentFailure, CallEvent, InboundCall } from '../../domain/call-state.ts';
import { maskPhone } from '../../domain/phone.ts';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import type { Channel } from '../../pbx/ari/models.ts';
import { newId } from '../../pbx/ari/ids.ts';
import type { AgentsService } from '../agents/agents.service.ts';
import { createCallLane } from './call-lane.ts';
import type { CallsRepo } from './calls.repo.ts';
import { createCallEffects } from './calls.effects.ts';
import type { CallsSettings, LineSettings, LiveCall } from './calls.types.ts';

export interface RecordingsCollector {
  /** The bridge recording of a call has been asked to stop: fetch it when Asterisk has finished writing it. */
  collect(r: { callId: string; agentId: string | null; name: string; startedAt: number }): void;
}

export interface CallsServiceDeps {
  ari: AriClient;
  repo: CallsRepo;
  agents: AgentsService;
  clock: Clock;
  bus: Bus;
  log: Logger;
  settings: CallsSettings;
  recordings: RecordingsCollector;
  /** This caller's tickets of the last days, newest first, for the screen pop. */
  history?: (callerNumber: string, now: number, days: number) => TicketSummary[];
}

export type CallsService = ReturnType<typeof createCallsService>;

export function createCallsService(deps: CallsServiceDeps) {
  const { clock, agents, settings } = deps;
  const log = deps.log.child({ component: 'calls' });
  const calls = new Map<string, LiveCall>();
  const byChannel = new Map<string, string>();
  const waiting: string[] = [];
  let dispatching = false;
  let again = false;

  const effects = createCallEffects({
    ...deps,
    handle,
    requeue(live, atHead) {
      if (live.call.state !== 'queued') return;
      const i = waiting.indexOf(live.call.id);
      if (i >= 0) waiting.splice(i, 1);
      if (atHead) waiting.unshift(live.call.id); else waiting.push(live.call.id);
      dispatch();
    },
    bindChannel(channelId, callId) { byChannel.set(channelId, callId); },
  });

  function lineFor(number: string): LineSettings {
    return settings.lines.find((l) => l.number === number)
      ?? { number, name: number, greeting: settings.lines[0]?.greeting ?? '', wrapUpMs: settings.defaultWrapUpMs };
  }

  /** Feeds one event to the call's machine and carries out what it asks for. Runs inside the call's lane. */
  async function handle(live: LiveCall, event: CallEvent): Promise<void> {
    const before = live.call;
    const t = transitionCall(before, event, clock.now(), { ringTimeoutMs: settings.ringTimeoutMs });
    if (!t.ok) {
      live.log.debug({ event: event.kind, refused: t.refused }, 'call event refused');
      return;
    }
    live.call = t.call;
    noteLegOutcome(before, event);
    if (before.state !== t.call.state) {
      live.log.info({ from: before.state, to: t.call.state, event: event.kind }, 'call state changed');
      deps.bus.publish('call.changed', { callId: t.call.id, state: t.call.state, line: t.call.line, at: clock.now() });
    }
    deps.repo.saveCall(t.call);
    await effects.run(live, t.effects, before.state);
    if (live.call.state === 'ended') await finish(live);
  }

  function noteLegOutcome(before: InboundCall, event: CallEvent): void {
    if (before.state !== 'offering' || !before.agentChannelId) return;
    const outcome = event.kind === 'agent_failed' ? event.reason
      : event.kind === 'agent_hangup' ? 'busy'
      : event.kind === 'caller_hangup' || event.kind === 'pbx_lost' ? 'withdrawn'
      : undefined;
    if (outcome) deps.repo.saveLeg(before.agentChannelId, { outcome });
  }

  async function finish(live: LiveCall): Promise<void> {
    if (live.finished) return;
    live.finished = true;
    clock.clearTimeout(live.greetingTimer);
    clock.clearTimeout(live.offerTimer);
    const i = waiting.indexOf(live.call.id);
    if (i >= 0) waiting.splice(i, 1);
    if (live.recording) await effects.stopRecording(live);
    await effects.destroyBridges(live);
    if (live.legs.size > 0) await effects.hangUpLegs(live);
    calls.delete(live.call.id);
    for (const [channelId, callId] of byChannel) if (callId === live.call.id) byChannel.delete(channelId);
    deps.repo.saveCall(live.call);
    live.log.info({ reason: live.call.endReason, offers: live.call.offers }, 'call ended');
  }

  /** Offers waiting calls, oldest first, to free agents. Synchronous: the offer is claimed before any await. */
  function dispatch(): void {
    if (dispatching) { again = true; return; }
    dispatching = true;
    try {
      do {
        again = false;
        while (waiting.length > 0) {
          const agentId = agents.pick();
          if (agentId === undefined) break;
          const callId = waiting.shift()!;
          const live = calls.get(callId);
          if (!live || live.call.state !== 'queued') continue;
          offer(live, agentId);
        }
      } while (again);
    } finally {
      dispatching = false;
    }
  }

  function offer(live: LiveCall, agentId: string): void {
    const agentChannelId = newId('agent');
    const t = transitionCall(live.call, { kind: 'agent_offered', agentId, agentChannelId }, clock.now(), { ringTimeoutMs: settings.ringTimeoutMs });
    if (!t.ok) return;
    const a = agents.apply(agentId, { kind: 'offer', callId: live.call.id });
    if (!a.ok) { waiting.unshift(live.call.id); return; }
    live.call = t.call;
    live.log.info({ agentId, agentChannelId, offer: t.call.offers }, 'call offered to agent');
    deps.bus.publish('call.changed', { callId: t.call.id, state: t.call.state, line: t.call.line, at: clock.now() });
    deps.repo.saveCall(t.call);
    live.lane.run(() => effects.run(live, t.effects, 'queued'));
  }

  function arrive(channel: Channel, lineNumber: string): void {
    if (byChannel.has(channel.id)) return;
    const id = randomUUID();
    const now = clock.now();
    const line = lineFor(lineNumber);
    const callerNumber = channel.caller?.number ?? '';
    const callLog = log.child({ callId: id, line: line.number, caller: maskPhone(callerNumber) });
    const live: LiveCall = {
      call: newInboundCall({ id, line: line.number, callerNumber, now }),
      callerName: channel.caller?.name ?? '',
      line,
      log: callLog,
      lane: createCallLane((error) => callLog.error({ err: error }, 'call step failed')),
      holdingBridgeId: null,
      mixingBridgeId: null,
      greetingPlaybackId: null,
      greetingTimer: undefined,
      offerTimer: undefined,
      legs: new Map(),
      recording: null,
      finished: false,
    };
    calls.set(id, live);
    byChannel.set(channel.id, id);
    deps.repo.insertCall(live.call, live.callerName);
    callLog.info({ channelId: channel.id }, 'call arrived');
    live.lane.run(() => handle(live, { kind: 'stasis_start', channelId: channel.id }));
  }

  function onLane(channelOrCallId: string, task: (live: LiveCall) => Promise<void> | void, byCall = false): void {
    const callId = byCall ? channelOrCallId : byChannel.get(channelOrCallId);
    const live = callId ? calls.get(callId) : undefined;
    if (!live) return;
    live.lane.run(() => (live.finished ? undefined : task(live)));
  }

  /** Any sign that a channel is going away: ChannelHangupRequest, StasisEnd, ChannelDestroyed, a final Dial status. */
  function channelGone(channelId: string, failure?: AgentFailure, pbxShutdown = false): void {
    onLane(channelId, async (live) => {
      const c = live.call;
      if (pbxShutdown && (channelId === c.channelId || channelId === c.agentChannelId)) return handle(live, { kind: 'pbx_lost' });
      if (channelId === c.channelId) return handle(live, { kind: 'caller_hangup' });
      const leg = live.legs.get(channelId);
      if (leg && !leg.gone) {
        leg.gone = true;
        deps.repo.saveLeg(channelId, { endedAt: clock.now(), ...(failure && leg.answeredAt === null ? { outcome: failure } : {}) });
      }
      if (channelId !== c.agentChannelId) return;
      if (c.state === 'offering') return handle(live, { kind: 'agent_failed', agentChannelId: channelId, reason: failure ?? 'busy' });
      return handle(live, { kind: 'agent_hangup', agentChannelId: channelId });
    });
  }

  /** The agent's leg entered Stasis: the agent answered. */
  function agentAnswered(channelId: string, callId: string): void {
    const live = calls.get(callId);
    if (!live) {
      log.info({ channelId, callId }, 'agent answered a call that is over');
      void effects.hangUp(channelId);
      return;
    }
    live.lane.run(async () => {
      if (live.call.state !== 'offering' || live.call.agentChannelId !== channelId) {
        live.log.info({ channelId }, 'agent answered a withdrawn offer');
        await effects.hangUp(channelId);
        return;
      }
      await handle(live, { kind: 'agent_answered', agentChannelId: channelId });
    });
  }

  function greetingFinished(playbackId: string): void {
    for (const live of calls.values()) {
      if (live.greetingPlaybackId === playbackId) {
        live.lane.run(() => handle(live, { kind: 'greeting_done' }));
        return;
      }
    }
  }

  /** An agent's offer ended from the agent's side (logout, pause, phone gone) while the seat rang. */
  function offerCancelled(agentId: string, callId: string): void {
    onLane(callId, (live) => {
      const legId = live.call.agentChannelId;
      if (live.call.state !== 'offering' || live.call.agentId !== agentId || !legId) return;
      return handle(live, { kind: 'agent_failed', agentChannelId: legId, reason: 'unreachable' });
    }, true);
  }

  /** Asterisk restarted under the call: every channel of it is gone. */
  function pbxLost(callId: string): void {
    onLane(callId, (live) => handle(live, { kind: 'pbx_lost' }), true);
  }

  return {
    arrive,
    channelGone,
    pbxLost,
    agentAnswered,
    greetingFinished,
    offerCancelled,
    dispatch,
    owns: (channelId: string): boolean => byChannel.has(channelId),
    live: (): LiveCall[] => [...calls.values()],
    waiting: (): string[] => [...waiting],
    byId: (callId: string): LiveCall | undefined => calls.get(callId),
    /** Runs a step for a call in its lane (used by reconcile). */
    inLane: onLane,
    hangUp: effects.hangUp,
    destroyBridge: effects.destroyBridge,
    async drained(): Promise<void> { await Promise.all([...calls.values()].map((c) => c.lane.drained())); },
    close(): void {
      for (const live of calls.values()) { clock.clearTimeout(live.greetingTimer); clock.clearTimeout(live.offerTimer); }
    },
  };
}
