/**
 * The bounds every date, month and time span a user sends must keep: nothing the hotline holds is from
 * before 2000, nor from after 2099. Pure: shared by the request schemas and the code reading the values.
 */

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2099;

/** 2000-01-01 00:00 in Asia/Shanghai: the earliest instant a request may name. */
export const EARLIEST_MS = Date.UTC(FIRST_YEAR, 0, 1) - SHANGHAI_OFFSET_MS;
/** 2100-01-01 00:00 in Asia/Shanghai: every instant a request names is before it. */
export const LATEST_MS = Date.UTC(LAST_YEAR + 1, 0, 1) - SHANGHAI_OFFSET_MS;

/** A report month 'YYYY-MM' from 2000-01 to 2099-12. */
export const MONTH_PATTERN = '^20[0-9]{2}-(0[1-9]|1[0-2])$';

/** A calendar day 'YYYY-MM-DD' from 2000 to 2099 (whether the day exists is for the reader to check). */
export const DAY_PATTERN = '^20[0-9]{2}-[0-9]{2}-[0-9]{2}$';

/** Epoch milliseconds inside the bounds. */
export function inBounds(at: number): boolean {
  return Number.isFinite(at) && at >= EARLIEST_MS && at < LATEST_MS;
}

const DIGITS = /^\d{1,15}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * An instant in a query string as the hotline reads them (epoch milliseconds, a day in Asia/Shanghai,
 * or an ISO date-time, Asia/Shanghai when it names no zone), or undefined when it is none of these or
 * falls outside the bounds.
 */
export function queryInstant(value: string): number | undefined {
  const text = value.trim();
  let at: number;
  const day = DAY.exec(text);
  if (DIGITS.test(text)) {
    at = Number(text);
  } else if (day) {
    const utc = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    if (new Date(utc).toISOString().slice(0, 10) !== text) return undefined;
    at = utc - SHANGHAI_OFFSET_MS;
  } else if (DATE_TIME.test(text)) {
    at = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}+08:00`);
  } else {
    return undefined;
  }
  return inBounds(at) ? at : undefined;
}
