/** The simulated Asterisk HTTP server: ARI REST under /ari, the events websocket, and its availability faults. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { Pbx } from './ari/state.ts';
import type { Reply } from './ari/http.ts';
import { errorReply, isAuthorized, readBody, Router, writeJson, writeReply } from './ari/http.ts';
import { channelRoutes } from './ari/routes-channels.ts';
import { bridgeRoutes } from './ari/routes-bridges.ts';
import { otherRoutes } from './ari/routes-other.ts';

/** up: ARI answers; refused: nothing listens; html404: HTTP up before ARI is registered; booting: 503 "Asterisk not booted". */
export type AriAvailability = 'up' | 'refused' | 'html404' | 'booting';

export interface RestFaults { latencyMs?: number; failRate?: number; status?: number }

const HTML_404 = '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n<title>404 Not Found</title>\r\n</head><body>\r\n<h1>Not Found</h1>\r\n<p>The requested URL was not found on this server.</p>\r\n<hr />\r\n<address>Asterisk/22.10.1</address>\r\n</body></html>\r\n';

export interface AriServerOptions { host: string; port: number; users: Array<{ username: string; password: string }>; pbx: Pbx }

export class AriServer {
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #router = new Router();
  readonly #connections = new Set<Socket>();
  #availability: AriAvailability = 'up';
  #listening = false;
  rest: RestFaults = {};
  port = 0;

  constructor(private readonly opts: AriServerOptions) {
    channelRoutes(this.#router, opts.pbx);
    bridgeRoutes(this.#router, opts.pbx);
    otherRoutes(this.#router, opts.pbx);
    this.#server = createServer((req, res) => { void this.#handle(req, res); });
    this.#server.on('connection', (s) => { this.#connections.add(s); s.on('close', () => this.#connections.delete(s)); });
    this.#server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.port || this.opts.port, this.opts.host, () => { this.#server.off('error', reject); resolve(); });
    });
    const addr = this.#server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.#listening = true;
  }

  async setAvailability(a: AriAvailability): Promise<void> {
    this.#availability = a;
    if (a === 'refused' && this.#listening) {
      this.#listening = false;
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      for (const s of this.#connections) s.destroy();
      for (const ws of this.#wss.clients) ws.terminate();
      await closed;
    } else if (a !== 'refused' && !this.#listening) {
      await this.listen();
    }
  }

  get availability(): AriAvailability { return this.#availability; }

  dropEventSockets(code: 1000 | 1006): void {
    for (const ws of this.#wss.clients) {
      if (code === 1006) ws.terminate(); else ws.close(1000);
    }
  }

  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#connections) s.destroy();
    await closed;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (this.#availability !== 'up') return refuse(this.#availability === 'booting' ? 503 : 404, 'Not Found');
    if (url.pathname !== '/ari/events') return refuse(404, 'Not Found');
    if (!isAuthorized(req, url, this.opts.users)) return refuse(401, 'Unauthorized');
    const apps = (url.searchParams.get('app') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (apps.length === 0) return refuse(400, 'Bad Request');
    this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const bus = this.opts.pbx.bus;
      for (const app of apps) bus.attach(app, ws);
      ws.on('close', () => { for (const app of apps) bus.detach(app, ws); });
      ws.on('error', () => undefined);
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (this.#availability === 'html404' || !url.pathname.startsWith('/ari')) {
      const bytes = Buffer.from(HTML_404);
      res.writeHead(404, { 'Server': 'Asterisk/22.10.1', 'Content-Type': 'text/html', 'Content-Length': String(bytes.length) });
      res.end(bytes);
      return;
    }
    if (this.#availability === 'booting') return writeJson(res, 503, { message: 'Asterisk not booted' });
    let body: Record<string, unknown> | undefined;
    try { body = await readBody(req); } catch { return writeJson(res, 400, { message: 'Invalid JSON body' }); }
    if (!isAuthorized(req, url, this.opts.users)) {
      return writeJson(res, 401, { message: 'Authentication required' }, { 'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"' });
    }
    const run = (): void => {
      const pbx = this.opts.pbx;
      const { failRate, status } = this.rest;
      if (failRate && pbx.prng.next() < failRate) return writeJson(res, status ?? 500, { message: 'Internal Server Error' });
      for (const [k, v] of Object.entries(body ?? {})) {
        if (k !== 'variables' && (typeof v !== 'object' || v === null) && !url.searchParams.has(k)) url.searchParams.set(k, String(v));
      }
      const segments = url.pathname.split('/').filter(Boolean).slice(1).map((s) => decodeURIComponent(s));
      const match = this.#router.match(req.method ?? 'GET', segments);
      let reply: Reply;
      if (!match.handler) {
        reply = match.pathKnown ? { status: 405, json: { message: 'Invalid method' } } : { status: 404, json: { message: 'Resource not found' } };
      } else {
        try {
          reply = match.handler({ method: req.method ?? 'GET', params: match.params, query: url.searchParams, body });
        } catch (err) {
          reply = errorReply(err);
        }
      }
      const { delayed } = reply;
      if (!delayed) return finish(reply);
      this.opts.pbx.clock.setTimeout(() => {
        let done = reply;
        try { delayed.run(); } catch (err) { done = errorReply(err); }
        finish(done);
      }, delayed.ms);
    };
    const finish = (reply: Reply): void => {
      if (res.destroyed || res.writableEnded) return;
      writeReply(res, reply);
      reply.after?.();
    };
    const latency = this.rest.latencyMs ?? 0;
    if (latency > 0) this.opts.pbx.clock.setTimeout(run, latency); else run();
  }
}
