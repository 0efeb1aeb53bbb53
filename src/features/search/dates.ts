/**
 * Dates in query strings: epoch milliseconds, an ISO date-time, or a calendar day (Asia/Shanghai, where the
 * hotline's days are counted). A day given as the end of a range includes the whole day.
 */

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Start of the Asia/Shanghai day `yyyy-mm-dd`, or undefined when it is not a real date. */
export function shanghaiDayStart(day: string): number | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(utc);
  if (back.getUTCFullYear() !== Number(m[1]) || back.getUTCMonth() !== Number(m[2]) - 1 || back.getUTCDate() !== Number(m[3])) return undefined;
  return utc - SHANGHAI_OFFSET_MS;
}

export function shanghaiDayOf(at: number): string {
  return new Date(at + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** An instant from a query string; `end` makes a bare day mean the start of the next day (exclusive bound). */
export function parseInstant(value: string, end = false): number | undefined {
  const text = value.trim();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const day = shanghaiDayStart(text);
  if (day !== undefined) return end ? day + DAY_MS : day;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.test(text)) return undefined;
  const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}+08:00`;
  const at = Date.parse(withZone);
  return Number.isNaN(at) ? undefined : at;
}

/** "2026-11-22 08:30:00" in Asia/Shanghai, for people and spreadsheets. */
export function shanghaiDateTime(at: number): string {
  return new Date(at + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

export { DAY_MS };
