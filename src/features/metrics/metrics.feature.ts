import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyRequest } from 'fastify';
import type { FeatureContext, FeatureRegistration } from '../../app.ts';
import { bearerOf } from '../auth/session-guard.ts';
import { collectMetrics, outcomeOf } from './metrics.collect.ts';
import type { CallTotals, MetricsSources } from './metrics.collect.ts';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.text.ts';

export interface MetricsDeps {
  calls: MetricsSources['calls'];
  agents: MetricsSources['agents'];
  /** Full AMI client (state and stats); the app's AMI state only when absent. */
  ami?: MetricsSources['ami'];
  /** A scraper presenting `Authorization: Bearer <token>` needs no session; unset: sessions only. */
  token?: string;
  /** More open-socket counts (e.g. the wallboard's), besides the desktop hub's. */
  sockets?: Record<string, () => number>;
  /** The line numbers in force (a line added in the admin console shows at the next scrape); default the config's. */
  lines?: () => readonly string[];
  /** Event loop sampling resolution in ms (default 20). */
  loopResolutionMs?: number;
}

/** The scrape token from HOTLINE_METRICS_TOKEN, or the file named by HOTLINE_METRICS_TOKEN_FILE. */
export function metricsTokenFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const file = env.HOTLINE_METRICS_TOKEN_FILE;
  const value = file ? readFileSync(file, 'utf8').trim() : env.HOTLINE_METRICS_TOKEN?.trim();
  if (value === undefined || value === '') return undefined;
  if (value.length < 16) throw new Error('HOTLINE_METRICS_TOKEN must be at least 16 characters');
  return value;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * GET /metrics in the Prometheus text format: calls by state and outcome, queues, agents, the PBX
 * connections, websockets, event loop delay and memory. A scraper sends the configured bearer token;
 * a person needs a supervisor or admin session.
 */
export function registerMetrics(ctx: FeatureContext, deps: MetricsDeps): void {
  const { app, hub } = ctx;
  const { bus, clock, config } = ctx.deps;
  const tokenDigest = deps.token ? digest(deps.token) : undefined;
  const totals: CallTotals = new Map();
  const startedAtSeconds = Math.floor((Date.now() - process.uptime() * 1000) / 1000);

  const loop = monitorEventLoopDelay({ resolution: deps.loopResolutionMs ?? 20 });
  loop.enable();

  const offBus = bus.subscribe('call.changed', ({ callId, state, line }) => {
    if (state !== 'ended') return;
    const c = deps.calls.byId(callId);
    const outcome = c ? outcomeOf(c) : 'unknown';
    let byOutcome = totals.get(line);
    if (!byOutcome) { byOutcome = new Map(); totals.set(line, byOutcome); }
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
  });
  app.addHook('onClose', async () => { offBus(); loop.disable(); });

  const sources: MetricsSources = {
    calls: deps.calls,
    agents: deps.agents,
    ...(ctx.deps.ari ? { ari: ctx.deps.ari } : {}),
    ...(deps.ami ?? ctx.deps.ami ? { ami: deps.ami ?? ctx.deps.ami } : {}),
    sockets: { desktop: () => hub.stats().sockets, ...deps.sockets },
    lines: deps.lines ?? (() => config.lines.map((l) => l.number)),
  };

  /** The scraper's bearer token, checked by the session guard when the request has no supervisor's session. */
  function scraperToken(request: FastifyRequest): boolean {
    const bearer = bearerOf(request);
    return tokenDigest !== undefined && bearer !== undefined && timingSafeEqual(digest(bearer), tokenDigest);
  }

  app.get('/metrics', { config: { roles: ['supervisor', 'admin'], serviceToken: scraperToken } }, async (_request, reply) => {
    const body = collectMetrics(sources, totals, { now: clock.now(), loop, startedAtSeconds });
    loop.reset();
    reply.header('content-type', PROMETHEUS_CONTENT_TYPE);
    reply.header('cache-control', 'no-store');
    return body;
  });
}

/** The /metrics feature for build()'s feature list. */
export function metricsFeature(deps: MetricsDeps): FeatureRegistration {
  return (ctx) => registerMetrics(ctx, deps);
}
