/** /ari/channels: originate, hangup, answer, media, variables, snoop. */
import { AriError } from './format.ts';
import type { Reply, Request, Router } from './http.ts';
import { intParam, listParam, noContent, ok } from './http.ts';
import { channelJson, liveRecordingJson, playbackJson } from './model.ts';
import type { Pbx } from './state.ts';
import { answer, createSnoop, enterStasis, teardown } from './channels.ts';
import { hangupByApp, originate } from './dialing.ts';
import type { OriginateRequest } from './dialing.ts';
import { createPlayback, startPlayback } from './playbacks.ts';
import { beginRecording, createLiveRecording } from './recordings.ts';

function originateRequest(req: Request, channelId?: string): OriginateRequest {
  const q = req.query;
  const vars = (req.body?.variables ?? {}) as Record<string, string>;
  return {
    endpoint: q.get('endpoint') ?? undefined, extension: q.get('extension') ?? undefined,
    context: q.get('context') ?? undefined, priority: intParam(q, 'priority'),
    app: q.get('app') ?? undefined, appArgs: q.get('appArgs') ?? undefined,
    callerId: q.get('callerId') ?? undefined, timeout: intParam(q, 'timeout'),
    channelId: channelId ?? q.get('channelId') ?? undefined, variables: vars,
  };
}

function play(pbx: Pbx, req: Request, playbackId?: string): Reply {
  const c = pbx.stasisChannel(req.params.channelId!);
  const p = createPlayback(pbx, `channel:${c.id}`, listParam(req.query, 'media'), req.query.get('lang') ?? undefined,
    playbackId ?? req.query.get('playbackId') ?? undefined);
  const body = playbackJson(p);
  startPlayback(pbx, p);
  return { status: 201, json: body };
}

function snoop(pbx: Pbx, req: Request, snoopId?: string): Reply {
  const q = req.query;
  const app = q.get('app') ?? undefined;
  const appArgs = q.get('appArgs') ?? '';
  const c = createSnoop(pbx, req.params.channelId!, {
    spy: q.get('spy') ?? undefined, whisper: q.get('whisper') ?? undefined, app,
    appArgs, snoopId: snoopId ?? q.get('snoopId') ?? undefined,
  });
  const args = appArgs ? appArgs.split(',') : [];
  return ok(channelJson(c), () => { if (!c.gone) enterStasis(pbx, c, app!, args); });
}

/** POST …/answer: the 200 OK goes out and ChannelStateChange(Up) is sent before the 204, about 16-20 ms after the request. */
const ANSWER_MS = 16;

export function channelRoutes(router: Router, pbx: Pbx): void {
  const ch = (req: Request) => pbx.channel(req.params.channelId!);
  const stasis = (req: Request) => pbx.stasisChannel(req.params.channelId!);
  router
    .on('GET', '/channels', () => ok(pbx.liveChannels().map(channelJson)))
    .on('POST', '/channels', (req) => ok(channelJson(originate(pbx, originateRequest(req)))))
    .on('POST', '/channels/:channelId', (req) => ok(channelJson(originate(pbx, originateRequest(req, req.params.channelId)))))
    .on('GET', '/channels/:channelId', (req) => ok(channelJson(ch(req))))
    .on('DELETE', '/channels/:channelId', (req) => {
      const c = ch(req);
      const code = intParam(req.query, 'reason_code');
      const reason = req.query.get('reason') ?? undefined;
      hangupByApp(pbx, c, reason, code);
      return noContent();
    })
    .on('POST', '/channels/:channelId/answer', (req) => {
      const c = stasis(req);
      if (c.state === 'Up') return noContent();
      return { status: 204, delayed: { ms: ANSWER_MS, run: () => { if (!c.gone) answer(pbx, c); } } };
    })
    .on('POST', '/channels/:channelId/ring', (req) => { stasis(req); return noContent(); })
    .on('DELETE', '/channels/:channelId/ring', (req) => { stasis(req); return noContent(); })
    .on('POST', '/channels/:channelId/progress', (req) => { stasis(req); return noContent(); })
    .on('POST', '/channels/:channelId/hold', (req) => { stasis(req); return noContent(); })
    .on('DELETE', '/channels/:channelId/hold', (req) => { stasis(req); return noContent(); })
    .on('POST', '/channels/:channelId/mute', (req) => { stasis(req); return noContent(); })
    .on('DELETE', '/channels/:channelId/mute', (req) => { stasis(req); return noContent(); })
    .on('POST', '/channels/:channelId/silence', (req) => { stasis(req); return noContent(); })
    .on('DELETE', '/channels/:channelId/silence', (req) => { stasis(req); return noContent(); })
    .on('POST', '/channels/:channelId/moh', (req) => { stasis(req).moh = true; return noContent(); })
    .on('DELETE', '/channels/:channelId/moh', (req) => { stasis(req).moh = false; return noContent(); })
    .on('POST', '/channels/:channelId/dtmf', (req) => {
      stasis(req);
      if (!req.query.get('dtmf')) throw new AriError(400, 'DTMF is required');
      return noContent();
    })
    .on('POST', '/channels/:channelId/play', (req) => play(pbx, req))
    .on('POST', '/channels/:channelId/play/:playbackId', (req) => play(pbx, req, req.params.playbackId))
    .on('POST', '/channels/:channelId/record', (req) => {
      const c = stasis(req);
      const rec = createLiveRecording(pbx, {
        name: req.query.get('name') ?? undefined, format: req.query.get('format') ?? undefined,
        ifExists: req.query.get('ifExists') ?? undefined,
      }, `channel:${c.id}`);
      const body = liveRecordingJson(rec);
      beginRecording(pbx, rec, intParam(req.query, 'maxDurationSeconds'));
      return { status: 201, json: body };
    })
    .on('POST', '/channels/:channelId/snoop', (req) => snoop(pbx, req))
    .on('POST', '/channels/:channelId/snoop/:snoopId', (req) => snoop(pbx, req, req.params.snoopId))
    .on('GET', '/channels/:channelId/variable', (req) => {
      const variable = req.query.get('variable');
      if (!variable) throw new AriError(400, 'Variable name is required');
      const c = pbx.channel(req.params.channelId!, 'Provided channel was not found');
      const value = c.vars.get(variable);
      if (value === undefined) throw new AriError(404, 'Provided variable was not found');
      return ok({ value });
    })
    .on('POST', '/channels/:channelId/variable', (req) => {
      const variable = req.query.get('variable');
      if (!variable) throw new AriError(400, 'Variable name is required');
      const c = pbx.channel(req.params.channelId!, 'Channel not found');
      const value = req.query.get('value') ?? '';
      c.vars.set(variable, value);
      pbx.emitVarset(c, variable, value);
      return noContent();
    })
    .on('POST', '/channels/:channelId/continue', (req) => {
      const c = stasis(req);
      return noContent(() => teardown(pbx, c, { qos: false, cause: 16 }));
    });
}
