import type { ScreenPop } from '../../bus.ts';
import { citizenDisclosure, shownNumber } from '../../domain/citizen-privacy.ts';
import type { ServiceLevelFigures } from '../../domain/acd/service-level.ts';

/** One agent as the supervisor's grid shows it. The caller's number is masked. */
export interface AgentRow {
  id: string;
  name: string;
  seat: string;
  state: string;
  reason: string | null;
  since: number;
  registered: boolean;
  callId: string | null;
  caller: string | null;
  line: string | null;
  callsToday: number;
  handleSecondsToday: number;
}

export interface AgentFacts {
  id: string;
  name: string;
  seat: string;
  state: string;
  reason: string | null;
  since: number;
  registered: boolean;
  callId: string | null;
}

export const AGENT_STATE_NAMES = ['offline', 'ready', 'ringing', 'on_call', 'wrap_up', 'paused'] as const;

/** The grid's rows, and which of them changed since the last frame. */
export function createAgentGrid() {
  const rows = new Map<string, AgentRow>();
  const changed = new Set<string>();
  /** How many rows are in each state, kept as rows come and change. */
  const inState = new Map<string, number>(AGENT_STATE_NAMES.map((s) => [s, 0]));
  const tell = (state: string, by: number): void => { inState.set(state, (inState.get(state) ?? 0) + by); };

  function put(facts: AgentFacts): AgentRow {
    const was = rows.get(facts.id);
    if (was) tell(was.state, -1);
    tell(facts.state, 1);
    const keepCall = was && facts.callId !== null && was.callId === facts.callId;
    const row: AgentRow = {
      id: facts.id, name: facts.name, seat: facts.seat, state: facts.state, reason: facts.reason,
      since: facts.since, registered: facts.registered, callId: facts.callId,
      caller: keepCall ? was.caller : null,
      line: keepCall ? was.line : null,
      callsToday: was?.callsToday ?? 0,
      handleSecondsToday: was?.handleSecondsToday ?? 0,
    };
    rows.set(facts.id, row);
    changed.add(facts.id);
    return row;
  }

  return {
    put,
    /** The agent answered: the pop names the caller, shown masked: the grid is an overview, one frame for every supervisor and admin (src/domain/citizen-privacy.ts). */
    popped(agentId: string, pop: ScreenPop): void {
      const row = rows.get(agentId);
      if (!row) return;
      row.callId = pop.callId;
      row.caller = shownNumber(pop.callerNumber, citizenDisclosure({ role: 'supervisor' }, false, 'overview').number);
      row.line = pop.line;
      changed.add(agentId);
    },
    callEnded(agentId: string, callId: string): void {
      const row = rows.get(agentId);
      if (!row || row.callId !== callId) return;
      row.caller = null;
      changed.add(agentId);
    },
    /**
     * Today's answered calls and handle time per agent, from the day's service level: for the agents
     * named in `only` (those whose calls were counted since the last time), or for every row.
     */
    applyFigures(figuresOf: (agentId: string) => ServiceLevelFigures | undefined, only?: Iterable<string>): void {
      const apply = (row: AgentRow): void => {
        const f = figuresOf(row.id);
        const calls = f?.answered ?? 0;
        const handle = f && f.ahtSeconds !== null ? Math.round(f.ahtSeconds * f.answered) : 0;
        if (row.callsToday !== calls || row.handleSecondsToday !== handle) {
          row.callsToday = calls;
          row.handleSecondsToday = handle;
          changed.add(row.id);
        }
      };
      if (only === undefined) { for (const row of rows.values()) apply(row); return; }
      for (const id of only) { const row = rows.get(id); if (row) apply(row); }
    },
    byState(): Record<string, number> {
      const counts: Record<string, number> = {};
      for (const [state, n] of inState) if (n > 0 || (AGENT_STATE_NAMES as readonly string[]).includes(state)) counts[state] = n;
      return counts;
    },
    size: (): number => rows.size,
    get: (agentId: string): AgentRow | undefined => rows.get(agentId),
    all: (): AgentRow[] => [...rows.values()],
    /** The rows changed since the last call; each change is handed out once. */
    takeChanged(): AgentRow[] {
      const out: AgentRow[] = [];
      for (const id of changed) { const row = rows.get(id); if (row) out.push({ ...row }); }
      changed.clear();
      return out;
    },
  };
}

export type AgentGrid = ReturnType<typeof createAgentGrid>;
