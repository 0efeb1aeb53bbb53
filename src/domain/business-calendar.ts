import { hotlineError } from './errors.ts';

/** Asia/Shanghai is UTC+8 all year: China has kept no daylight saving time since 1991. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** The most days any walk through the calendar looks ahead before it gives up (ten years). */
const MAX_DAYS_AHEAD = 3_660;

/** A stretch of working hours within one day, in Shanghai wall-clock time 'HH:MM'. */
export interface WorkWindow { readonly start: string; readonly end: string }

export interface BusinessCalendar {
  /** Days off ('YYYY-MM-DD'), whether or not they fall on a weekend. */
  readonly holidays: readonly string[];
  /** Weekend days that are working days (调休上班). */
  readonly makeupWorkdays: readonly string[];
  /** The working hours of every working day, in order and not overlapping. */
  readonly workHours: readonly WorkWindow[];
}

export const DEFAULT_WORK_HOURS: readonly WorkWindow[] = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];

/** Days since 1970-01-01 in Shanghai for an instant. */
export function shanghaiDayNumber(at: number): number {
  return Math.floor((at + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** The instant a Shanghai day begins (00:00 +08:00). */
export function shanghaiMidnight(dayNumber: number): number {
  return dayNumber * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** The Shanghai calendar date of an instant, 'YYYY-MM-DD'. */
export function shanghaiDate(at: number): string {
  return dateOfDayNumber(shanghaiDayNumber(at));
}

/** Day numbers are counted in UTC so the arithmetic never meets a local time zone. */
export function dateOfDayNumber(dayNumber: number): string {
  const d = new Date(dayNumber * DAY_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

export function dayNumberOfDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) throw hotlineError('ERR_VALIDATION', { field: 'date', value: date, expected: 'YYYY-MM-DD' });
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  if (dateOfDayNumber(ms / DAY_MS) !== date) throw hotlineError('ERR_VALIDATION', { field: 'date', value: date, expected: 'a real calendar date' });
  return ms / DAY_MS;
}

/**
 * The years a deadline set now may run into that the calendar has no holidays for: this year, and from
 * 1 December also the next (a completion clock set in December can end in January). A calendar without
 * a year's holidays counts 元旦 and 春节 as working days, so the deadlines it gives are too early.
 */
export function calendarYearsMissing(calendar: Pick<BusinessCalendar, 'holidays'>, now: number): number[] {
  const today = shanghaiDate(now);
  const year = Number(today.slice(0, 4));
  const covered = new Set(calendar.holidays.map((d) => Number(d.slice(0, 4))));
  const wanted = today.slice(5) >= '12-01' ? [year, year + 1] : [year];
  return wanted.filter((y) => !covered.has(y));
}

/** The instant of a Shanghai wall-clock time: shanghaiTime('2026-10-08', '09:00'). */
export function shanghaiTime(date: string, time = '00:00'): number {
  return shanghaiMidnight(dayNumberOfDate(date)) + minutesOfTime(time) * MINUTE_MS;
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday. */
function weekdayOfDayNumber(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function minutesOfTime(time: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(time);
  const minutes = m === null ? NaN : Number(m[1]) * 60 + Number(m[2]);
  if (!(minutes >= 0 && minutes <= 24 * 60) || Number(m?.[2]) >= 60) {
    throw hotlineError('ERR_VALIDATION', { field: 'time', value: time, expected: 'HH:MM' });
  }
  return minutes;
}

/** Windows as [startMs, endMs) offsets from midnight, checked once per calendar. */
const windowCache = new WeakMap<readonly WorkWindow[], ReadonlyArray<readonly [number, number]>>();

function windowsOf(calendar: BusinessCalendar): ReadonlyArray<readonly [number, number]> {
  const cached = windowCache.get(calendar.workHours);
  if (cached !== undefined) return cached;
  const windows = calendar.workHours.map((w) => [minutesOfTime(w.start) * MINUTE_MS, minutesOfTime(w.end) * MINUTE_MS] as const);
  let previousEnd = 0;
  for (const [start, end] of windows) {
    if (start >= end || start < previousEnd) throw hotlineError('ERR_VALIDATION', { field: 'workHours', expected: 'windows in order, each ending after it starts, not overlapping' });
    previousEnd = end;
  }
  if (windows.length === 0) throw hotlineError('ERR_VALIDATION', { field: 'workHours', expected: 'at least one window' });
  windowCache.set(calendar.workHours, windows);
  return windows;
}

const daySetCache = new WeakMap<readonly string[], ReadonlySet<string>>();

function setOf(dates: readonly string[]): ReadonlySet<string> {
  let set = daySetCache.get(dates);
  if (set === undefined) {
    set = new Set(dates);
    daySetCache.set(dates, set);
  }
  return set;
}

function isWorkingDayNumber(calendar: BusinessCalendar, dayNumber: number): boolean {
  const date = dateOfDayNumber(dayNumber);
  if (setOf(calendar.makeupWorkdays).has(date)) return true;
  if (setOf(calendar.holidays).has(date)) return false;
  const weekday = weekdayOfDayNumber(dayNumber);
  return weekday !== 0 && weekday !== 6;
}

/** Whether a day is worked: a 'YYYY-MM-DD' date, or an instant (epoch ms) read in Shanghai. */
export function isWorkingDay(calendar: BusinessCalendar, date: string | number): boolean {
  const dayNumber = typeof date === 'number' ? shanghaiDayNumber(date) : dayNumberOfDate(date);
  return isWorkingDayNumber(calendar, dayNumber);
}

/** The working time in one full working day (7.5 h with the default hours). */
export function workingMsPerDay(calendar: BusinessCalendar): number {
  return windowsOf(calendar).reduce((sum, [start, end]) => sum + end - start, 0);
}

/**
 * The instant when `ms` of working time has passed since `from`, counting only working hours on
 * working days. A deadline that lands exactly on the end of a window is that end (e.g. 18:00).
 */
export function addWorkingTime(calendar: BusinessCalendar, from: number, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw hotlineError('ERR_VALIDATION', { field: 'ms', value: ms, expected: 'a duration of zero or more' });
  if (ms === 0) return from;
  const windows = windowsOf(calendar);
  let remaining = ms;
  const firstDay = shanghaiDayNumber(from);
  for (let day = firstDay; day <= firstDay + MAX_DAYS_AHEAD; day += 1) {
    if (!isWorkingDayNumber(calendar, day)) continue;
    const midnight = shanghaiMidnight(day);
    for (const [start, end] of windows) {
      const open = Math.max(midnight + start, from);
      const close = midnight + end;
      if (open >= close) continue;
      if (remaining <= close - open) return open + remaining;
      remaining -= close - open;
    }
  }
  throw hotlineError('ERR_VALIDATION', { field: 'calendar', expected: 'working days within ten years' });
}

/**
 * `n` working days after `from`: n full working days of working time. Dispatched on Friday 16:00,
 * one working day is due Monday 16:00; dispatched at night or on a day off, the next working day
 * counts in full (due at its close).
 */
export function addWorkingDays(calendar: BusinessCalendar, from: number, n: number): number {
  if (!Number.isFinite(n) || n < 0) throw hotlineError('ERR_VALIDATION', { field: 'n', value: n, expected: 'zero or more working days' });
  return addWorkingTime(calendar, from, n * workingMsPerDay(calendar));
}

/** The working time between two instants; negative when `b` is before `a`. */
export function workingMsBetween(calendar: BusinessCalendar, a: number, b: number): number {
  if (b < a) return -workingMsBetween(calendar, b, a);
  const windows = windowsOf(calendar);
  let total = 0;
  for (let day = shanghaiDayNumber(a); day <= shanghaiDayNumber(b); day += 1) {
    if (!isWorkingDayNumber(calendar, day)) continue;
    const midnight = shanghaiMidnight(day);
    for (const [start, end] of windows) {
      const open = Math.max(midnight + start, a);
      const close = Math.min(midnight + end, b);
      if (close > open) total += close - open;
    }
  }
  return total;
}

function datesFrom(first: string, last: string): string[] {
  const out: string[] = [];
  for (let day = dayNumberOfDate(first); day <= dayNumberOfDate(last); day += 1) out.push(dateOfDayNumber(day));
  return out;
}

/**
 * The 2026 public holidays and makeup working days, as published in 国务院办公厅关于2026年部分节假日安排的通知
 * (4 November 2025). Later years are configuration (`calendar.holidays`, `calendar.makeupWorkdays`): add each
 * year's dates when the State Council publishes them, usually in November of the year before.
 */
export const CHINA_2026_HOLIDAYS: readonly string[] = [
  ...datesFrom('2026-01-01', '2026-01-03'), // 元旦
  ...datesFrom('2026-02-15', '2026-02-23'), // 春节
  ...datesFrom('2026-04-04', '2026-04-06'), // 清明节
  ...datesFrom('2026-05-01', '2026-05-05'), // 劳动节
  ...datesFrom('2026-06-19', '2026-06-21'), // 端午节
  ...datesFrom('2026-09-25', '2026-09-27'), // 中秋节
  ...datesFrom('2026-10-01', '2026-10-07'), // 国庆节
];

export const CHINA_2026_MAKEUP_WORKDAYS: readonly string[] = [
  '2026-01-04', // 元旦 (周日上班)
  '2026-02-14', '2026-02-28', // 春节 (周六上班)
  '2026-05-09', // 劳动节 (周六上班)
  '2026-09-20', '2026-10-10', // 国庆节 (周日、周六上班)
];

export const CHINA_2026_CALENDAR: BusinessCalendar = {
  holidays: CHINA_2026_HOLIDAYS,
  makeupWorkdays: CHINA_2026_MAKEUP_WORKDAYS,
  workHours: DEFAULT_WORK_HOURS,
};
