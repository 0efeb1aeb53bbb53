/** The soak's report as printed by `npm run soak`: figures, faults by kind, the checks, and how to repeat a failing run. */
import type { SoakResult } from './run-soak.ts';

const n = (v: number): string => v.toLocaleString('en-US');

export function formatReport(r: SoakResult): string {
  const o = r.options;
  const lines: string[] = [];
  const row = (label: string, value: string): void => { lines.push(`  ${label.padEnd(46)} ${value}`); };
  lines.push('', 'calls');
  row('placed by callers', n(r.placed));
  row('entered Stasis (offered to the service)', n(r.enteredStasis));
  row('declined by Asterisk (app not connected)', n(r.placed - r.enteredStasis));
  row('answered by an agent', n(r.log.answered));
  row('unanswered (abandoned, overflowed, lost)', n(r.log.unanswered));
  row('  of which overflowed to a callback', n(r.log.overflowed));
  row('  of which lost with Asterisk (restart)', n(r.log.lostWithPbx));
  row('tickets saved by agents', n(r.ticketsCreated));
  lines.push('', 'faults and outcomes');
  for (const [kind, count] of r.faults) row(kind, n(count));
  lines.push('', 'events socket');
  row('drops', n(r.connection.drops));
  row('reconnects (reconciled)', n(r.connection.reconnects));
  row('failed reconnect attempts', n(r.connection.failedAttempts));
  row('events lost in flight', n(r.connection.eventsLost));
  lines.push('', 'checks (all must be 0)');
  for (const c of r.checks) lines.push(`  ${c.found === 0 ? 'ok  ' : 'FAIL'} ${c.name.padEnd(58)} ${String(c.found).padStart(6)}   ${c.detail}`);
  lines.push('', 'run');
  row('virtual time', `${r.virtualHours.toFixed(1)} h`);
  row('wall time', `${(r.wallMs / 1000).toFixed(1)} s (CPU ${(r.cpuMs / 1000).toFixed(1)} s)`);
  row('calls per wall second', (r.placed / (r.wallMs / 1000)).toFixed(0));
  row('peak RSS', `${r.peakRssMb.toFixed(0)} MB`);
  lines.push('', r.ok
    ? `soak passed (seed ${o.seed})`
    : `soak FAILED: repeat with npm run soak -- --calls ${o.calls} --seed ${o.seed} --seats ${o.seats} --fault-rate ${o.faultRate}`
      + ` --talk ${o.talkSeconds} --wrap-up ${o.wrapUpSeconds} --load ${o.load}`);
  return lines.join('\n');
}
