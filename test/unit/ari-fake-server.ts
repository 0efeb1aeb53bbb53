import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  rawQuery: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  raw?: Buffer | string;
  contentType?: string;
  delayMs?: number;
}

export type FakeRoute = (req: SeenRequest) => FakeReply | Promise<FakeReply>;

/** A tiny ARI stand-in: REST routes under /ari and the events websocket at /ari/events. */
export interface FakeAri {
  url: string;
  port: number;
  requests: SeenRequest[];
  /** Every websocket upgrade request's URL (path + query). */
  upgrades: string[];
  sockets: WebSocket[];
  route(method: string, path: string, handler: FakeRoute): void;
  nextSocket(): Promise<WebSocket>;
  close(): Promise<void>;
}

export async function startFakeAri(port = 0): Promise<FakeAri> {
  const routes = new Map<string, FakeRoute>();
  routes.set('GET /ari/channels', () => ({ status: 200, body: [] }));
  routes.set('GET /ari/bridges', () => ({ status: 200, body: [] }));
  const requests: SeenRequest[] = [];
  const upgrades: string[] = [];
  const sockets: WebSocket[] = [];
  const waiting: Array<(ws: WebSocket) => void> = [];
  const queued: WebSocket[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const seen: SeenRequest = {
        method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, rawQuery: u.search,
        headers: req.headers, body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      const handler = routes.get(`${seen.method} ${seen.path}`);
      void Promise.resolve(handler ? handler(seen) : { status: 404, body: { message: 'Resource not found' } }).then(async (reply) => {
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (reply.raw !== undefined) {
          res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/octet-stream' });
          res.end(reply.raw);
        } else if (reply.body === undefined) {
          res.writeHead(reply.status);
          res.end();
        } else {
          res.writeHead(reply.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(reply.body));
        }
      });
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    upgrades.push(req.url ?? '');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.push(ws);
      const w = waiting.shift();
      if (w) w(ws);
      else queued.push(ws);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${actualPort}/ari`,
    port: actualPort,
    requests,
    upgrades,
    sockets,
    route(method, path, handler) { routes.set(`${method} /ari${path}`, handler); },
    nextSocket() {
      const ws = queued.shift();
      if (ws) return Promise.resolve(ws);
      return new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A pino logger whose lines land in an array, for asserting what was (and was not) logged. */
export function captureLog(): { log: Logger; lines: Array<Record<string, unknown>>; text: () => string } {
  const lines: Array<Record<string, unknown>> = [];
  let raw = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw += chunk.toString('utf8');
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines, text: () => raw };
}

export async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function stasisStart(channelId: string, args: string[] = []): Record<string, unknown> {
  return {
    type: 'StasisStart', application: 'hotline', timestamp: '2026-11-23T09:00:00.000+0800', asterisk_id: '02:42:ac:11:00:02',
    args,
    channel: {
      id: channelId, name: 'PJSIP/trunk-00000001', state: 'Ring', protocol_id: 'abc@127.0.0.1',
      caller: { name: '', number: '+15550001234' }, connected: { name: '', number: '' }, accountcode: '',
      dialplan: { context: 'from-trunk', exten: '12345', priority: 2, app_name: 'Stasis', app_data: 'hotline' },
      creationtime: '2026-11-23T09:00:00.000+0800', language: 'en',
    },
  };
}
