import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { backoffDelay, eventsUrl } from '../../src/pbx/ari/events-socket.ts';
import { createAriClient } from '../../src/pbx/ari/client.ts';
import type { AriClient } from '../../src/pbx/ari/client.types.ts';
import { captureLog, startFakeAri, waitFor } from './ari-fake-server.ts';
import type { FakeAri } from './ari-fake-server.ts';

describe('ARI reconnect backoff', () => {
  it('when attempts grow, then the delay doubles up to the cap, with jitter between half and all of it', () => {
    const b = { initialMs: 500, maxMs: 30_000 };
    expect([0, 1, 2, 3, 6, 7, 50].map((n) => backoffDelay(n, b, () => 1))).toEqual([500, 1000, 2000, 4000, 30_000, 30_000, 30_000]);
    expect(backoffDelay(0, b, () => 0)).toBe(250);
    expect(backoffDelay(10, b, () => 0)).toBe(15_000);
  });

  it('when the events URL is built, then it uses ws(s), the app and api_key, and no subscribeAll', () => {
    expect(eventsUrl('http://127.0.0.1:8088/ari/', 'hotline', 'hotline', 'p@ss:w'))
      .toBe('ws://127.0.0.1:8088/ari/events?app=hotline&api_key=hotline%3Ap%40ss%3Aw');
    expect(eventsUrl('https://pbx.example:8089/ari', 'hotline', 'u', 'p')).toMatch(/^wss:\/\/pbx\.example:8089\/ari\/events\?/);
  });
});

describe('ARI client on a virtual clock', () => {
  let ari: FakeAri | undefined;
  let client: AriClient | undefined;
  afterEach(async () => { await client?.close(); await ari?.close(); });

  it('when the socket closes, then the client waits the backoff delay before reconnecting, and resets it after success', async () => {
    ari = await startFakeAri();
    const clock = new VirtualClock();
    client = createAriClient({
      url: ari.url, username: 'hotline', password: 'x', app: 'hotline', log: captureLog().log, clock,
      backoff: { initialMs: 1000, maxMs: 8000 }, random: () => 1, requestTimeoutMs: 1000, pingIntervalMs: 0,
    });
    const first = ari.nextSocket();
    await client.connect();
    (await first).close(1000);
    await waitFor(() => client!.state() === 'disconnected');
    expect(clock.nextAt()).toBe(clock.now() + 1000);
    clock.advance(999);
    await new Promise((r) => setTimeout(r, 50));
    expect(ari.upgrades).toHaveLength(1);
    const second = ari.nextSocket();
    clock.advance(1);
    await waitFor(() => client!.state() === 'connected');
    expect(ari.upgrades).toHaveLength(2);
    (await second).close(1000);
    await waitFor(() => client!.state() === 'disconnected');
    expect(clock.nextAt()).toBe(clock.now() + 1000);
  });
});
