import { hotlineError } from '../../domain/errors.ts';

/** Report months are calendar months in Asia/Shanghai (UTC+8 all year), written 'YYYY-MM'. */
const OFFSET_MS = 8 * 3_600_000;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: unknown): value is string {
  return typeof value === 'string' && MONTH.test(value);
}

export function parseMonth(value: unknown, field = 'month'): string {
  if (!isMonth(value)) throw hotlineError('ERR_VALIDATION', { fields: [{ field, message: '月份格式应为 YYYY-MM', message_en: 'The month must be YYYY-MM' }] });
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
