/**
 * `npm run soak -- [--calls 1000000] [--seed S] [--seats 300] [--fault-rate 1] [--talk 60] [--wrap-up 5]
 *   [--load 0.95] [--progress-every 100000] [--db file]`
 * Simulated calls with random faults through the real call handling in virtual time; prints calls
 * offered, answered and abandoned, the faults injected by kind, the reconnects, and the checks that
 * must all be zero (leaked channels and bridges, stuck agents, calls never ended, tickets lost,
 * callbacks owed). Exits 1 when a check is not zero, 2 on a bad option.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SOAK, runSoak } from '../src/sim/soak/run-soak.ts';
import type { SoakOptions } from '../src/sim/soak/run-soak.ts';
import { formatReport } from '../src/sim/soak/report.ts';

function options(): SoakOptions {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string' }, seed: { type: 'string' }, seats: { type: 'string' }, 'fault-rate': { type: 'string' },
      talk: { type: 'string' }, 'wrap-up': { type: 'string' }, load: { type: 'string' }, 'progress-every': { type: 'string' },
      db: { type: 'string' },
    },
  });
  const num = (name: string, v: string | undefined, d: number): number => {
    if (v === undefined) return d;
    const n = Number(v.replaceAll('_', ''));
    if (v.trim() === '' || !Number.isFinite(n)) throw new RangeError(`--${name} must be a number (got "${v}")`);
    return n;
  };
  return {
    ...DEFAULT_SOAK,
    calls: num('calls', values.calls, DEFAULT_SOAK.calls),
    seed: num('seed', values.seed, Math.floor(Math.random() * 2 ** 31)),
    seats: num('seats', values.seats, DEFAULT_SOAK.seats),
    faultRate: num('fault-rate', values['fault-rate'], DEFAULT_SOAK.faultRate),
    talkSeconds: num('talk', values.talk, DEFAULT_SOAK.talkSeconds),
    wrapUpSeconds: num('wrap-up', values['wrap-up'], DEFAULT_SOAK.wrapUpSeconds),
    load: num('load', values.load, DEFAULT_SOAK.load),
    progressEvery: num('progress-every', values['progress-every'], DEFAULT_SOAK.progressEvery),
    ...(values.db ? { dbPath: values.db } : {}),
  };
}

let o: SoakOptions;
try {
  o = options();
} catch (error) {
  console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
console.log(`soak: ${o.calls.toLocaleString('en-US')} calls, ${o.seats} seats, fault rate ${o.faultRate}, seed ${o.seed}`);
try {
  const result = await runSoak({
    ...o,
    onProgress: (p) => console.log(`  ${p.placed.toLocaleString('en-US').padStart(11)} calls  ${p.virtualHours.toFixed(1).padStart(7)} h virtual  `
      + `${(p.wallMs / 1000).toFixed(0).padStart(6)} s wall  ${String(p.liveCalls).padStart(5)} live  RSS ${p.rssMb.toFixed(0)} MB`),
  });
  console.log(formatReport(result));
  process.exit(result.ok ? 0 : 1);
} catch (error) {
  console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
