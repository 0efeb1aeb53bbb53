import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import type { Config } from '../../src/config/config.ts';
import { startHotline } from '../../src/hotline.ts';
import { createLogger } from '../../src/log.ts';
import { writeDemoHistory } from '../../src/sim/demo-history.ts';
import { openDatabase } from '../../src/store/database.ts';
import { startSecured } from './security-harness.ts';

const PASSWORD = 'History-check-9z!';
const DAY = 86_400_000;
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function demoConfig(values: Record<string, unknown> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-history-'));
  dirs.push(dir);
  return loadConfig({
    env: {},
    values: {
      service: { host: '127.0.0.1', port: 0 }, pbx: { mode: 'simulator' }, database: { path: join(dir, 'hotline.sqlite') },
      recordings: { dir: join(dir, 'recordings') }, log: { level: 'silent' }, ...values,
    },
  });
}

const log = createLogger({ level: 'silent' });
const shanghaiDay = (at: number) => new Date(at + 8 * 3_600_000).toISOString().slice(0, 10);

/** Row counts of the tables the history writes, and the ticket numbers in the order they were given. */
function contents(path: string): { counts: Record<string, number>; numbers: string[] } {
  const db = openDatabase(path);
  try {
    const counts: Record<string, number> = {};
    for (const table of ['calls', 'call_legs', 'agent_state_log', 'callbacks', 'tickets', 'ticket_dispatches', 'audit_log', 'unit_notices',
      'centre_notices', 'survey_jobs', 'survey_attempts', 'survey_results', 'hotspot_alerts', 'users']) {
      counts[table] = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    }
    return { counts, numbers: db.prepare('SELECT number FROM tickets ORDER BY rowid').pluck().all() as string[] };
  } finally {
    db.close();
  }
}

/** Rows whose times contradict the order the live service writes them in, by the rule they break (none expected). */
function outOfOrder(path: string, now: number): Record<string, number> {
  const db = openDatabase(path);
  const rules: Record<string, string> = {
    'a call ends after it arrives, is answered after it is offered': `SELECT count(*) FROM calls WHERE ended_at < arrived_at OR answered_at < offered_at
      OR offered_at < queued_at OR queued_at < arrived_at OR wait_ms <> coalesce(answered_at, ended_at) - arrived_at`,
    'a callback is claimed after the missed call and settled after its claim': `SELECT count(*) FROM callbacks
      WHERE claimed_at < first_missed_at OR outcome_at < claimed_at OR last_attempt_at < first_missed_at`,
    'a ticket is saved after its call ended': 'SELECT count(*) FROM tickets t JOIN calls c ON c.id = t.call_id WHERE t.created_at < c.ended_at',
    'a round is signed after it is dispatched and replied to after it is signed': `SELECT count(*) FROM ticket_dispatches
      WHERE signed_at < dispatched_at OR replied_at < signed_at`,
    'a survey call goes out after the closure, inside calling hours (09:00-20:00)': `SELECT count(*) FROM survey_attempts a
      JOIN survey_jobs j ON j.id = a.job_id WHERE a.started_at < j.due_at
      OR ((a.started_at + 28800000) % 86400000) NOT BETWEEN 32400000 AND 72000000`,
    'nothing happens after the history ends': `SELECT (SELECT count(*) FROM calls WHERE ended_at > @now) + (SELECT count(*) FROM agent_state_log WHERE since > @now)
      + (SELECT count(*) FROM audit_log WHERE at > @now) + (SELECT count(*) FROM survey_attempts WHERE ended_at > @now)`,
  };
  try {
    const broken: Record<string, number> = {};
    for (const [rule, sql] of Object.entries(rules)) {
      const n = (sql.includes('@now') ? db.prepare(sql).pluck().get({ now }) : db.prepare(sql).pluck().get()) as number;
      if (n > 0) broken[rule] = n;
    }
    return broken;
  } finally {
    db.close();
  }
}

