import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { Simulator, SimulatorOptions } from '../../src/sim/types.ts';
import type { Json } from './trace.ts';

const SIM_INDEX = join(dirname(fileURLToPath(import.meta.url)), '../../src/sim/index.ts');

/** Prompt lengths of the trace set-up (8 kHz wav files read by espeak-ng). */
export const TRACE_SOUNDS: Record<string, number> = {
  'sound:hotline/q1': 7800, 'sound:hotline/q2': 6100, 'sound:hotline/thanks': 2100,
  'hotline/q1': 7800, 'hotline/q2': 6100, 'hotline/thanks': 2100,
};

export function simulatorMissing(): string | undefined {
  return existsSync(SIM_INDEX) ? undefined : `simulator not found at ${SIM_INDEX}`;
}

export async function startSim(opts: SimulatorOptions = {}): Promise<Simulator> {
  const mod = (await import(SIM_INDEX)) as { startSimulator(o: SimulatorOptions): Promise<Simulator> | Simulator };
  return mod.startSimulator({
    dialplan: [{ line: '12345', app: 'hotline', args: [] }], sounds: TRACE_SOUNDS, seed: 12345, ...opts,
  });
}

export interface HttpResult {
  status?: number; error?: string; contentType?: string; body: unknown; raw?: Uint8Array;
}

/** One ARI request as the traces' generator made it: fetch, basic auth unless told otherwise. */
export async function ariFetch(baseUrl: string, method: string, path: string, o: { noAuth?: boolean; body?: unknown } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (!o.noAuth) headers.authorization = `Basic ${Buffer.from('hotline:hotline').toString('base64')}`;
  if (o.body !== undefined && o.body !== null) headers['content-type'] = 'application/json';
  const url = baseUrl.replace(/\/ari\/?$/, '') + path;
  try {
    const res = await fetch(url, {
      method, headers, redirect: 'manual', signal: AbortSignal.timeout(5000),
      body: o.body !== undefined && o.body !== null ? JSON.stringify(o.body) : undefined,
    });
    const contentType = res.headers.get('content-type') ?? undefined;
    const raw = new Uint8Array(await res.arrayBuffer());
    let body: unknown = null;
    if (raw.length > 0) {
      const text = Buffer.from(raw).toString('utf8');
      if (contentType?.includes('json')) {
        try { body = JSON.parse(text); } catch { body = text; }
      } else if (contentType?.startsWith('text/')) body = text;
      else body = { binary: true, bytes: raw.length, first_bytes_ascii: Buffer.from(raw.slice(0, 4)).toString('latin1') };
    }
    return { status: res.status, contentType, body, raw };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { error: cause?.code ?? (err as Error).name ?? 'error', body: undefined };
  }
}

export interface EventsConnection {
  readonly events: Array<{ t: number; event: Json; raw: string }>;
  readonly lifecycle: string[];
  readonly lifecycleAt: number[];
  close(): Promise<void>;
}

/** The events websocket without subscribeAll, as in the traces; every message kept with its arrival time. */
export function openEvents(wsUrl: string, t0: number, into?: EventsConnection): EventsConnection {
  const conn = into ?? { events: [], lifecycle: [], lifecycleAt: [], close: async () => undefined };
  const life = (what: string) => { conn.lifecycle.push(what); conn.lifecycleAt.push(performance.now() - t0); };
  const ws = new WebSocket(`${wsUrl}?app=hotline&api_key=hotline:hotline`);
  ws.on('open', () => life('open'));
  ws.on('error', () => life('error'));
  ws.on('message', (data) => {
    const raw = String(data);
    let event: Json;
    try { event = JSON.parse(raw) as Json; } catch { event = { type: '<not JSON>', raw }; }
    conn.events.push({ t: performance.now() - t0, event, raw });
  });
  const closed = new Promise<void>((ok) => ws.on('close', (code) => { life(`close(${code})`); ok(); }));
  (conn as { close: () => Promise<void> }).close = async () => {
    if (ws.readyState === WebSocket.CLOSED) return;
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate(); else ws.close(1000, 'scenario done');
    await Promise.race([closed, sleep(1000)]);
  };
  return conn;
}

export const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, Math.max(0, ms)));

/** Waits until `cond` holds, polling every 2 ms; false after timeoutMs. */
export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) return false;
    await sleep(2);
  }
  return true;
}
