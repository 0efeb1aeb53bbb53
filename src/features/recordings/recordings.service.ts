import { createHash, randomUUID } from 'node:crypto';
import { join, relative } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import { AriError } from '../../pbx/ari/client.types.ts';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import { tightenTree, writePrivateFile } from './recordings.files.ts';
import type { Tightened } from './recordings.files.ts';
import type { RecordingsRepo } from './recordings.repo.ts';
import { wavDurationMs } from './wav.ts';

export interface RecordingsSettings {
  dir: string;
  /** How long to wait for RecordingFinished before fetching anyway. */
  finishWaitMs: number;
  attempts: number;
  retryBaseMs: number;
}

export const DEFAULT_RECORDINGS_SETTINGS: Omit<RecordingsSettings, 'dir'> = { finishWaitMs: 3000, attempts: 6, retryBaseMs: 500 };

interface Pending {
  callId: string;
  agentId: string | null;
  name: string;
  startedAt: number;
  attempt: number;
  timer: TimerHandle | undefined;
  running: boolean;
  durationS: number | undefined;
}

export type RecordingsService = ReturnType<typeof createRecordingsService>;

function pad(n: number): string { return String(n).padStart(2, '0'); }

/** Where a call's recording lives under the recordings folder: YYYY/MM/DD/<callId>.wav (the call's local date). */
export function recordingPath(dir: string, callId: string, startedAt: number): string {
  const d = new Date(startedAt);
  return join(dir, String(d.getFullYear()), pad(d.getMonth() + 1), pad(d.getDate()), `${callId}.wav`);
}

/**
 * Fetches each call's bridge recording from Asterisk once it is finished, stores it under the
 * recordings folder with its sha256, size and duration, and only then deletes it from Asterisk's
 * spool. A failed fetch is retried with backoff; one that keeps failing is logged as an error and
 * left in the spool, with a row that has no path.
 */
export function createRecordingsService(deps: { ari: AriClient; repo: RecordingsRepo; clock: Clock; log: Logger; settings: RecordingsSettings }) {
  const { ari, repo, clock, settings } = deps;
  const log = deps.log.child({ component: 'recordings' });
  const pending = new Map<string, Pending>();
  /** Recordings Asterisk reported finished before anyone asked for them (the event can beat the stop request's answer). */
  const finished = new Map<string, number | undefined>();
  let idleWaiters: Array<() => void> = [];
  let closed = false;

  function settle(p: Pending): void {
    clock.clearTimeout(p.timer);
    pending.delete(p.name);
    if (pending.size === 0) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const resolve of w) resolve();
    }
  }

  function schedule(p: Pending, ms: number): void {
    clock.clearTimeout(p.timer);
    p.timer = clock.setTimeout(() => { p.timer = undefined; void fetchOne(p); }, ms);
  }

  async function store(p: Pending, bytes: Uint8Array): Promise<{ path: string; sha256: string }> {
    const path = recordingPath(settings.dir, p.callId, p.startedAt);
    await writePrivateFile(settings.dir, path, bytes);
    return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async function fetchOne(p: Pending): Promise<void> {
    if (p.running || closed) return;
    p.running = true;
    p.attempt++;
    const rlog = log.child({ callId: p.callId, recording: p.name, attempt: p.attempt });
    try {
      const bytes = await ari.recordings.downloadStored(p.name);
      const { path, sha256 } = await store(p, bytes);
      const durationMs = wavDurationMs(bytes) ?? (p.durationS !== undefined ? p.durationS * 1000 : null);
      repo.save({
        id: randomUUID(), callId: p.callId, agentId: p.agentId, name: p.name, path: relative(settings.dir, path) || path,
        format: 'wav', durationMs, sizeBytes: bytes.byteLength, sha256, createdAt: clock.now(),
      });
      rlog.info({ sizeBytes: bytes.byteLength, durationMs }, 'recording stored');
      settle(p);
      try { await ari.recordings.deleteStored(p.name); } catch (error) {
        if (!(error instanceof AriError && error.status === 404)) rlog.warn({ err: error }, 'recording left in the spool');
      }
    } catch (error) {
      p.running = false;
      if (closed) return;
      if (p.attempt < settings.attempts) {
        const delay = settings.retryBaseMs * 2 ** (p.attempt - 1);
        rlog.warn({ err: error, retryInMs: delay }, 'recording fetch failed, retrying');
        schedule(p, delay);
        return;
      }
      rlog.error({ err: error }, 'recording could not be fetched; it stays in the Asterisk spool');
      try {
        repo.save({ id: randomUUID(), callId: p.callId, agentId: p.agentId, name: p.name, path: null, format: 'wav', durationMs: null, sizeBytes: null, sha256: null, createdAt: clock.now() });
      } catch (saveError) {
        rlog.error({ err: saveError }, 'recording failure could not be noted');
      }
      settle(p);
    }
  }

  // Recordings written before files were kept private (0644 in 0755 folders) are tightened once at start,
  // in the background: a large tree takes a while, and new recordings are private from the first byte.
  const filesChecked: Promise<Tightened> = tightenTree(settings.dir, () => closed).then(
    (done) => {
      if (done.files + done.folders > 0) log.warn(done, 'recordings were readable by other users: made private (files 0600, folders 0700)');
      if (done.failed > 0) log.error({ failed: done.failed }, 'recordings whose permissions could not be tightened');
      return done;
    },
    (error: unknown) => { log.error({ err: error }, 'recordings permissions could not be checked'); return { files: 0, folders: 0, failed: 0 }; },
  );

  const offEvents = ari.onEvent((event) => {
    if (event.type !== 'RecordingFinished' && event.type !== 'RecordingFailed') return;
    const p = pending.get(event.recording.name);
    if (!p) {
      finished.set(event.recording.name, event.recording.duration);
      if (finished.size > 1000) finished.delete(finished.keys().next().value as string);
      return;
    }
    p.durationS = event.recording.duration;
    if (p.attempt === 0 && !p.running) schedule(p, 0);
  });

  return {
    /** The call's recording was stopped: fetch it when Asterisk reports it finished, or after finishWaitMs anyway. */
    collect(r: { callId: string; agentId: string | null; name: string; startedAt: number }): void {
      if (closed || pending.has(r.name)) return;
      const p: Pending = { ...r, attempt: 0, timer: undefined, running: false, durationS: undefined };
      pending.set(r.name, p);
      const done = finished.has(r.name);
      if (done) { p.durationS = finished.get(r.name); finished.delete(r.name); }
      schedule(p, done ? 0 : settings.finishWaitMs);
    },
    pending: (): number => pending.size,
    /** Resolves once the recordings present at start have been checked (and tightened where too open). */
    filesChecked: (): Promise<Tightened> => filesChecked,
    /** Resolves when no recording is waiting to be fetched. */
    idle(): Promise<void> {
      if (pending.size === 0) return Promise.resolve();
      return new Promise((resolve) => { idleWaiters.push(resolve); });
    },
    async close(): Promise<void> {
      closed = true;
      offEvents();
      for (const p of pending.values()) clock.clearTimeout(p.timer);
      const w = idleWaiters;
      idleWaiters = [];
      for (const resolve of w) resolve();
    },
  };
}
