import type {
  Application, AsteriskInfo, AsteriskPing, Bridge, Channel, Endpoint, LiveRecording, Playback, StoredRecording, Variable,
} from './models.ts';
import { AriError } from './client.types.ts';
import type { AriRest, PlayParams, RecordParams } from './client.types.ts';

export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type Query = Record<string, QueryValue>;

/** One finished REST exchange; status is undefined when the transport failed. path has no query string. */
export interface AriRequestRecord {
  method: string;
  path: string;
  query: string;
  status: number | undefined;
  ms: number;
}

export interface AriRestOptions {
  /** e.g. http://127.0.0.1:8088/ari */
  baseUrl: string;
  username: string;
  password: string;
  requestTimeoutMs?: number;
  onRequest?: (record: AriRequestRecord) => void;
  fetch?: typeof fetch;
}

type Expect = 'json' | 'void' | 'bytes';

export interface AriRequester {
  request<T>(method: string, path: string, opts?: { query?: Query; body?: unknown; expect?: Expect }): Promise<T>;
}

/** Query strings as Asterisk reads them: lists comma-joined, booleans as true/false, undefined left out. */
export function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.append(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

const seg = (s: string): string => encodeURIComponent(s);

function transportMessage(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return `timeout after ${timeoutMs} ms`;
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return cause.code;
    if (cause && typeof cause.message === 'string') return cause.message;
    return err.message;
  }
  return String(err);
}

async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === 'object') {
      const { message, error } = body as { message?: unknown; error?: unknown };
      if (typeof message === 'string') return message;
      if (typeof error === 'string') return error;
    }
  } catch { /* not JSON: an HTML error page while Asterisk boots */ }
  return res.statusText || `HTTP ${res.status}`;
}

