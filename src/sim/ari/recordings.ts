/** Live recordings of bridges and channels, and the stored files they leave behind. */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { AriError } from './format.ts';
import type { SimBridge, SimLiveRecording } from './model.ts';
import { liveRecordingJson } from './model.ts';
import type { Pbx } from './state.ts';
import { bridgePeerVars, realMembers, retuneTechnology } from './bridge-media.ts';
import { wavFile } from './wav.ts';

export const KNOWN_FORMATS = new Set(['wav', 'gsm', 'ulaw', 'alaw', 'sln', 'g722', 'wav49', 'g729', 'ogg']);

export interface RecordRequest { name?: string; format?: string; ifExists?: string; maxDurationSeconds?: number }

function storedPath(pbx: Pbx, name: string, format: string): string {
  return join(pbx.opts.recordingsDir, `${name}.${format}`);
}

export function findStored(pbx: Pbx, name: string): { name: string; format: string; path: string } | undefined {
  for (const format of KNOWN_FORMATS) {
    const path = storedPath(pbx, name, format);
    if (existsSync(path)) return { name, format, path };
  }
  return undefined;
}

export function listStored(pbx: Pbx): Array<{ name: string; format: string }> {
  const out: Array<{ name: string; format: string; mtime: number }> = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) { walk(full); continue; }
      const dot = entry.name.lastIndexOf('.');
      const format = entry.name.slice(dot + 1);
      if (dot <= 0 || !KNOWN_FORMATS.has(format)) continue;
      out.push({ name: relative(pbx.opts.recordingsDir, full).slice(0, -(format.length + 1)), format, mtime: statSync(full).mtimeMs });
    }
  };
  walk(pbx.opts.recordingsDir);
  return out.sort((a, b) => a.name.localeCompare(b.name)).map(({ name, format }) => ({ name, format }));
}

export function deleteStored(pbx: Pbx, name: string): void {
  const found = findStored(pbx, name);
  if (!found) throw new AriError(404, 'Recording not found');
  rmSync(found.path);
}

/** Checks a record request and creates the live recording (state queued); throws Asterisk's errors. */
export function createLiveRecording(pbx: Pbx, req: RecordRequest, targetUri: string): SimLiveRecording {
  if (!req.name) throw new AriError(400, 'Missing parameter name');
  const format = req.format ?? '';
  if (!format) throw new AriError(400, 'Missing parameter format');
  if (!KNOWN_FORMATS.has(format)) throw new AriError(422, 'specified format is unknown on this system');
  const exists = `Recording '${req.name}' already exists and can not be overwritten`;
  if (pbx.liveRecordings.has(req.name)) throw new AriError(409, exists);
  const ifExists = req.ifExists ?? 'fail';
  if (!['fail', 'overwrite', 'append'].includes(ifExists)) throw new AriError(400, 'ifExists invalid');
  if (ifExists === 'fail' && findStored(pbx, req.name)) throw new AriError(409, exists);
  return { name: req.name, format, targetUri, state: 'queued', startedAt: pbx.clock.now() };
}

/** The recording starts: RecordingStarted, and an automatic stop after maxDurationSeconds. */
export function beginRecording(pbx: Pbx, rec: SimLiveRecording, maxDurationSeconds?: number): void {
  rec.state = 'recording';
  rec.startedAt = pbx.clock.now();
  pbx.liveRecordings.set(rec.name, rec);
  pbx.emitToTarget(rec.targetUri, 'RecordingStarted', { recording: liveRecordingJson(rec) });
  if (maxDurationSeconds && maxDurationSeconds > 0) {
    rec.timer = pbx.clock.setTimeout(() => finishRecording(pbx, rec), maxDurationSeconds * 1000);
  }
}

export function startBridgeRecording(pbx: Pbx, b: SimBridge, rec: SimLiveRecording, maxDurationSeconds?: number): void {
  const recorder = pbx.internalPair('Recorder');
  b.recorder = { ...recorder, recording: rec.name };
  retuneTechnology(b, 'grow');
  bridgePeerVars(pbx, b);
  beginRecording(pbx, rec, maxDurationSeconds);
}

/** Ends a live recording: the file is written (unless canceled) and RecordingFinished is sent. */
export function finishRecording(pbx: Pbx, rec: SimLiveRecording, state: 'done' | 'canceled' = 'done'): void {
  if (pbx.liveRecordings.get(rec.name) !== rec) return;
  pbx.liveRecordings.delete(rec.name);
  pbx.clock.clearTimeout(rec.timer);
  const elapsed = Math.max(0, pbx.clock.now() - rec.startedAt);
  const path = storedPath(pbx, rec.name, rec.format);
  if (state === 'done') {
    // As Asterisk's own spool would be set up for the hotline: readable by its user only.
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, wavFile(elapsed), { mode: 0o600 });
  } else if (existsSync(path)) {
    rmSync(path);
  }
  const [kind, id] = rec.targetUri.split(':') as [string, string];
  if (kind === 'bridge') {
    const b = pbx.bridges.get(id);
    if (b?.recorder?.recording === rec.name) {
      b.recorder = undefined;
      retuneTechnology(b, 'shrink');
    }
  }
  rec.state = state;
  pbx.emitToTarget(rec.targetUri, 'RecordingFinished', { recording: liveRecordingJson(rec, Math.floor(elapsed / 1000)) });
  const b = kind === 'bridge' ? pbx.bridges.get(id) : undefined;
  if (b && b.members.length > 0) bridgePeerVars(pbx, b);
}

export function recordingsOnTarget(pbx: Pbx, targetUri: string): SimLiveRecording[] {
  return [...pbx.liveRecordings.values()].filter((r) => r.targetUri === targetUri);
}

export { realMembers };
