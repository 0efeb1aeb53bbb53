import type { Logger } from 'pino';
import type { Bus, ScreenPop, TicketSummary } from '../../bus.ts';
import type { Clock } from '../../clock.ts';
import type { AgentFailure } from '../../domain/call-state.ts';
import { AriError } from '../../pbx/ari/client.types.ts';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import type { AriEvent } from '../../pbx/ari/models.ts';
import { newId } from '../../pbx/ari/ids.ts';
import { createCallLane } from '../calls/call-lane.ts';
import type { CallLane } from '../calls/call-lane.ts';
import { failureFromCause } from '../calls/calls.stasis.ts';
import type { CallbackOutcome, CallbackRow, CallbacksRepo } from './callbacks.repo.ts';

export interface CallbackDialSettings {
  app: string;
  callerId: string;
  dialTemplate: string;
  ringTimeoutSeconds: number;
  historyDays: number;
}

/** One try at calling a citizen back: the agent's seat first, then the citizen, then both in a recorded bridge. */
interface Attempt {
  callbackId: string;
  attemptId: string;
  agentId: string;
  number: string;
  line: string;
  agentLeg: string;
  citizenLeg: string | null;
  agentUp: boolean;
  citizenUp: boolean;
  bridgeId: string | null;
  recording: string | null;
  lane: CallLane;
  over: boolean;
  startedAt: number;
}

/** A screen pop for a call the hotline placed: the same pop as an inbound call, marked as a callback. */
export type CallbackPop = ScreenPop & { direction: 'callback'; callbackId: string };

const dialFailure = (status: string): AgentFailure | undefined =>
  status === 'BUSY' ? 'busy' : status === 'NOANSWER' ? 'no_answer' : status === 'CHANUNAVAIL' || status === 'CONGESTION' ? 'unreachable' : undefined;

