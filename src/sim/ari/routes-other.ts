/** /ari/playbacks, /recordings, /endpoints, /applications, /asterisk. */
import { readFileSync } from 'node:fs';
import { AriError, ariTimestamp } from './format.ts';
import type { Router } from './http.ts';
import { noContent, ok } from './http.ts';
import { liveRecordingJson, playbackJson } from './model.ts';
import type { Pbx } from './state.ts';
import { controlPlayback, finishPlayback, playback } from './playbacks.ts';
import { deleteStored, findStored, finishRecording, listStored } from './recordings.ts';

export function otherRoutes(router: Router, pbx: Pbx): void {
  const live = (name: string) => {
    const r = pbx.liveRecordings.get(name);
    if (!r) throw new AriError(404, 'Recording not found');
    return r;
  };
  const stored = (name: string) => {
    const s = findStored(pbx, name);
    if (!s) throw new AriError(404, 'Recording not found');
    return s;
  };
  router
    .on('GET', '/playbacks/:playbackId', (req) => ok(playbackJson(playback(pbx, req.params.playbackId!))))
    .on('DELETE', '/playbacks/:playbackId', (req) => {
      const p = playback(pbx, req.params.playbackId!);
      return noContent(() => finishPlayback(pbx, p, 'done'));
    })
    .on('POST', '/playbacks/:playbackId/control', (req) => {
      controlPlayback(pbx, playback(pbx, req.params.playbackId!), req.query.get('operation') ?? undefined);
      return noContent();
    })
    .on('GET', '/recordings/live/:name', (req) => ok(liveRecordingJson(live(req.params.name!))))
    .on('POST', '/recordings/live/:name/stop', (req) => {
      const r = live(req.params.name!);
      return noContent(() => finishRecording(pbx, r, 'done'));
    })
    .on('DELETE', '/recordings/live/:name', (req) => {
      const r = live(req.params.name!);
      return noContent(() => finishRecording(pbx, r, 'canceled'));
    })
    .on('POST', '/recordings/live/:name/pause', (req) => { live(req.params.name!); return noContent(); })
    .on('DELETE', '/recordings/live/:name/pause', (req) => { live(req.params.name!); return noContent(); })
    .on('POST', '/recordings/live/:name/mute', (req) => { live(req.params.name!); return noContent(); })
    .on('DELETE', '/recordings/live/:name/mute', (req) => { live(req.params.name!); return noContent(); })
    .on('GET', '/recordings/stored', () => ok(listStored(pbx)))
    .on('GET', '/recordings/stored/:name', (req) => {
      const s = stored(req.params.name!);
      return ok({ name: s.name, format: s.format });
    })
    .on('DELETE', '/recordings/stored/:name', (req) => { deleteStored(pbx, req.params.name!); return noContent(); })
    .on('GET', '/recordings/stored/:name/file', (req) => {
      const s = stored(req.params.name!);
      const type = s.format === 'wav' ? 'audio/wav' : `audio/${s.format}`;
      return { status: 200, file: { bytes: readFileSync(s.path), contentType: type } };
    })
    .on('GET', '/endpoints', () => ok([...pbx.endpoints.values()].map((e) => pbx.endpointJson(e))))
    .on('GET', '/endpoints/:tech', (req) => {
      if (req.params.tech !== 'PJSIP') throw new AriError(404, 'No endpoints found');
      return ok([...pbx.endpoints.values()].map((e) => pbx.endpointJson(e)));
    })
    .on('GET', '/endpoints/:tech/:resource', (req) => {
      const e = req.params.tech === 'PJSIP' ? pbx.endpoints.get(req.params.resource!) : undefined;
      if (!e) throw new AriError(404, 'Endpoint not found');
      return ok(pbx.endpointJson(e));
    })
    .on('GET', '/applications', () => ok([...pbx.bus.apps.keys()].map((n) => pbx.applicationJson(n))))
    .on('GET', '/applications/:name', (req) => {
      if (!pbx.bus.apps.has(req.params.name!)) throw new AriError(404, 'Application not found');
      return ok(pbx.applicationJson(req.params.name!));
    })
    .on('POST', '/applications/:name/subscription', (req) => {
      if (!pbx.bus.apps.has(req.params.name!)) throw new AriError(404, 'Application not found');
      if (!req.query.get('eventSource')) throw new AriError(400, 'Missing parameter eventSource');
      return ok(pbx.applicationJson(req.params.name!));
    })
    .on('DELETE', '/applications/:name/subscription', (req) => {
      if (!pbx.bus.apps.has(req.params.name!)) throw new AriError(404, 'Application not found');
      return ok(pbx.applicationJson(req.params.name!));
    })
    .on('GET', '/asterisk/info', () => ok({
      build: { os: 'Linux', kernel: '6.1.0', machine: 'x86_64', options: 'OPTIONAL_API', date: '2026-11-22 22:16:24 UTC', user: 'root' },
      system: { version: '22.10.1', entity_id: pbx.opts.asteriskId },
      config: { name: '', default_language: 'en', setid: { user: '', group: '' } },
      status: { startup_time: ariTimestamp(pbx.startupTime), last_reload_time: ariTimestamp(pbx.startupTime) },
    }))
    .on('GET', '/asterisk/ping', () => ok({ asterisk_id: pbx.opts.asteriskId, ping: 'pong', timestamp: pbx.ts() }));
}
