import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAriClient, isKnownAriEvent } from '../../src/pbx/ari/client.ts';
import type { AriClient, AriConnectionState, AriSnapshot } from '../../src/pbx/ari/client.types.ts';
import type { AriEvent } from '../../src/pbx/ari/models.ts';
import { captureLog, stasisStart, startFakeAri, waitFor } from './ari-fake-server.ts';
import type { FakeAri } from './ari-fake-server.ts';

const PASSWORD = 'pw-not-in-logs';

let ari: FakeAri;
let client: AriClient | undefined;
let logs: ReturnType<typeof captureLog>;

function makeClient(extra: { initialMs?: number; maxMs?: number } = {}): AriClient {
  client = createAriClient({
    url: ari.url, username: 'hotline', password: PASSWORD, app: 'hotline', log: logs.log,
    backoff: { initialMs: extra.initialMs ?? 20, maxMs: extra.maxMs ?? 80 }, requestTimeoutMs: 1000, random: () => 0.5,
  });
  return client;
}

function send(ws: { send: (s: string) => void }, event: unknown): void {
  ws.send(typeof event === 'string' ? event : JSON.stringify(event));
}

beforeEach(async () => { ari = await startFakeAri(); logs = captureLog(); });
afterEach(async () => {
  await client?.close();
  client = undefined;
  await ari.close();
});

