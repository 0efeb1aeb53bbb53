import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAriClient } from '../../src/pbx/ari/client.ts';
import type { AriClient, AriRest } from '../../src/pbx/ari/client.types.ts';
import { eventsUrl } from '../../src/pbx/ari/events-socket.ts';
import { describeWithDocs, unknownQueryParams } from './api-docs.ts';
import type { ApiDocs } from './api-docs.ts';

interface Captured { method: string; url: string; body: string; contentType: string | undefined }

const NOW = '2026-11-22T23:05:33.376+0000';
const CALLER = { name: '', number: '' };
const SAMPLES: Record<string, unknown> = {
  Channel: {
    id: 'c1', name: 'PJSIP/agent1-00000001', state: 'Up', protocol_id: 'x', caller: CALLER, connected: CALLER, accountcode: '',
    dialplan: { context: 'agents', exten: 's', priority: 1, app_name: '', app_data: '' }, creationtime: NOW, language: 'en',
  },
  Bridge: {
    id: 'b1', technology: 'simple_bridge', bridge_type: 'mixing', bridge_class: 'stasis', creator: 'Stasis', name: 'call',
    channels: [], creationtime: NOW, video_mode: 'talker',
  },
  Playback: { id: 'p1', media_uri: 'sound:hotline/q1', target_uri: 'channel:c1', language: 'en', state: 'queued' },
  LiveRecording: { name: 'r1', format: 'wav', state: 'queued', target_uri: 'bridge:b1' },
  StoredRecording: { name: 'r1', format: 'wav' },
  Endpoint: { technology: 'PJSIP', resource: 'agent1', state: 'online', channel_ids: [] },
  Application: { name: 'hotline', channel_ids: [], bridge_ids: [], endpoint_ids: [], device_names: [], events_allowed: [], events_disallowed: [] },
  AsteriskInfo: { system: { version: '22.10.1', entity_id: '02:fc:00:00:00:01' } },
  AsteriskPing: { asterisk_id: '02:fc:00:00:00:01', ping: 'pong', timestamp: NOW },
  Variable: { value: 'v' },
};

