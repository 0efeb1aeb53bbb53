import WebSocket from 'ws';
import type { Simulator } from '../../src/sim/types.ts';

export type AriEventJson = Record<string, any> & { type: string };

export interface AppSocket {
  events: AriEventJson[];
  ws: WebSocket;
  /** Resolves with the first event (already received or future) matching, after index `from`. */
  waitFor(pred: (e: AriEventJson) => boolean, timeoutMs?: number): Promise<AriEventJson>;
  closed: Promise<{ code: number }>;
  close(): Promise<void>;
}

export async function connectApp(sim: Simulator, app = 'hotline', auth = 'hotline:hotline'): Promise<AppSocket> {
  const ws = new WebSocket(`${sim.wsUrl}?app=${app}&api_key=${auth}`);
  const events: AriEventJson[] = [];
  const waiters: Array<{ pred: (e: AriEventJson) => boolean; resolve: (e: AriEventJson) => void }> = [];
  ws.on('message', (data) => {
    const e = JSON.parse(String(data)) as AriEventJson;
    events.push(e);
    for (const w of [...waiters]) if (w.pred(e)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(e); }
  });
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  return {
    events, ws, closed,
    waitFor(pred, timeoutMs = 5000) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('timed out waiting for event')), timeoutMs);
        waiters.push({ pred, resolve: (e) => { clearTimeout(t); resolve(e); } });
      });
    },
    async close() {
      if (ws.readyState === ws.CLOSED) return;
      ws.close(1000);
      await closed;
    },
  };
}

export interface AriAnswer { status: number; body: any; headers: Headers; bytes?: Buffer }

export function ariRest(sim: Simulator, auth = 'hotline:hotline') {
  const call = async (method: string, path: string, body?: unknown): Promise<AriAnswer> => {
    const res = await fetch(`${sim.ariUrl}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const type = res.headers.get('content-type') ?? '';
    if (type.startsWith('audio/')) {
      const bytes = Buffer.from(await res.arrayBuffer());
      return { status: res.status, body: undefined, headers: res.headers, bytes };
    }
    const text = await res.text();
    return { status: res.status, body: type.includes('json') && text ? JSON.parse(text) : text, headers: res.headers };
  };
  return {
    get: (p: string) => call('GET', p),
    post: (p: string, body?: unknown) => call('POST', p, body),
    del: (p: string) => call('DELETE', p),
  };
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const types = (events: AriEventJson[], withVarsets = false): string[] =>
  events.filter((e) => withVarsets || e.type !== 'ChannelVarset').map((e) => e.type);
