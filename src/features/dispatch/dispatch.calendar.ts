import type { Logger } from 'pino';
import { CHINA_2026_CALENDAR, calendarYearsMissing, shanghaiDate } from '../../domain/business-calendar.ts';
import type { BusinessCalendar } from '../../domain/business-calendar.ts';
import type { Database } from '../../store/database.ts';

export interface CalendarSettings {
  holidays?: readonly string[];
  makeupWorkdays?: readonly string[];
}

/**
 * The deadline clocks' working days: the built-in 2026 calendar plus the configured days (`calendar.*`).
 * A day given both as a holiday and as a makeup working day is a mistake in the configuration, named here.
 */
export function calendarFrom(settings: CalendarSettings, base: BusinessCalendar = CHINA_2026_CALENDAR): BusinessCalendar {
  const holidays = new Set([...base.holidays, ...(settings.holidays ?? [])]);
  const makeup = new Set([...base.makeupWorkdays, ...(settings.makeupWorkdays ?? [])]);
  const both = [...holidays].filter((d) => makeup.has(d)).sort();
  if (both.length > 0) {
    throw new Error(`calendar: ${both.join(', ')} cannot be both a holiday (calendar.holidays) and a working day (calendar.makeupWorkdays)`);
  }
  return { holidays: [...holidays].sort(), makeupWorkdays: [...makeup].sort(), workHours: base.workHours };
}

/** What the calendar covers, and what it should and does not: shown to the centre and the agents. */
export interface CalendarCoverage {
  /** Years with holidays in the calendar. */
  years: number[];
  /** Years deadlines set now may run into without their holidays (see calendarYearsMissing). */
  missing: number[];
  /** The warning to show while a year is missing, in Chinese and English, with the page to fix it; null when none is. */
  warning: { text: string; text_en: string; link: string } | null;
}

/** Where an administrator enters a year's holidays. */
export const CALENDAR_PAGE = '/admin/#calendar';

export function calendarCoverage(calendar: BusinessCalendar, now: number): CalendarCoverage {
  const years = [...new Set(calendar.holidays.map((d) => Number(d.slice(0, 4))))].sort((a, b) => a - b);
  const missing = calendarYearsMissing(calendar, now);
  const list = missing.join('、');
  const warning = missing.length === 0 ? null : {
    text: `尚未配置 ${list} 年的法定节假日和调休上班日：办理时限把节假日当作工作日计算，会偏早。请系统管理员按国务院办公厅的放假通知，在管理控制台的节假日日历（${CALENDAR_PAGE}）录入（也可在配置 calendar.holidays、calendar.makeupWorkdays 中补充）。`,
    text_en: `The public holidays and makeup working days of ${missing.join(', ')} are not configured: deadlines count those holidays as working days and come out too early. An administrator enters them from the State Council's notice in the admin console's holiday calendar (${CALENDAR_PAGE}), or in the configuration (calendar.holidays, calendar.makeupWorkdays).`,
    link: CALENDAR_PAGE,
  };
  return { years, missing, warning };
}

/**
 * Logs a warning at start and then once a Shanghai day while the calendar lacks a year deadlines may run
 * into; returns the check, to be run with the deadline sweep.
 */
export function watchCalendar(calendar: BusinessCalendar | (() => BusinessCalendar), log: Logger): (now: number) => CalendarCoverage {
  let warnedOn: string | undefined;
  return (now) => {
    const coverage = calendarCoverage(typeof calendar === 'function' ? calendar() : calendar, now);
    const today = shanghaiDate(now);
    if (coverage.missing.length > 0 && warnedOn !== today) {
      warnedOn = today;
      log.warn({ missingYears: coverage.missing, keys: ['calendar.holidays', 'calendar.makeupWorkdays'] }, 'holiday calendar incomplete: deadlines will count these years\' holidays as working days');
    }
    return coverage;
  };
}

export type CalendarSource = 'built-in' | 'config' | 'admin';

/** One year of the calendar as the deadline clocks use it, and where its days come from. */
export interface CalendarYear {
  year: number;
  holidays: string[];
  makeupWorkdays: string[];
  source: CalendarSource;
  /** When an administrator stored it, and who; null for the built-in and configured years. */
  updatedAt: number | null;
  updatedBy: string | null;
}

