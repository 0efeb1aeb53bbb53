/** Playbacks of media on channels and bridges; durations come from the configured sounds. */
import { AriError } from './format.ts';
import type { SimPlayback } from './model.ts';
import { playbackJson } from './model.ts';
import type { Pbx } from './state.ts';

const SCHEMES = new Set(['sound', 'recording', 'number', 'digits', 'characters', 'tone']);

export function createPlayback(pbx: Pbx, targetUri: string, media: string[], lang: string | undefined, playbackId: string | undefined): SimPlayback {
  const first = media[0];
  if (!first) throw new AriError(400, 'Missing parameter media');
  if (playbackId && pbx.playbacks.has(playbackId)) throw new AriError(409, 'Playback with the same ID already exists');
  const p: SimPlayback = {
    id: playbackId || pbx.prng.uuid(),
    mediaUri: first,
    targetUri,
    language: lang || 'en',
    state: 'queued',
  };
  pbx.playbacks.set(p.id, p);
  return p;
}

function mediaDuration(pbx: Pbx, uri: string): number | 'missing' | 'endless' {
  const [scheme, ...rest] = uri.split(':');
  const what = rest.join(':');
  if (scheme === 'sound') {
    if (what.includes('does-not-exist')) return 'missing';
    return pbx.opts.sounds[what] ?? pbx.opts.sounds[uri] ?? pbx.opts.defaultSoundMs;
  }
  if (scheme === 'tone') return 'endless';
  if (scheme === 'digits' || scheme === 'characters') return Math.max(1, what.length) * 700;
  return pbx.opts.defaultSoundMs;
}

/** The playback starts: PlaybackStarted, then PlaybackFinished when the media ends (or fails at once when missing). */
export function startPlayback(pbx: Pbx, p: SimPlayback): void {
  p.state = 'playing';
  pbx.emitToTarget(p.targetUri, 'PlaybackStarted', { playback: playbackJson(p) });
  const scheme = p.mediaUri.split(':')[0] ?? '';
  if (!SCHEMES.has(scheme)) { pbx.playbacks.delete(p.id); return; }
  const duration = mediaDuration(pbx, p.mediaUri);
  if (duration === 'missing') { finishPlayback(pbx, p, 'failed'); return; }
  if (duration === 'endless') return;
  p.timer = pbx.clock.setTimeout(() => finishPlayback(pbx, p, 'done'), duration);
}

export function finishPlayback(pbx: Pbx, p: SimPlayback, state: 'done' | 'failed'): void {
  if (pbx.playbacks.get(p.id) !== p) return;
  pbx.playbacks.delete(p.id);
  pbx.clock.clearTimeout(p.timer);
  p.state = state;
  pbx.emitToTarget(p.targetUri, 'PlaybackFinished', { playback: playbackJson(p) });
}

export function playback(pbx: Pbx, id: string): SimPlayback {
  const p = pbx.playbacks.get(id);
  if (!p) throw new AriError(404, 'Playback not found');
  return p;
}

export function stopPlaybacksOn(pbx: Pbx, targetUri: string): void {
  for (const p of [...pbx.playbacks.values()]) if (p.targetUri === targetUri) finishPlayback(pbx, p, 'done');
}

export function controlPlayback(pbx: Pbx, p: SimPlayback, operation: string | undefined): void {
  const ops = ['restart', 'pause', 'unpause', 'reverse', 'forward'];
  if (!operation) throw new AriError(400, 'Missing parameter operation');
  if (!ops.includes(operation)) throw new AriError(400, 'Invalid operation');
  if (p.state !== 'playing') throw new AriError(409, 'Playback not playing');
  void pbx;
}
