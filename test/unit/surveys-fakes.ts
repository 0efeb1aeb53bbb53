import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createBus } from '../../src/bus.ts';
import type { Bus, HotlineEvents } from '../../src/bus.ts';
import type { VirtualClock } from '../../src/clock.ts';
import type { AriConnectionState, OriginateParams, PlayParams } from '../../src/pbx/ari/client.types.ts';
import { AriError } from '../../src/pbx/ari/client.types.ts';
import type { AriEvent, Channel } from '../../src/pbx/ari/models.ts';
import { migrate, openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/database.ts';
import type { SurveyAri } from '../../src/features/surveys/surveys.call.ts';
import { createSurveysRepo } from '../../src/features/surveys/surveys.repo.ts';
import type { SurveysRepo } from '../../src/features/surveys/surveys.repo.ts';
import { surveyConfig } from '../../src/features/surveys/surveys.schemas.ts';
import type { SurveyConfig, SurveyConfigInput } from '../../src/features/surveys/surveys.schemas.ts';
import { createSurveysService } from '../../src/features/surveys/surveys.service.ts';
import type { SurveysService } from '../../src/features/surveys/surveys.service.ts';
import { createSurveyStasis } from '../../src/features/surveys/surveys.stasis.ts';
import type { SurveyStasis } from '../../src/features/surveys/surveys.stasis.ts';

/** Epoch ms of a wall-clock time in Shanghai: 'YYYY-MM-DD HH:MM[:SS]'. */
export function sh(text: string): number {
  const [date, time] = text.split(' ') as [string, string];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s = 0] = time.split(':').map(Number) as [number, number, number?];
  return Date.UTC(y, mo - 1, d, h - 8, mi, s);
}

export const flush = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

/** A stand-in for the part of ARI the survey uses: it records what was asked and answers as told. */
export class FakeSurveyAri implements SurveyAri {
  originated: OriginateParams[] = [];
  played: Array<{ channelId: string; media: string[]; playbackId: string }> = [];
  stopped: string[] = [];
  hungUp: string[] = [];
  live = new Set<string>();
  connection: AriConnectionState = 'connected';
  refuse: { status: number | undefined; message: string } | null = null;

  state(): AriConnectionState { return this.connection; }

  channels: SurveyAri['channels'] = {
    originate: async (p: OriginateParams) => {
      if (this.refuse) throw new AriError({ ...this.refuse, method: 'POST', path: '/channels' });
      this.originated.push(p);
      this.live.add(p.channelId!);
      return channel(p.channelId!, 'Down');
    },
    get: async (id: string) => {
      if (!this.live.has(id)) throw new AriError({ status: 404, message: 'Channel not found', method: 'GET', path: `/channels/${id}` });
      return channel(id, 'Up');
    },
    hangup: async (id: string) => {
      this.hungUp.push(id);
      if (!this.live.delete(id)) throw new AriError({ status: 404, message: 'Channel not found', method: 'DELETE', path: `/channels/${id}` });
    },
    play: async (id: string, p: PlayParams) => {
      const media = Array.isArray(p.media) ? p.media : [p.media];
      this.played.push({ channelId: id, media, playbackId: p.playbackId! });
      return { id: p.playbackId!, media_uri: media[0]!, target_uri: `channel:${id}`, state: 'queued' as const };
    },
  };

  playbacks: SurveyAri['playbacks'] = {
    stop: async (id: string) => { this.stopped.push(id); },
  };

  lastPlayback(channelId: string) { return [...this.played].reverse().find((p) => p.channelId === channelId); }
}

export function channel(id: string, state: Channel['state']): Channel {
  return {
    id, protocol_id: '', name: `PJSIP/trunk-${id.slice(-4)}`, state, caller: { name: '', number: '12345' }, connected: { name: '', number: '' },
    accountcode: '', dialplan: { context: 'from-trunk', exten: 's', priority: 1 }, creationtime: '2026-11-23T01:00:00.000+0000', language: 'en',
  } as Channel;
}

const base = { application: 'hotline', timestamp: '2026-11-23T01:00:00.000+0000' };
export const ev = {
  stasisStart: (id: string, args: string[]): AriEvent => ({ ...base, type: 'StasisStart', args, channel: channel(id, 'Up') }),
  dtmf: (id: string, digit: string): AriEvent => ({ ...base, type: 'ChannelDtmfReceived', digit, duration_ms: 280, channel: channel(id, 'Up') }),
  played: (channelId: string, playbackId: string): AriEvent => ({
    ...base, type: 'PlaybackFinished', playback: { id: playbackId, media_uri: 'sound:x', target_uri: `channel:${channelId}`, state: 'done' },
  }),
  dial: (id: string, dialstatus: string): AriEvent => ({ ...base, type: 'Dial', dialstatus, peer: channel(id, 'Down') }) as AriEvent,
  hangupRequest: (id: string, cause: number, soft = false): AriEvent => ({ ...base, type: 'ChannelHangupRequest', cause, soft, channel: channel(id, 'Up') }),
  stasisEnd: (id: string): AriEvent => ({ ...base, type: 'StasisEnd', channel: channel(id, 'Up') }),
  destroyed: (id: string, cause: number): AriEvent => ({ ...base, type: 'ChannelDestroyed', cause, cause_txt: '', channel: channel(id, 'Up') }),
};

export function openTestDb(): { db: Database; dir: string; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-surveys-'));
  const db = openDatabase(join(dir, 'hotline.sqlite'));
  migrate(db);
  return { db, dir, close: () => { db.close(); rmSync(dir, { recursive: true, force: true }); } };
}

export function addTicket(db: Database, id: string, phone: string, opts: { confidential?: boolean; category?: string } = {}): void {
  db.prepare(`INSERT INTO tickets (id, number, caller_number, type, category, description, confidential, status, created_at, updated_at)
    VALUES (?, ?, ?, 'complaint', ?, 'test', ?, 'closed', 0, 0)`).run(id, `N-${id}`, phone, opts.category ?? 'property/lift', opts.confidential ? 1 : 0);
}

export interface Dialer {
  ari: FakeSurveyAri;
  repo: SurveysRepo;
  stasis: SurveyStasis;
  surveys: SurveysService;
  bus: Bus;
  config: SurveyConfig;
  unresolved: Array<HotlineEvents['survey.unresolved']>;
  /** Sends one ARI event to the survey. */
  emit(event: AriEvent): void;
}

/** The survey feature's parts over a database, as the feature wires them, with a fake ARI. */
export function startDialer(db: Database, clock: VirtualClock, input: SurveyConfigInput = {}, ari = new FakeSurveyAri()): Dialer {
  const log = pino({ level: 'silent' });
  const bus = createBus();
  const unresolved: Array<HotlineEvents['survey.unresolved']> = [];
  bus.subscribe('survey.unresolved', (e) => unresolved.push(e));
  const config = surveyConfig({ delayAfterClosureMinutes: 0, ...input });
  const repo = createSurveysRepo(db);
  const stasis = createSurveyStasis({ ari, repo, clock, bus, log, config, onCallEnded: (end) => surveys.callEnded(end) });
  const surveys: SurveysService = createSurveysService({ repo, calls: stasis, ari, clock, log, config });
  return { ari, repo, stasis, surveys, bus, config, unresolved, emit: (e) => stasis.handleSurveyEvent(e) };
}