/** A year as an administrator stored it once; every version is kept. */
export interface CalendarVersion {
  id: number; year: number; holidays: string[]; makeupWorkdays: string[]; effectiveAt: number; authorId: string | null; author: string;
}

/**
 * The calendar the deadline clocks use, live: each year an administrator stored (the latest version of it) in
 * place of that year's built-in and configured days. Every read checks for a newer version first, so a year
 * stored while the service runs (or by another process) applies to the next deadline computed.
 */
export interface CalendarBook {
  current(): BusinessCalendar;
  years(): CalendarYear[];
  history(year: number): CalendarVersion[];
  store(v: { year: number; holidays: readonly string[]; makeupWorkdays: readonly string[]; at: number; authorId: string | null; author: string }): CalendarYear;
}

interface VersionRow { id: number; year: number; holidays: string; makeup_workdays: string; effective_at: number; author_id: string | null; author: string }

const yearOf = (date: string) => Number(date.slice(0, 4));
const toVersion = (r: VersionRow): CalendarVersion => ({
  id: r.id, year: r.year, holidays: JSON.parse(r.holidays) as string[], makeupWorkdays: JSON.parse(r.makeup_workdays) as string[],
  effectiveAt: r.effective_at, authorId: r.author_id, author: r.author,
});

/** `base`: the built-in and configured days (calendarFrom); `builtIn`: the calendar shipped with the service. */
export function createCalendarBook(db: Database, base: BusinessCalendar, builtIn: BusinessCalendar = CHINA_2026_CALENDAR): CalendarBook {
  const lastId = db.prepare('SELECT coalesce(max(id), 0) FROM calendar_versions').pluck();
  const latest = db.prepare(`SELECT v.* FROM calendar_versions v
    WHERE v.id = (SELECT max(w.id) FROM calendar_versions w WHERE w.year = v.year) ORDER BY v.year`);
  const ofYear = db.prepare('SELECT * FROM calendar_versions WHERE year = ? ORDER BY id DESC');
  const insert = db.prepare(`INSERT INTO calendar_versions (year, holidays, makeup_workdays, effective_at, author_id, author)
    VALUES (?, ?, ?, ?, ?, ?)`);
  let held: { id: number; calendar: BusinessCalendar; stored: CalendarVersion[] } | undefined;

  function load(): NonNullable<typeof held> {
    const id = Number(lastId.get());
    if (held?.id === id) return held;
    const stored = (latest.all() as VersionRow[]).map(toVersion);
    const years = new Set(stored.map((v) => v.year));
    const keep = (dates: readonly string[]) => dates.filter((d) => !years.has(yearOf(d)));
    const calendar: BusinessCalendar = {
      holidays: [...keep(base.holidays), ...stored.flatMap((v) => v.holidays)].sort(),
      makeupWorkdays: [...keep(base.makeupWorkdays), ...stored.flatMap((v) => v.makeupWorkdays)].sort(),
      workHours: base.workHours,
    };
    held = { id, calendar, stored };
    return held;
  }

  function years(): CalendarYear[] {
    const { stored } = load();
    const out = new Map<number, CalendarYear>();
    const inYear = (dates: readonly string[], year: number) => dates.filter((d) => yearOf(d) === year);
    for (const year of new Set([...base.holidays, ...base.makeupWorkdays].map(yearOf))) {
      const holidays = inYear(base.holidays, year);
      const makeupWorkdays = inYear(base.makeupWorkdays, year);
      const shipped = holidays.join() === inYear(builtIn.holidays, year).join() && makeupWorkdays.join() === inYear(builtIn.makeupWorkdays, year).join();
      out.set(year, { year, holidays, makeupWorkdays, source: shipped ? 'built-in' : 'config', updatedAt: null, updatedBy: null });
    }
    for (const v of stored) {
      out.set(v.year, { year: v.year, holidays: v.holidays, makeupWorkdays: v.makeupWorkdays, source: 'admin', updatedAt: v.effectiveAt, updatedBy: v.author });
    }
    return [...out.values()].sort((a, b) => a.year - b.year);
  }

  return {
    current: () => load().calendar,
    years,
    history: (year) => (ofYear.all(year) as VersionRow[]).map(toVersion),
    store(v) {
      insert.run(v.year, JSON.stringify([...v.holidays].sort()), JSON.stringify([...v.makeupWorkdays].sort()), v.at, v.authorId, v.author);
      return years().find((y) => y.year === v.year)!;
    },
  };
}
