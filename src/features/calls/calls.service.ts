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
import { createCallQueue } from './call-queue.ts';
import type { CallsRepo } from './calls.repo.ts';
import { createCallEffects } from './calls.effects.ts';
import type { CallRouting, CallsSettings, LineSettings, LiveCall, MissedCall, RatingHandoff } from './calls.types.ts';
import { createCallRecovery } from './calls.recovery.ts';
import type { RecoveryCounts } from './calls.recovery.ts';
import type { AriSnapshot } from '../../pbx/ari/client.types.ts';
import { createWaitingRoom } from './calls.waiting.ts';
import type { AcdConfig } from '../../domain/acd/queues.ts';

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
  /** Added to a caller's priority, e.g. for a caller whose ticket is overdue (the tickets feature's hook). */
  priorityFor?: (callerNumber: string) => number;
  /** A call ended without reaching an agent: the callbacks feature may add it to the callback list. */
  onMissed?: (missed: MissedCall) => void;
  /**
   * 一次一评: the agent hung up first on a line with rateAfterCall. The caller's channel (in Stasis, in no
   * bridge, no longer followed by the calls service) is offered for the after-call rating; false or a
   * throw means it is not taken, and the caller is hung up.
   */
  rateAfterCall?: (handoff: RatingHandoff) => boolean;
}

/** Every line to one queue taking any agent with the general skill: the set-up before desks were configured. */
export function singleQueue(lines: readonly string[]): AcdConfig {
  return {
    queues: [{ id: 'main', target: { skills: ['general'], minLevel: 1 } }],
    lines: lines.map((line) => ({ line, queueId: 'main' })),
  };
}

export type CallsService = ReturnType<typeof createCallsService>;

