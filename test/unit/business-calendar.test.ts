import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CHINA_2026_CALENDAR, addWorkingDays, addWorkingTime, isWorkingDay, shanghaiDate, shanghaiTime,
  workingMsBetween, workingMsPerDay, type BusinessCalendar,
} from '../../src/domain/business-calendar.ts';

/** An instant given as Shanghai wall-clock time, computed independently of the code under test. */
function sh(date: string, time = '00:00'): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  return Date.UTC(y, m - 1, d, hh - 8, mm);
}

const HOUR = 3_600_000;
const MIN = 60_000;
const CAL = CHINA_2026_CALENDAR;

describe('business calendar', () => {
  it.each([
    ['2026-11-23', true, 'an ordinary Monday'],
    ['2026-11-22', false, 'an ordinary Sunday'],
    ['2026-01-01', false, '元旦'],
    ['2026-01-04', true, 'the Sunday worked for 元旦'],
    ['2026-02-14', true, 'the Saturday worked before 春节'],
    ['2026-02-16', false, '春节 Monday'],
    ['2026-02-23', false, 'the last day of 春节'],
    ['2026-02-28', true, 'the Saturday worked after 春节'],
    ['2026-04-06', false, '清明 Monday'],
    ['2026-05-05', false, '劳动节 Tuesday'],
    ['2026-05-09', true, 'the Saturday worked for 劳动节'],
    ['2026-06-19', false, '端午 Friday'],
    ['2026-09-25', false, '中秋 Friday'],
    ['2026-09-20', true, 'the Sunday worked before 国庆'],
    ['2026-10-01', false, '国庆 Thursday'],
    ['2026-10-07', false, 'the last day of 国庆'],
    ['2026-10-08', true, 'the Thursday after 国庆'],
    ['2026-10-10', true, 'the Saturday worked after 国庆'],
    ['2026-10-11', false, 'the Sunday after the makeup Saturday'],
  ])('when %s (%s) is asked about, then working is %s', (date, working) => {
    expect(isWorkingDay(CAL, date)).toBe(working);
  });

  it.each([
    [Date.UTC(2026, 8, 30, 16, 30), false, '2026-10-01', 'UTC still says Wednesday 30 September'],
    [Date.UTC(2026, 8, 30, 15, 59), true, '2026-09-30', 'one minute before Shanghai midnight'],
    [Date.UTC(2026, 9, 9, 16, 0), true, '2026-10-10', 'the makeup Saturday starts at 16:00 UTC'],
  ])('when an instant is given (%s), then the Shanghai day decides: working %s on %s', (at, working, date) => {
    expect(shanghaiDate(at)).toBe(date);
    expect(isWorkingDay(CAL, at)).toBe(working);
  });

  it('when a wall-clock time is converted, then it is eight hours ahead of UTC all year', () => {
    expect(shanghaiTime('2026-01-15', '09:00')).toBe(Date.UTC(2026, 0, 15, 1, 0));
    expect(shanghaiTime('2026-07-15', '09:00')).toBe(Date.UTC(2026, 6, 15, 1, 0));
  });

  it.each([
    ['inside the morning', sh('2026-11-23', '10:00'), HOUR, sh('2026-11-23', '11:00')],
    ['over lunch', sh('2026-11-23', '11:30'), HOUR, sh('2026-11-23', '14:00')],
    ['to the exact end of the morning', sh('2026-11-23', '09:00'), 3 * HOUR, sh('2026-11-23', '12:00')],
    ['over a night', sh('2026-11-23', '17:00'), 2 * HOUR, sh('2026-11-24', '10:00')],
    ['from late evening', sh('2026-11-23', '20:00'), 30 * MIN, sh('2026-11-24', '09:30')],
    ['from before opening', sh('2026-11-24', '07:45'), 7 * MIN, sh('2026-11-24', '09:07')],
    ['over a weekend', sh('2026-11-27', '17:30'), HOUR, sh('2026-11-30', '09:30')],
    ['over the 国庆 week', sh('2026-09-30', '17:00'), 2 * HOUR, sh('2026-10-08', '10:00')],
    ['into the makeup Saturday', sh('2026-10-09', '17:00'), 2 * HOUR, sh('2026-10-10', '10:00')],
    ['from a Sunday into Monday', sh('2026-11-22', '15:00'), 90 * MIN, sh('2026-11-23', '10:30')],
    ['for no time at all', sh('2026-11-22', '15:00'), 0, sh('2026-11-22', '15:00')],
  ])('when working time is added %s, then it lands at the right minute', (_what, from, ms, expected) => {
    expect(addWorkingTime(CAL, from, ms)).toBe(expected);
  });

  it.each([
    ['Friday afternoon + 1', sh('2026-11-27', '16:00'), 1, sh('2026-11-30', '16:00')],
    ['Saturday + 1 (the whole Monday)', sh('2026-11-28', '10:00'), 1, sh('2026-11-30', '18:00')],
    ['Monday 11:59 + 1', sh('2026-11-23', '11:59'), 1, sh('2026-11-24', '11:59')],
    ['30 September + 1 (over 国庆)', sh('2026-09-30', '10:00'), 1, sh('2026-10-08', '10:00')],
    ['30 September + 7 (counting the makeup Saturday)', sh('2026-09-30', '10:00'), 7, sh('2026-10-15', '10:00')],
    ['Saturday 19 September + 1 (the makeup Sunday)', sh('2026-09-19', '12:00'), 1, sh('2026-09-20', '18:00')],
    ['春节 eve + 1', sh('2026-02-13', '17:00'), 1, sh('2026-02-14', '17:00')],
    ['the makeup Saturday before 春节 + 2', sh('2026-02-14', '17:00'), 2, sh('2026-02-25', '17:00')],
  ])('when working days are added (%s), then the deadline is right', (_what, from, n, expected) => {
    expect(addWorkingDays(CAL, from, n)).toBe(expected);
  });

  it.each([
    ['a full working day', sh('2026-11-23', '09:00'), sh('2026-11-23', '18:00'), 7.5 * HOUR],
    ['across a weekend', sh('2026-11-27', '17:00'), sh('2026-11-30', '10:00'), 2 * HOUR],
    ['across the 国庆 week', sh('2026-09-30', '09:00'), sh('2026-10-08', '09:00'), 7.5 * HOUR],
    ['within lunch', sh('2026-11-23', '12:10'), sh('2026-11-23', '13:00'), 0],
    ['backwards', sh('2026-11-23', '18:00'), sh('2026-11-23', '09:00'), -7.5 * HOUR],
  ])('when working time between two instants is measured (%s), then it is counted in working hours only', (_what, a, b, expected) => {
    expect(workingMsBetween(CAL, a, b)).toBe(expected);
  });

  it('when any working time is added, then measuring it back gives the same amount', () => {
    const start = sh('2026-01-01');
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 340 * 24 * 60 }), fc.integer({ min: 1, max: 30 * 450 }),
      (startMinute, minutes) => {
        const from = start + startMinute * MIN;
        const due = addWorkingTime(CAL, from, minutes * MIN);
        expect(workingMsBetween(CAL, from, due)).toBe(minutes * MIN);
        expect(isWorkingDay(CAL, due)).toBe(true);
      },
    ), { numRuns: 300 });
  });

  it('when the working hours are configured differently, then every function follows them', () => {
    const cal: BusinessCalendar = { ...CAL, workHours: [{ start: '08:30', end: '17:00' }] };
    expect(workingMsPerDay(cal)).toBe(8.5 * HOUR);
    expect(addWorkingTime(cal, sh('2026-11-23', '16:00'), 2 * HOUR)).toBe(sh('2026-11-24', '09:30'));
    expect(addWorkingDays(cal, sh('2026-11-27', '12:00'), 1)).toBe(sh('2026-11-30', '12:00'));
  });

  it('when a calendar adds a local holiday, then that day is off', () => {
    const cal: BusinessCalendar = { ...CAL, holidays: [...CAL.holidays, '2026-11-23'] };
    expect(isWorkingDay(cal, '2026-11-23')).toBe(false);
    expect(addWorkingTime(cal, sh('2026-11-20', '17:00'), 2 * HOUR)).toBe(sh('2026-11-24', '10:00'));
  });

  it.each([
    [[{ start: '12:00', end: '09:00' }], 'a window ending before it starts'],
    [[{ start: '09:00', end: '12:00' }, { start: '11:00', end: '14:00' }], 'overlapping windows'],
    [[], 'no windows'],
    [[{ start: '9:00', end: '12:00' }], 'a malformed time'],
  ])('when the working hours are %j (%s), then the calendar is refused', (workHours) => {
    const cal: BusinessCalendar = { ...CAL, workHours };
    expect(() => addWorkingTime(cal, sh('2026-11-23', '10:00'), HOUR)).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
  });

  it('when a date is not a real day, then it is refused', () => {
    expect(() => isWorkingDay(CAL, '2026-02-30')).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
  });
});
