import type { IntervalHistogram } from 'node:perf_hooks';
import { CALL_STATES } from '../../domain/call-state.ts';
import type { AriClientStats, AriConnectionState } from '../../pbx/ari/client.types.ts';
import type { AmiState, AmiStats } from '../../pbx/ami/types.ts';
import { Exposition } from './metrics.text.ts';

export const AGENT_STATES = ['offline', 'ready', 'ringing', 'on_call', 'wrap_up', 'paused'] as const;
const ARI_STATES: readonly AriConnectionState[] = ['connecting', 'reconciling', 'connected', 'disconnected', 'closed'];
const AMI_STATES: readonly AmiState[] = ['connecting', 'connected', 'disconnected', 'closed'];

/** The call as the metrics read it (a LiveCall of the calls service fits). */
export interface MetricsCall {
  call: { id: string; line: string; state: string; arrivedAt: number; answeredAt: number | null; endReason: string | null };
  overflowed?: string;
}

/** What the figures are read from: the public accessors of the services. */
export interface MetricsSources {
  calls: { live(): MetricsCall[]; waiting(): string[]; byId(callId: string): MetricsCall | undefined };
  agents: { list(): Array<{ state: string; registered: boolean }> };
  ari?: { state(): AriConnectionState; stats(): AriClientStats };
  ami?: { state(): AmiState; stats?(): AmiStats };
  /** Open websockets by kind, e.g. desktop and wallboard. */
  sockets: Record<string, () => number>;
  /** The line numbers in force, read at every scrape, so every line shows even with nobody waiting. */
  lines: () => readonly string[];
}

/** Ended calls counted by line and outcome since the start. */
export type CallTotals = Map<string, Map<string, number>>;

/** How a call ended, as counted: answered, or why it was not. */
export function outcomeOf(c: MetricsCall): string {
  if (c.call.answeredAt !== null) return 'answered';
  if (c.overflowed) return 'overflow';
  return c.call.endReason ?? 'unknown';
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const item of items) m.set(key(item), (m.get(key(item)) ?? 0) + 1);
  return m;
}

function addCalls(x: Exposition, src: MetricsSources, totals: CallTotals, now: number): void {
  const live = src.calls.live();
  x.addBy('hotline_calls_in_progress', 'gauge', 'Calls the service holds now, by state.', 'state',
    countBy(live.filter((c) => c.call.state !== 'ended'), (c) => c.call.state), CALL_STATES.filter((s) => s !== 'ended'));

  const ended: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const [line, byOutcome] of totals) for (const [outcome, n] of byOutcome) ended.push({ labels: { line, outcome }, value: n });
  x.add('hotline_calls_total', 'counter', 'Calls ended since the service started, by line and outcome.', ended);

  const waitingCount = new Map<string, number>();
  const longest = new Map<string, number>();
  for (const line of src.lines()) { waitingCount.set(line, 0); longest.set(line, 0); }
  for (const id of src.calls.waiting()) {
    const c = src.calls.byId(id);
    if (!c) continue;
    const line = c.call.line;
    waitingCount.set(line, (waitingCount.get(line) ?? 0) + 1);
    longest.set(line, Math.max(longest.get(line) ?? 0, Math.max(0, now - c.call.arrivedAt) / 1000));
  }
  x.addBy('hotline_queue_waiting', 'gauge', 'Callers waiting for an agent now (not ringing a seat), by line.', 'line', waitingCount);
  x.addBy('hotline_queue_longest_wait_seconds', 'gauge', 'Time since arrival of the longest-waiting caller, by line.', 'line', longest);
}

function addAgents(x: Exposition, src: MetricsSources): void {
  const agents = src.agents.list();
  x.addBy('hotline_agents', 'gauge', 'Agents by state.', 'state', countBy(agents, (a) => a.state), AGENT_STATES);
  x.add('hotline_agents_phone_registered', 'gauge', 'Agents whose seat phone is registered.', agents.filter((a) => a.registered).length);
}

