import { shanghaiDate } from './business-calendar.ts';
import { hotlineError } from './errors.ts';

export const MAX_DAILY_SEQUENCE = 99_999;

/** The Shanghai day an instant belongs to as 'YYYYMMDD': the prefix of that day's ticket numbers. */
export function shanghaiDay(now: number): string {
  return shanghaiDate(now).replaceAll('-', '');
}

/** The readable ticket number: the Shanghai day and the day's sequence, e.g. 2026112200001. */
export function ticketNumber(now: number, dailySeq: number): string {
  if (!Number.isInteger(dailySeq) || dailySeq < 1 || dailySeq > MAX_DAILY_SEQUENCE) {
    throw hotlineError('ERR_VALIDATION', { field: 'dailySeq', value: dailySeq, expected: `1..${MAX_DAILY_SEQUENCE}` });
  }
  return shanghaiDay(now) + String(dailySeq).padStart(5, '0');
}

/** The day and sequence of a ticket number, or undefined when the text is not one. */
export function parseTicketNumber(text: string): { day: string; dailySeq: number } | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{5})$/.exec(text.trim());
  if (m === null) return undefined;
  const [, year, month, date, seq] = m as unknown as [string, string, string, string, string];
  const probe = new Date(Date.UTC(Number(year), Number(month) - 1, Number(date)));
  if (probe.getUTCFullYear() !== Number(year) || probe.getUTCMonth() + 1 !== Number(month) || probe.getUTCDate() !== Number(date)) return undefined;
  const dailySeq = Number(seq);
  if (dailySeq < 1) return undefined;
  return { day: `${year}${month}${date}`, dailySeq };
}