/** One call per AriRest method, with every optional argument filled in so every query name the client can send is sent. */
const CALLS: Record<string, (r: AriRest) => Promise<unknown>> = {
  'channels.list': (r) => r.channels.list(),
  'channels.get': (r) => r.channels.get('c1'),
  'channels.originate': (r) => r.channels.originate({
    endpoint: 'PJSIP/agent1', app: 'hotline', appArgs: 'agent,call-1', channelId: 'hl-agent-1', otherChannelId: 'hl-agent-2',
    callerId: '"Hotline" <12345>', timeout: 30, variables: { CALL_ID: 'call-1' }, originator: 'c0', formats: 'ulaw',
  }),
  'channels.answer': (r) => r.channels.answer('c1'),
  'channels.hangup': (r) => r.channels.hangup('c1', 'normal'),
  'channels.ring': (r) => r.channels.ring('c1'),
  'channels.ringStop': (r) => r.channels.ringStop('c1'),
  'channels.play': (r) => r.channels.play('c1', { media: ['sound:hotline/q1', 'sound:hotline/q2'], lang: 'en', offsetms: 0, skipms: 3000, playbackId: 'p1' }),
  'channels.record': (r) => r.channels.record('c1', {
    name: 'r1', format: 'wav', maxDurationSeconds: 60, maxSilenceSeconds: 5, ifExists: 'fail', beep: true, terminateOn: '#',
  }),
  'channels.snoop': (r) => r.channels.snoop('c1', { spy: 'both', whisper: 'out', app: 'hotline', appArgs: 'snoop', snoopId: 's1' }),
  'channels.sendDtmf': (r) => r.channels.sendDtmf('c1', '12#', { before: 1, between: 2, duration: 100, after: 3 }),
  'channels.getVariable': (r) => r.channels.getVariable('c1', 'X'),
  'channels.setVariable': (r) => r.channels.setVariable('c1', 'X', 'y'),
  'channels.continueInDialplan': (r) => r.channels.continueInDialplan('c1', { context: 'c', extension: 'e', priority: 1, label: 'l' }),
  'channels.startMoh': (r) => r.channels.startMoh('c1', 'default'),
  'channels.stopMoh': (r) => r.channels.stopMoh('c1'),
  'bridges.list': (r) => r.bridges.list(),
  'bridges.get': (r) => r.bridges.get('b1'),
  'bridges.create': (r) => r.bridges.create({ type: 'mixing', bridgeId: 'hl-call-1', name: 'call' }),
  'bridges.destroy': (r) => r.bridges.destroy('b1'),
  'bridges.addChannel': (r) => r.bridges.addChannel('b1', ['c1', 'c2'], { role: 'agent', absorbDTMF: true, mute: false, inhibitConnectedLineUpdates: true }),
  'bridges.removeChannel': (r) => r.bridges.removeChannel('b1', 'c1'),
  'bridges.startMoh': (r) => r.bridges.startMoh('b1', 'default'),
  'bridges.stopMoh': (r) => r.bridges.stopMoh('b1'),
  'bridges.play': (r) => r.bridges.play('b1', { media: 'sound:hotline/q1', lang: 'en', offsetms: 0, skipms: 3000, playbackId: 'p1' }),
  'bridges.record': (r) => r.bridges.record('b1', {
    name: 'r1', format: 'wav', maxDurationSeconds: 60, maxSilenceSeconds: 5, ifExists: 'overwrite', beep: false, terminateOn: 'none',
  }),
  'playbacks.get': (r) => r.playbacks.get('p1'),
  'playbacks.stop': (r) => r.playbacks.stop('p1'),
  'playbacks.control': (r) => r.playbacks.control('p1', 'pause'),
  'recordings.getLive': (r) => r.recordings.getLive('r1'),
  'recordings.stopLive': (r) => r.recordings.stopLive('r1'),
  'recordings.cancelLive': (r) => r.recordings.cancelLive('r1'),
  'recordings.listStored': (r) => r.recordings.listStored(),
  'recordings.getStored': (r) => r.recordings.getStored('r1'),
  'recordings.downloadStored': (r) => r.recordings.downloadStored('r1'),
  'recordings.deleteStored': (r) => r.recordings.deleteStored('r1'),
  'endpoints.list': (r) => r.endpoints.list(),
  'endpoints.get': (r) => r.endpoints.get('PJSIP', 'agent1'),
  'applications.get': (r) => r.applications.get('hotline'),
  'applications.subscribe': (r) => r.applications.subscribe('hotline', ['channel:c1', 'bridge:b1']),
  'asterisk.info': (r) => r.asterisk.info(),
  'asterisk.ping': (r) => r.asterisk.ping(),
};

function restMethods(client: AriClient): string[] {
  const names: string[] = [];
  for (const [ns, value] of Object.entries(client)) {
    if (!value || typeof value !== 'object') continue;
    for (const [m, fn] of Object.entries(value as Record<string, unknown>)) if (typeof fn === 'function') names.push(`${ns}.${m}`);
  }
  return names.sort();
}

function answer(docs: ApiDocs, method: string, url: string): { status: number; type?: string; body?: string | Buffer } {
  const m = docs.matchRoute(method, url);
  const cls = m?.op.responseClass ?? 'void';
  if (cls === 'void') return { status: 204 };
  if (cls === 'binary') return { status: 200, type: 'audio/wav', body: Buffer.from('RIFF\0\0\0\0WAVE') };
  const list = /^List\[(.+)\]$/.exec(cls);
  const body = list ? [SAMPLES[list[1]!]] : SAMPLES[cls];
  return { status: method === 'POST' && /\/(play|record)$/.test(url.split('?')[0]!) ? 201 : 200, type: 'application/json', body: JSON.stringify(body ?? {}) };
}

