import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { CALL_STATES } from '../../domain/call-state.ts';
import type { CallEffect, CallEvent, CallState, InboundCall } from '../../domain/call-state.ts';
import { maskPhone } from '../../domain/phone.ts';
import type { AriSnapshot } from '../../pbx/ari/client.types.ts';
import type { Bridge, Channel } from '../../pbx/ari/models.ts';
import { parseId } from '../../pbx/ari/ids.ts';
import type { AgentsService } from '../agents/agents.service.ts';
import { createCallLane } from './call-lane.ts';
import type { CallRow, CallsRepo, LegRow } from './calls.repo.ts';
import type { AgentLeg, LineSettings, LiveCall } from './calls.types.ts';

/** What the recovery did, for the log and the tests. */
export interface RecoveryCounts {
  /** Calls found still open in the database. */
  open: number;
  /** Callers put back in the queue (with their arrival time), calls back from a seat that stopped ringing included. */
  queued: number;
  /** Calls whose agent's seat still rings. */
  ringing: number;
  /** Calls still connected (or connected during the gap: the agent answered while the service was down), those the agent had left included. */
  talking: number;
  /** Calls that ended while the service was down (caller gone, or the agent hung up). */
  ended: number;
  /** Agents left ringing for or talking on a call that did not come back, settled as a normal end would. */
  agentsSettled: number;
  ms: number;
}

export interface CallRecoveryDeps {
  app: string;
  repo: CallsRepo;
  agents: AgentsService;
  clock: Clock;
  log: Logger;
  ringTimeoutMs: number;
  lineFor(number: string): LineSettings;
  /** Takes a rebuilt call in: known by id, its caller and its live agent leg by channel. */
  track(live: LiveCall, channelIds: string[]): void;
  /** The calls being handled now (to settle agents whose call did not come back). */
  byId(callId: string): LiveCall | undefined;
  handle(live: LiveCall, event: CallEvent): Promise<void>;
  requeue(live: LiveCall, atHead: boolean): void;
  run(live: LiveCall, effects: CallEffect[], from: CallState): Promise<void>;
  startHold(live: LiveCall, caller: string): Promise<void>;
}

const isCallState = (s: string): s is CallState => (CALL_STATES as readonly string[]).includes(s);

/**
 * The domain call as the row left it; a state the code does not know is taken as waiting in the queue.
 * A connected call the agent left (三方通话) has no agent, as it had none before the restart.
 */
export function callFromRow(row: CallRow, offers: number): { call: InboundCall; known: boolean } {
  const known = isCallState(row.state) && row.state !== 'ended';
  const state: CallState = known ? (row.state as CallState) : 'queued';
  const withAgent = state === 'offering' || (state === 'connected' && row.agent_released_at == null);
  return {
    known,
    call: {
      id: row.id, line: row.line, callerNumber: row.caller_number, state, channelId: row.channel_id,
      agentId: withAgent ? row.agent_id : null, agentChannelId: withAgent ? row.agent_channel_id : null,
      arrivedAt: row.arrived_at, queuedAt: row.queued_at ?? (state === 'arriving' || state === 'greeting' ? null : row.arrived_at),
      offeredAt: withAgent ? row.offered_at : null, answeredAt: row.answered_at, endedAt: null, endReason: null, offers,
    },
  };
}

/**
 * After the service itself restarted (first reconcile of the process): every call the database still
 * has open is taken up again from its row, its legs and what Asterisk still holds. Callers still
 * waiting go back into the queue with their arrival time (the queue order is kept), a talking call
 * keeps its caller, agent, call bridge and recording, a seat still ringing goes on ringing for the time
 * left, an agent who answered during the gap is connected, and a call whose caller (or talking agent)
 * went away in the gap ends as it would have, missed calls reaching the callback list.
 */