describe('the demo month of history', () => {
  it('when the month is written into an empty database and the service starts on it, then the reports, the service level, the hotspots and the wallboard read it', async () => {
    const config = demoConfig();
    const now = Date.now();
    const counts = await writeDemoHistory({ config, log, now });
    expect(counts).toBeDefined();
    for (const key of ['calls', 'answered', 'abandoned', 'tickets', 'dispatched', 'closed', 'surveysAnswered', 'agentStates', 'hotspots'] as const) {
      expect(counts![key], key).toBeGreaterThan(0);
    }

    const hotline = await startHotline({ config, log, tuning: { sounds: { 'sound:hotline/greeting': 100 } } });
    try {
      await hotline.app.auth.createUser({ username: 'history-sup', password: PASSWORD, role: 'supervisor', displayName: '值班长' });
      const session = await hotline.app.auth.login('history-sup', PASSWORD);
      const get = async (path: string) => {
        const res = await fetch(hotline.url + path, { headers: { authorization: `Bearer ${session!.id}` } });
        expect(res.status, path).toBe(200);
        return res.json() as Promise<any>;
      };

      // The month 20 days back is inside the history: the last complete month, or this one early in a month.
      const month = shanghaiDay(now - 20 * DAY).slice(0, 7);
      const ranking = await get(`/api/reports/ranking?month=${month}&level=unit`);
      const rated = (key: string) => ranking.rows.filter((r: Record<string, unknown>) => typeof r[key] === 'number' && (r[key] as number) > 0).length;
      expect(rated('responseRate')).toBeGreaterThan(5);
      expect(rated('resolutionRate')).toBeGreaterThan(5);
      expect(rated('satisfactionRate')).toBeGreaterThan(5);
      expect(ranking.rows.some((r: { classes: string[] }) => r.classes.includes('advanced'))).toBe(true);
      const departments = await get(`/api/reports/ranking?month=${month}&level=department`);
      expect(departments.rows.length).toBeGreaterThan(3);
      expect((await get(`/api/reports/top-categories?month=${month}`)).rows.length).toBeGreaterThan(0);

      const yesterday = shanghaiDay(now - DAY);
      const level = await get(`/api/service-level?from=${yesterday}&to=${yesterday}&groupBy=hour`);
      expect(level.total.answered).toBeGreaterThan(50);
      expect(level.total.abandoned).toBeGreaterThan(0);
      expect(level.total.answerRate).toBeGreaterThan(0.8);
      expect(level.total.occupancy).toBeGreaterThan(0);
      expect(level.total.asaSeconds).toBeGreaterThan(0);

      const hotspots = await get(`/api/hotspots?sinceHours=${31 * 24}`);
      expect(hotspots.alerts.length).toBeGreaterThan(0);

      const board = await get('/api/wallboard');
      const chart = board.snapshot.history as Array<{ offered: number; answered: number }>;
      expect(chart).toHaveLength(12);
      expect(chart.reduce((n, h) => n + h.offered, 0)).toBeGreaterThan(0);
      expect(chart.reduce((n, h) => n + h.answered, 0)).toBeGreaterThan(0);
    } finally {
      await hotline.close();
    }
  }, 240_000);

  it('when the same seed writes the history twice, then the row counts and the ticket numbers are the same, the rows keep the order of events, and a second start writes nothing', async () => {
    const now = Date.UTC(2026, 10, 20, 3, 0);   // 2026-11-20 11:00 Asia/Shanghai
    const first = demoConfig({ simulator: { seed: 7 } });
    const second = demoConfig({ simulator: { seed: 7 } });
    const a = await writeDemoHistory({ config: first, log, now, days: 6 });
    const b = await writeDemoHistory({ config: second, log, now, days: 6 });
    expect(a).toEqual(b);
    const written = contents(first.database.path);
    expect(written.numbers.length).toBeGreaterThan(20);
    expect(written.numbers[0]).toBe('2026111400001');
    expect(contents(second.database.path)).toEqual(written);

    expect(await writeDemoHistory({ config: first, log, now: now + 3_600_000, days: 6 })).toBeUndefined();
    expect(contents(first.database.path)).toEqual(written);
    expect(outOfOrder(first.database.path, now)).toEqual({});
  }, 240_000);

  it('when the history is off or the PBX is a real Asterisk, then nothing is written', async () => {
    const off = demoConfig({ simulator: { history: 'off' } });
    expect(await writeDemoHistory({ config: off, log })).toBeUndefined();
    expect(existsSync(off.database.path)).toBe(false);
    const asterisk = demoConfig({ pbx: { mode: 'asterisk' }, ari: { password: 'a' }, ami: { password: 'b' } });
    expect(await writeDemoHistory({ config: asterisk, log })).toBeUndefined();
    expect(existsSync(asterisk.database.path)).toBe(false);
  });

  it('when a test rig starts the service with the simulator, then it gets no history', async () => {
    const rig = await startSecured();
    try {
      const db = rig.hotline.db;
      expect(db.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(0);
      expect(db.prepare("SELECT count(*) FROM calls WHERE arrived_at < ?").pluck().get(Date.now() - 3_600_000)).toBe(0);
      expect(db.prepare("SELECT count(*) FROM audit_log WHERE action = 'demo.history_written'").pluck().get()).toBe(0);
    } finally {
      await rig.close();
    }
  }, 120_000);
});
