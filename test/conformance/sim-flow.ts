import type { Simulator } from '../../src/sim/types.ts';
import type { ApiDocs } from './api-docs.ts';
import { ariFetch, openEvents, startSim, waitFor } from './sim-harness.ts';
import type { EventsConnection, HttpResult } from './sim-harness.ts';
import type { Json } from './trace.ts';

/** A scripted flow against a fresh simulator: every response and event is checked against the api-docs models. */
export interface Flow {
  sim: Simulator;
  ws: EventsConnection;
  problems: string[];
  /** Sends a request; `expect` is the status the flow needs (a mismatch is a problem). Returns the parsed body. */
  req(method: string, path: string, expect?: number): Promise<HttpResult>;
  /** Waits for an event matching pred that arrived after `since` events; a timeout is a problem. */
  waitEvent(what: string, pred: (e: Json) => boolean, timeoutMs?: number): Promise<Json | undefined>;
  mark(): number;
  close(): Promise<void>;
}

const SOUNDS = { 'sound:hotline/q1': 1200, 'sound:hotline/q2': 900, 'sound:hotline/thanks': 400, 'hotline/q1': 1200, 'hotline/q2': 900, 'hotline/thanks': 400 };

function checkError(res: HttpResult, what: string): string[] {
  const b = res.body as Json | null;
  if (!res.contentType?.includes('json') || !b || typeof b !== 'object') return [`${what}: error answer is not a JSON object (${res.contentType ?? 'no content-type'})`];
  const keys = Object.keys(b);
  const okShape = (keys.length === 1 && typeof b.message === 'string') || (keys.length === 1 && typeof b.error === 'string');
  return okShape ? [] : [`${what}: error body ${JSON.stringify(b)} is not {message} or {error}`];
}

export async function startFlow(docs: ApiDocs): Promise<Flow> {
  const sim = await startSim({ sounds: SOUNDS });
  const t0 = performance.now();
  const ws = openEvents(sim.wsUrl, t0);
  const problems: string[] = [];
  await waitFor(() => ws.lifecycle.includes('open'), 2000);
  let cursor = 0;
  const flow: Flow = {
    sim, ws, problems,
    async req(method, path, expect) {
      const res = await ariFetch(sim.ariUrl, method, path);
      const what = `${method} ${path}`;
      if (expect !== undefined && res.status !== expect) problems.push(`${what}: expected ${expect}, got ${res.status ?? res.error} ${JSON.stringify(res.body)}`);
      const m = docs.matchRoute(method, path);
      if (!m) { problems.push(`${what}: not an ARI operation`); return res; }
      if (res.status === undefined) return res;
      if (res.status >= 400) { problems.push(...checkError(res, what)); return res; }
      const cls = m.op.responseClass;
      if (cls === 'void') {
        if (res.status !== 204 || (res.raw?.length ?? 0) > 0) problems.push(`${what}: void operation answered ${res.status} with ${res.raw?.length ?? 0} bytes`);
      } else if (cls === 'binary') {
        if (!res.contentType?.startsWith('audio/')) problems.push(`${what}: file has content-type ${res.contentType}`);
      } else if (!res.contentType?.includes('application/json')) {
        problems.push(`${what}: ${cls} answered with content-type ${res.contentType}`);
      } else {
        problems.push(...docs.validate(cls, res.body).map((e) => `${what}: ${e}`));
      }
      return res;
    },
    async waitEvent(what, pred, timeoutMs = 5000) {
      let found: Json | undefined;
      const ok = await waitFor(() => {
        for (let i = cursor; i < ws.events.length; i++) {
          if (pred(ws.events[i]!.event)) { found = ws.events[i]!.event; cursor = i + 1; return true; }
        }
        return false;
      }, timeoutMs);
      if (!ok) problems.push(`timed out waiting for ${what}`);
      return found;
    },
    mark: () => ws.events.length,
    async close() {
      await ws.close();
      await sim.close();
      for (const { event } of ws.events) problems.push(...docs.validateMessage(event).map((e) => `event ${String(event.type)}: ${e}`));
    },
  };
  return flow;
}

export const isType = (type: string, channelId?: string) => (e: Json): boolean =>
  e.type === type && (channelId === undefined || ((e.channel ?? e.peer) as Json | undefined)?.id === channelId);