export function createCallRecovery(deps: CallRecoveryDeps) {
  const { clock, agents, repo } = deps;
  const log = deps.log.child({ component: 'calls.recovery' });

  function rebuild(row: CallRow, legRows: LegRow[]): LiveCall {
    const { call, known } = callFromRow(row, legRows.length);
    const line = deps.lineFor(call.line);
    const callLog = deps.log.child({ callId: call.id, line: line.number, caller: maskPhone(call.callerNumber) });
    if (!known) callLog.warn({ state: row.state }, 'call row in an unknown state, taken as waiting');
    const legs = new Map<string, AgentLeg>();
    const now = clock.now();
    for (const l of legRows) {
      if (!l.channel_id || !l.agent_id) continue;
      const current = l.channel_id === call.agentChannelId;
      const gone = l.ended_at !== null || !current;
      if (l.ended_at === null && !current) repo.saveLeg(l.channel_id, { endedAt: now });
      legs.set(l.channel_id, {
        agentId: l.agent_id, seat: agents.seatOf(l.agent_id) ?? '', offeredAt: l.started_at, answeredAt: l.answered_at, gone,
      });
    }
    return {
      call, callerName: row.caller_name ?? '', line, log: callLog,
      lane: createCallLane((error) => callLog.error({ err: error }, 'call step failed')),
      holdingBridgeId: null, mixingBridgeId: null, greetingPlaybackId: null, greetingTimer: undefined, offerTimer: undefined,
      legs, recording: null, finished: false,
      ...(row.queue_id ? { queueId: row.queue_id, queueJoinedAt: row.queue_joined_at ?? call.queuedAt ?? call.arrivedAt } : {}),
    };
  }

  function bridgeOf(bridges: Bridge[], live: LiveCall, kind: 'holding' | 'call', caller: string | null): string | null {
    const named = kind === 'holding' ? `hold-${live.call.id}` : `call-${live.call.id}`;
    const found = bridges.find((b) => parseId(b.id)?.kind === kind && caller !== null && b.channels.includes(caller))
      ?? bridges.find((b) => parseId(b.id)?.kind === kind && b.name === named);
    return found?.id ?? null;
  }

  function answeredDuringGap(ch: Channel, callId: string): boolean {
    const inStasis = ch.dialplan?.app_name === 'Stasis' && ch.dialplan.app_data === `${deps.app},agent,${callId}`;
    return inStasis || ch.state === 'Up';
  }

  type Outcome = 'queued' | 'ringing' | 'talking' | 'ended';

  async function takeUp(live: LiveCall, alive: Map<string, Channel>, bridges: Bridge[]): Promise<Outcome> {
    const c = live.call;
    const now = clock.now();
    const caller = c.channelId !== null && alive.has(c.channelId) ? c.channelId : null;
    const agentId = c.agentId;
    if (agentId !== null && (c.state === 'offering' || c.state === 'connected')) {
      agents.resumeCall(agentId, c.id, c.state === 'offering' ? 'ringing' : 'on_call');
    }
    live.holdingBridgeId = bridgeOf(bridges, live, 'holding', caller);
    live.mixingBridgeId = bridgeOf(bridges, live, 'call', caller);
    if (c.state === 'connected' && live.mixingBridgeId) {
      live.recording = { name: c.id, startedAt: c.answeredAt ?? now, agentId };
    }
    if (caller === null) {
      await deps.handle(live, { kind: 'caller_hangup' });
      return 'ended';
    }
    const agentLeg = c.agentChannelId ? alive.get(c.agentChannelId) : undefined;
    switch (c.state) {
      case 'arriving':
        await deps.handle(live, { kind: 'stasis_start', channelId: caller });
        return 'queued';
      case 'greeting':
        await deps.handle(live, { kind: 'greeting_done' });
        return 'queued';
      case 'queued':
        if (!live.holdingBridgeId) await deps.startHold(live, caller);
        // A caller whose offer failed before the restart was at the head of the queue, and is again.
        deps.requeue(live, c.offers > 0);
        return 'queued';
      case 'offering': {
        if (!live.holdingBridgeId) await deps.startHold(live, caller);
        if (!agentLeg) {
          await deps.handle(live, { kind: 'agent_failed', agentChannelId: c.agentChannelId ?? '', reason: 'no_answer' });
          return 'queued';
        }
        if (answeredDuringGap(agentLeg, c.id)) {
          await deps.handle(live, { kind: 'agent_answered', agentChannelId: agentLeg.id });
          return 'talking';
        }
        const left = Math.max(0, (c.offeredAt ?? now) + deps.ringTimeoutMs - now);
        await deps.run(live, [{ kind: 'start_offer_timer', ms: left }], 'offering');
        return 'ringing';
      }
      case 'connected':
        if (agentId === null) {
          // The agent had left the citizen and a unit talking: the call goes on in its bridge, or ends with it.
          if (live.mixingBridgeId) return 'talking';
          await deps.run(live, [{ kind: 'hang_up_caller' }], 'connected');
          await deps.handle(live, { kind: 'caller_hangup' });
          return 'ended';
        }
        if (!agentLeg) {
          await deps.handle(live, { kind: 'agent_hangup', agentChannelId: c.agentChannelId ?? '' });
          return 'ended';
        }
        if (!live.mixingBridgeId) {
          await deps.run(live, [{ kind: 'connect_agent', agentId: agentId ?? '', agentChannelId: agentLeg.id }, { kind: 'start_recording' }], 'offering');
        }
        return 'talking';
      default:
        return 'ended';
    }
  }

  /** Takes up every open call; resolves when each has settled into the queue, a ring, a talk or its end. */
  async function recover(snapshot: AriSnapshot): Promise<RecoveryCounts> {
    const started = performance.now();
    const alive = new Map(snapshot.channels.map((ch) => [ch.id, ch]));
    const counts: RecoveryCounts = { open: 0, queued: 0, ringing: 0, talking: 0, ended: 0, agentsSettled: 0, ms: 0 };
    const work: Array<Promise<void>> = [];
    for (const row of repo.openCalls()) {
      counts.open++;
      let live: LiveCall;
      try {
        live = rebuild(row, repo.legs(row.id));
      } catch (error) {
        log.error({ err: error, callId: row.id }, 'open call could not be rebuilt');
        continue;
      }
      const bound = [live.call.channelId, live.call.agentChannelId].filter((id): id is string => id !== null && alive.has(id));
      deps.track(live, bound);
      work.push(new Promise<void>((resolve) => {
        live.lane.run(async () => {
          try {
            counts[await takeUp(live, alive, snapshot.bridges)]++;
          } catch (error) {
            live.log.error({ err: error }, 'call could not be taken up again');
          } finally {
            resolve();
          }
        });
      }));
    }
    await Promise.all(work);
    counts.agentsSettled = agents.settleAfterRestart((agentId, callId) => {
      const live = deps.byId(callId);
      return live !== undefined && !live.finished && live.call.agentId === agentId;
    }, (callId) => {
      const row = repo.call(callId);
      return row ? deps.lineFor(row.line).wrapUpMs : undefined;
    });
    counts.ms = Math.round(performance.now() - started);
    log.info({ ...counts }, 'calls recovered after a restart');
    return counts;
  }

  return { recover };
}
