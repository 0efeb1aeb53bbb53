/**
 * The administrators' side of the holiday calendar: a year's public holidays and makeup working days (调休上班)
 * from the State Council's notice, checked with every error at once, stored as a new version (who, when; the
 * older versions kept) and used by the deadline clocks from the next deadline on.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { calendarYearsMissing } from '../../domain/business-calendar.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { FieldDetail } from '../../http-errors.ts';
import type { CalendarBook, CalendarVersion, CalendarYear } from '../dispatch/dispatch.calendar.ts';
import type { AdminAudit, AuditActor } from './admin-audit.ts';

export interface CalendarDays { holidays: readonly string[]; makeupWorkdays: readonly string[] }

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];
const WEEKDAYS_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** 0 = Sunday … 6 = Saturday, or undefined when `date` is not a real 'YYYY-MM-DD' date. */
function weekdayOf(date: string): number | undefined {
  const m = DATE.exec(date);
  if (!m) return undefined;
  const at = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return at.toISOString().slice(0, 10) === date ? at.getUTCDay() : undefined;
}

/**
 * Every problem with a year's days, in Chinese and English: not a date, not a real date, not in that year, given
 * twice, both a holiday and a makeup working day, a makeup working day that is not a Saturday or Sunday, or a year
 * without holidays. A holiday may fall on a weekend: the notices count the weekend days inside a holiday period.
 */
export function calendarProblems(year: number, days: CalendarDays): FieldDetail[] {
  const errors: FieldDetail[] = [];
  const push = (field: string, message: string, message_en: string) => errors.push({ field, message, message_en });
  const lists = [['holidays', '法定节假日', 'holiday', days.holidays], ['makeupWorkdays', '调休上班日', 'makeup working day', days.makeupWorkdays]] as const;
  const valid = new Map<string, Set<string>>();
  for (const [name, zh, en, dates] of lists) {
    const seen = new Set<string>();
    dates.forEach((date, i) => {
      const at = `${name}.${i}`;
      const weekday = weekdayOf(date);
      if (!DATE.test(date)) push(at, `${zh}“${date}”格式不正确，应为 YYYY-MM-DD`, `The ${en} "${date}" is not YYYY-MM-DD`);
      else if (weekday === undefined) push(at, `${zh} ${date} 不是真实存在的日期`, `The ${en} ${date} is not a real date`);
      else if (Number(date.slice(0, 4)) !== year) push(at, `${zh} ${date} 不在 ${year} 年`, `The ${en} ${date} is not in ${year}`);
      else if (seen.has(date)) push(at, `${zh} ${date} 重复填写`, `The ${en} ${date} is given twice`);
      else if (name === 'makeupWorkdays' && weekday !== 0 && weekday !== 6) {
        push(at, `调休上班日 ${date} 是星期${WEEKDAYS[weekday]}，调休上班日只能是星期六或星期日`, `The makeup working day ${date} is a ${WEEKDAYS_EN[weekday]}: it must be a Saturday or Sunday`);
      }
      if (weekday !== undefined && Number(date.slice(0, 4)) === year) seen.add(date);
    });
    valid.set(name, seen);
  }
  const both = [...valid.get('holidays')!].filter((d) => valid.get('makeupWorkdays')!.has(d)).sort();
  for (const date of both) push('makeupWorkdays', `${date} 不能既是法定节假日又是调休上班日`, `${date} cannot be both a holiday and a makeup working day`);
  if (days.holidays.length === 0) push('holidays', `请填写 ${year} 年的法定节假日`, `Give the public holidays of ${year}`);
  return errors;
}

export type CalendarAdmin = ReturnType<typeof createCalendarAdmin>;

export function createCalendarAdmin(deps: { book: CalendarBook; audit: AdminAudit; clock: Clock; log: Logger; transaction: <T>(fn: () => T) => T }) {
  const { book, audit, clock } = deps;
  const log = deps.log.child({ component: 'calendar' });

  return {
    /** Every year the clocks know, where its days come from, and the years deadlines may run into that are missing. */
    read(): { years: CalendarYear[]; missing: number[] } {
      return { years: book.years(), missing: calendarYearsMissing(book.current(), clock.now()) };
    },
    history(year: number): { year: number; versions: CalendarVersion[] } {
      return { year, versions: book.history(year) };
    },
    /** Stores the year as a new version; the deadline clocks use it from the next deadline they compute. */
    put(actor: AuditActor, year: number, days: CalendarDays): CalendarYear {
      const errors = calendarProblems(year, days);
      if (errors.length) throw hotlineError('ERR_VALIDATION', { fields: errors, year });
      return deps.transaction(() => {
        const before = book.years().find((y) => y.year === year);
        const stored = book.store({ year, holidays: days.holidays, makeupWorkdays: days.makeupWorkdays, at: clock.now(), authorId: actor.id, author: actor.username });
        audit.record({ actor, action: 'calendar.put', target: String(year), ...(before ? { before } : {}), after: stored, outcome: 'ok' });
        log.info({ year, holidays: stored.holidays.length, makeupWorkdays: stored.makeupWorkdays.length, by: actor.username }, 'holiday calendar year stored');
        return stored;
      });
    },
  };
}
