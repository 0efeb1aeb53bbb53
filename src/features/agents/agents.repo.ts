import type { Database } from '../../store/database.ts';
import type { StoredAgentState } from '../../domain/agent-state.ts';

/** An agent account: a person (bound to a user with the agent role) and the seat assigned to them. */
export interface AgentAccount {
  id: string;
  userId: string | null;
  name: string;
  /** The SIP endpoint resource of the seat assigned to this agent (PJSIP/<seat>). */
  seat: string;
  skills: string[];
  /** The desk (a queue id) an administrator put the agent on; none when unset. */
  desk?: string | null;
}

export interface AgentsRepo {
  all(): AgentAccount[];
  byId(agentId: string): AgentAccount | undefined;
  byUser(userId: string): AgentAccount | undefined;
  create(account: AgentAccount): void;
  saveState(agentId: string, state: AgentStateRecord): void;
  /** Every agent's stored state and the seat they were logged in at, for a restart. */
  storedStates(): Map<string, StoredAgentState & { seat: string | null }>;
  /** Skill levels stored for each agent that has any. */
  skillLevels(): Map<string, Record<string, number>>;
  saveSkillLevels(agentId: string, levels: Readonly<Record<string, number>>): void;
  /** The skill levels stored for one agent (empty when none). */
  skillLevelsOf(agentId: string): Record<string, number>;
  /** The agent's assigned seat, desk (a queue id) or name, as an administrator set them. */
  saveSeat(agentId: string, seat: string): void;
  saveDesk(agentId: string, desk: string | null): void;
  saveName(agentId: string, name: string): void;
}

/** One agent's state as written to the agents table. */
export interface AgentStateRecord {
  state: string;
  reason: string | null;
  since: number;
  idleSince: number | null;
  callId: string | null;
  wrapUpUntil: number | null;
  seat: string | null;
}

interface StoredRow {
  id: string; state: string; state_reason: string | null; state_since: number | null; idle_since: number | null;
  call_id: string | null; wrap_up_until: number | null; logged_in_seat: string | null;
}

interface AgentDbRow { id: string; user_id: string | null; name: string; seat: string; skills: string; desk: string | null }

function account(row: AgentDbRow): AgentAccount {
  let skills: string[] = [];
  try { const parsed: unknown = JSON.parse(row.skills); if (Array.isArray(parsed)) skills = parsed.map(String); } catch { /* empty */ }
  return { id: row.id, userId: row.user_id, name: row.name, seat: row.seat, skills, desk: row.desk };
}

export function createAgentsRepo(db: Database): AgentsRepo {
  const all = db.prepare('SELECT id, user_id, name, seat, skills, desk FROM agents ORDER BY id');
  const byId = db.prepare('SELECT id, user_id, name, seat, skills, desk FROM agents WHERE id = ?');
  const byUser = db.prepare('SELECT id, user_id, name, seat, skills, desk FROM agents WHERE user_id = ?');
  const insert = db.prepare(`INSERT INTO agents (id, user_id, name, seat, skills) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, name = excluded.name, seat = excluded.seat, skills = excluded.skills`);
  const saveState = db.prepare(`UPDATE agents SET state = ?, state_reason = ?, state_since = ?, idle_since = ?, call_id = ?,
    wrap_up_until = ?, logged_in_seat = ? WHERE id = ?`);
  const stored = db.prepare(`SELECT id, state, state_reason, state_since, idle_since, call_id, wrap_up_until, logged_in_seat
    FROM agents ORDER BY id`);
  const levels = db.prepare('SELECT agent_id, skill, level FROM agent_skills ORDER BY agent_id, skill');
  const clearLevels = db.prepare('DELETE FROM agent_skills WHERE agent_id = ?');
  const addLevel = db.prepare('INSERT INTO agent_skills (agent_id, skill, level) VALUES (?, ?, ?)');
  const levelsOf = db.prepare('SELECT skill, level FROM agent_skills WHERE agent_id = ? ORDER BY skill');
  const saveSeat = db.prepare('UPDATE agents SET seat = ? WHERE id = ?');
  const saveDesk = db.prepare('UPDATE agents SET desk = ? WHERE id = ?');
  const saveName = db.prepare('UPDATE agents SET name = ? WHERE id = ?');
  const replaceLevels = db.transaction((agentId: string, set: Readonly<Record<string, number>>) => {
    clearLevels.run(agentId);
    for (const [skill, level] of Object.entries(set)) addLevel.run(agentId, skill, level);
  });
  return {
    skillLevels() {
      const out = new Map<string, Record<string, number>>();
      for (const r of levels.iterate() as Iterable<{ agent_id: string; skill: string; level: number }>) {
        const set = out.get(r.agent_id) ?? {};
        set[r.skill] = r.level;
        out.set(r.agent_id, set);
      }
      return out;
    },
    saveSkillLevels(agentId, set) { replaceLevels(agentId, set); },
    skillLevelsOf: (agentId) => Object.fromEntries((levelsOf.all(agentId) as Array<{ skill: string; level: number }>).map((r) => [r.skill, r.level])),
    saveSeat(agentId, seat) { saveSeat.run(seat, agentId); },
    saveDesk(agentId, desk) { saveDesk.run(desk, agentId); },
    saveName(agentId, name) { saveName.run(name, agentId); },
    all: () => (all.all() as AgentDbRow[]).map(account),
    byId: (agentId) => { const r = byId.get(agentId) as AgentDbRow | undefined; return r ? account(r) : undefined; },
    byUser: (userId) => { const r = byUser.get(userId) as AgentDbRow | undefined; return r ? account(r) : undefined; },
    create(a) { insert.run(a.id, a.userId, a.name, a.seat, JSON.stringify(a.skills)); },
    saveState(agentId, s) { saveState.run(s.state, s.reason, s.since, s.idleSince, s.callId, s.wrapUpUntil, s.seat, agentId); },
    storedStates() {
      const out = new Map<string, StoredAgentState & { seat: string | null }>();
      for (const r of stored.iterate() as Iterable<StoredRow>) {
        out.set(r.id, {
          state: r.state, reason: r.state_reason, since: r.state_since, idleSince: r.idle_since,
          callId: r.call_id, wrapUpUntil: r.wrap_up_until, seat: r.logged_in_seat,
        });
      }
      return out;
    },
  };
}