export function createCallbackCalls(deps: {
  ari: AriClient; repo: CallbacksRepo; clock: Clock; bus: Bus; log: Logger; settings: CallbackDialSettings;
  /** The citizen's phone did not answer or was busy: the outcome is recorded without the agent. */
  onUnreached(callbackId: string, agentId: string, outcome: CallbackOutcome): void;
  history?: (callerNumber: string, now: number, days: number) => TicketSummary[];
}) {
  const { ari, repo, clock, settings } = deps;
  const log = deps.log.child({ component: 'callbacks.call' });
  const byCallback = new Map<string, Attempt>();
  const byChannel = new Map<string, Attempt>();

  async function hangUp(channelId: string | null): Promise<void> {
    if (!channelId) return;
    try { await ari.channels.hangup(channelId, 'normal'); } catch (error) {
      if (!(error instanceof AriError && error.status === 404)) log.warn({ err: error, channelId }, 'callback leg hangup failed');
    }
  }

  async function start(cb: CallbackRow, agentId: string, seat: string): Promise<void> {
    const now = clock.now();
    const a: Attempt = {
      callbackId: cb.id, attemptId: repo.startAttempt(cb.id, agentId, now), agentId, number: cb.caller_number, line: cb.line,
      agentLeg: newId('agent'), citizenLeg: null, agentUp: false, citizenUp: false, bridgeId: null, recording: null,
      lane: createCallLane((error) => log.error({ err: error, callbackId: cb.id }, 'callback step failed')), over: false, startedAt: now,
    };
    byCallback.set(cb.id, a);
    byChannel.set(a.agentLeg, a);
    try {
      await ari.channels.originate({
        endpoint: `PJSIP/${seat}`, app: settings.app, appArgs: `callback,${cb.id},agent`, channelId: a.agentLeg,
        timeout: settings.ringTimeoutSeconds, callerId: `"回拨" <${cb.caller_number}>`,
      });
    } catch (error) {
      log.warn({ err: error, agentId, seat }, 'callback: agent seat could not be rung');
      await end(a, 'agent_unreachable');
      throw error;
    }
  }

  async function dialCitizen(a: Attempt): Promise<void> {
    if (a.over) return;
    a.citizenLeg = newId('callback');
    byChannel.set(a.citizenLeg, a);
    try {
      await ari.channels.originate({
        endpoint: settings.dialTemplate.replace('{number}', a.number), app: settings.app, appArgs: `callback,${a.callbackId},citizen`,
        channelId: a.citizenLeg, timeout: settings.ringTimeoutSeconds, callerId: settings.callerId,
      });
    } catch (error) {
      log.warn({ err: error }, 'callback: citizen could not be dialled');
      await legGone(a, a.citizenLeg, 'unreachable');
    }
  }

  async function connect(a: Attempt): Promise<void> {
    if (a.over || !a.citizenLeg) return;
    const now = clock.now();
    repo.attemptAnswered(a.attemptId, now);
    repo.move(a.callbackId, ['dialing'], 'talking');
    publishPop(a, now);
    a.bridgeId = newId('call');
    try {
      await ari.bridges.create({ type: 'mixing', bridgeId: a.bridgeId, name: `callback-${a.callbackId}` });
      await ari.bridges.addChannel(a.bridgeId, [a.agentLeg, a.citizenLeg]);
      const name = `callback-${a.attemptId}`;
      await ari.bridges.record(a.bridgeId, { name, format: 'wav', ifExists: 'overwrite' });
      a.recording = name;
    } catch (error) {
      log.warn({ err: error }, 'callback bridge set-up failed');
    }
  }

  function publishPop(a: Attempt, now: number): void {
    let history: TicketSummary[];
    try { history = deps.history?.(a.number, now, settings.historyDays) ?? []; } catch { history = []; }
    const pop: CallbackPop = {
      callId: a.attemptId, line: a.line, lineName: a.line, callerNumber: a.number, callerName: '', waitedMs: 0, answeredAt: now,
      history, direction: 'callback', callbackId: a.callbackId,
    };
    deps.bus.publish('agent.pop', { agentId: a.agentId, pop });
  }

  /** A leg went away. Before the citizen answered: no answer or busy; after: the call is over, both legs go. */
  async function legGone(a: Attempt, channelId: string, failure?: AgentFailure): Promise<void> {
    if (a.over) return;
    if (channelId === a.citizenLeg && !a.citizenUp) {
      const outcome: CallbackOutcome = failure === 'busy' ? 'busy' : 'no_answer';
      await end(a, outcome);
      deps.onUnreached(a.callbackId, a.agentId, outcome);
      return;
    }
    await end(a, a.citizenUp ? 'talked' : 'agent_left');
  }

  async function end(a: Attempt, how: string): Promise<void> {
    if (a.over) return;
    a.over = true;
    repo.endAttempt(a.attemptId, clock.now(), how);
    if (!a.citizenUp) repo.move(a.callbackId, ['dialing'], 'claimed');
    if (a.recording) {
      try { await ari.recordings.stopLive(a.recording); } catch { /* gone with the bridge */ }
    }
    await hangUp(a.agentLeg);
    await hangUp(a.citizenLeg);
    if (a.bridgeId) {
      try { await ari.bridges.destroy(a.bridgeId); } catch { /* already gone */ }
    }
    byCallback.delete(a.callbackId);
    byChannel.delete(a.agentLeg);
    if (a.citizenLeg) byChannel.delete(a.citizenLeg);
    log.info({ callbackId: a.callbackId, how }, 'callback attempt ended');
  }

  function onEvent(event: AriEvent): void {
    if (event.type === 'StasisStart') {
      const [kind, callbackId, role] = event.args;
      if (kind !== 'callback' || !callbackId) return;
      const a = byChannel.get(event.channel.id);
      if (!a) { void hangUp(event.channel.id); return; }
      if (role === 'agent') { a.agentUp = true; a.lane.run(() => dialCitizen(a)); }
      else if (role === 'citizen') { a.citizenUp = true; a.lane.run(() => connect(a)); }
      return;
    }
    const channelId = event.type === 'Dial' ? event.peer.id
      : 'channel' in event && event.channel && typeof event.channel === 'object' ? (event.channel as { id: string }).id : undefined;
    const a = channelId ? byChannel.get(channelId) : undefined;
    if (!a || !channelId) return;
    let failure: AgentFailure | undefined;
    if (event.type === 'Dial') { failure = dialFailure(event.dialstatus); if (!failure) return; }
    else if (event.type === 'ChannelHangupRequest' || event.type === 'ChannelDestroyed') failure = failureFromCause(event.cause);
    else if (event.type !== 'StasisEnd') return;
    a.lane.run(() => legGone(a, channelId, failure));
  }

  const off = ari.onEvent((event) => {
    try { onEvent(event); } catch (error) { log.error({ err: error, type: event.type }, 'callback event handling failed'); }
  });

  return {
    start,
    active: (callbackId: string): boolean => byCallback.has(callbackId),
    /** Hangs up a callback the agent ends from the desktop. */
    hangUp(callbackId: string): void {
      const a = byCallback.get(callbackId);
      if (a) a.lane.run(() => end(a, a.citizenUp ? 'talked' : 'agent_left'));
    },
    close(): void { off(); },
  };
}
