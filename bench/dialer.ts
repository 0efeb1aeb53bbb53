/**
 * The callback dialer against the simulator: can it sustain 10,000 survey calls an hour?
 *
 * Compressed real time: every duration of the call (ringing, prompt lengths, key timings, the silence timer, the
 * ring timeout, the attempt spacing) is divided by BENCH_SPEEDUP (default 6), the clock itself runs at real speed,
 * and figures are converted back to the hour. Citizens: 70 % answer and press 1 during q1 and 2 during q2, 15 % are
 * busy, 15 % never answer (30 s ring timeout). Dialer: paced at 3 new calls/s (10,800 an hour) with up to 150
 * channels at once (equivalent); BENCH_PACING raises the pace to find where the one process saturates.
 * The simulator, the ARI client and the service share one process, so CPU time per call includes all three.
 * Run alone with `npx tsx bench/dialer.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createBus } from '../src/bus.ts';
import { realClock } from '../src/clock.ts';
import type { Clock } from '../src/clock.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/log.ts';
import { build } from '../src/app.ts';
import { createAriClient } from '../src/pbx/ari/client.ts';
import { startSimulator } from '../src/sim/index.ts';
import { migrate, openDatabase } from '../src/store/database.ts';
import { surveysFeature } from '../src/features/surveys/surveys.feature.ts';
import type { SurveyParts } from '../src/features/surveys/surveys.feature.ts';

const SPEEDUP = Number(process.env.BENCH_SPEEDUP ?? 6);
const SURVEYS = Number(process.env.BENCH_SURVEYS ?? 1200);
/** 3 new calls a second is 10,800 an hour: the dialer is paced just above the target. */
const PACING_PER_SECOND = Number(process.env.BENCH_PACING ?? 3);
const MAX_CONCURRENT = 150;

/** Seconds of the real call, as recorded prompt lengths and a citizen's habits. */
const REAL = { ringMs: 6000, greetingMs: 6000, topicMs: 3000, q1Ms: 7800, q2Ms: 6100, thanksMs: 2100, keyInPromptMs: 3000, ringTimeoutS: 30 };
const k = (ms: number): number => Math.max(1, Math.round(ms / SPEEDUP));