export function createAriRequester(opts: AriRestOptions): AriRequester {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const doFetch = opts.fetch ?? globalThis.fetch;

  return {
    async request<T>(method: string, path: string, o: { query?: Query; body?: unknown; expect?: Expect } = {}): Promise<T> {
      const query = encodeQuery(o.query);
      const headers: Record<string, string> = { authorization, accept: 'application/json' };
      let body: string | undefined;
      if (o.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(o.body);
      }
      const started = performance.now();
      const report = (status: number | undefined): void => {
        opts.onRequest?.({ method, path, query, status, ms: performance.now() - started });
      };
      let res: Response;
      try {
        res = await doFetch(`${base}${path}${query}`, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        report(undefined);
        throw new AriError({ status: undefined, message: transportMessage(err, timeoutMs), method, path });
      }
      try {
        if (!res.ok) {
          const message = await errorMessage(res);
          report(res.status);
          throw new AriError({ status: res.status, message, method, path });
        }
        const expect = o.expect ?? 'json';
        let result: unknown;
        if (expect === 'bytes') result = new Uint8Array(await res.arrayBuffer());
        else if (expect === 'void' || res.status === 204) { await res.arrayBuffer(); result = undefined; }
        else {
          const text = await res.text();
          result = text ? JSON.parse(text) : undefined;
        }
        report(res.status);
        return result as T;
      } catch (err) {
        if (err instanceof AriError) throw err;
        report(undefined);
        throw new AriError({ status: undefined, message: transportMessage(err, timeoutMs), method, path });
      }
    },
  };
}

function playQuery(p: PlayParams): Query {
  return { media: p.media, lang: p.lang, offsetms: p.offsetms, skipms: p.skipms, playbackId: p.playbackId };
}

function recordQuery(p: RecordParams): Query {
  return {
    name: p.name, format: p.format, maxDurationSeconds: p.maxDurationSeconds, maxSilenceSeconds: p.maxSilenceSeconds,
    ifExists: p.ifExists, beep: p.beep, terminateOn: p.terminateOn,
  };
}

/** The REST half of ARI over fetch. */
export function createAriRest(opts: AriRestOptions): AriRest {
  const { request } = createAriRequester(opts);
  const json = <T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> =>
    request<T>(method, path, { query, body, expect: 'json' });
  const none = (method: string, path: string, query?: Query): Promise<void> =>
    request<void>(method, path, { query, expect: 'void' });
  const ch = (id: string): string => `/channels/${seg(id)}`;
  const br = (id: string): string => `/bridges/${seg(id)}`;

  return {
    channels: {
      list: () => json<Channel[]>('GET', '/channels'),
      get: (id) => json<Channel>('GET', ch(id)),
      originate: (p) => json<Channel>('POST', '/channels', {
        endpoint: p.endpoint, app: p.app, appArgs: p.appArgs, channelId: p.channelId, otherChannelId: p.otherChannelId,
        callerId: p.callerId, timeout: p.timeout, originator: p.originator, formats: p.formats,
      }, p.variables && Object.keys(p.variables).length > 0 ? { variables: p.variables } : undefined),
      answer: (id) => none('POST', `${ch(id)}/answer`),
      hangup: (id, reason) => none('DELETE', ch(id), { reason }),
      ring: (id) => none('POST', `${ch(id)}/ring`),
      ringStop: (id) => none('DELETE', `${ch(id)}/ring`),
      play: (id, p) => json<Playback>('POST', `${ch(id)}/play`, playQuery(p)),
      record: (id, p) => json<LiveRecording>('POST', `${ch(id)}/record`, recordQuery(p)),
      snoop: (id, p) => json<Channel>('POST', `${ch(id)}/snoop`, {
        spy: p.spy, whisper: p.whisper, app: p.app, appArgs: p.appArgs, snoopId: p.snoopId,
      }),
      sendDtmf: (id, dtmf, o = {}) => none('POST', `${ch(id)}/dtmf`, {
        dtmf, before: o.before, between: o.between, duration: o.duration, after: o.after,
      }),
      getVariable: (id, variable) => json<Variable>('GET', `${ch(id)}/variable`, { variable }),
      setVariable: (id, variable, value) => none('POST', `${ch(id)}/variable`, { variable, value }),
      continueInDialplan: (id, o = {}) => none('POST', `${ch(id)}/continue`, {
        context: o.context, extension: o.extension, priority: o.priority, label: o.label,
      }),
      startMoh: (id, mohClass) => none('POST', `${ch(id)}/moh`, { mohClass }),
      stopMoh: (id) => none('DELETE', `${ch(id)}/moh`),
    },
    bridges: {
      list: () => json<Bridge[]>('GET', '/bridges'),
      get: (id) => json<Bridge>('GET', br(id)),
      create: (p) => json<Bridge>('POST', '/bridges', { type: p.type, bridgeId: p.bridgeId, name: p.name }),
      destroy: (id) => none('DELETE', br(id)),
      addChannel: (id, channel, o = {}) => none('POST', `${br(id)}/addChannel`, {
        channel,
        role: o.role, absorbDTMF: o.absorbDTMF, mute: o.mute, inhibitConnectedLineUpdates: o.inhibitConnectedLineUpdates,
      }),
      removeChannel: (id, channel) => none('POST', `${br(id)}/removeChannel`, { channel }),
      startMoh: (id, mohClass) => none('POST', `${br(id)}/moh`, { mohClass }),
      stopMoh: (id) => none('DELETE', `${br(id)}/moh`),
      play: (id, p) => json<Playback>('POST', `${br(id)}/play`, playQuery(p)),
      record: (id, p) => json<LiveRecording>('POST', `${br(id)}/record`, recordQuery(p)),
    },
    playbacks: {
      get: (id) => json<Playback>('GET', `/playbacks/${seg(id)}`),
      stop: (id) => none('DELETE', `/playbacks/${seg(id)}`),
      control: (id, operation) => none('POST', `/playbacks/${seg(id)}/control`, { operation }),
    },
    recordings: {
      getLive: (name) => json<LiveRecording>('GET', `/recordings/live/${seg(name)}`),
      stopLive: (name) => none('POST', `/recordings/live/${seg(name)}/stop`),
      cancelLive: (name) => none('DELETE', `/recordings/live/${seg(name)}`),
      listStored: () => json<StoredRecording[]>('GET', '/recordings/stored'),
      getStored: (name) => json<StoredRecording>('GET', `/recordings/stored/${seg(name)}`),
      downloadStored: (name) => request<Uint8Array>('GET', `/recordings/stored/${seg(name)}/file`, { expect: 'bytes' }),
      deleteStored: (name) => none('DELETE', `/recordings/stored/${seg(name)}`),
    },
    endpoints: {
      list: () => json<Endpoint[]>('GET', '/endpoints'),
      get: (tech, resource) => json<Endpoint>('GET', `/endpoints/${seg(tech)}/${seg(resource)}`),
    },
    applications: {
      get: (app) => json<Application>('GET', `/applications/${seg(app)}`),
      subscribe: (app, eventSource) => json<Application>('POST', `/applications/${seg(app)}/subscription`, { eventSource }),
    },
    asterisk: {
      info: () => json<AsteriskInfo>('GET', '/asterisk/info'),
      ping: () => json<AsteriskPing>('GET', '/asterisk/ping'),
    },
  };
}
