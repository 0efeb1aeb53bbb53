/** /ari/bridges: create, members, music on hold, playback, recording, destroy. */
import type { Reply, Request, Router } from './http.ts';
import { intParam, listParam, noContent, ok } from './http.ts';
import { bridgeJson, liveRecordingJson, playbackJson } from './model.ts';
import type { Pbx } from './state.ts';
import { addChannels, createBridge, destroyBridge, removeChannels, startBridgeMoh, stopBridgeMoh } from './bridges.ts';
import { createPlayback, startPlayback } from './playbacks.ts';
import { createLiveRecording, startBridgeRecording } from './recordings.ts';

function play(pbx: Pbx, req: Request, playbackId?: string): Reply {
  const b = pbx.bridge(req.params.bridgeId!);
  const p = createPlayback(pbx, `bridge:${b.id}`, listParam(req.query, 'media'), req.query.get('lang') ?? undefined,
    playbackId ?? req.query.get('playbackId') ?? undefined);
  const body = playbackJson(p);
  startPlayback(pbx, p);
  return { status: 201, json: body };
}

function create(pbx: Pbx, req: Request, bridgeId?: string): Reply {
  const q = req.query;
  const b = createBridge(pbx, q.get('type') ?? undefined, bridgeId ?? q.get('bridgeId') ?? undefined, q.get('name') ?? undefined);
  return ok(bridgeJson(b));
}

export function bridgeRoutes(router: Router, pbx: Pbx): void {
  const br = (req: Request) => pbx.bridge(req.params.bridgeId!);
  router
    .on('GET', '/bridges', () => ok([...pbx.bridges.values()].map((b) => bridgeJson(b))))
    .on('POST', '/bridges', (req) => create(pbx, req))
    .on('POST', '/bridges/:bridgeId', (req) => create(pbx, req, req.params.bridgeId))
    .on('GET', '/bridges/:bridgeId', (req) => ok(bridgeJson(br(req))))
    .on('DELETE', '/bridges/:bridgeId', (req) => { destroyBridge(pbx, br(req)); return noContent(); })
    .on('POST', '/bridges/:bridgeId/addChannel', (req) => { addChannels(pbx, br(req), listParam(req.query, 'channel')); return noContent(); })
    .on('POST', '/bridges/:bridgeId/removeChannel', (req) => { removeChannels(pbx, br(req), listParam(req.query, 'channel')); return noContent(); })
    .on('POST', '/bridges/:bridgeId/moh', (req) => { startBridgeMoh(pbx, br(req)); return noContent(); })
    .on('DELETE', '/bridges/:bridgeId/moh', (req) => { stopBridgeMoh(br(req)); return noContent(); })
    .on('POST', '/bridges/:bridgeId/play', (req) => play(pbx, req))
    .on('POST', '/bridges/:bridgeId/play/:playbackId', (req) => play(pbx, req, req.params.playbackId))
    .on('POST', '/bridges/:bridgeId/record', (req) => {
      const b = br(req);
      const rec = createLiveRecording(pbx, {
        name: req.query.get('name') ?? undefined, format: req.query.get('format') ?? undefined,
        ifExists: req.query.get('ifExists') ?? undefined,
      }, `bridge:${b.id}`);
      const body = liveRecordingJson(rec);
      startBridgeRecording(pbx, b, rec, intParam(req.query, 'maxDurationSeconds'));
      return { status: 201, json: body };
    });
}
