import { randomUUID } from 'node:crypto';
import type { Database } from '../../store/database.ts';

export const CALLBACK_OUTCOMES = ['reached', 'no_answer', 'busy', 'wrong_number', 'resolved_elsewhere'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];
export type CallbackStatus = 'pending' | 'claimed' | 'dialing' | 'talking' | 'done';

export interface CallbackRow {
  id: string; caller_number: string; line: string; queue_id: string | null; reason: string; status: CallbackStatus;
  missed_count: number; first_missed_at: number; last_missed_at: number; claimed_by: string | null; claimed_at: number | null;
  attempts: number; last_attempt_at: number | null; outcome: CallbackOutcome | null; outcome_at: number | null; call_id: string | null;
}

export interface MissedCallEntry {
  callId: string; callerNumber: string; line: string; queueId: string | null; reason: 'abandoned' | 'overflow' | 'missed'; at: number;
}

export interface CallbacksRepo {
  /** Files a missed call: a new task, or onto the caller's task of the window. Never twice for one call. */
  record(missed: MissedCallEntry, windowMs: number): { callbackId: string; created: boolean } | undefined;
  get(id: string): CallbackRow | undefined;
  list(filter: { status?: CallbackStatus; claimedBy?: string; limit: number }): CallbackRow[];
  missedCalls(id: string): Array<{ call_id: string; missed_at: number }>;
  /** Moves a task between states only from the one expected; false when someone else got there first. */
  move(id: string, from: readonly CallbackStatus[], to: CallbackStatus, set?: { claimedBy?: string | null; at?: number }): boolean;
  startAttempt(id: string, agentId: string, at: number): string;
  attemptAnswered(attemptId: string, at: number): void;
  endAttempt(attemptId: string, at: number, outcome: string | null): void;
  finish(id: string, outcome: CallbackOutcome, at: number, reopen: boolean): void;
}

export function createCallbacksRepo(db: Database): CallbacksRepo {
  const byCall = db.prepare('SELECT callback_id FROM callback_missed_calls WHERE call_id = ?');
  const recent = db.prepare(`SELECT * FROM callbacks WHERE caller_number = ?
    AND (status <> 'done' OR first_missed_at >= ?) ORDER BY first_missed_at DESC LIMIT 1`);
  const insert = db.prepare(`INSERT INTO callbacks (id, caller_number, line, queue_id, reason, status, first_missed_at, last_missed_at)
    VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`);
  const attach = db.prepare('INSERT INTO callback_missed_calls (call_id, callback_id, missed_at) VALUES (?, ?, ?)');
  const bump = db.prepare('UPDATE callbacks SET missed_count = missed_count + 1, last_missed_at = ? WHERE id = ?');
  const get = db.prepare('SELECT * FROM callbacks WHERE id = ?');
  const missed = db.prepare('SELECT call_id, missed_at FROM callback_missed_calls WHERE callback_id = ? ORDER BY missed_at');
  const startAttempt = db.prepare('INSERT INTO callback_attempts (id, callback_id, agent_id, started_at) VALUES (?, ?, ?, ?)');
  const attempted = db.prepare("UPDATE callbacks SET attempts = attempts + 1, last_attempt_at = ?, status = 'dialing' WHERE id = ?");
  const answered = db.prepare('UPDATE callback_attempts SET answered_at = ? WHERE id = ?');
  const ended = db.prepare('UPDATE callback_attempts SET ended_at = COALESCE(ended_at, ?), outcome = COALESCE(outcome, ?) WHERE id = ?');
  const finish = db.prepare(`UPDATE callbacks SET outcome = ?, outcome_at = ?, status = ?, claimed_by = CASE WHEN ? THEN NULL ELSE claimed_by END
    WHERE id = ?`);

  const record = db.transaction((m: MissedCallEntry, windowMs: number) => {
    if (byCall.get(m.callId)) return undefined;
    const open = recent.get(m.callerNumber, m.at - windowMs) as CallbackRow | undefined;
    if (open) {
      attach.run(m.callId, open.id, m.at);
      if (open.status !== 'done') bump.run(m.at, open.id);
      return { callbackId: open.id, created: false };
    }
    const id = randomUUID();
    insert.run(id, m.callerNumber, m.line, m.queueId, m.reason, m.at, m.at);
    attach.run(m.callId, id, m.at);
    return { callbackId: id, created: true };
  });

  return {
    record: (m, windowMs) => record(m, windowMs),
    get: (id) => get.get(id) as CallbackRow | undefined,
    list(filter) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.status) { where.push('status = ?'); args.push(filter.status); }
      if (filter.claimedBy) { where.push('claimed_by = ?'); args.push(filter.claimedBy); }
      const sql = `SELECT * FROM callbacks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY first_missed_at LIMIT ?`;
      return db.prepare(sql).all(...args, filter.limit) as CallbackRow[];
    },
    missedCalls: (id) => missed.all(id) as Array<{ call_id: string; missed_at: number }>,
    move(id, from, to, set = {}) {
      const sets = ['status = ?'];
      const args: unknown[] = [to];
      if (set.claimedBy !== undefined) { sets.push('claimed_by = ?', 'claimed_at = ?'); args.push(set.claimedBy, set.claimedBy === null ? null : set.at ?? null); }
      const sql = `UPDATE callbacks SET ${sets.join(', ')} WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`;
      return db.prepare(sql).run(...args, id, ...from).changes === 1;
    },
    startAttempt(id, agentId, at) {
      const attemptId = randomUUID();
      startAttempt.run(attemptId, id, agentId, at);
      attempted.run(at, id);
      return attemptId;
    },
    attemptAnswered(attemptId, at) { answered.run(at, attemptId); },
    endAttempt(attemptId, at, outcome) { ended.run(at, outcome, attemptId); },
    finish(id, outcome, at, reopen) { finish.run(outcome, at, reopen ? 'pending' : 'done', reopen ? 1 : 0, id); },
  };
}
