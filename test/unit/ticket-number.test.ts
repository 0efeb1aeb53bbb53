import { describe, expect, it } from 'vitest';
import { parseTicketNumber, shanghaiDay, ticketNumber } from '../../src/domain/ticket-number.ts';

describe('ticket numbers', () => {
  it.each([
    ['Shanghai midnight starting 22 November', Date.UTC(2026, 10, 21, 16, 0), 1, '2026112200001'],
    ['the last millisecond of 22 November', Date.UTC(2026, 10, 22, 15, 59, 59, 999), 42, '2026112200042'],
    ['Shanghai midnight starting 23 November', Date.UTC(2026, 10, 22, 16, 0), 7, '2026112300007'],
    ['New Year in Shanghai while UTC is still in December', Date.UTC(2026, 11, 31, 16, 30), 12345, '2027010112345'],
    ['29 February of a leap year', Date.UTC(2028, 1, 29, 3, 0), 99_999, '2028022999999'],
  ])('when a ticket is numbered at %s, then the number is %s', (_what, now, seq, expected) => {
    expect(ticketNumber(now, seq)).toBe(expected);
    expect(shanghaiDay(now)).toBe(expected.slice(0, 8));
  });

  it.each([0, -1, 1.5, 100_000, Number.NaN])('when the daily sequence is %s, then numbering refuses it', (seq) => {
    expect(() => ticketNumber(Date.UTC(2026, 10, 22), seq)).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
  });

  it.each([
    ['2026112200001', { day: '20261122', dailySeq: 1 }],
    [' 2027010112345 ', { day: '20270101', dailySeq: 12345 }],
    ['2026023000001', undefined],
    ['2026112200000', undefined],
    ['202611220001', undefined],
    ['2026-11-22-00001', undefined],
  ])('when %s is read as a ticket number, then it gives %j', (text, expected) => {
    expect(parseTicketNumber(text)).toEqual(expected);
  });
});