export function createCallsService(deps: CallsServiceDeps) {
  const { clock, agents, settings } = deps;
  const log = deps.log.child({ component: 'calls' });
  const calls = new Map<string, LiveCall>();
  const byChannel = new Map<string, string>();
  /** Greeting and message playbacks, to the call they were started for. */
  const byPlayback = new Map<string, string>();
  let dispatching = false;
  let again = false;
  /** Routing waits while a restart's calls are being taken up, so the queue is whole before anyone is rung. */
  let routingHeld = 0;
  /** Callers handed to the after-call rating: not ours any more, and not to be taken for new calls either. */
  const handedOff = new Set<string>();
  /** The lines and desks in force: replaced by applyRouting when a new version takes effect. */
  let routing: CallRouting = {
    lines: settings.lines, acd: settings.acd ?? singleQueue(settings.lines.map((l) => l.number)), announcements: settings.announcements ?? {},
  };
  let engineLines = new Set(routing.acd.lines.map((l) => l.line));
  const queue = createCallQueue({
    config: routing.acd, clock, skillsOf: agents.skillsOf, deskOf: agents.deskOf, statuses: agents.statuses, onWake: wake, log,
    initialAhtSeconds: 180,
  });
  const acd = queue.acd;

  const effects = createCallEffects({
    ...deps,
    handle,
    requeue,
    bindChannel(channelId, callId) { byChannel.set(channelId, callId); },
    unbindChannel(channelId) { byChannel.delete(channelId); handedOff.add(channelId); },
    bindPlayback(playbackId, callId) { byPlayback.set(playbackId, callId); },
  });
  const waitingRoom = createWaitingRoom({
    ari: deps.ari, clock, queue, policies: () => routing.announcements,
    overflowMessage: settings.overflowMessage ?? 'sound:hotline/callback-later', messageGuardMs: settings.greetingGuardMs,
    hangUp: effects.hangUp, destroyBridge: effects.destroyBridge,
    bindPlayback(playbackId, callId) { byPlayback.set(playbackId, callId); },
  });

  function lineFor(number: string): LineSettings {
    return routing.lines.find((l) => l.number === number)
      ?? { number, name: number, greeting: routing.lines[0]?.greeting ?? '', wrapUpMs: settings.defaultWrapUpMs };
  }

  /** The call is queued (first time) or back from an agent who did not take it (to the head of its queue). */
  function requeue(live: LiveCall, atHead: boolean): void {
    if (live.call.state !== 'queued' || live.overflowed) return;
    const id = live.call.id;
    if (acd.call(id) !== undefined) {
      if (atHead) acd.callReturnedToHead(id);
    } else {
      const line = engineLines.has(live.call.line) ? live.call.line : routing.acd.lines[0]!.line;
      let boost = 0;
      try { boost = deps.priorityFor?.(live.call.callerNumber) ?? 0; } catch (error) {
        live.log.warn({ err: error }, 'caller priority unavailable');
      }
      const resume = live.queueId !== undefined && live.queueJoinedAt !== undefined ? { queueId: live.queueId, joinedAt: live.queueJoinedAt } : undefined;
      const now = clock.now();
      const arrival = acd.callArrived({ id, line, priorityBoost: boost, arrivedAt: live.call.arrivedAt, ...(resume ? { resume } : {}) }, now);
      if (!arrival.accepted) {
        live.log.info({ reason: arrival.reason }, 'queue full');
        void waitingRoom.sendToCallback(live, arrival.reason);
        return;
      }
      if (atHead) acd.callReturnedToHead(id);
      const joinedAt = acd.call(id)?.queuedAt ?? now;
      live.queueId = arrival.queueId;
      live.queueJoinedAt = joinedAt;
      deps.repo.setQueue(id, arrival.queueId, joinedAt);
      if (arrival.overflowedFrom) live.log.info({ from: arrival.overflowedFrom, to: arrival.queueId }, 'call overflowed to another queue');
      waitingRoom.announceLater(live);
    }
    dispatch();
  }

  /** The engine's timer: targets widened, maximum waits ran out. */
  function wake(): void {
    for (const expired of acd.expiredWaits(clock.now())) {
      const live = calls.get(expired.callId);
      if (!live) continue;
      if (expired.destination.kind === 'queue') {
        live.queueId = expired.destination.queueId;
        live.queueJoinedAt = acd.call(live.call.id)?.queuedAt ?? clock.now();
        deps.repo.setQueue(live.call.id, expired.destination.queueId, live.queueJoinedAt);
        live.log.info({ from: expired.fromQueueId, to: live.queueId }, 'wait ran out, call moved to another queue');
      } else {
        live.lane.run(() => waitingRoom.sendToCallback(live, 'max_wait'));
      }
    }
    dispatch();
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
    if (before.state === 'offering' && t.call.state === 'connected') {
      acd.callAnswered(t.call.id);
      waitingRoom.stopAnnouncing(live);
    }
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
    waitingRoom.close(live);
    if (acd.callLeft(live.call.id)) dispatch();
    if (live.recording) await effects.stopRecording(live);
    await effects.destroyBridges(live);
    if (live.legs.size > 0) await effects.hangUpLegs(live);
    calls.delete(live.call.id);
    if (live.call.channelId) byChannel.delete(live.call.channelId);
    else for (const [channelId, callId] of byChannel) if (callId === live.call.id) byChannel.delete(channelId);
    for (const channelId of live.legs.keys()) byChannel.delete(channelId);
    if (live.greetingPlaybackId) byPlayback.delete(live.greetingPlaybackId);
    if (live.messagePlaybackId) byPlayback.delete(live.messagePlaybackId);
    if (live.overflowed) deps.repo.markOverflow(live.call.id);
    noteEnd(live);
    live.log.info({ reason: live.call.endReason, offers: live.call.offers }, 'call ended');
  }

  function noteEnd(live: LiveCall): void {
    const c = live.call;
    const endedAt = c.endedAt ?? clock.now();
    if (c.answeredAt !== null) {
      queue.handled((endedAt - c.answeredAt + live.line.wrapUpMs) / 1000);
      return;
    }
    const reason = live.overflowed ? 'overflow' : c.endReason === 'pbx_lost' ? 'missed' : 'abandoned';
    try {
      deps.onMissed?.({
        callId: c.id, callerNumber: c.callerNumber, line: c.line, queueId: live.queueId ?? null, reason,
        arrivedAt: c.arrivedAt, endedAt, waitedMs: Math.max(0, endedAt - c.arrivedAt),
      });
    } catch (error) {
      live.log.error({ err: error }, 'missed call not added to the callback list');
    }
  }

  /** Offers waiting calls to free agents as the engine decides. Synchronous: each offer is claimed before any await. */
  function dispatch(): void {
    if (routingHeld > 0) return;
    if (dispatching) { again = true; return; }
    dispatching = true;
    try {
      do {
        again = false;
        for (const a of acd.nextAssignments(clock.now())) {
          const live = calls.get(a.callId);
          if (!live || live.finished || live.call.state !== 'queued') {
            acd.callLeft(a.callId);
            again = true;
            continue;
          }
          offer(live, a.agentId);
        }
      } while (again);
    } finally {
      dispatching = false;
    }
    queue.settle();
  }

  function offer(live: LiveCall, agentId: string): void {
    const agentChannelId = newId('agent');
    const t = transitionCall(live.call, { kind: 'agent_offered', agentId, agentChannelId }, clock.now(), { ringTimeoutMs: settings.ringTimeoutMs });
    const a = t.ok ? agents.apply(agentId, { kind: 'offer', callId: live.call.id }) : undefined;
    if (!t.ok || !a?.ok) {
      acd.callReturnedToHead(live.call.id);
      const status = agents.statusOf(agentId);
      if (status) queue.seatChanged(status);
      again = true;
      return;
    }
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
    const callId = byPlayback.get(playbackId);
    const live = callId === undefined ? undefined : calls.get(callId);
    byPlayback.delete(playbackId);
    if (!live) return;
    if (waitingRoom.playbackFinished(live, playbackId)) return;
    if (live.greetingPlaybackId !== playbackId) return;
    live.greetingPlaybackId = null;
    live.lane.run(() => handle(live, { kind: 'greeting_done' }));
  }

  /** An agent's offer ended from the agent's side (logout, pause, phone gone) while the seat rang. */
  function offerCancelled(agentId: string, callId: string): void {
    onLane(callId, (live) => {
      const legId = live.call.agentChannelId;
      if (live.call.state !== 'offering' || live.call.agentId !== agentId || !legId) return;
      return handle(live, { kind: 'agent_failed', agentChannelId: legId, reason: 'unreachable' });
    }, true);
  }

  /**
   * The agent leaves a connected call that goes on without them (三方通话: the citizen and the unit's
   * contact stay connected). In the call's lane: the agent leg no longer counts as the call's (hanging it
   * up does not end the call), the agent wraps up and agent.call_ended is published; the call ends when
   * the caller hangs up or is hung up. False when the call is not connected on that agent leg.
   */
  function releaseAgent(callId: string, agentChannelId: string): Promise<boolean> {
    const live = calls.get(callId);
    if (!live || live.finished) return Promise.resolve(false);
    return new Promise((resolve) => {
      live.lane.run(async () => {
        try {
          if (live.finished || live.call.state !== 'connected' || live.call.agentChannelId !== agentChannelId) return;
          const before = live.call;
          await handle(live, { kind: 'agent_released', agentChannelId });
          resolve(live.call !== before && live.call.agentId === null);
        } finally {
          resolve(false);
        }
      });
    });
  }

  const recovery = createCallRecovery({
    app: settings.app, repo: deps.repo, agents, clock, log, ringTimeoutMs: settings.ringTimeoutMs, lineFor,
    track(live, channelIds) {
      calls.set(live.call.id, live);
      for (const channelId of channelIds) byChannel.set(channelId, live.call.id);
    },
    byId: (callId) => calls.get(callId),
    handle, requeue, run: effects.run, startHold: effects.startHold,
  });

  /** After the service restarted: the calls left open are taken up again (routing is held meanwhile). */
  async function recoverAfterRestart(snapshot: AriSnapshot): Promise<RecoveryCounts> {
    const release = holdRouting();
    try { return await recovery.recover(snapshot); } finally { release(); }
  }

  /**
   * Holds routing (a reconcile works from a snapshot: a seat rung meanwhile would look gone to it);
   * the returned function lets it go and routes whoever waits.
   */
  function holdRouting(): () => void {
    routingHeld++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      routingHeld--;
      dispatch();
    };
  }

  /**
   * A new version of the lines and desks, in force from now. Callers already waiting keep their queue, place,
   * time and maximum wait; a call in progress keeps the line settings it arrived with (greeting, wrap-up);
   * new callers and every routing decision from now on (targets, widening, limits, announcements) use it.
   */
  function applyRouting(next: CallRouting): void {
    queue.reconfigure(next.acd);
    // A removed desk still serving its callers keeps announcing to them as it did.
    const held = new Set(acd.queueIds());
    const kept = Object.entries(routing.announcements).filter(([id]) => held.has(id) && !(id in next.announcements));
    routing = { ...next, announcements: { ...Object.fromEntries(kept), ...next.announcements } };
    engineLines = new Set(next.acd.lines.map((l) => l.line));
    dispatch();
  }

  /** Asterisk restarted under the call: every channel of it is gone. */
  function pbxLost(callId: string): void {
    onLane(callId, (live) => handle(live, { kind: 'pbx_lost' }), true);
  }

  return {
    arrive,
    channelGone,
    pbxLost,
    releaseAgent,
    recoverAfterRestart,
    holdRouting,
    applyRouting,
    /** The caller was handed to the after-call rating: a reconcile must not take it for a new call. */
    handedOff: (channelId: string): boolean => handedOff.has(channelId),
    /** Forgets handed-over callers whose channels are gone (all but those alive, or just the one named). */
    forgetHandedOff(gone: string | { alive: ReadonlySet<string> }): void {
      if (typeof gone === 'string') { handedOff.delete(gone); return; }
      for (const id of handedOff) if (!gone.alive.has(id)) handedOff.delete(id);
    },
    agentAnswered,
    greetingFinished,
    offerCancelled,
    dispatch,
    /** The queue engine, kept in step with the agents' states. */
    queue,
    owns: (channelId: string): boolean => byChannel.has(channelId),
    live: (): LiveCall[] => [...calls.values()],
    /** Callers waiting (not ringing a seat), queue by queue in the order they will be served. */
    waiting: (): string[] => acd.queueIds().flatMap((id) => acd.waitingOrder(id)),
    byId: (callId: string): LiveCall | undefined => calls.get(callId),
    /** Runs a step for a call in its lane (used by reconcile). */
    inLane: onLane,
    hangUp: effects.hangUp,
    destroyBridge: effects.destroyBridge,
    async drained(): Promise<void> { await Promise.all([...calls.values()].map((c) => c.lane.drained())); },
    close(): void {
      queue.close();
      for (const live of calls.values()) { clock.clearTimeout(live.greetingTimer); clock.clearTimeout(live.offerTimer); waitingRoom.close(live); }
    },
  };
}