function stateSamples(states: readonly string[], current: string): Array<{ labels: Record<string, string>; value: number }> {
  return states.map((s) => ({ labels: { state: s }, value: s === current ? 1 : 0 }));
}

function addPbx(x: Exposition, src: MetricsSources): void {
  if (src.ari) {
    const s = src.ari.stats();
    x.add('hotline_ari_connection_state', 'gauge', 'The ARI events socket state (1 for the current one).', stateSamples(ARI_STATES, src.ari.state()));
    x.add('hotline_ari_reconnects_total', 'counter', 'ARI events socket reconnects.', s.reconnects);
    x.add('hotline_ari_events_total', 'counter', 'ARI events received.', s.eventsReceived);
    x.add('hotline_ari_events_malformed_total', 'counter', 'ARI frames that were not a well-formed event.', s.eventsMalformed);
    x.add('hotline_ari_events_duplicate_total', 'counter', 'ARI events received again for an overlapping subscription.', s.eventsDuplicate);
    x.add('hotline_ari_events_unknown_total', 'counter', 'ARI events of a type the api-docs do not define.', s.eventsUnknown);
    x.add('hotline_ari_rest_errors_total', 'counter', 'ARI REST requests answered with 4xx or 5xx.', s.restErrors);
    x.add('hotline_ari_transport_errors_total', 'counter', 'ARI REST requests refused, reset or timed out.', s.transportErrors);
  }
  if (src.ami) {
    x.add('hotline_ami_connection_state', 'gauge', 'The AMI connection state (1 for the current one).', stateSamples(AMI_STATES, src.ami.state()));
    const s = src.ami.stats?.();
    if (s) {
      x.add('hotline_ami_reconnects_total', 'counter', 'AMI logins after the first.', s.reconnects);
      x.add('hotline_ami_drops_total', 'counter', 'Established AMI sessions that were lost.', s.drops);
      x.add('hotline_ami_malformed_total', 'counter', 'AMI messages that could not be understood.', s.malformed);
      x.add('hotline_ami_errors_total', 'counter', 'AMI failures logged.', s.errors);
    }
  }
}

function addProcess(x: Exposition, src: MetricsSources, loop: IntervalHistogram | undefined, startedAtSeconds: number): void {
  const sockets = new Map(Object.entries(src.sockets).map(([kind, count]) => [kind, count()]));
  x.addBy('hotline_websocket_clients', 'gauge', 'Open websockets by kind.', 'socket', sockets);
  if (loop) {
    const s = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
    x.add('hotline_event_loop_lag_seconds', 'gauge', 'Event loop delay since the previous scrape, by quantile.', [
      { labels: { quantile: '0.5' }, value: s(loop.percentile(50)) },
      { labels: { quantile: '0.99' }, value: s(loop.percentile(99)) },
    ]);
    x.add('hotline_event_loop_lag_max_seconds', 'gauge', 'Longest event loop delay since the previous scrape.', s(loop.max));
  }
  const mem = process.memoryUsage();
  x.add('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', mem.rss);
  x.add('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap used in bytes.', mem.heapUsed);
  x.add('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap size in bytes.', mem.heapTotal);
  x.add('nodejs_external_memory_bytes', 'gauge', 'Memory of C++ objects bound to JavaScript objects, in bytes.', mem.external);
  x.add('process_start_time_seconds', 'gauge', 'Start time of the service since the Unix epoch, in seconds.', startedAtSeconds);
}

/** One scrape's exposition. */
export function collectMetrics(src: MetricsSources, totals: CallTotals, opts: { now: number; loop?: IntervalHistogram; startedAtSeconds: number }): string {
  const x = new Exposition();
  addCalls(x, src, totals, opts.now);
  addAgents(x, src);
  addPbx(x, src);
  addProcess(x, src, opts.loop, opts.startedAtSeconds);
  return x.render();
}
