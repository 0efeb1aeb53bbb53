import type { Database } from '../../store/database.ts';
import { callDurations } from '../../domain/call-state.ts';
import type { InboundCall } from '../../domain/call-state.ts';

export interface LegChange {
  answeredAt?: number;
  endedAt?: number;
  outcome?: string;
}

export interface CallRow {
  id: string; line: string; caller_number: string; caller_name: string | null; channel_id: string | null; state: string;
  arrived_at: number; queued_at: number | null; offered_at: number | null; answered_at: number | null; ended_at: number | null;
  end_reason: string | null; agent_id: string | null; agent_channel_id: string | null; wait_ms: number | null; talk_ms: number | null;
  ticket_id: string | null; queue_id: string | null;
  /** When the call joined the queue it waits in (queue_id). */
  queue_joined_at: number | null;
  /** When the agent left the call to the citizen and a unit (三方通话); null while the agent is on it. */
  agent_released_at: number | null;
}

export interface LegRow {
  id: string; call_id: string; kind: string; channel_id: string | null; agent_id: string | null;
  started_at: number; answered_at: number | null; ended_at: number | null; outcome: string | null;
}

export interface CallsRepo {
  insertCall(call: InboundCall, callerName: string): void;
  saveCall(call: InboundCall): void;
  insertLeg(leg: { callId: string; channelId: string; agentId: string; seat: string; offeredAt: number }): void;
  saveLeg(channelId: string, change: LegChange): void;
  /** The desk the call waits in (set on queueing, changed by an overflow to another queue). */
  /** The queue the call waits in now, and since when. */
  setQueue(callId: string, queueId: string, at: number): void;
  /** The call left its queue for a message and a callback (end_reason 'overflow'). */
  markOverflow(callId: string): void;
  /** The agent left the connected call, which goes on without them (the row keeps the agent who answered). */
  markReleased(callId: string, at: number): void;
  call(callId: string): CallRow | undefined;
  legs(callId: string): LegRow[];
  /** Calls not ended (ended_at IS NULL), oldest arrival first: what a restart takes up again. */
  openCalls(): CallRow[];
}

export function createCallsRepo(db: Database): CallsRepo {
  const insertCall = db.prepare(`INSERT INTO calls (id, line, caller_number, caller_name, channel_id, state, arrived_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const saveCall = db.prepare(`UPDATE calls SET state = ?, channel_id = COALESCE(?, channel_id), queued_at = ?,
    offered_at = COALESCE(?, offered_at), answered_at = ?, ended_at = ?, end_reason = ?,
    agent_id = COALESCE(?, agent_id), agent_channel_id = COALESCE(?, agent_channel_id), wait_ms = ?, talk_ms = ? WHERE id = ?`);
  const insertLeg = db.prepare(`INSERT INTO call_legs (id, call_id, kind, channel_id, agent_id, started_at)
    VALUES (?, ?, 'agent', ?, ?, ?)`);
  const saveLeg = db.prepare(`UPDATE call_legs SET answered_at = COALESCE(?, answered_at),
    ended_at = COALESCE(ended_at, ?), outcome = COALESCE(outcome, ?) WHERE id = ?`);
  const getCall = db.prepare('SELECT * FROM calls WHERE id = ?');
  const setQueue = db.prepare('UPDATE calls SET queue_id = ?, queue_joined_at = ? WHERE id = ?');
  const markOverflow = db.prepare("UPDATE calls SET end_reason = 'overflow' WHERE id = ? AND answered_at IS NULL");
  const markReleased = db.prepare('UPDATE calls SET agent_released_at = ? WHERE id = ?');
  const getLegs = db.prepare('SELECT * FROM call_legs WHERE call_id = ? ORDER BY started_at, id');
  const openCalls = db.prepare('SELECT * FROM calls WHERE ended_at IS NULL ORDER BY arrived_at, id');

  return {
    insertCall(call, callerName) {
      insertCall.run(call.id, call.line, call.callerNumber, callerName || null, call.channelId, call.state, call.arrivedAt);
    },
    saveCall(call) {
      const ended = call.state === 'ended';
      const { waitMs, talkMs } = callDurations(call);
      saveCall.run(call.state, call.channelId, call.queuedAt, call.offeredAt, call.answeredAt, call.endedAt, call.endReason,
        call.agentId, call.agentChannelId, ended || call.answeredAt !== null ? waitMs : null, ended ? talkMs : null, call.id);
    },
    insertLeg(leg) {
      insertLeg.run(leg.channelId, leg.callId, leg.channelId, leg.agentId, leg.offeredAt);
    },
    saveLeg(channelId, change) {
      saveLeg.run(change.answeredAt ?? null, change.endedAt ?? null, change.outcome ?? null, channelId);
    },
    setQueue(callId, queueId, at) { setQueue.run(queueId, at, callId); },
    markOverflow(callId) { markOverflow.run(callId); },
    markReleased(callId, at) { markReleased.run(at, callId); },
    call: (callId) => getCall.get(callId) as CallRow | undefined,
    legs: (callId) => getLegs.all(callId) as LegRow[],
    openCalls: () => openCalls.all() as CallRow[],
  };
}
