import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createAriRest, encodeQuery } from '../../src/pbx/ari/rest.ts';
import type { AriRequestRecord } from '../../src/pbx/ari/rest.ts';
import { AriError } from '../../src/pbx/ari/client.types.ts';
import { startFakeAri } from './ari-fake-server.ts';
import type { FakeAri } from './ari-fake-server.ts';

const USER = 'hotline';
const PASSWORD = 's3cret-pw';

let ari: FakeAri;
let records: AriRequestRecord[];

function rest(extra: { requestTimeoutMs?: number; baseUrl?: string } = {}) {
  return createAriRest({
    baseUrl: extra.baseUrl ?? ari.url, username: USER, password: PASSWORD,
    requestTimeoutMs: extra.requestTimeoutMs ?? 2000, onRequest: (r) => records.push(r),
  });
}

async function caught(p: Promise<unknown>): Promise<AriError> {
  try { await p; } catch (err) { if (err instanceof AriError) return err; throw err; }
  throw new Error('expected the call to fail');
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeEach(async () => { ari = await startFakeAri(); records = []; });
afterEach(async () => { await ari.close(); });

describe('ARI REST client', () => {
  it('when a request is sent, then it carries basic auth and the path holds no credentials', async () => {
    await rest().channels.list();
    const req = ari.requests[0]!;
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
    expect(req.path).toBe('/ari/channels');
    expect(req.rawQuery).toBe('');
    expect(JSON.stringify(records)).not.toContain(PASSWORD);
  });

  it('when an agent leg is originated, then parameters go in the query and variables in a JSON body', async () => {
    ari.route('POST', '/channels', () => ({ status: 200, body: { id: 'hl-agent-1', state: 'Down' } }));
    const ch = await rest().channels.originate({
      endpoint: 'PJSIP/agent1', app: 'hotline', appArgs: 'agent,call-7', channelId: 'hl-agent-1',
      callerId: '"Hotline" <12345>', timeout: 30, variables: { CALL_ID: 'call-7', 'PJSIP_HEADER(add,X-Line)': '12345' },
    });
    expect(ch.id).toBe('hl-agent-1');
    const req = ari.requests[0]!;
    expect(req.rawQuery).toBe('?endpoint=PJSIP%2Fagent1&app=hotline&appArgs=agent%2Ccall-7&channelId=hl-agent-1&callerId=%22Hotline%22+%3C12345%3E&timeout=30');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ variables: { CALL_ID: 'call-7', 'PJSIP_HEADER(add,X-Line)': '12345' } });
  });

  it('when originate has no variables, then no body is sent', async () => {
    ari.route('POST', '/channels', () => ({ status: 200, body: { id: 'x' } }));
    await rest().channels.originate({ endpoint: 'PJSIP/citizen', app: 'hotline', appArgs: 'survey,TICKET-1' });
    expect(ari.requests[0]!.body).toBe('');
    expect(ari.requests[0]!.query.get('appArgs')).toBe('survey,TICKET-1');
  });

  it('when lists, booleans and ids with odd characters are passed, then Asterisk reads them as meant', async () => {
    ari.route('POST', '/bridges/b%201/addChannel', () => ({ status: 204 }));
    ari.route('POST', '/channels/c1/play', () => ({ status: 201, body: { id: 'p1', state: 'queued' } }));
    ari.route('POST', '/bridges/b1/record', () => ({ status: 201, body: { name: 'r1', state: 'queued' } }));
    const r = rest();
    await r.bridges.addChannel('b 1', ['1795388747.6', 'hl-agent-2'], { absorbDTMF: true });
    await r.channels.play('c1', { media: ['sound:hotline/q1', 'sound:hotline/q2'], playbackId: 'hl-playback-1' });
    await r.bridges.record('b1', { name: 'rec-1', format: 'wav', beep: false, ifExists: 'fail' });
    const [add, play, record] = ari.requests;
    expect(add!.path).toBe('/ari/bridges/b%201/addChannel');
    expect(add!.query.get('channel')).toBe('1795388747.6,hl-agent-2');
    expect(add!.query.get('absorbDTMF')).toBe('true');
    expect(add!.query.has('role')).toBe(false);
    expect(play!.query.get('media')).toBe('sound:hotline/q1,sound:hotline/q2');
    expect(play!.query.get('playbackId')).toBe('hl-playback-1');
    expect(record!.rawQuery).toBe('?name=rec-1&format=wav&ifExists=fail&beep=false');
  });

  it('when a query is encoded, then undefined values are left out and it matches the recorded traces', () => {
    expect(encodeQuery({ reason: undefined })).toBe('');
    expect(encodeQuery({ reason: 'normal' })).toBe('?reason=normal');
    expect(encodeQuery({ type: 'holding', name: 'queue-mwsg4bsr' })).toBe('?type=holding&name=queue-mwsg4bsr');
  });

  it('when Asterisk answers 404 with a message, then an AriError carries status and message', async () => {
    ari.route('GET', '/channels/gone', () => ({ status: 404, body: { message: 'Channel not found' } }));
    const err = await caught(rest().channels.get('gone'));
    expect(err.status).toBe(404);
    expect(err.message).toContain('Channel not found');
    expect(err.notFound).toBe(true);
    expect(err.path).toBe('/channels/gone');
    expect(err.method).toBe('GET');
    expect(records.at(-1)).toMatchObject({ method: 'GET', path: '/channels/gone', status: 404 });
  });

  it('when Asterisk answers 500 with an error key, then the error key becomes the message', async () => {
    ari.route('POST', '/channels', () => ({ status: 500, body: { error: 'Allocation failed' } }));
    const err = await caught(rest().channels.originate({ endpoint: 'PJSIP/agent2', app: 'hotline' }));
    expect(err.status).toBe(500);
    expect(err.message).toMatch(/Allocation failed$/);
    expect(err.transport).toBe(true);
  });

  it('when Asterisk answers an HTML error page while booting, then the status text is the message', async () => {
    ari.route('GET', '/asterisk/info', () => ({ status: 404, raw: '<html>Not Found</html>', contentType: 'text/html' }));
    const err = await caught(rest().asterisk.info());
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/Not Found$/);
  });

  it('when nothing listens, then the AriError has no status and names the refusal', async () => {
    const port = await freePort();
    const err = await caught(rest({ baseUrl: `http://127.0.0.1:${port}/ari` }).channels.list());
    expect(err.status).toBeUndefined();
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.transport).toBe(true);
    expect(records.at(-1)).toMatchObject({ path: '/channels', status: undefined });
  });

  it('when Asterisk does not answer in time, then the request is aborted as a transport error', async () => {
    ari.route('GET', '/channels', () => ({ status: 200, body: [], delayMs: 500 }));
    const err = await caught(rest({ requestTimeoutMs: 50 }).channels.list());
    expect(err.status).toBeUndefined();
    expect(err.message).toContain('timeout');
  });

  it('when a stored recording is downloaded, then its bytes come back unchanged', async () => {
    const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40, 7)]);
    ari.route('GET', '/recordings/stored/rec-1/file', () => ({ status: 200, raw: wav, contentType: 'audio/wav' }));
    const bytes = await rest().recordings.downloadStored('rec-1');
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes).equals(wav)).toBe(true);
  });

  it('when a channel is hung up with and without a reason, then 204 resolves and the reason is in the query', async () => {
    ari.route('DELETE', '/channels/c1', () => ({ status: 204 }));
    await rest().channels.hangup('c1');
    await rest().channels.hangup('c1', 'busy');
    expect(ari.requests.map((r) => r.rawQuery)).toEqual(['', '?reason=busy']);
    expect(records.map((r) => r.status)).toEqual([204, 204]);
  });

  it('when variables, DTMF, snoop and subscriptions are used, then each hits its documented path', async () => {
    ari.route('GET', '/channels/c1/variable', () => ({ status: 200, body: { value: 'x' } }));
    ari.route('POST', '/channels/c1/dtmf', () => ({ status: 204 }));
    ari.route('POST', '/channels/c1/snoop', () => ({ status: 200, body: { id: 'hl-snoop-1' } }));
    ari.route('POST', '/applications/hotline/subscription', () => ({ status: 200, body: { name: 'hotline' } }));
    ari.route('POST', '/playbacks/p1/control', () => ({ status: 204 }));
    const r = rest();
    expect((await r.channels.getVariable('c1', 'CALL_ID')).value).toBe('x');
    await r.channels.sendDtmf('c1', '12#', { between: 100 });
    await r.channels.snoop('c1', { spy: 'both', whisper: 'none', app: 'hotline', appArgs: 'snoop', snoopId: 'hl-snoop-1' });
    await r.applications.subscribe('hotline', ['channel:c1', 'bridge:b1']);
    await r.playbacks.control('p1', 'pause');
    expect(ari.requests.map((q) => `${q.method} ${q.path}${q.rawQuery}`)).toEqual([
      'GET /ari/channels/c1/variable?variable=CALL_ID',
      'POST /ari/channels/c1/dtmf?dtmf=12%23&between=100',
      'POST /ari/channels/c1/snoop?spy=both&whisper=none&app=hotline&appArgs=snoop&snoopId=hl-snoop-1',
      'POST /ari/applications/hotline/subscription?eventSource=channel%3Ac1%2Cbridge%3Ab1',
      'POST /ari/playbacks/p1/control?operation=pause',
    ]);
  });
});
