import { agentIntervals, agentIntervalsOf } from '../../domain/acd/service-level.ts';
import type { AgentInterval, AgentStateChange } from '../../domain/acd/service-level.ts';
import type { Database } from '../../store/database.ts';
import type { AgentActivityLog } from './agent-activity.ts';

interface LogRow { id: number; agent_id: string; state: string; since: number }

/** Changes in the order the log holds them for one agent: by `since`, ties by id. */
const later = (a: LogRow, b: LogRow): boolean => a.since > b.since || (a.since === b.since && a.id > b.id);

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

  return {
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
    close(): void { cache = undefined; },
  };
}
