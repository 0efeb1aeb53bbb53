import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import type { Clock } from '../../src/clock.ts';
import { serviceLevelReport } from '../../src/domain/acd/service-level.ts';
import { createAgentsRepo } from '../../src/features/agents/agents.repo.ts';
import { createAgentStateLog } from '../../src/features/service-level/agent-state-log.ts';
import { agentStateRetentionSettings, pruneAgentStateLog, startAgentStateRetention } from '../../src/features/service-level/agent-state-retention.ts';
import { createLogger } from '../../src/log.ts';
import { migrate, openDatabase, type Database } from '../../src/store/database.ts';

const MIN = 60_000;
const H = 60 * MIN;
/** 2026-03-02 08:00 in Beijing. */
const T0 = Date.UTC(2026, 2, 2, 0, 0, 0);
const at = (hh: number, mm: number): number => T0 + (hh - 8) * H + mm * MIN;

const dir = mkdtempSync(join(tmpdir(), 'hotline-agent-history-'));
const opened: Database[] = [];
afterAll(() => {
  for (const db of opened) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function open(path: string): Database {
  const db = openDatabase(path);
  migrate(db);
  opened.push(db);
  return db;
}

type Change = [agent: string, state: string, reason: string | null, since: number];

/** Writes changes as the agents service's repository does: an UPDATE of the agent's state columns. */
function save(db: Database, changes: Change[]): void {
  const update = db.prepare('UPDATE agents SET state = ?, state_reason = ?, state_since = ?, idle_since = ? WHERE id = ?');
  for (const [agent, state, reason, since] of changes) update.run(state, reason, since, state === 'ready' ? since : null, agent);
}

const BEFORE_RESTART: Change[] = [
  ['a1', 'ready', null, at(8, 0)], ['a1', 'ringing', null, at(8, 10)], ['a1', 'on_call', null, at(8, 11)],
  ['a1', 'wrap_up', null, at(8, 21)], ['a1', 'ready', null, at(8, 23)], ['a1', 'paused', 'lunch', at(8, 40)],
  ['a2', 'ready', null, at(7, 30)], ['a2', 'on_call', null, at(8, 30)], ['a2', 'wrap_up', null, at(8, 45)], ['a2', 'ready', null, at(8, 46)],
];
/** On start the agents service sets every agent offline (the service stopped at some moment after 08:46 unseen). */
const RESTART: Change[] = [['a1', 'offline', null, at(9, 0)], ['a2', 'offline', null, at(9, 0)]];
const AFTER_RESTART: Change[] = [
  ['a1', 'ready', null, at(9, 5)], ['a1', 'on_call', null, at(9, 15)], ['a1', 'wrap_up', null, at(9, 35)],
  ['a1', 'paused', 'meeting', at(9, 40)], ['a1', 'paused', 'training', at(9, 45)],
];

/** A database that lived through a restart: changes, close, reopen, the start's offline rows, more changes. */
function historyAcrossRestart(): { path: string; db: Database } {
  const path = join(dir, `db-${++n}.sqlite`);
  const first = open(path);
  const repo = createAgentsRepo(first);
  for (const id of ['a1', 'a2']) repo.create({ id, userId: null, name: id, seat: `seat-${id}`, skills: [] });
  save(first, BEFORE_RESTART);
  first.close();
  const db = open(path);
  save(db, RESTART);
  save(db, AFTER_RESTART);
  return { path, db };
}

describe('the agents\' state history (agent_state_log)', () => {
  it('when the agents repository saves states, then each change is one row and a save that changes nothing adds none', () => {
    const { db } = historyAcrossRestart();
    const count = () => (db.prepare('SELECT COUNT(*) AS n FROM agent_state_log').get() as { n: number }).n;
    expect(count()).toBe(BEFORE_RESTART.length + RESTART.length + AFTER_RESTART.length);
    save(db, [['a1', 'paused', 'training', at(9, 45)]]);
    expect(count()).toBe(17);
    expect(db.prepare("SELECT state, reason, since FROM agent_state_log WHERE agent_id = 'a1' ORDER BY since DESC, id DESC LIMIT 2").all()).toEqual([
      { state: 'paused', reason: 'training', since: at(9, 45) }, { state: 'paused', reason: 'meeting', since: at(9, 40) },
    ]);
  });

  it('when occupancy is computed over a restart, then it equals the hand count (before the restart too)', () => {
    const { db } = historyAcrossRestart();
    const log = createAgentStateLog(db);
    const r = serviceLevelReport([], log.intervals(at(8, 0), at(10, 0), at(10, 0)));
    // a1 logged in 08:00–09:00 (60) and 09:05–10:00 (55); busy 08:11–08:23 (12) and 09:15–09:40 (25).
    // a2 logged in 08:00–09:00 (60, ready since 07:30 counts from 08:00); busy 08:30–08:46 (16); offline from 09:00.
    expect(r.byAgent.a1?.occupancy).toBeCloseTo(37 / 115, 12);
    expect(r.byAgent.a2?.occupancy).toBeCloseTo(16 / 60, 12);
    expect(r.total.occupancy).toBeCloseTo(53 / 175, 12);
    expect(r.byHour[String(at(8, 0))]?.occupancy).toBeCloseTo(28 / 120, 12);
    expect(r.byHour[String(at(9, 0))]?.occupancy).toBeCloseTo(25 / 55, 12);
  });

  it('when the time in each state is summed, then ready, paused, on call and offline match the sequence', () => {
    const { db } = historyAcrossRestart();
    const spent = (agent: string, state: string) => createAgentStateLog(db).intervals(at(8, 0), at(10, 0), at(10, 0))
      .filter((iv) => iv.agentId === agent && iv.state === state).reduce((s, iv) => s + iv.to - iv.from, 0) / MIN;
    expect(['ready', 'ringing', 'on_call', 'wrap_up', 'paused', 'offline'].map((s) => spent('a1', s))).toEqual([37, 1, 30, 7, 40, 5]);
    expect(['ready', 'on_call', 'wrap_up', 'offline'].map((s) => spent('a2', s))).toEqual([44, 15, 1, 60]);
  });

  it('when a new log is opened on the same file (a second restart), then the figures of the period are the same', () => {
    const { path, db } = historyAcrossRestart();
    const before = createAgentStateLog(db).intervals(at(8, 0), at(10, 0), at(10, 0));
    db.close();
    expect(createAgentStateLog(open(path)).intervals(at(8, 0), at(10, 0), at(10, 0))).toEqual(before);
  });

  it('when changes are written after a first read, then the next read has them; an old period read from the database matches the memory', () => {
    const { db } = historyAcrossRestart();
    const cached = createAgentStateLog(db, { cacheMs: 30 * MIN });
    expect(cached.intervals(at(9, 50), at(10, 0), at(9, 50))).toEqual([]);
    save(db, [['a2', 'ready', null, at(9, 52)]]);
    expect(cached.intervals(at(9, 50), at(10, 0), at(10, 0)).filter((iv) => iv.agentId === 'a2')).toEqual([
      { agentId: 'a2', state: 'offline', from: at(9, 50), to: at(9, 52) }, { agentId: 'a2', state: 'ready', from: at(9, 52), to: at(10, 0) },
    ]);
    const fresh = createAgentStateLog(db);
    for (const [from, to] of [[at(8, 0), at(10, 0)], [at(9, 2), at(9, 41)], [at(9, 30), at(9, 55)]] as const) {
      expect(cached.intervals(from, to, at(10, 0)), `${from}–${to}`).toEqual(fresh.intervals(from, to, at(10, 0)));
    }
  });

  it('when the memory horizon moves on, then periods inside and before it still count the same', () => {
    const { db } = historyAcrossRestart();
    const log = createAgentStateLog(db, { cacheMs: 20 * MIN });
    const want = createAgentStateLog(db).intervals(at(9, 0), at(10, 0), at(10, 0));
    log.intervals(at(9, 0), at(9, 1), at(9, 10));
    expect(log.intervals(at(9, 0), at(10, 0), at(10, 0))).toEqual(want);
    expect(log.intervals(at(9, 45), at(10, 0), at(10, 0))).toEqual(want.map((iv) => ({ ...iv, from: Math.max(iv.from, at(9, 45)) })).filter((iv) => iv.to > iv.from));
  });

  it('when old changes are pruned, then each agent keeps the state it held at the cut and later figures do not change', () => {
    const { db } = historyAcrossRestart();
    const later = () => createAgentStateLog(db).intervals(at(8, 50), at(10, 0), at(10, 0));
    const before = later();
    // a1 had six rows before 08:50 and keeps the last (paused 08:40); a2 had four and keeps ready 08:46.
    expect(pruneAgentStateLog(db, at(8, 50), 2)).toBe(8);
    expect(db.prepare('SELECT agent_id, state, since FROM agent_state_log WHERE since < ? ORDER BY agent_id').all(at(8, 50))).toEqual([
      { agent_id: 'a1', state: 'paused', since: at(8, 40) }, { agent_id: 'a2', state: 'ready', since: at(8, 46) },
    ]);
    expect(later()).toEqual(before);
    expect(pruneAgentStateLog(db, at(8, 50))).toBe(0);
  });

  it('when the daily sweep has several batches to delete, then it deletes one batch per turn of the event loop and ends with the same rows', () => {
    const { db } = historyAcrossRestart();
    const clock = new VirtualClock(at(10, 0) + 2 * 24 * H);
    const seen: number[] = [];
    const counted: Clock = {
      now: () => clock.now(),
      setTimeout: (fn, ms) => {
        seen.push((db.prepare('SELECT COUNT(*) AS n FROM agent_state_log').get() as { n: number }).n);
        return clock.setTimeout(fn, ms);
      },
      clearTimeout: (t) => clock.clearTimeout(t),
    };
    const sweeper = startAgentStateRetention({ db, clock: counted, log: createLogger({ level: 'silent' }), settings: { retentionDays: 2, firstSweepMs: MIN, batch: 4 } });
    clock.advance(MIN);
    // 17 rows, 15 to go in batches of 4: the first timer (17), then one turn after each full batch, then tomorrow's sweep.
    expect(seen).toEqual([17, 13, 9, 5, 2]);
    expect(clock.pending()).toBe(1);
    sweeper.stop();
  });

  it('when the daily sweep runs on the clock, then rows older than the retention go and the next sweep is a day later', () => {
    const { db } = historyAcrossRestart();
    const clock = new VirtualClock(at(10, 0) + 2 * 24 * H);
    const sweeper = startAgentStateRetention({ db, clock, log: createLogger({ level: 'silent' }), settings: { retentionDays: 2, firstSweepMs: MIN } });
    const rows = () => (db.prepare('SELECT COUNT(*) AS n FROM agent_state_log').get() as { n: number }).n;
    clock.advance(MIN - 1);
    expect(rows()).toBe(17);
    clock.advance(1);
    // cut at 10:01 two days earlier: all but each agent's last row (a1 paused 09:45, a2 offline 09:00) go.
    expect(rows()).toBe(2);
    save(db, [['a2', 'ready', null, at(10, 0) + 2 * 24 * H]]);
    expect(clock.pending()).toBe(1);
    sweeper.stop();
    expect(clock.pending()).toBe(0);
  });

  it.each([
    [{ retentionDays: 0 }, 'retentionDays must be a whole number from 2 to 3660, not 0'],
    [{ retentionDays: 1.5 }, 'retentionDays must be a whole number from 2 to 3660, not 1.5'],
    [{ sweepEveryMs: Number.NaN }, 'sweepEveryMs must be a whole number'],
    [{ batch: 0 }, 'batch must be a whole number from 1'],
  ])('when the retention is set to %o, then it is refused naming the key', (settings, message) => {
    expect(() => agentStateRetentionSettings(settings)).toThrow(message);
  });
});
