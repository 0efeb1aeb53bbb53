import type { Logger } from 'pino';
import type { Bus, ScreenPop, TicketSummary } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import type { CallEffect, CallEvent, CallState } from '../../domain/call-state.ts';
import { AriError } from '../../pbx/ari/client.types.ts';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import { newId } from '../../pbx/ari/ids.ts';
import type { AgentsService } from '../agents/agents.service.ts';
import type { CallsRepo } from './calls.repo.ts';
import type { CallsSettings, LiveCall, RatingHandoff } from './calls.types.ts';
import type { RecordingsCollector } from './calls.service.ts';

export interface CallEffectsDeps {
  ari: AriClient;
  repo: CallsRepo;
  agents: AgentsService;
  clock: Clock;
  bus: Bus;
  log: Logger;
  settings: CallsSettings;
  recordings: RecordingsCollector;
  history?: (callerNumber: string, now: number, days: number) => TicketSummary[];
  handle(live: LiveCall, event: CallEvent): Promise<void>;
  requeue(live: LiveCall, atHead: boolean): void;
  bindChannel(channelId: string, callId: string): void;
  /** The calls service stops following the channel (its later events are someone else's business). */
  unbindChannel(channelId: string): void;
  bindPlayback(playbackId: string, callId: string): void;
  /** Takes the caller for the after-call rating; false (or a throw) means the caller is hung up. */
  rateAfterCall?: (handoff: RatingHandoff) => boolean;
}

function over(live: LiveCall): boolean {
  return live.call.state === 'ended';
}

function isGone(error: unknown): boolean {
  return error instanceof AriError && error.status === 404;
}

