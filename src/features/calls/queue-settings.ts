import type { Config } from '../../config/config.ts';
import type { AcdConfig, QueueConfig } from '../../domain/acd/queues.ts';
import type { Announcement, AnnouncementPolicy } from '../../domain/acd/wait-estimate.ts';
import type { CallRouting, LineSettings } from './calls.types.ts';

/** The queue engine's configuration from the hotline's: each line to its desk, each desk's target, widening and limits. */
export function acdConfigFrom(config: Pick<Config, 'lines' | 'queues'>): AcdConfig {
  const first = config.queues[0]!.id;
  const queues: QueueConfig[] = config.queues.map((q) => ({
    id: q.id,
    target: { skills: [...q.target.skills], minLevel: q.target.minLevel },
    overflowRules: q.overflowRules.map((r) => ({ afterSeconds: r.afterSeconds, widenTo: { skills: [...r.widenTo.skills], minLevel: r.widenTo.minLevel } })),
    priority: q.priority,
    ...(q.maxWaiting !== undefined ? { maxWaiting: q.maxWaiting } : {}),
    ...(q.maxWaitSeconds !== undefined ? { maxWaitSeconds: q.maxWaitSeconds } : {}),
    overflowTo: q.overflowTo === 'callback' ? { kind: 'callback' } : { kind: 'queue', queueId: q.overflowTo },
  }));
  return {
    queues,
    lines: config.lines.map((l) => ({ line: l.number, queueId: l.queue ?? first, priority: l.priority ?? 0 })),
  };
}

export function announcementPoliciesFrom(config: Pick<Config, 'queues'>): Record<string, AnnouncementPolicy> {
  return Object.fromEntries(config.queues.map((q) => [q.id, { ...q.announcements }]));
}

export function lineSettingsFrom(config: Pick<Config, 'lines'>): LineSettings[] {
  return config.lines.map((l) => ({ number: l.number, name: l.name, greeting: l.greeting, wrapUpMs: l.wrapUpSeconds * 1000, rateAfterCall: l.rateAfterCall }));
}

/** What the calls service routes by, from a version of the lines and desks (the config file's, or one edited since). */
export function callRoutingFrom(config: Pick<Config, 'lines' | 'queues'>): CallRouting {
  return { lines: lineSettingsFrom(config), acd: acdConfigFrom(config), announcements: announcementPoliciesFrom(config) };
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** A number as the prompts say it in Mandarin (num-*), 0..9999; 两 before a measure word for 2. */
export function numberPrompts(n: number, measure = true): string[] {
  const v = Math.max(0, Math.min(9999, Math.floor(n)));
  if (v === 2 && measure) return ['num-2-liang'];
  if (v <= 10) return [`num-${v}`];
  const out: string[] = [];
  const thousands = Math.floor(v / 1000);
  const hundreds = Math.floor((v % 1000) / 100);
  const tens = Math.floor((v % 100) / 10);
  const ones = v % 10;
  if (thousands) out.push(`num-${DIGITS[thousands]}`, 'num-1000');
  if (hundreds) out.push(`num-${DIGITS[hundreds]}`, 'num-100');
  else if (thousands && (tens || ones)) out.push('num-0');
  if (tens) {
    if (tens > 1 || v >= 100) out.push(`num-${DIGITS[tens]}`);
    out.push('num-10');
  } else if (hundreds && ones) out.push('num-0');
  if (ones) out.push(`num-${DIGITS[ones]}`);
  return out;
}

/** The sound files of an announcement (queue-ahead, num-*, queue-callers, queue-wait, queue-minutes). */
export function announcementMedia(say: readonly Announcement[], soundPrefix = 'sound:hotline/'): string[] {
  const names: string[] = [];
  for (const a of say) {
    if (a.kind === 'position') {
      if (a.position > 1) names.push('queue-ahead', ...numberPrompts(a.position - 1), 'queue-callers');
    }
    else if (a.minutes <= 1) names.push('queue-less-than-minute');
    else names.push('queue-wait', ...numberPrompts(a.minutes), 'queue-minutes');
  }
  return names.map((n) => soundPrefix + n);
}
