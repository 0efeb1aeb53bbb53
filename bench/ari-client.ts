import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { createAriClient } from '../src/pbx/ari/client.ts';
import { createEventDispatch } from '../src/pbx/ari/event-dispatch.ts';

function channel(id: string, state: string): Record<string, unknown> {
  return {
    id, name: 'PJSIP/agent1-00000001', state, protocol_id: 'bffe30e8-3e5c-4444-b1bd-deec969d19ab',
    caller: { name: 'Hotline', number: '12345' }, connected: { name: 'Hotline', number: '12345' }, accountcode: '',
    dialplan: { context: 'agents', exten: 's', priority: 1, app_name: 'Stasis', app_data: 'hotline,agent' },
    creationtime: '2026-11-22T23:05:34.917+0000', language: 'en',
  };
}

/** Frames as Asterisk sends them: a StasisStart, then the ChannelVarset burst that follows bridging. */
function frames(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `hl-agent-aae367a9-a677-4be6-9e17-${String(i).padStart(12, '0')}`;
    const base = { timestamp: '2026-11-22T23:05:36.923+0000', asterisk_id: '02:fc:00:00:00:01', application: 'hotline' };
    out.push(JSON.stringify(i % 4 === 0
      ? { type: 'StasisStart', ...base, args: ['agent'], channel: channel(id, 'Up') }
      : { type: 'ChannelVarset', ...base, variable: i % 4 === 1 ? 'BRIDGEPEER' : 'BRIDGEPVTCALLID', value: '1795388773.16', channel: channel(id, 'Up') }));
  }
  return out;
}

async function pump(ws: WebSocket, payload: readonly string[]): Promise<void> {
  const batch = 2000;
  for (let i = 0; i < payload.length; i += batch) {
    const end = Math.min(payload.length, i + batch);
    for (let j = i; j < end - 1; j++) ws.send(payload[j]!);
    await new Promise<void>((resolve, reject) => ws.send(payload[end - 1]!, (err) => (err ? reject(err) : resolve())));
  }
}

async function timeReceive(count: number, payload: readonly string[], start: (url: string, done: () => void) => Promise<() => Promise<void>>): Promise<number> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('[]');
  });
  const wss = new WebSocketServer({ server });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const connected = new Promise<WebSocket>((r) => wss.once('connection', r));
  let finish!: () => void;
  const finished = new Promise<void>((r) => { finish = r; });
  const stop = await start(`http://127.0.0.1:${port}/ari`, () => finish());
  const ws = await connected;
  await new Promise((r) => setTimeout(r, 20));
  const t0 = process.hrtime.bigint();
  await pump(ws, payload);
  await finished;
  const ns = Number(process.hrtime.bigint() - t0);
  await stop();
  wss.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  return ns / count;
}

export async function benchAriClient(count = 200_000): Promise<Record<string, number | string>> {
  const payload = frames(count);
  const bytes = payload.reduce((n, f) => n + f.length, 0);

  const raw = (n: number, frames: readonly string[]): Promise<number> => timeReceive(n, frames, async (url, done) => {
    let count = n;
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/events?app=hotline&api_key=u:p', { perMessageDeflate: false });
    ws.on('message', (data) => { JSON.parse(data.toString()); if (--count === 0) done(); });
    return async () => { ws.terminate(); };
  });

  const viaClient = (count: number, frames: readonly string[]): Promise<number> => timeReceive(count, frames, async (url, done) => {
    let n = 0;
    const client = createAriClient({
      url, username: 'bench', password: 'bench', app: 'hotline', log: pino({ level: 'silent' }),
      requestTimeoutMs: 2000, pingIntervalMs: 0,
    });
    client.onEvent(() => { if (++n === count) done(); });
    await client.connect();
    return () => client.close();
  });

  const warm = payload.slice(0, Math.min(20_000, count));
  await raw(warm.length, warm);
  await viaClient(warm.length, warm);
  const rawNs = await raw(count, payload);
  const clientNs = await viaClient(count, payload);

  const stats = { eventsReceived: 0, eventsMalformed: 0, eventsUnknown: 0, eventsDuplicate: 0 };
  const dispatch = createEventDispatch({ log: pino({ level: 'silent' }), stats });
  let handled = 0;
  dispatch.subscribe(() => { handled += 1; });
  for (const f of warm) dispatch.deliver(f);
  const d0 = process.hrtime.bigint();
  for (const f of payload) dispatch.deliver(f);
  const dispatchNs = Number(process.hrtime.bigint() - d0) / count;
  if (handled !== warm.length + count) throw new Error('dispatch lost events');

  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    events: count,
    avgFrameBytes: Math.round(bytes / count),
    clientUsPerEvent: round(clientNs / 1000),
    clientEventsPerSecond: Math.round(1e9 / clientNs),
    rawWsParseUsPerEvent: round(rawNs / 1000),
    dispatchUsPerEvent: round(dispatchNs / 1000),
    dispatchEventsPerSecond: Math.round(1e9 / dispatchNs),
    note: 'end to end: local ws server and client in one process; raw = bare ws + JSON.parse; dispatch = parse + checks + handler, no socket',
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const count = Number(process.env.ARI_BENCH_EVENTS ?? 200_000);
  benchAriClient(count).then((figures) => {
    for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k}: ${v}\n`);
  }, (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
