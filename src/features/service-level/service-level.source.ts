import type { CallLeg, LegOutcome } from '../../domain/acd/service-level.ts';
import type { Database } from '../../store/database.ts';
import type { AgentActivityLog } from './agent-activity.ts';
import { createAgentStateLog } from './agent-state-log.ts';

/** A desk (queue) and the lines routed to it; a line no desk names is a desk of its own. */
export interface Desk {
  id: string;
  name: string;
  lines: string[];
}

export interface LineInfo {
  number: string;
  name: string;
  wrapUpMs: number;
}

/** The hotline's lines and desks, as the service level and the wallboard name and group them. */
export interface Directory {
  lines: LineInfo[];
  desks: Desk[];
  queueOf(line: string): string;
  wrapUpMs(line: string): number;
}

export function createDirectory(lines: LineInfo[], desks: Desk[] = []): Directory {
  const deskOfLine = new Map<string, string>();
  for (const d of desks) for (const l of d.lines) deskOfLine.set(l, d.id);
  const allDesks = [...desks];
  for (const l of lines) {
    if (!deskOfLine.has(l.number)) {
      deskOfLine.set(l.number, l.number);
      allDesks.push({ id: l.number, name: l.name, lines: [l.number] });
    }
  }
  const wrap = new Map(lines.map((l) => [l.number, l.wrapUpMs]));
  const fallbackWrap = lines[0]?.wrapUpMs ?? 0;
  return {
    lines,
    desks: allDesks,
    queueOf: (line) => deskOfLine.get(line) ?? line,
    wrapUpMs: (line) => wrap.get(line) ?? fallbackWrap,
  };
}

/** The columns of a `calls` row the service level reads. */
export interface ServiceLevelRow {
  id: string;
  line: string;
  queue_id?: string | null;
  agent_id: string | null;
  arrived_at: number;
  answered_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
}

/** How an unanswered call ended, by its `end_reason`: the queue sent it to a message and a callback, Asterisk was lost, or the caller hung up. */
export function unansweredOutcome(endReason: string | null): LegOutcome {
  return endReason === 'overflow' ? 'callback' : endReason === 'pbx_lost' ? 'failed' : 'abandoned';
}

/**
 * One call's stay in its queue as the service level counts it, from the call's row: answered when an
 * agent answered; overflowed to a callback when the queue sent it to a message and a callback task
 * (`end_reason = 'overflow'`: a queue overflow or the maximum wait); failed when Asterisk was lost under
 * an unanswered call; abandoned when the caller hung up unanswered. A call still going has no leg yet
 * (it is counted once it ends). The wrap-up is the line's configured wrap-up.
 */
export function legOfCall(row: ServiceLevelRow, directory: Directory): CallLeg | undefined {
  if (row.ended_at === null) return undefined;
  const answered = row.answered_at !== null;
  const outcome: LegOutcome = answered ? 'answered' : unansweredOutcome(row.end_reason);
  const leg: { -readonly [K in keyof CallLeg]: CallLeg[K] } = {
    callId: row.id,
    line: row.line,
    queueId: row.queue_id ?? directory.queueOf(row.line),
    arrivedAt: row.arrived_at,
    endedAt: row.ended_at,
    outcome,
  };
  if (answered) {
    leg.answeredAt = row.answered_at!;
    leg.wrapUpMs = directory.wrapUpMs(row.line);
    if (row.agent_id !== null) leg.agentId = row.agent_id;
  }
  return leg;
}

export interface CallLegSource {
  /** Legs of the calls that arrived in [from, to) and have ended. */
  legs(from: number, to: number): CallLeg[];
  /** The leg of one call, once it has ended. */
  leg(callId: string): CallLeg | undefined;
  directory: Directory;
  /** The agents' state history kept in the database (occupancy and time in states survive a restart). */
  activity?: AgentActivityLog;
}

export function createCallLegSource(db: Database, directory: Directory): CallLegSource {
  const columns = new Set((db.prepare('PRAGMA table_info(calls)').all() as Array<{ name: string }>).map((c) => c.name));
  const select = `SELECT id, line, ${columns.has('queue_id') ? 'queue_id, ' : ''}agent_id, arrived_at, answered_at, ended_at, end_reason FROM calls`;
  const inRange = db.prepare(`${select} WHERE arrived_at >= ? AND arrived_at < ? AND ended_at IS NOT NULL`);
  const one = db.prepare(`${select} WHERE id = ?`);
  return {
    directory,
    activity: createAgentStateLog(db),
    legs(from, to) {
      const out: CallLeg[] = [];
      for (const row of inRange.iterate(from, to) as Iterable<ServiceLevelRow>) {
        const leg = legOfCall(row, directory);
        if (leg) out.push(leg);
      }
      return out;
    },
    leg(callId) {
      const row = one.get(callId) as ServiceLevelRow | undefined;
      return row ? legOfCall(row, directory) : undefined;
    },
  };
}
