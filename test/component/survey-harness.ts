import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus } from '../../src/bus.ts';
import type { Bus, HotlineEvents } from '../../src/bus.ts';
import { realClock } from '../../src/clock.ts';
import type { Clock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { build } from '../../src/app.ts';
import type { HotlineApp } from '../../src/app.ts';
import { createAriClient } from '../../src/pbx/ari/client.ts';
import type { AriClient } from '../../src/pbx/ari/client.types.ts';
import type { AriEvent } from '../../src/pbx/ari/models.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/types.ts';
import { migrate, openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/database.ts';
import { surveysFeature } from '../../src/features/surveys/surveys.feature.ts';
import type { SurveyParts, SurveysFeature } from '../../src/features/surveys/surveys.feature.ts';
import type { SurveyConfigInput } from '../../src/features/surveys/surveys.schemas.ts';

/** Real time moved to a fixed Shanghai hour, so calling hours hold whenever the tests run. */
export function clockAtShanghai(hour: number, base: Clock = realClock): Clock {
  const now = Date.now();
  const shanghaiMidnight = Math.floor((now + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000;
  const offset = shanghaiMidnight + hour * 3_600_000 - now;
  return { now: () => base.now() + offset, setTimeout: (fn, ms) => base.setTimeout(fn, ms), clearTimeout: (h) => base.clearTimeout(h) };
}

export interface SurveyHotline {
  url: string;
  sim: Simulator;
  ari: AriClient;
  db: Database;
  bus: Bus;
  app: HotlineApp;
  clock: Clock;
  feature: SurveysFeature;
  parts: SurveyParts;
  /** Every ARI event the service received, in order. */
  events: AriEvent[];
  /** Every ARI request the service made: method, path and status. */
  requests: Array<{ method: string; path: string; status: number | undefined }>;
  unresolved: Array<HotlineEvents['survey.unresolved']>;
  addTicket(id: string, phone: string, opts?: { category?: string; confidential?: boolean }): void;
  token(username: string, role: 'supervisor' | 'agent' | 'admin'): Promise<string>;
  close(): Promise<void>;
}

/** The app with the survey feature on the simulator over real HTTP and a temporary SQLite file. */
export async function startSurveyHotline(opts: { config?: SurveyConfigInput; sounds?: Record<string, number>; defaultSoundMs?: number } = {}): Promise<SurveyHotline> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-surveys-'));
  const clock = clockAtShanghai(10);
  const log = createLogger({ level: (process.env.TEST_LOG_LEVEL as 'info' | undefined) ?? 'silent' });
  const config = loadConfig({ env: {}, values: { database: { path: join(dir, 'hotline.sqlite') }, log: { level: 'silent' } } });
  const sim = await startSimulator({ clock, sounds: opts.sounds ?? {}, defaultSoundMs: opts.defaultSoundMs ?? 300, recordingsDir: join(dir, 'spool') });
  const db = openDatabase(config.database.path);
  migrate(db);
  const requests: SurveyHotline['requests'] = [];
  const ari = createAriClient({
    url: sim.ariUrl, username: 'hotline', password: 'hotline', app: 'hotline', log, clock, requestTimeoutMs: 5000,
    onRequest: (r) => requests.push({ method: r.method, path: r.path, status: r.status }),
  });
  const events: AriEvent[] = [];
  ari.onEvent((e) => events.push(e));
  const bus = createBus();
  const unresolved: Array<HotlineEvents['survey.unresolved']> = [];
  bus.subscribe('survey.unresolved', (e) => unresolved.push(e));
  let parts: SurveyParts | undefined;
  const feature = surveysFeature({ config: { delayAfterClosureMinutes: 0, ...opts.config }, onReady: (p) => { parts = p; } });
  const app = await build({ config, db, ari, clock, log, bus, features: [feature.register] });
  await ari.connect();
  const url = await app.app.listen({ host: '127.0.0.1', port: 0 });

  return {
    url, sim, ari, db, bus, app, clock, feature, parts: parts!, events, requests, unresolved,
    addTicket(id, phone, o = {}) {
      db.prepare(`INSERT INTO tickets (id, number, caller_number, type, category, description, confidential, status, created_at, updated_at)
        VALUES (?, ?, ?, 'complaint', ?, 'test', ?, 'closed', ?, ?)`).run(id, `N-${id}`, phone, o.category ?? 'property/lift', o.confidential ? 1 : 0, clock.now(), clock.now());
    },
    async token(username, role) {
      await app.auth.createUser({ username, password: 'secret-pass-1', role, displayName: username, ...(role === 'agent' ? { agent: { seat: `seat-${username}` } } : {}) });
      const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'secret-pass-1' }) });
      return ((await res.json()) as { token: string }).token;
    },
    async close() {
      await ari.close();
      await app.close();
      await sim.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The media of every playback started on a channel, in order. */
export function playedOn(events: AriEvent[], channelId: string): string[] {
  return events.flatMap((e) => (e.type === 'PlaybackStarted' && e.playback.target_uri === `channel:${channelId}` ? [e.playback.media_uri] : []));
}
