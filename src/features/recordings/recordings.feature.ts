import type { FeatureContext } from '../../app.ts';
import type { Role } from '../auth/auth.service.ts';
import { createRecordingsCatalog } from './recordings.catalog.ts';
import type { RecordingsCatalog } from './recordings.catalog.ts';
import { createRetentionSweeper, DEFAULT_RETENTION } from './recordings.retention.ts';
import type { RetentionSettings } from './recordings.retention.ts';
import { registerRecordingsRoutes } from './recordings.routes.ts';

export interface RecordingsFeatureDeps {
  /** The recordings folder (config.recordings.dir, resolved). */
  dir: string;
  retention?: Partial<RetentionSettings>;
  confidentialRoles?: Role[];
}

export interface RecordingsFeature {
  catalog: RecordingsCatalog;
  /** Runs the retention sweep now; resolves with how many audio files were deleted. */
  sweep(): Promise<number>;
  close(): void;
}

/** Search, playback with seeking, download, access log, legal hold and retention of call recordings. */
export function registerRecordings(ctx: FeatureContext, deps: RecordingsFeatureDeps): RecordingsFeature {
  const { db, clock, log } = ctx.deps;
  const catalog = createRecordingsCatalog(db);
  const sweeper = createRetentionSweeper({ catalog, dir: deps.dir, clock, log, settings: { ...DEFAULT_RETENTION, ...deps.retention } });
  registerRecordingsRoutes(ctx.app, { catalog, dir: deps.dir, clock, log, settings: { confidentialRoles: deps.confidentialRoles ?? ['admin'] } });
  return { catalog, sweep: () => sweeper.sweep(), close: () => sweeper.close() };
}
