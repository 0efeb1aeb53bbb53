import { addWorkingTime, workingMsBetween, workingMsPerDay, type BusinessCalendar } from './business-calendar.ts';
import { err, hotlineError, ok, type Result } from './errors.ts';

/** How urgent a dispatched ticket is, which sets both of its clocks. */
export const URGENCY_CLASSES = ['life_safety', 'utilities', 'general', 'complex'] as const;
export type UrgencyClass = (typeof URGENCY_CLASSES)[number];

export const URGENCY_LABELS: Readonly<Record<UrgencyClass, string>> = {
  life_safety: '紧急（涉及生命财产安全）',
  utilities: '水电气热',
  general: '一般',
  complex: '疑难复杂',
};

/** minutes, hours and calendar_days run around the clock; working_* count only working hours. */
export const DEADLINE_UNITS = ['minutes', 'hours', 'calendar_days', 'working_hours', 'working_days'] as const;
export type DeadlineUnit = (typeof DEADLINE_UNITS)[number];

/**
 * When the 督办 warning fires: at a share of the clock elapsed, or a number of minutes before it runs
 * out. Both are measured in the clock's own time: working minutes for a clock in working units.
 */
export type WarningLead =
  | { readonly kind: 'elapsed'; readonly fraction: number }
  | { readonly kind: 'before'; readonly minutes: number };

export interface ClockRule {
  readonly amount: number;
  readonly unit: DeadlineUnit;
  readonly warn: WarningLead;
}

export interface ClassDeadlines {
  readonly acceptance: ClockRule;
  readonly completion: ClockRule;
}

export type DeadlinePolicy = Readonly<Record<UrgencyClass, ClassDeadlines>>;

/** The defaults of the national guidance; a city configures its own. */
export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = {
  life_safety: {
    acceptance: { amount: 15, unit: 'minutes', warn: { kind: 'before', minutes: 5 } },
    completion: { amount: 2, unit: 'hours', warn: { kind: 'before', minutes: 30 } },
  },
  utilities: {
    acceptance: { amount: 30, unit: 'minutes', warn: { kind: 'before', minutes: 10 } },
    completion: { amount: 24, unit: 'hours', warn: { kind: 'elapsed', fraction: 0.8 } },
  },
  general: {
    acceptance: { amount: 1, unit: 'working_days', warn: { kind: 'elapsed', fraction: 0.8 } },
    completion: { amount: 7, unit: 'working_days', warn: { kind: 'elapsed', fraction: 0.8 } },
  },
  complex: {
    acceptance: { amount: 1, unit: 'working_days', warn: { kind: 'elapsed', fraction: 0.8 } },
    completion: { amount: 15, unit: 'working_days', warn: { kind: 'elapsed', fraction: 0.8 } },
  },
};

export interface DispatchClocks {
  readonly urgency: UrgencyClass;
  readonly dispatchedAt: number;
  readonly acceptBy: number;
  readonly acceptWarnAt: number;
  readonly completeBy: number;
  readonly completeWarnAt: number;
  /** How many extensions the centre has approved. */
  readonly extensions: number;
}

export const CLOCK_STATES = ['pending', 'warning', 'overdue', 'met', 'missed'] as const;
export type ClockState = (typeof CLOCK_STATES)[number];

