import type { Logger } from 'pino';
import { CHINA_2026_CALENDAR, calendarYearsMissing, shanghaiDate } from '../../domain/business-calendar.ts';
import type { BusinessCalendar } from '../../domain/business-calendar.ts';

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
  /** The warning to show while a year is missing, in Chinese and English; null when none is. */
  warning: { text: string; text_en: string } | null;
}

export function calendarCoverage(calendar: BusinessCalendar, now: number): CalendarCoverage {
  const years = [...new Set(calendar.holidays.map((d) => Number(d.slice(0, 4))))].sort((a, b) => a - b);
  const missing = calendarYearsMissing(calendar, now);
  const list = missing.join('、');
  const warning = missing.length === 0 ? null : {
    text: `尚未配置 ${list} 年的法定节假日和调休上班日（calendar.holidays、calendar.makeupWorkdays）：办理时限把节假日当作工作日计算，会偏早。请按国务院办公厅的放假通知补充。`,
    text_en: `The public holidays and makeup working days of ${missing.join(', ')} are not configured (calendar.holidays, calendar.makeupWorkdays): deadlines count those holidays as working days and come out too early. Add them from the State Council's notice.`,
  };
  return { years, missing, warning };
}

/**
 * Logs a warning at start and then once a Shanghai day while the calendar lacks a year deadlines may run
 * into; returns the check, to be run with the deadline sweep.
 */
export function watchCalendar(calendar: BusinessCalendar, log: Logger): (now: number) => CalendarCoverage {
  let warnedOn: string | undefined;
  return (now) => {
    const coverage = calendarCoverage(calendar, now);
    const today = shanghaiDate(now);
    if (coverage.missing.length > 0 && warnedOn !== today) {
      warnedOn = today;
      log.warn({ missingYears: coverage.missing, keys: ['calendar.holidays', 'calendar.makeupWorkdays'] }, 'holiday calendar incomplete: deadlines will count these years\' holidays as working days');
    }
    return coverage;
  };
}