function atShanghaiMorning(base: Clock): Clock {
  const now = Date.now();
  const midnight = Math.floor((now + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000;
  const offset = midnight + 10 * 3_600_000 - now;
  return { now: () => base.now() + offset, setTimeout: (fn, ms) => base.setTimeout(fn, ms), clearTimeout: (h) => base.clearTimeout(h) };
}

export async function benchDialer(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-dialer-'));
  const clock = atShanghaiMorning(realClock);
  const log = createLogger({ level: 'silent' });
  const config = loadConfig({ env: {}, values: { database: { path: join(dir, 'hotline.sqlite') }, log: { level: 'silent' } } });
  const sim = await startSimulator({
    clock, amiPort: null, recordingsDir: join(dir, 'spool'), defaultSoundMs: k(3000),
    sounds: {
      'hotline/survey-intro': k(REAL.greetingMs), 'hotline/category-housing': k(REAL.topicMs), 'hotline/q1': k(REAL.q1Ms),
      'hotline/q2': k(REAL.q2Ms), 'hotline/thanks': k(REAL.thanksMs),
    },
  });
  const db = openDatabase(config.database.path);
  migrate(db);
  const ari = createAriClient({ url: sim.ariUrl, username: 'hotline', password: 'hotline', app: 'hotline', log, clock, requestTimeoutMs: 10_000 });
  let parts: SurveyParts | undefined;
  const ringTimeoutSeconds = Math.max(1, Math.round(REAL.ringTimeoutS / SPEEDUP));
  const feature = surveysFeature({
    onReady: (p) => { parts = p; },
    config: {
      delayAfterClosureMinutes: 0, silenceMs: k(6000), ringTimeoutSeconds,
      policy: { pacingPerSecond: PACING_PER_SECOND * SPEEDUP, maxConcurrent: MAX_CONCURRENT, spacingMinutes: 120 / SPEEDUP },
    },
  });
  const app = await build({ config, db, ari, clock, log, bus: createBus(), features: [feature.register] });
  await ari.connect();

  const answerAt = k(REAL.ringMs);
  const q1At = k(REAL.greetingMs + REAL.topicMs);
  const insert = db.prepare(`INSERT INTO tickets (id, number, caller_number, type, category, description, status, created_at, updated_at)
    VALUES (?, ?, ?, 'complaint', 'property/lift', 'bench', 'closed', 0, 0)`);
  db.transaction(() => {
    for (let i = 0; i < SURVEYS; i++) {
      const number = `139${String(i).padStart(8, '0')}`;
      insert.run(`B${i}`, `BN${i}`, number);
      const roll = i % 20;
      if (roll < 14) {
        sim.control.setCitizen(number, {
          mode: 'answer', ringMs: answerAt,
          keys: [{ afterMs: q1At + k(REAL.keyInPromptMs), digit: '1' }, { afterMs: q1At + k(REAL.keyInPromptMs) + 280 + k(REAL.keyInPromptMs), digit: '2' }],
        });
      } else if (roll < 17) sim.control.setCitizen(number, { mode: 'busy', ringMs: k(4000) });
      else sim.control.setCitizen(number, { mode: 'no-answer' });
    }
  })();

  const repo = parts!.repo;
  const stasis = parts!.stasis!;
  let peakService = 0;
  let peakSim = 0;
  const sampler = setInterval(() => {
    peakService = Math.max(peakService, stasis.activeCount());
    peakSim = Math.max(peakSim, sim.control.channels().length);
  }, 25);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < SURVEYS; i++) feature.scheduleSurvey({ ticketId: `B${i}`, closedAt: clock.now() });

  const ended = db.prepare('SELECT count(*) FROM survey_attempts WHERE ended_at IS NOT NULL').pluck();
  const startedCount = db.prepare('SELECT count(*) FROM survey_attempts').pluck();
  let lastStartAt = t0;
  let lastStartClock = clock.now();
  const firstClock = clock.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    if (Number(startedCount.get()) < SURVEYS) { lastStartAt = performance.now(); lastStartClock = clock.now(); }
    if (Number(ended.get()) >= SURVEYS) break;
    if (performance.now() - t0 > 20 * 60_000) throw new Error('the dialer did not finish within 20 minutes');
  }
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  lag.disable();
  clearInterval(sampler);

  const outcomes = repo.attemptsSince(0);
  const steadyFrom = firstClock + Math.round(60_000 / SPEEDUP);
  const endedBetween = db.prepare('SELECT count(*) FROM survey_attempts WHERE ended_at >= ? AND ended_at < ?').pluck();
  const steady = Number(endedBetween.get(steadyFrom, lastStartClock));
  const completed = outcomes.answered_completed ?? 0;
  const hourEq = (count: number, ms: number) => Math.round((count / (ms * SPEEDUP)) * 3_600_000);
  const figures = {
    'time compression (real s per equivalent s)': `1:${SPEEDUP}`,
    'survey jobs dialled': SURVEYS,
    'attempts ended per hour, steady state (equivalent)': hourEq(steady, lastStartClock - steadyFrom),
    'attempts ended per hour incl. ramp and drain (equivalent)': hourEq(SURVEYS, elapsedMs),
    'calls started per hour while dialling (equivalent)': hourEq(SURVEYS, lastStartAt - t0),
    'surveys completed (answered, both questions)': completed,
    'surveys completed per hour (equivalent)': hourEq(completed, elapsedMs),
    'busy / no answer / failed / partial': `${outcomes.busy ?? 0} / ${outcomes.no_answer ?? 0} / ${outcomes.failed ?? 0} / ${outcomes.answered_partial ?? 0}`,
    'peak concurrent survey channels (service)': peakService,
    'peak concurrent channels (simulator)': peakSim,
    'CPU ms per call (service + simulator, one process)': (cpu.user + cpu.system) / 1000 / SURVEYS,
    'event loop delay p99 (ms)': lag.percentile(99) / 1e6,
    'wall time (s)': elapsedMs / 1000,
  };
  await ari.close();
  await app.close();
  await sim.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchDialer());
}
