/**
 * `npm run bench`: runs every benchmark and prints its figures. Each bench module exports one
 * async function returning named figures; `npm run bench -- screen-pop` runs only the named ones.
 * Each bench runs in a process of its own, so one that fails, crashes or leaves a timer behind takes no other
 * with it; the run ends by naming the benches that failed.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

type Figures = Record<string, number | string>;
const here = dirname(fileURLToPath(import.meta.url));

const benches: Array<{ name: string; file: string; fn: string; what: string }> = [
  { name: 'ari-client', file: 'ari-client.ts', fn: 'benchAriClient', what: 'ARI client: cost per event' },
  { name: 'simulator', file: 'simulator.ts', fn: 'benchSimulator', what: 'simulator on loopback: ARI requests/s, events/s' },
  { name: 'routing', file: 'routing.ts', fn: 'benchRouting', what: 'ACD routing decision (targets p99 <= 20 µs at 750/1,000; <= 200 µs at 10,000/10,000)' },
  { name: 'tickets', file: 'tickets.ts', fn: 'benchTickets', what: 'ticket create+dispatch throughput; a unit inbox p99 at 50,000 tickets' },
  { name: 'search', file: 'search.ts', fn: 'benchSearch', what: 'full-text ticket search p99 over 1,000,000 tickets; knowledge-base search p99 over 10,000 articles' },
  { name: 'ranking', file: 'ranking.ts', fn: 'benchRanking', what: 'monthly rates + ranking, 349 units, 1.1 M tickets (target <= 1 s)' },
  { name: 'dialer', file: 'dialer.ts', fn: 'benchDialer', what: 'survey dialer vs the simulator, 1:6 compressed time (target 10,000 calls/h)' },
  { name: 'wallboard', file: 'wallboard.ts', fn: 'benchWallboard', what: 'wallboard fan-out, 50 supervisors, 30 call events/s (target p99 <= 1 s)' },
  { name: 'soak-acd', file: 'soak-acd.ts', fn: 'benchAcdLoad', what: '30 arrivals/s, 7,500 seats, 10 virtual minutes (targets: loop lag p99 <= 50 ms, RSS <= 1 GB, nothing leaked)' },
  { name: 'simulate-day', file: 'simulate-day.ts', fn: 'benchSimulateDay', what: 'a Beijing day, 36,000 calls and 750 seats, in virtual time (target <= 30 s wall) against Erlang C' },
  { name: 'screen-pop', file: 'screen-pop.ts', fn: 'benchScreenPop', what: 'screen pop latency, 750 agents, 10 calls/s (target p99 <= 15 ms)' },
  { name: 'accounts', file: 'accounts.ts', fn: 'benchAccounts', what: 'accounts: CSV import of 750 agents + 2,000 unit users (target <= 30 s), its dry run (<= 3 s), list/search over 10,000 (p99 <= 50 ms)' },
];

function show(value: number | string): string {
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toFixed(Math.abs(value) >= 100 ? 1 : 3);
}

async function runOne(b: (typeof benches)[number]): Promise<boolean> {
  const file = join(here, b.file);
  if (!existsSync(file)) { console.log('  (not present)'); return true; }
  try {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, () => Promise<Figures>>;
    const run = mod[b.fn];
    if (typeof run !== 'function') throw new Error(`${b.file} does not export ${b.fn}()`);
    const figures = await run();
    const width = Math.max(...Object.keys(figures).map((k) => k.length));
    for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(width)}  ${show(v)}`);
    return true;
  } catch (e) {
    console.log(`  FAILED: ${(e as Error).stack ?? e}`);
    return false;
  }
}

const args = process.argv.slice(2);
const one = args.indexOf('--one');
if (one >= 0) {
  const b = benches.find((x) => x.name === args[one + 1]);
  if (!b) { console.log(`no bench named ${args[one + 1]}`); process.exit(2); }
  process.exit((await runOne(b)) ? 0 : 1);
}

const wanted = args.filter((a) => !a.startsWith('-'));
const failed: string[] = [];
for (const b of benches) {
  if (wanted.length && !wanted.includes(b.name)) continue;
  console.log(`\n## ${b.name} — ${b.what}`);
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--one', b.name], { stdio: 'inherit', env: process.env });
  if (child.status !== 0) {
    failed.push(b.name);
    console.log(`  FAILED: the bench's process ended with ${child.status === null ? `signal ${child.signal}` : `exit code ${child.status}`}`);
  }
}
console.log(failed.length ? `\n${failed.length} bench(es) failed: ${failed.join(', ')}` : '\nevery bench ran to the end');
process.exit(failed.length ? 1 : 0);