describe('ARI client: events socket', () => {
  it('when it connects, then the socket names the app and api_key, and connect resolves after the first reconcile', async () => {
    ari.route('GET', '/channels', () => ({ status: 200, body: [stasisStart('1795388733.0').channel] }));
    const c = makeClient();
    const snapshots: AriSnapshot[] = [];
    c.onReconcile((s) => { snapshots.push(s); });
    await c.connect();
    const u = new URL(ari.upgrades[0]!, 'http://x');
    expect(u.pathname).toBe('/ari/events');
    expect(u.searchParams.get('app')).toBe('hotline');
    expect(u.searchParams.get('api_key')).toBe(`hotline:${PASSWORD}`);
    expect(u.searchParams.has('subscribeAll')).toBe(false);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.reconnect).toBe(false);
    expect(snapshots[0]!.channels.map((ch) => ch.id)).toEqual(['1795388733.0']);
    expect(c.state()).toBe('connected');
    expect(logs.text()).not.toContain(PASSWORD);
  });

  it('when the server closes the socket with 1000, then the client reconnects and reconciles again', async () => {
    const c = makeClient();
    const snapshots: AriSnapshot[] = [];
    const states: AriConnectionState[] = [];
    c.onReconcile((s) => { snapshots.push(s); });
    c.onStateChange((s) => states.push(s));
    const first = ari.nextSocket();
    await c.connect();
    (await first).close(1000, 'bye');
    const second = await ari.nextSocket();
    await waitFor(() => snapshots.length === 2 && c.state() === 'connected');
    expect(snapshots[1]!.reconnect).toBe(true);
    expect(c.stats().reconnects).toBe(1);
    expect(states).toEqual(['connecting', 'reconciling', 'connected', 'disconnected', 'connecting', 'reconciling', 'connected']);
    const got: string[] = [];
    c.onEvent((e) => got.push(e.type));
    send(second, stasisStart('1795388734.1'));
    await waitFor(() => got.length === 1);
    expect(logs.text()).not.toContain(PASSWORD);
  });

  it('when the connection is dropped without a close frame, then the client reconnects', async () => {
    const c = makeClient();
    const first = ari.nextSocket();
    await c.connect();
    (await first).terminate();
    await ari.nextSocket();
    await waitFor(() => c.stats().reconnects === 1 && c.state() === 'connected');
    expect(ari.upgrades).toHaveLength(2);
  });

  it('when reconcile is slow, then events received meanwhile are delivered after it, in order', async () => {
    ari.route('GET', '/channels', () => ({ status: 200, body: [], delayMs: 150 }));
    const c = makeClient();
    const seen: string[] = [];
    c.onReconcile(async () => {
      seen.push('reconcile-start');
      await new Promise((r) => setTimeout(r, 30));
      seen.push('reconcile-end');
    });
    c.onEvent((e) => seen.push(e.type === 'StasisStart' ? e.channel.id : e.type));
    const socket = ari.nextSocket();
    const connected = c.connect();
    const ws = await socket;
    for (let i = 0; i < 5; i++) send(ws, stasisStart(`ch-${i}`));
    await connected;
    await waitFor(() => seen.length === 7);
    expect(seen).toEqual(['reconcile-start', 'reconcile-end', 'ch-0', 'ch-1', 'ch-2', 'ch-3', 'ch-4']);
  });

  it('when listing channels fails with 5xx, then the socket is dropped and the client retries until reconcile succeeds', async () => {
    let calls = 0;
    ari.route('GET', '/channels', () => (++calls <= 2 ? { status: 503, body: { message: 'Asterisk not booted' } } : { status: 200, body: [] }));
    const c = makeClient();
    const snapshots: AriSnapshot[] = [];
    c.onReconcile((s) => { snapshots.push(s); });
    await c.connect();
    expect(calls).toBe(3);
    expect(ari.upgrades).toHaveLength(3);
    expect(snapshots).toHaveLength(1);
    expect(c.stats().restErrors).toBe(2);
    expect(logs.lines.some((l) => l.msg === 'ari reconcile failed, reconnecting')).toBe(true);
  });

  it('when frames are malformed, then they are counted, logged once per kind, and later events still arrive', async () => {
    const c = makeClient();
    const got: AriEvent[] = [];
    c.onEvent((e) => got.push(e));
    const socket = ari.nextSocket();
    await c.connect();
    const ws = await socket;
    for (const bad of ['not json', 'also {not json', '[1,2]', '42', 'null', '{"foo":1}', '{"type":7}']) send(ws, bad);
    send(ws, stasisStart('ch-ok'));
    await waitFor(() => got.length === 1);
    expect(c.stats()).toMatchObject({ eventsReceived: 8, eventsMalformed: 7 });
    const warnings = logs.lines.filter((l) => l.msg === 'ari malformed event ignored');
    expect(warnings.map((w) => w.kind)).toEqual(['not-json', 'not-an-object', 'no-type']);
    expect(warnings[0]!.frame).toBe('not json');
  });

  it('when an event has a type events.json does not define, then it is counted and still delivered', async () => {
    const c = makeClient();
    const got: AriEvent[] = [];
    c.onEvent((e) => got.push(e));
    const socket = ari.nextSocket();
    await c.connect();
    send(await socket, { type: 'ChannelFutureThing', application: 'hotline', timestamp: 'x' });
    await waitFor(() => got.length === 1);
    expect(c.stats().eventsUnknown).toBe(1);
    expect(isKnownAriEvent(got[0]!)).toBe(false);
    expect(isKnownAriEvent(stasisStart('x') as { type: string })).toBe(true);
  });

  it('when Asterisk sends the same event twice for two subscriptions, then handlers see it once and the repeat is counted', async () => {
    const c = makeClient();
    const got: string[] = [];
    c.onEvent((e) => got.push(e.type === 'StasisStart' ? e.channel.id : e.type));
    const socket = ari.nextSocket();
    await c.connect();
    const ws = await socket;
    const first = JSON.stringify(stasisStart('ch-a'));
    send(ws, first);
    send(ws, first);
    send(ws, stasisStart('ch-b'));
    await waitFor(() => got.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(['ch-a', 'ch-b']);
    expect(c.stats()).toMatchObject({ eventsReceived: 3, eventsDuplicate: 1 });
  });

  it('when one handler throws, then the others still receive the event and the error is logged', async () => {
    const c = makeClient();
    const got: string[] = [];
    c.onEvent(() => { throw new Error('boom'); });
    c.onEvent((e) => got.push(e.type));
    const socket = ari.nextSocket();
    await c.connect();
    const ws = await socket;
    send(ws, stasisStart('a'));
    send(ws, stasisStart('b'));
    await waitFor(() => got.length === 2);
    expect(logs.lines.filter((l) => l.msg === 'ari event handler failed')).toHaveLength(2);
  });

  it('when a handler unsubscribes, then it receives nothing more', async () => {
    const c = makeClient();
    const first: string[] = [];
    const all: string[] = [];
    const off = c.onEvent((e) => first.push(e.type));
    c.onEvent((e) => all.push(e.type));
    const socket = ari.nextSocket();
    await c.connect();
    const ws = await socket;
    send(ws, stasisStart('a'));
    await waitFor(() => all.length === 1);
    off();
    send(ws, stasisStart('b'));
    await waitFor(() => all.length === 2);
    expect(first).toHaveLength(1);
  });

  it('when close() is called, then the client stops reconnecting and reports closed', async () => {
    const c = makeClient();
    const first = ari.nextSocket();
    await c.connect();
    const ws = await first;
    const closedByClient = new Promise<number>((r) => ws.once('close', (code: number) => r(code)));
    await c.close();
    expect(await closedByClient).toBe(1000);
    await new Promise((r) => setTimeout(r, 250));
    expect(ari.upgrades).toHaveLength(1);
    expect(c.state()).toBe('closed');
    await expect(c.connect()).rejects.toThrow(/closed/);
  });

  it('when the server is down at start, then connect keeps retrying and close() rejects the pending connect', async () => {
    await ari.close();
    const c = makeClient();
    const connecting = c.connect();
    await waitFor(() => c.stats().transportErrors + logs.lines.filter((l) => l.msg === 'ari events socket closed').length >= 2);
    await c.close();
    await expect(connecting).rejects.toThrow(/closed/);
    ari = await startFakeAri();
  });
});