/** Carries out what the call machine asks for, against ARI. Every step tolerates the call having moved on. */
export function createCallEffects(deps: CallEffectsDeps) {
  const { ari, clock, settings, repo, agents } = deps;

  async function hangUp(channelId: string): Promise<void> {
    try { await ari.channels.hangup(channelId, 'normal'); } catch (error) {
      if (!isGone(error)) deps.log.warn({ err: error, channelId }, 'channel hangup failed');
    }
  }

  async function destroyBridge(bridgeId: string): Promise<void> {
    try { await ari.bridges.destroy(bridgeId); } catch (error) {
      if (!isGone(error)) deps.log.warn({ err: error, bridgeId }, 'bridge destroy failed');
    }
  }

  async function destroyBridges(live: LiveCall): Promise<void> {
    const ids = [live.mixingBridgeId, live.holdingBridgeId].filter((b): b is string => b !== null);
    live.mixingBridgeId = null;
    live.holdingBridgeId = null;
    for (const id of ids) await destroyBridge(id);
  }

  async function hangUpLegs(live: LiveCall): Promise<void> {
    for (const [channelId, leg] of live.legs) {
      if (leg.gone) continue;
      leg.gone = true;
      await hangUp(channelId);
      repo.saveLeg(channelId, { endedAt: clock.now() });
    }
  }

  /** Runs effects in order; stops as soon as the call has moved past the transition they came from. */
  async function run(live: LiveCall, effects: CallEffect[], from: CallState): Promise<void> {
    const expect = live.call;
    for (const effect of effects) {
      if (live.call !== expect) return;
      try {
        await one(live, effect, from);
      } catch (error) {
        live.log.error({ err: error, effect: effect.kind }, 'call effect failed');
      }
    }
  }

  function greetingDone(live: LiveCall): void {
    live.lane.run(() => deps.handle(live, { kind: 'greeting_done' }));
  }

  async function one(live: LiveCall, effect: CallEffect, from: CallState): Promise<void> {
    const call = live.call;
    const caller = call.channelId ?? '';
    switch (effect.kind) {
      case 'answer_caller':
        try { await ari.channels.answer(caller); } catch (error) { live.log.warn({ err: error }, 'caller answer failed'); }
        return;
      case 'play_greeting': {
        if (!live.line.greeting) { greetingDone(live); return; }
        const playbackId = newId('playback');
        live.greetingPlaybackId = playbackId;
        deps.bindPlayback(playbackId, live.call.id);
        live.greetingTimer = clock.setTimeout(() => greetingDone(live), settings.greetingGuardMs);
        try {
          await ari.channels.play(caller, { media: live.line.greeting, playbackId });
        } catch (error) {
          live.log.warn({ err: error, media: live.line.greeting }, 'greeting could not be played');
          greetingDone(live);
        }
        return;
      }
      case 'start_hold':
        return startHold(live, caller);
      case 'route_call':
        deps.requeue(live, from === 'offering');
        return;
      case 'ring_agent':
        return ringAgent(live, effect.agentId, effect.agentChannelId);
      case 'start_offer_timer': {
        clock.clearTimeout(live.offerTimer);
        const legId = call.agentChannelId ?? '';
        live.offerTimer = clock.setTimeout(() => {
          live.offerTimer = undefined;
          live.lane.run(() => deps.handle(live, { kind: 'agent_failed', agentChannelId: legId, reason: 'no_answer' }));
        }, effect.ms);
        return;
      }
      case 'stop_offer_timer':
        clock.clearTimeout(live.offerTimer);
        live.offerTimer = undefined;
        return;
      case 'hang_up_agent_leg': {
        const leg = live.legs.get(effect.agentChannelId);
        if (leg && !leg.gone) {
          leg.gone = true;
          await hangUp(effect.agentChannelId);
        }
        repo.saveLeg(effect.agentChannelId, { endedAt: clock.now() });
        return;
      }
      case 'agent_missed': {
        const ev = effect.reason === 'no_answer' ? { kind: 'no_answer' as const, callId: call.id }
          : effect.reason === 'busy' ? { kind: 'busy' as const, callId: call.id }
          : { kind: 'pause' as const, reason: 'unreachable' };
        agents.apply(effect.agentId, ev, { cancelOffer: false });
        live.log.info({ agentId: effect.agentId, reason: effect.reason }, 'agent missed the call');
        return;
      }
      case 'withdraw_offer':
        agents.apply(effect.agentId, { kind: 'offer_withdrawn', callId: call.id }, { cancelOffer: false });
        return;
      case 'connect_agent':
        return connectAgent(live, effect.agentId, effect.agentChannelId);
      case 'start_recording':
        return startRecording(live);
      case 'stop_recording':
        return stopRecording(live);
      case 'hang_up_caller':
        if (call.endReason === 'agent_hangup' && live.line.rateAfterCall && deps.rateAfterCall) return handOffForRating(live, caller);
        return hangUp(caller);
      case 'release_agent_leg':
        repo.markReleased(call.id, clock.now());
        live.log.info({ agentId: call.agentId, agentChannelId: effect.agentChannelId }, 'agent left the call');
        return;
      case 'destroy_bridges':
        return destroyBridges(live);
      case 'agent_call_ended':
        agents.apply(effect.agentId, { kind: 'call_ended', callId: call.id }, { wrapUpMs: live.line.wrapUpMs });
        deps.bus.publish('agent.call_ended', { agentId: effect.agentId, callId: call.id, endedAt: call.endedAt ?? clock.now() });
        return;
      case 'mark_abandoned':
        live.log.info({ waitedMs: clock.now() - call.arrivedAt }, 'caller abandoned');
        return;
    }
  }

  /**
   * 一次一评: the agent hung up first on a line that rates its calls. The call bridge goes first (the
   * caller stays in Stasis, in no bridge), then the caller's channel is no longer the calls service's,
   * and the rating takes it; if the rating does not take it, the caller is hung up as usual.
   */
  async function handOffForRating(live: LiveCall, caller: string): Promise<void> {
    if (!caller) return;
    await destroyBridges(live);
    deps.unbindChannel(caller);
    let taken = false;
    try {
      taken = deps.rateAfterCall?.({ callId: live.call.id, callerChannelId: caller, line: live.call.line, agentId: live.call.agentId }) === true;
    } catch (error) {
      live.log.error({ err: error }, 'after-call rating could not take the caller');
    }
    if (taken) { live.log.info({ channelId: caller }, 'caller handed to the after-call rating'); return; }
    await hangUp(caller);
  }

  async function startHold(live: LiveCall, caller: string): Promise<void> {
    const expect = live.call;
    if (live.greetingPlaybackId) {
      const playbackId = live.greetingPlaybackId;
      clock.clearTimeout(live.greetingTimer);
      ari.playbacks.stop(playbackId).catch(() => {});
    }
    const bridgeId = newId('holding');
    live.holdingBridgeId = bridgeId;
    try {
      await ari.bridges.create({ type: 'holding', bridgeId, name: `hold-${live.call.id}` });
      if (over(live)) return;
      await ari.bridges.addChannel(bridgeId, caller);
      if (over(live) || live.call !== expect) return;
      await ari.bridges.startMoh(bridgeId, settings.mohClass);
    } catch (error) {
      live.log.warn({ err: error, bridgeId }, 'holding bridge set-up failed');
    }
  }

  async function ringAgent(live: LiveCall, agentId: string, channelId: string): Promise<void> {
    const seat = agents.seatOf(agentId) ?? '';
    const now = clock.now();
    live.legs.set(channelId, { agentId, seat, offeredAt: now, answeredAt: null, gone: false });
    deps.bindChannel(channelId, live.call.id);
    repo.insertLeg({ callId: live.call.id, channelId, agentId, seat, offeredAt: now });
    const number = live.call.callerNumber;
    try {
      await ari.channels.originate({
        endpoint: `PJSIP/${seat}`,
        app: settings.app,
        appArgs: `agent,${live.call.id}`,
        channelId,
        timeout: Math.max(1, Math.ceil(settings.ringTimeoutMs / 1000)),
        callerId: live.callerName ? `"${live.callerName}" <${number}>` : number,
      });
    } catch (error) {
      const leg = live.legs.get(channelId);
      if (leg) leg.gone = true;
      live.log.warn({ err: error, agentId, seat }, 'agent leg could not be originated');
      repo.saveLeg(channelId, { endedAt: clock.now(), outcome: 'unreachable' });
      if (live.call.agentChannelId === channelId && live.call.state === 'offering') {
        await deps.handle(live, { kind: 'agent_failed', agentChannelId: channelId, reason: 'unreachable' });
      }
    }
  }

  function publishPop(live: LiveCall, agentId: string): void {
    const now = clock.now();
    let history: TicketSummary[] = [];
    try { history = deps.history?.(live.call.callerNumber, now, settings.historyDays) ?? []; } catch (error) {
      live.log.warn({ err: error }, 'caller history unavailable for the pop');
    }
    const pop: ScreenPop = {
      callId: live.call.id,
      line: live.line.number,
      lineName: live.line.name,
      callerNumber: live.call.callerNumber,
      callerName: live.callerName,
      waitedMs: Math.max(0, now - live.call.arrivedAt),
      answeredAt: live.call.answeredAt ?? now,
      history,
    };
    deps.bus.publish('agent.pop', { agentId, pop });
  }

  async function connectAgent(live: LiveCall, agentId: string, agentChannelId: string): Promise<void> {
    const leg = live.legs.get(agentChannelId);
    const now = clock.now();
    if (leg) leg.answeredAt = now;
    repo.saveLeg(agentChannelId, { answeredAt: now, outcome: 'answered' });
    agents.apply(agentId, { kind: 'answered', callId: live.call.id });
    publishPop(live, agentId);
    const expect = live.call;
    const bridgeId = newId('call');
    live.mixingBridgeId = bridgeId;
    try {
      await ari.bridges.create({ type: 'mixing', bridgeId, name: `call-${live.call.id}` });
      if (live.call !== expect) return;
      await ari.bridges.addChannel(bridgeId, [live.call.channelId ?? '', agentChannelId]);
    } catch (error) {
      live.log.warn({ err: error, bridgeId }, 'call bridge set-up failed');
      return;
    }
    const holding = live.holdingBridgeId;
    live.holdingBridgeId = null;
    if (holding) await destroyBridge(holding);
  }

  async function startRecording(live: LiveCall): Promise<void> {
    const bridgeId = live.mixingBridgeId;
    if (!bridgeId || live.call.state !== 'connected') return;
    const name = live.call.id;
    try {
      await ari.bridges.record(bridgeId, { name, format: 'wav', ifExists: 'overwrite' });
      live.recording = { name, startedAt: clock.now(), agentId: live.call.agentId };
    } catch (error) {
      live.log.warn({ err: error }, 'call recording could not start');
    }
  }

  async function stopRecording(live: LiveCall): Promise<void> {
    const r = live.recording;
    if (!r) return;
    live.recording = null;
    try { await ari.recordings.stopLive(r.name); } catch (error) {
      if (!isGone(error)) live.log.warn({ err: error }, 'call recording stop failed');
    }
    deps.recordings.collect({ callId: live.call.id, agentId: r.agentId, name: r.name, startedAt: r.startedAt });
  }

  return { run, hangUp, hangUpLegs, destroyBridge, destroyBridges, stopRecording, startHold, startRecording };
}
