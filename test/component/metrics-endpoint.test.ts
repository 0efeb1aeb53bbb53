import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { build } from '../../src/app.ts';
import { realClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import type { HotlineApp } from '../../src/app.ts';
import { metricsFeature, metricsTokenFromEnv } from '../../src/features/metrics/metrics.feature.ts';
import { renderExposition } from '../../src/features/metrics/metrics.text.ts';
import { startHarness, waitFor } from './call-harness.ts';
import type { Harness } from './call-harness.ts';

const TOKEN = 'scrape-token-0123456789abcdef';
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*",?)*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$/;

interface Scrape { status: number; type: string | null; text: string }

/** The hotline beside a second app carrying /metrics over the same services, as src/hotline.ts wires it. */
async function startWithMetrics(): Promise<{ h: Harness; side: HotlineApp; url: string }> {
  const h = await startHarness();
  const { hotline } = h;
  const side = await build({
    config: loadConfig({
      env: {}, values: { service: { host: '127.0.0.1', port: 0 }, pbx: { mode: 'simulator' }, lines: [{ number: '12345' }, { number: '12315' }], log: { level: 'silent' } },
    }),
    db: hotline.db, ari: hotline.ari, clock: realClock, log: createLogger({ level: 'silent' }), bus: hotline.bus,
    ...(hotline.ami ? { ami: hotline.ami } : {}),
    features: [metricsFeature({ calls: hotline.calls, agents: hotline.agents, ...(hotline.ami ? { ami: hotline.ami } : {}), token: TOKEN })],
  });
  const url = await side.app.listen({ host: '127.0.0.1', port: 0 });
  return { h, side, url };
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await fetch(`${url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = /^([^{ ]+)(\{[^}]*\})? (.+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = m[2] ? m[2].slice(1, -1).split(',') : [];
    if (want.every((w) => got.includes(w)) && got.length === want.length) return Number(m[3]);
  }
  return undefined;
}

describe('/metrics', () => {
  let env: { h: Harness; side: HotlineApp; url: string } | undefined;
  afterEach(async () => { await env?.side.close(); await env?.h.close(); env = undefined; });

  it('when scraped with no token and no session, then 401 with the JSON error; with an agent session, then 403', async () => {
    env = await startWithMetrics();
    const none = await scrape(env.url);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text).error.code).toBe('ERR_UNAUTHENTICATED');
    const wrong = await scrape(env.url, { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    const agent = await env.h.addAgent('mia');
    const forbidden = await scrape(env.url, { authorization: `Bearer ${agent.token}` });
    expect(forbidden.status).toBe(403);
  });

  it('when scraped with the token or a supervisor session, then every line is valid 0.0.4 text with the figures named in the issue', async () => {
    env = await startWithMetrics();
    await env.h.hotline.app.auth.createUser({ username: 'sup', password: 'secret-pass-1', role: 'supervisor', displayName: 'Sup' });
    const session = await env.h.hotline.app.auth.login('sup', 'secret-pass-1');
    const bySession = await scrape(env.url, { cookie: `hl_session=${session!.id}` });
    expect(bySession.status).toBe(200);

    const s = await scrape(env.url, { authorization: `Bearer ${TOKEN}` });
    expect(s.status).toBe(200);
    expect(s.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const line of s.text.trimEnd().split('\n')) {
      if (line.startsWith('# HELP ') || /^# TYPE \S+ (counter|gauge|summary|untyped)$/.test(line)) continue;
      expect(line).toMatch(SAMPLE);
    }
    for (const name of ['hotline_calls_in_progress', 'hotline_calls_total', 'hotline_queue_waiting', 'hotline_queue_longest_wait_seconds',
      'hotline_agents', 'hotline_event_loop_lag_seconds', 'hotline_event_loop_lag_max_seconds', 'hotline_ari_reconnects_total',
      'hotline_ari_events_total', 'hotline_ari_events_malformed_total', 'hotline_ari_events_duplicate_total', 'hotline_ari_rest_errors_total',
      'hotline_ami_connection_state', 'hotline_ami_reconnects_total', 'hotline_websocket_clients', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      expect(s.text).toContain(`# TYPE ${name} `);
    }
    expect(sample(s.text, 'hotline_queue_waiting', { line: '12315' })).toBe(0);
    expect(sample(s.text, 'hotline_ari_connection_state', { state: 'connected' })).toBe(1);
    expect(sample(s.text, 'hotline_event_loop_lag_seconds', { quantile: '0.99' })).toBeGreaterThan(0);
    expect(sample(s.text, 'process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
  });

  it('when a caller waits with no agent ready and then hangs up, then the queue shows them with their wait and the total counts an abandoned call', async () => {
    env = await startWithMetrics();
    const { sim } = env.h.hotline;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const placed = sim!.control.placeCall({ line: '12345', from: '13800138000' });
    await waitFor('the caller queued', () => env!.h.hotline.calls.waiting().length === 1);
    await new Promise((r) => setTimeout(r, 300));
    const during = (await scrape(env.url, auth)).text;
    expect(sample(during, 'hotline_queue_waiting', { line: '12345' })).toBe(1);
    expect(sample(during, 'hotline_queue_longest_wait_seconds', { line: '12345' })).toBeGreaterThan(0.2);
    expect(sample(during, 'hotline_calls_in_progress', { state: 'queued' })).toBe(1);

    sim!.control.remoteHangup(placed.channelId!);
    await waitFor('the call gone', () => env!.h.hotline.calls.live().length === 0);
    const after = (await scrape(env.url, auth)).text;
    expect(sample(after, 'hotline_queue_waiting', { line: '12345' })).toBe(0);
    expect(sample(after, 'hotline_calls_total', { line: '12345', outcome: 'abandoned' })).toBe(1);
  });

  it('when the ARI events socket drops and comes back, and a desktop socket opens, then the reconnect and the client are counted', async () => {
    env = await startWithMetrics();
    const auth = { authorization: `Bearer ${TOKEN}` };
    const before = sample((await scrape(env.url, auth)).text, 'hotline_ari_reconnects_total') ?? -1;
    env.h.hotline.sim!.control.faults.dropEventSockets(1006);
    await waitFor('ARI reconnected', () => env!.h.hotline.ari.stats().reconnects > before && env!.h.hotline.ari.state() === 'connected');
    const agent = await env.h.addAgent('lin');
    const socket = new WebSocket(`${env.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(agent.token)}`);
    await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); });
    const text = (await scrape(env.url, auth)).text;
    socket.close();
    expect(sample(text, 'hotline_ari_reconnects_total')).toBe(before + 1);
    expect(sample(text, 'hotline_websocket_clients', { socket: 'desktop' })).toBe(1);
  });
});

describe('the exposition text', () => {
  it('when a label value holds quotes, backslashes and newlines, then they are escaped and a bad name is refused', () => {
    const text = renderExposition([{ name: 'x_total', type: 'counter', help: 'a \\ b\nc', samples: [{ labels: { v: 'a"b\\c\nd' }, value: 1 }] }]);
    expect(text).toBe('# HELP x_total a \\\\ b\\nc\n# TYPE x_total counter\nx_total{v="a\\"b\\\\c\\nd"} 1\n');
    expect(() => renderExposition([{ name: '1bad', type: 'gauge', help: '', samples: [] }])).toThrow();
  });

  it('when the token comes from the environment, then a short one is refused and an absent one means sessions only', () => {
    expect(metricsTokenFromEnv({})).toBeUndefined();
    expect(() => metricsTokenFromEnv({ HOTLINE_METRICS_TOKEN: 'short' })).toThrow();
    expect(metricsTokenFromEnv({ HOTLINE_METRICS_TOKEN: TOKEN })).toBe(TOKEN);
  });
});
