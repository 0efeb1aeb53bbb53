import { unlink } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import type { RecordingsCatalog } from './recordings.catalog.ts';
import { resolveInside } from './recordings.serve.ts';

export interface RetentionSettings {
  /** Audio older than this many days is deleted unless on legal hold; the row stays with deleted_at. */
  retentionDays: number;
  sweepEveryMs: number;
  firstSweepMs: number;
  batch: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { retentionDays: 180, sweepEveryMs: 24 * 60 * 60_000, firstSweepMs: 5 * 60_000, batch: 500 };

const DAY_MS = 24 * 60 * 60_000;

/**
 * Deletes expired audio once a day on the clock. Held recordings (flagged by a supervisor) and those of
 * tickets under dispute are kept whatever their age.
 */
export function createRetentionSweeper(deps: { catalog: RecordingsCatalog; dir: string; clock: Clock; log: Logger; settings: RetentionSettings }) {
  const { catalog, clock, settings } = deps;
  const log = deps.log.child({ component: 'recordings.retention' });
  let timer: TimerHandle | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  async function sweepOnce(): Promise<number> {
    const now = clock.now();
    const cutoff = now - settings.retentionDays * DAY_MS;
    let deleted = 0;
    for (;;) {
      const batch = catalog.expired(cutoff, settings.batch);
      if (batch.length === 0) break;
      for (const r of batch) {
        const full = resolveInside(deps.dir, r.path);
        try {
          if (full) await unlink(full);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') { log.error({ err: error, recordingId: r.id }, 'expired recording could not be deleted'); continue; }
        }
        catalog.markDeleted(r.id, now);
        catalog.audit({ at: now, actorId: 'system', action: 'recording.expired', recordingId: r.id, details: { retentionDays: settings.retentionDays } });
        deleted++;
      }
      if (batch.length < settings.batch) break;
    }
    log.info({ deleted, retentionDays: settings.retentionDays }, 'recording retention swept');
    return deleted;
  }

  function schedule(ms: number): void {
    if (stopped) return;
    timer = clock.setTimeout(() => { void sweep().finally(() => schedule(settings.sweepEveryMs)); }, ms);
  }

  function sweep(): Promise<number> {
    running ??= sweepOnce().catch((error: unknown) => { log.error({ err: error }, 'recording retention sweep failed'); return 0; })
      .finally(() => { running = undefined; });
    return running;
  }

  schedule(settings.firstSweepMs);
  return {
    sweep,
    close(): void { stopped = true; clock.clearTimeout(timer); },
  };
}