describeWithDocs('ARI client requests against the api docs', (docs) => {
  const captured: Captured[] = [];
  let server: Server;
  let client: AriClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = req.url ?? '';
        captured.push({ method: req.method ?? '', url, body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'] });
        const a = answer(docs, req.method ?? '', url);
        res.writeHead(a.status, a.type ? { 'content-type': a.type } : {});
        res.end(a.body);
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    client = createAriClient({ url: `http://127.0.0.1:${port}/ari`, username: 'hotline', password: 'hotline', app: 'hotline', log: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  it('when the client is enumerated, then every REST method it exposes has a call in this test and no call is stale', () => {
    expect(restMethods(client)).toEqual(Object.keys(CALLS).sort());
  });

  it('when every REST method is called, then method, path and each query parameter exist in the api docs and only originate sends a body', async () => {
    const problems: string[] = [];
    for (const [name, call] of Object.entries(CALLS)) {
      const before = captured.length;
      await call(client).catch((e: unknown) => problems.push(`${name}: threw ${String(e)}`));
      const sent = captured.slice(before);
      if (sent.length !== 1) { problems.push(`${name}: sent ${sent.length} requests`); continue; }
      const req = sent[0]!;
      const m = docs.matchRoute(req.method, req.url);
      if (!m) { problems.push(`${name}: ${req.method} ${req.url} is not an ARI operation`); continue; }
      if (!req.url.startsWith('/ari/')) problems.push(`${name}: ${req.url} is not under /ari`);
      for (const q of unknownQueryParams(m.op, req.url)) problems.push(`${name}: ${m.op.nickname} has no query parameter ${q}`);
      const missing = m.op.params.filter((p) => p.required && p.paramType === 'query' && !new URL(req.url, 'http://x').searchParams.has(p.name));
      for (const p of missing) problems.push(`${name}: required query parameter ${p.name} missing`);
      if (req.body) {
        const bodyParams = m.op.params.filter((p) => p.paramType === 'body').map((p) => p.name);
        const parsed = JSON.parse(req.body) as Record<string, unknown>;
        const ok = name === 'channels.originate' && bodyParams.includes('variables') && Object.keys(parsed).join() === 'variables'
          && req.contentType === 'application/json';
        if (!ok) problems.push(`${name}: unexpected body ${req.body}`);
      }
    }
    expect(problems).toEqual([]);
    const originate = captured.find((c) => c.method === 'POST' && c.url.startsWith('/ari/channels?'));
    expect(originate?.body).toBe(JSON.stringify({ variables: { CALL_ID: 'call-1' } }));
  });

  it('when a query parameter has a list of allowed values, then the client sends one of them', () => {
    const problems: string[] = [];
    for (const req of captured) {
      const m = docs.matchRoute(req.method, req.url);
      if (!m) continue;
      const params = new URL(req.url, 'http://x').searchParams;
      for (const p of m.op.params) {
        const values = p.allowableValues?.valueType === 'LIST' ? p.allowableValues.values : undefined;
        const v = params.get(p.name);
        if (values && v !== null && !(p.allowMultiple ? v.split(',') : [v]).every((x) => values.includes(x))) {
          problems.push(`${m.op.nickname} ${p.name}=${v} not in ${values.join('|')}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('when the events socket URL is built, then it is the documented eventWebsocket with only documented parameters', () => {
    const url = new URL(eventsUrl('http://127.0.0.1:8088/ari', 'hotline', 'hotline', 'hotline'));
    const m = docs.matchRoute('GET', url.pathname + url.search);
    expect(m?.op.nickname).toBe('eventWebsocket');
    expect(m && unknownQueryParams(m.op, url.pathname + url.search)).toEqual([]);
    expect(url.searchParams.get('app')).toBe('hotline');
  });
});
