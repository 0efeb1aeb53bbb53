import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import type { Database } from '../../store/database.ts';

export interface AgentStateRetentionSettings {
  /** Changes older than this many days are deleted (whole days, 2 to 3660; default 400). */
  retentionDays: number;
  sweepEveryMs: number;
  firstSweepMs: number;
  /** Rows deleted per statement, so calls' writes are not held up behind one long delete. */
  batch: number;
}

export const DEFAULT_AGENT_STATE_RETENTION: AgentStateRetentionSettings = {
  retentionDays: 400, sweepEveryMs: 24 * 3_600_000, firstSweepMs: 10 * 60_000, batch: 2000,
};

const DAY_MS = 24 * 3_600_000;

/** The settings, checked: a bad value is refused with the key and what is allowed. */
export function agentStateRetentionSettings(given: Partial<AgentStateRetentionSettings> = {}): AgentStateRetentionSettings {
  const s = { ...DEFAULT_AGENT_STATE_RETENTION, ...given };
  const check = (key: keyof AgentStateRetentionSettings, min: number, max: number): void => {
    const v = s[key];
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`agent state retention: ${key} must be a whole number from ${min} to ${max}, not ${String(v)}`);
  };
  check('retentionDays', 2, 3660);
  check('sweepEveryMs', 1000, 31 * DAY_MS);
  check('firstSweepMs', 0, 31 * DAY_MS);
  check('batch', 1, 1_000_000);
  return s;
}

/**
 * Deletes the agents' state changes older than `before`, but keeps each agent's last change before it
 * (the state the agent was in when the kept history begins). Returns how many rows went.
 */
export function pruneAgentStateLog(db: Database, before: number, batch = DEFAULT_AGENT_STATE_RETENTION.batch, maxBatches = Infinity): number {
  const keep = `SELECT keep FROM (SELECT (SELECT id FROM agent_state_log WHERE agent_id = a.agent_id AND since < @before
      ORDER BY since DESC, id DESC LIMIT 1) AS keep FROM (SELECT DISTINCT agent_id FROM agent_state_log WHERE since < @before) a)
    WHERE keep IS NOT NULL`;
  const kept = new Set((db.prepare(keep).all({ before }) as Array<{ keep: number }>).map((r) => r.keep));
  const pick = db.prepare('SELECT id FROM agent_state_log WHERE since < ? ORDER BY since LIMIT ?');
  const remove = db.prepare("DELETE FROM agent_state_log WHERE id IN (SELECT value FROM json_each(?))");
  let deleted = 0;
  for (let n = 0; n < maxBatches; n++) {
    const ids = (pick.all(before, batch + kept.size) as Array<{ id: number }>).map((r) => r.id).filter((id) => !kept.has(id)).slice(0, batch);
    if (ids.length === 0) break;
    deleted += remove.run(JSON.stringify(ids)).changes;
  }
  return deleted;
}

/**
 * Prunes the agent state history once a day on the clock (first after `firstSweepMs`). A sweep the
 * database refuses (busy, full) is logged and tried again at the next one; nothing else depends on it.
 */
export function startAgentStateRetention(deps: { db: Database; clock: Clock; log: Logger; settings?: Partial<AgentStateRetentionSettings> }) {
  const settings = agentStateRetentionSettings(deps.settings);
  const log = deps.log.child({ component: 'service-level.retention' });
  let timer: TimerHandle | undefined;
  let stopped = false;

  function sweep(): number {
    const cutoff = deps.clock.now() - settings.retentionDays * DAY_MS;
    try {
      const deleted = pruneAgentStateLog(deps.db, cutoff, settings.batch);
      log.info({ deleted, retentionDays: settings.retentionDays }, 'agent state history swept');
      return deleted;
    } catch (error) {
      log.error({ err: error }, 'agent state history sweep failed');
      return 0;
    }
  }

  /**
   * The daily sweep, one batch per turn of the event loop: a day of history is about 150,000 rows at 750 seats,
   * and deleting them in one go would hold up the calls for seconds.
   */
  function sweepInSteps(deletedSoFar = 0): void {
    timer = undefined;
    if (stopped) return;
    const cutoff = deps.clock.now() - settings.retentionDays * DAY_MS;
    let deleted: number;
    try {
      deleted = pruneAgentStateLog(deps.db, cutoff, settings.batch, 1);
    } catch (error) {
      log.error({ err: error }, 'agent state history sweep failed');
      schedule(settings.sweepEveryMs);
      return;
    }
    if (deleted >= settings.batch) {
      timer = deps.clock.setTimeout(() => sweepInSteps(deletedSoFar + deleted), 0);
      return;
    }
    log.info({ deleted: deletedSoFar + deleted, retentionDays: settings.retentionDays }, 'agent state history swept');
    schedule(settings.sweepEveryMs);
  }

  function schedule(ms: number): void {
    if (stopped) return;
    timer = deps.clock.setTimeout(() => sweepInSteps(), ms);
  }

  schedule(settings.firstSweepMs);
  return {
    settings,
    /** Runs a sweep now; how many rows were deleted. */
    sweep,
    stop(): void { stopped = true; deps.clock.clearTimeout(timer); },
  };
}
