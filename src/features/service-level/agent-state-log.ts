import { agentIntervals, agentIntervalsOf } from '../../domain/acd/service-level.ts';
import type { AgentInterval, AgentStateChange } from '../../domain/acd/service-level.ts';
import type { Database } from '../../store/database.ts';
import type { AgentActivityLog } from './agent-activity.ts';

interface LogRow { id: number; agent_id: string; state: string; since: number }

/** Changes in the order the log holds them for one agent: by `since`, ties by id. */
const later = (a: LogRow, b: LogRow): boolean => a.since > b.since || (a.since === b.since && a.id > b.id);

/** One row of the log, as `agentStateChangesOf` hands it out. */
export interface AgentStateLogRow { readonly id: number; readonly agentId: string; readonly state: string; readonly since: number }

type Follow = (from: number, now: number, afterId?: number) => { lastId: number; rows: AgentStateLogRow[] } | undefined;
const following = new WeakMap<AgentActivityLog, Follow>();

/**
 * For a reader that follows the log as it grows (the wallboard's occupancy, counted once per change):
 * with no `afterId`, the log brought up to `now` and every change it holds from the one in force at
 * `from` on (agents in order of id, each agent's changes in the log's order, changes after `now`
 * included), with `lastId`, the last row it has read; with `afterId`, the rows written after that id,
 * in the order of their ids. Undefined for a log not made by `createAgentStateLog`, a closed one, or a
 * `from` older than the period it keeps in memory.
 */
export function agentStateChangesOf(log: AgentActivityLog, from: number, now: number, afterId?: number): { lastId: number; rows: AgentStateLogRow[] } | undefined {
  return following.get(log)?.(from, now, afterId);
}

export interface AgentStateLogSettings {
  /** How far back the log is kept in memory (ms): periods that start inside it are counted without reading the
   *  database again. Default 36 h (today and the wallboard's last hours). */
  cacheMs: number;
}

/**
 * The agents' state history from `agent_state_log` (migration 084, filled by a trigger whenever the
 * agents service saves a state), so today's occupancy and time in states survive a restart.
 *
 * The last `cacheMs` are kept in memory and brought up to date from the rows written since the last
 * read (ids only grow); an older period is read from the database. A change written late (a write
 * the database refused at first, written again later) is placed by its `since`, not by when it arrived.
 */
export function createAgentStateLog(db: Database, settings: Partial<AgentStateLogSettings> = {}): AgentActivityLog {
  const cacheMs = settings.cacheMs ?? 36 * 3_600_000;
  const lastBefore = db.prepare(`SELECT l.id, l.agent_id, l.state, l.since FROM agents a
    JOIN agent_state_log l ON l.id = (SELECT id FROM agent_state_log WHERE agent_id = a.id AND since < ? ORDER BY since DESC, id DESC LIMIT 1)`);
  const inPeriod = db.prepare('SELECT id, agent_id, state, since FROM agent_state_log WHERE since >= ? AND since < ? ORDER BY since, id');
  const newer = db.prepare('SELECT id, agent_id, state, since FROM agent_state_log WHERE id > ? ORDER BY id');
  const maxId = db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM agent_state_log');

  /** Rows of one agent: the last one before the horizon, then every later one in order. */
  let cache: { horizon: number; lastId: number; agents: Map<string, { base?: LogRow; rows: LogRow[] }> } | undefined;

  function place(row: LogRow): void {
    const c = cache!;
    let agent = c.agents.get(row.agent_id);
    if (agent === undefined) c.agents.set(row.agent_id, (agent = { rows: [] }));
    if (row.since < c.horizon) {
      if (agent.base === undefined || later(row, agent.base)) agent.base = row;
      return;
    }
    const rows = agent.rows;
    let at = rows.length;
    while (at > 0 && later(rows[at - 1]!, row)) at--;
    rows.splice(at, 0, row);
  }

  function load(horizon: number): void {
    const lastId = (maxId.get() as { id: number }).id;
    cache = { horizon, lastId, agents: new Map() };
    for (const row of lastBefore.iterate(horizon) as Iterable<LogRow>) place(row);
    for (const row of inPeriod.iterate(horizon, Number.MAX_SAFE_INTEGER) as Iterable<LogRow>) if (row.id <= lastId) place(row);
  }

  /** Moves the horizon forward: rows now before it fold into each agent's base. */
  function advance(horizon: number): void {
    const c = cache!;
    c.horizon = horizon;
    for (const agent of c.agents.values()) {
      let n = 0;
      while (n < agent.rows.length && agent.rows[n]!.since < horizon) n++;
      if (n > 0) agent.base = agent.rows.splice(0, n)[n - 1];
    }
  }

  function refresh(now: number): void {
    if (cache === undefined) { load(now - cacheMs); return; }
    for (const row of newer.iterate(cache.lastId) as Iterable<LogRow>) {
      place(row);
      cache.lastId = row.id;
    }
    if (now - cache.horizon > 2 * cacheMs) advance(now - cacheMs);
  }

  const change = (r: LogRow): AgentStateChange => ({ agentId: r.agent_id, state: r.state, since: r.since });

  const row = (r: LogRow): AgentStateLogRow => ({ id: r.id, agentId: r.agent_id, state: r.state, since: r.since });
  const follow: Follow = (from, now, afterId) => {
    if (afterId !== undefined) {
      const rows: AgentStateLogRow[] = [];
      for (const r of newer.iterate(afterId) as Iterable<LogRow>) rows.push(row(r));
      return { lastId: rows.length > 0 ? rows[rows.length - 1]!.id : afterId, rows };
    }
    refresh(now);
    const c = cache!;
    if (from < c.horizon) return undefined;
    const rows: AgentStateLogRow[] = [];
    for (const agentId of [...c.agents.keys()].sort()) {
      const { base, rows: list } = c.agents.get(agentId)!;
      let first = 0;
      while (first < list.length && list[first]!.since < from) first++;
      if (first > 0) rows.push(row(list[first - 1]!));
      else if (base) rows.push(row(base));
      for (let k = first; k < list.length; k++) rows.push(row(list[k]!));
    }
    return { lastId: c.lastId, rows };
  };

  const log: AgentActivityLog = {
    intervals(from: number, to: number, now: number): AgentInterval[] {
      if (!(to > from)) return [];
      refresh(now);
      const c = cache!;
      if (from >= c.horizon) {
        const out: AgentInterval[] = [];
        for (const agentId of [...c.agents.keys()].sort()) {
          const { base, rows } = c.agents.get(agentId)!;
          // from the change in force at `from` to the last one before `to`
          let first = 0;
          while (first < rows.length && rows[first]!.since < from) first++;
          let last = first;
          while (last < rows.length && rows[last]!.since < to) last++;
          const changes = first > 0 ? rows.slice(first - 1, last) : base ? [base, ...rows.slice(0, last)] : rows.slice(0, last);
          agentIntervalsOf(agentId, changes, from, to, now, out);
        }
        return out;
      }
      const changes: AgentStateChange[] = [];
      for (const row of lastBefore.iterate(from) as Iterable<LogRow>) changes.push(change(row));
      for (const row of inPeriod.iterate(from, to) as Iterable<LogRow>) changes.push(change(row));
      return agentIntervals(changes, from, to, now);
    },
    close(): void { cache = undefined; following.delete(log); },
  };
  following.set(log, follow);
  return log;
}
