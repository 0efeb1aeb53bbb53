/**
 * A simulated Beijing day (36,000 calls, 750 seats, AHT 150 s) through the real queue code in
 * virtual time: the wall time (target <= 30 s) and how far the 15-s service level lands from Erlang C,
 * with impatient callers (60 s), with callers who never hang up, and on a stationary day (flat rate,
 * exponential handle times, no abandons) where all of Erlang C's assumptions hold.
 */
import { simulateDay } from '../src/sim/actors/simulate-day.ts';

export async function benchSimulateDay(): Promise<Record<string, number | string>> {
  const cpu0 = process.cpuUsage();
  const patient = await simulateDay({ patienceSeconds: Number.POSITIVE_INFINITY });
  const cpu1 = process.cpuUsage(cpu0);
  const impatient = await simulateDay({ patienceSeconds: 60 });
  const stationary = await simulateDay({ patienceSeconds: Number.POSITIVE_INFINITY, curve: 'flat', wrapUpSeconds: 0 });
  const e = stationary.erlangAtMeanRate!;
  const pts = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
  return {
    'calls offered (no abandons)': patient.total.offered,
    'wall time, no abandons (s, target <= 30)': patient.wallMs / 1000,
    'CPU time, no abandons (s)': (cpu1.user + cpu1.system) / 1e6,
    '15-s SL no abandons / Erlang C': `${((patient.total.serviceLevel ?? 0) * 100).toFixed(1)}% / ${((patient.total.erlangServiceLevel ?? 0) * 100).toFixed(1)}%`,
    'SL gap vs Erlang C, no abandons (points; largest hour)': `${pts(patient.serviceLevelGapPoints)}; ${pts(patient.maxHourGapPoints)}`,
    'wall time, patience 60 s (s)': impatient.wallMs / 1000,
    '15-s SL patience 60 s / Erlang C': `${((impatient.total.serviceLevel ?? 0) * 100).toFixed(1)}% / ${((impatient.total.erlangServiceLevel ?? 0) * 100).toFixed(1)}%`,
    'answer rate, patience 60 s': `${((impatient.total.answerRate ?? 0) * 100).toFixed(1)}%`,
    'stationary day (flat rate, no wrap-up, no abandons): SL / Erlang C at the mean rate': `${((stationary.total.serviceLevel ?? 0) * 100).toFixed(1)}% / ${(e.serviceLevel * 100).toFixed(1)}% (${pts(((stationary.total.serviceLevel ?? 0) - e.serviceLevel) * 100)} points)`,
    'stationary day: ASA / Erlang C (s)': `${(stationary.total.asaSeconds ?? 0).toFixed(1)} / ${e.asaSeconds.toFixed(1)}`,
    'wait estimate error at queue entry, mean abs (s)': impatient.estimateMaeSeconds ?? 'n/a',
    'wait estimate error, callers who waited >= 10 s (s)': `${stationary.estimateMaeWaitedSeconds?.toFixed(1) ?? 'n/a'} over ${stationary.waitedCalls} calls (stationary day)`,
    'leaked channels / bridges / stuck agents': [patient, impatient, stationary].map((r) => `${r.leakedChannels}/${r.leakedBridges}/${r.stuckAgents}`).join(', '),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchSimulateDay();
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(56)} ${typeof v === 'number' ? v.toFixed(2) : v}`);
}