export interface ClockStatus {
  readonly acceptance: ClockState;
  readonly completion: ClockState;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

function countsWorkingTime(unit: DeadlineUnit): boolean {
  return unit === 'working_hours' || unit === 'working_days';
}

/** The length of `amount` of a unit, in calendar ms or in working ms as the unit counts. */
function lengthOf(amount: number, unit: DeadlineUnit, calendar: BusinessCalendar): number {
  switch (unit) {
    case 'minutes': return amount * MINUTE_MS;
    case 'hours': return amount * HOUR_MS;
    case 'calendar_days': return amount * 24 * HOUR_MS;
    case 'working_hours': return amount * HOUR_MS;
    case 'working_days': return amount * workingMsPerDay(calendar);
  }
}

function advance(from: number, length: number, unit: DeadlineUnit, calendar: BusinessCalendar): number {
  return countsWorkingTime(unit) ? addWorkingTime(calendar, from, length) : from + length;
}

function span(from: number, to: number, unit: DeadlineUnit, calendar: BusinessCalendar): number {
  return countsWorkingTime(unit) ? workingMsBetween(calendar, from, to) : to - from;
}

/** When the warning for a clock running from `start` to `due` fires, in the clock's own time. */
function warnAt(start: number, due: number, rule: ClockRule, calendar: BusinessCalendar): number {
  const total = span(start, due, rule.unit, calendar);
  const lead = rule.warn.kind === 'elapsed'
    ? total * (1 - Math.min(Math.max(rule.warn.fraction, 0), 1))
    : Math.min(rule.warn.minutes * MINUTE_MS, total);
  return advance(start, Math.round(total - lead), rule.unit, calendar);
}

/** Both clocks of a dispatch, started at `dispatchedAt`. */
export function dispatchClocks(
  dispatchedAt: number,
  urgency: UrgencyClass,
  policy: DeadlinePolicy,
  calendar: BusinessCalendar,
): DispatchClocks {
  const { acceptance, completion } = policy[urgency];
  const acceptBy = advance(dispatchedAt, lengthOf(acceptance.amount, acceptance.unit, calendar), acceptance.unit, calendar);
  const completeBy = advance(dispatchedAt, lengthOf(completion.amount, completion.unit, calendar), completion.unit, calendar);
  return {
    urgency,
    dispatchedAt,
    acceptBy,
    acceptWarnAt: warnAt(dispatchedAt, acceptBy, acceptance, calendar),
    completeBy,
    completeWarnAt: warnAt(dispatchedAt, completeBy, completion, calendar),
    extensions: 0,
  };
}

function stateOf(now: number, due: number, warnFrom: number, doneAt: number | null | undefined): ClockState {
  if (doneAt !== null && doneAt !== undefined) return doneAt <= due ? 'met' : 'missed';
  if (now > due) return 'overdue';
  return now >= warnFrom ? 'warning' : 'pending';
}

/** Where both clocks stand at `now`; a deadline met exactly on time counts as met. */
export function clockStatus(
  now: number,
  clocks: DispatchClocks,
  signedAt?: number | null,
  completedAt?: number | null,
): ClockStatus {
  return {
    acceptance: stateOf(now, clocks.acceptBy, clocks.acceptWarnAt, signedAt),
    completion: stateOf(now, clocks.completeBy, clocks.completeWarnAt, completedAt),
  };
}

/**
 * The clocks after the centre approves an extension of `extraAmount` in the class's completion unit
 * (e.g. 3 more working days for a general ticket). The warning is set again for the longer clock.
 */
export function extendCompletion(
  clocks: DispatchClocks,
  extraAmount: number,
  policy: DeadlinePolicy,
  calendar: BusinessCalendar,
): Result<DispatchClocks> {
  if (!Number.isFinite(extraAmount) || extraAmount <= 0) {
    return err(hotlineError('ERR_VALIDATION', { field: 'extraAmount', value: extraAmount, zh: '延期时长必须大于零' }));
  }
  const rule = policy[clocks.urgency].completion;
  const completeBy = advance(clocks.completeBy, lengthOf(extraAmount, rule.unit, calendar), rule.unit, calendar);
  return ok({
    ...clocks,
    completeBy,
    completeWarnAt: warnAt(clocks.dispatchedAt, completeBy, rule, calendar),
    extensions: clocks.extensions + 1,
  });
}

export function isUrgencyClass(value: unknown): value is UrgencyClass {
  return typeof value === 'string' && (URGENCY_CLASSES as readonly string[]).includes(value);
}
