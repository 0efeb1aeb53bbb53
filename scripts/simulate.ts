/**
 * `npm run simulate -- --seats 750 --calls-per-day 36000 --aht 150 [--patience 60] [--seed 1]
 *   [--staffing forecast|full] [--target-sl 0.8] [--wrap-up 10] [--hours 24] [--curve daily|flat] [--no-abandon-variant false]`
 * A day of traffic through the real queue engine and calls service over the in-process simulator in
 * virtual time; per hour: offered, answered, 15-s service level, answer rate, abandons, ASA and
 * occupancy beside Erlang C's prediction for that hour. Erlang C assumes callers never hang up, so
 * the same day is run again with infinitely patient callers, where its assumptions hold.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_DAY, simulateDay } from '../src/sim/actors/simulate-day.ts';
import type { DayOptions, DayResult } from '../src/sim/actors/simulate-day.ts';
import type { HourFigures } from '../src/sim/actors/day-figures.ts';

const { values } = parseArgs({
  options: {
    seats: { type: 'string' }, 'calls-per-day': { type: 'string' }, aht: { type: 'string' }, patience: { type: 'string' },
    seed: { type: 'string' }, staffing: { type: 'string' }, 'target-sl': { type: 'string' }, 'wrap-up': { type: 'string' },
    hours: { type: 'string' }, 'no-abandon-variant': { type: 'string' }, curve: { type: 'string' },
  },
});
const num = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));
const base: DayOptions = {
  ...DEFAULT_DAY,
  seats: num(values.seats, DEFAULT_DAY.seats),
  callsPerDay: num(values['calls-per-day'], DEFAULT_DAY.callsPerDay),
  ahtSeconds: num(values.aht, DEFAULT_DAY.ahtSeconds),
  patienceSeconds: num(values.patience, DEFAULT_DAY.patienceSeconds),
  seed: num(values.seed, DEFAULT_DAY.seed),
  staffing: values.staffing === 'full' ? 'full' : 'forecast',
  targetServiceLevel: num(values['target-sl'], DEFAULT_DAY.targetServiceLevel),
  wrapUpSeconds: num(values['wrap-up'], DEFAULT_DAY.wrapUpSeconds),
  hours: Math.min(24, num(values.hours, DEFAULT_DAY.hours)),
  curve: values.curve === 'flat' ? 'flat' : 'daily',
};

function bar(label: string) {
  return (share: number, note: string): void => {
    const width = 30;
    const done = Math.round(share * width);
    process.stderr.write(`\r${label} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${(share * 100).toFixed(0).padStart(3)}% ${note}   `);
  };
}

const pct = (v: number | null): string => (v === null ? '   -  ' : `${(v * 100).toFixed(1).padStart(5)}%`);
const sec = (v: number | null): string => (v === null ? '    - ' : !Number.isFinite(v) ? '   inf' : v.toFixed(1).padStart(6));

function row(h: HourFigures): string {
  const label = h.hour < 0 ? 'day  ' : `${String(h.hour).padStart(2, '0')}:00`;
  return [
    label, String(h.staffed).padStart(5), String(h.offered).padStart(6), String(h.answered).padStart(6),
    pct(h.serviceLevel), pct(h.erlangServiceLevel), pct(h.answerRate), String(h.abandoned).padStart(5),
    sec(h.asaSeconds), sec(h.erlangAsaSeconds), pct(h.occupancy), pct(h.erlangOccupancy),
  ].join('  ');
}

function print(title: string, r: DayResult): void {
  console.log(`\n${title}`);
  console.log('hour   staff  offer answer  SL15s  ErlC.SL  answer% aband    ASA  ErlC.ASA   occ  ErlC.occ');
  for (const h of r.hours) console.log(row(h));
  console.log(row(r.total));
  console.log(`wall time ${(r.wallMs / 1000).toFixed(1)} s (CPU ${(r.cpuMs / 1000).toFixed(1)} s) for ${r.options.hours} h of virtual time (${r.timersFired.toLocaleString('en-US')} moments)`);
  console.log(`15-s service level vs Erlang C: ${r.serviceLevelGapPoints >= 0 ? '+' : ''}${r.serviceLevelGapPoints.toFixed(1)} points over the day, largest hourly gap ${r.maxHourGapPoints.toFixed(1)} points`);
  if (r.erlangAtMeanRate) {
    const e = r.erlangAtMeanRate;
    console.log(`Erlang C at the day's mean rate and the same staff: SL ${(e.serviceLevel * 100).toFixed(1)}%, ASA ${e.asaSeconds.toFixed(1)} s, occupancy ${(e.occupancy * 100).toFixed(1)}% (simulated: ${((r.total.serviceLevel ?? 0) * 100).toFixed(1)}%, ${(r.total.asaSeconds ?? 0).toFixed(1)} s; gap ${(((r.total.serviceLevel ?? 0) - e.serviceLevel) * 100).toFixed(1)} points)`);
  }
  if (r.estimateMaeSeconds !== null) {
    console.log(`wait estimate at queue entry vs actual wait (answered calls): mean abs error ${r.estimateMaeSeconds.toFixed(1)} s, bias ${r.estimateBiasSeconds!.toFixed(1)} s`
      + (r.estimateMaeWaitedSeconds === null ? '' : `; for the ${r.waitedCalls} who waited >= 10 s: ${r.estimateMaeWaitedSeconds.toFixed(1)} s`));
  }
  console.log(`short abandons (during the greeting, not offered): ${r.total.shortAbandoned}; left at the end: ${r.leakedChannels} channels, ${r.leakedBridges} bridges, ${r.stuckAgents} stuck agents`);
}

const patient = Number.isFinite(base.patienceSeconds) && base.patienceSeconds > 0;
console.log(`seats ${base.seats}, ${base.callsPerDay} calls/day on a ${base.curve} curve, AHT ${base.ahtSeconds} s (wrap-up ${base.wrapUpSeconds} s), staffing ${base.staffing}${base.staffing === 'forecast' ? ` for ${base.targetServiceLevel * 100}%/15 s` : ''}, seed ${base.seed}`);
const first = await simulateDay({ ...base, onProgress: bar(patient ? `patience ${base.patienceSeconds}s` : 'no abandons') });
process.stderr.write('\n');
print(patient ? `Callers with a mean patience of ${base.patienceSeconds} s (Erlang C assumes none hang up: it overstates waits, abandons shorten the queue)` : 'Callers who never hang up (Erlang C\'s assumption)', first);
if (patient && values['no-abandon-variant'] !== 'false') {
  const second = await simulateDay({ ...base, patienceSeconds: Number.POSITIVE_INFINITY, onProgress: bar('no abandons') });
  process.stderr.write('\n');
  print('The same day with callers who never hang up (where Erlang C\'s assumptions hold)', second);
}
