/** ARI over HTTP: authentication, routing and replies the way Asterisk's HTTP server writes them. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AriError } from './format.ts';

export interface Request {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown> | undefined;
}

export interface Reply {
  status: number;
  json?: unknown;
  file?: { bytes: Buffer; contentType: string };
  after?: () => void;             // runs once the reply is written (events Asterisk sends after answering)
  /** The work Asterisk does before it answers, run this many ms (on the simulator's clock) after the request. */
  delayed?: { ms: number; run: () => void };
}

export type Handler = (req: Request) => Reply;

interface Route { method: string; parts: string[]; handler: Handler }

export class Router {
  readonly #routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    this.#routes.push({ method, parts: path.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, segments: string[]): { handler?: Handler; params: Record<string, string>; pathKnown: boolean } {
    let pathKnown = false;
    for (const r of this.#routes) {
      if (r.parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const ok = r.parts.every((p, i) => {
        const seg = segments[i]!;
        if (p.startsWith(':')) { params[p.slice(1)] = seg; return true; }
        return p === seg;
      });
      if (!ok) continue;
      pathKnown = true;
      if (r.method === method) return { handler: r.handler, params, pathKnown };
    }
    return { params: {}, pathKnown };
  }
}

export const noContent = (after?: () => void): Reply => ({ status: 204, after });
export const ok = (json: unknown, after?: () => void): Reply => ({ status: 200, json, after });

/** Values of a query parameter given repeated or comma-separated. */
export function listParam(q: URLSearchParams, name: string): string[] {
  return q.getAll(name).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function isAuthorized(req: IncomingMessage, url: URL, users: Array<{ username: string; password: string }>): boolean {
  const check = (pair: string): boolean => users.some((u) => `${u.username}:${u.password}` === pair);
  const apiKey = url.searchParams.get('api_key');
  if (apiKey !== null) return check(apiKey);
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) return check(Buffer.from(auth.slice(6), 'base64').toString('utf8'));
  return false;
}

export function writeJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'Server': 'Asterisk/22.10.1', 'Date': new Date().toUTCString(), 'Cache-Control': 'no-cache, no-store',
    'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...extra,
  });
  res.end(text);
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  if (reply.file) {
    res.writeHead(reply.status, {
      'Server': 'Asterisk/22.10.1', 'Date': new Date().toUTCString(), 'Cache-Control': 'no-cache, no-store',
      'Content-Type': reply.file.contentType, 'Content-Length': String(reply.file.bytes.length),
    });
    res.end(reply.file.bytes);
  } else if (reply.json !== undefined) {
    writeJson(res, reply.status, reply.json);
  } else {
    res.writeHead(reply.status, { 'Server': 'Asterisk/22.10.1', 'Date': new Date().toUTCString(), 'Content-Length': '0' });
    res.end();
  }
}

export function errorReply(err: unknown): Reply {
  if (err instanceof AriError) return { status: err.status, json: err.body() };
  return { status: 500, json: { message: err instanceof Error ? err.message : String(err) } };
}

export async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  const parsed: unknown = JSON.parse(text);
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
}
