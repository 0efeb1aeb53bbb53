import Type from 'typebox';
import { hotlineError } from '../../domain/errors.ts';
import { MONTH_PATTERN } from '../../input-bounds.ts';

/**
 * Report months are calendar months in Asia/Shanghai (UTC+8 all year), written 'YYYY-MM', from 2000-01 to
 * 2099-12: the hotline holds nothing older, and a month before 2000 cannot be closed (关账) by mistake.
 */
const OFFSET_MS = 8 * 3_600_000;
const MONTH = new RegExp(MONTH_PATTERN);

/** A month in a request: the path of 关账, the `month` of a report query. */
export const Month = Type.String({ minLength: 7, maxLength: 7, pattern: MONTH_PATTERN, description: 'YYYY-MM, 2000-01 to 2099-12' });

export function isMonth(value: unknown): value is string {
  return typeof value === 'string' && MONTH.test(value);
}

export function parseMonth(value: unknown, field = 'month'): string {
  if (!isMonth(value)) throw hotlineError('ERR_VALIDATION', { fields: [{ field, message: '月份格式应为 YYYY-MM（2000-01 至 2099-12）', message_en: 'The month must be YYYY-MM, from 2000-01 to 2099-12' }] });
  return value;
}

/** [from, to) in epoch ms. */
export function monthRange(month: string): { from: number; to: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: Date.UTC(y, m - 1, 1) - OFFSET_MS, to: Date.UTC(y, m, 1) - OFFSET_MS };
}

export function monthOf(at: number): string {
  const d = new Date(at + OFFSET_MS);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The `count` months ending with `last`, oldest first. */
export function monthsEnding(last: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addMonths(last, i - count + 1));
}
