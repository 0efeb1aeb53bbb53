import { describe, expect, it } from 'vitest';
import { CHINA_2026_CALENDAR, calendarYearsMissing, shanghaiTime } from '../../src/domain/business-calendar.ts';
import { calendarCoverage, calendarFrom, watchCalendar } from '../../src/features/dispatch/dispatch.calendar.ts';

describe('which years the holiday calendar is missing', () => {
  const cases: Array<[string, string, readonly string[], number[]]> = [
    ['in November, this year covered', '2026-11-30 23:59', [], []],
    ['from 1 December (Shanghai), next year wanted too', '2026-12-01 00:00', [], [2027]],
    ['in December with next year configured', '2026-12-05 10:00', ['2027-01-01'], []],
    ['in a year nobody configured', '2027-03-02 10:00', [], [2027]],
    ['in a year configured, before December', '2027-06-01 10:00', ['2027-01-01'], []],
    ['two years late, in December', '2028-12-15 10:00', ['2027-01-01'], [2028, 2029]],
  ];
  for (const [title, at, extra, missing] of cases) {
    it(`${title}: ${missing.join(', ') || 'none'}`, () => {
      const [date, time] = at.split(' ') as [string, string];
      const calendar = calendarFrom({ holidays: extra });
      expect(calendarYearsMissing(calendar, shanghaiTime(date, time))).toEqual(missing);
    });
  }

  it('names the missing years and the keys to set, in Chinese and English, and nothing when none is missing', () => {
    const december = calendarCoverage(CHINA_2026_CALENDAR, shanghaiTime('2026-12-05', '10:00'));
    expect(december).toMatchObject({ years: [2026], missing: [2027] });
    expect(december.warning?.text).toContain('尚未配置 2027 年的法定节假日');
    expect(december.warning?.text).toContain('calendar.holidays');
    expect(december.warning?.text_en).toContain('2027');
    expect(calendarCoverage(CHINA_2026_CALENDAR, shanghaiTime('2026-11-05', '10:00')).warning).toBeNull();
  });

  it('warns in the log at once and then once a Shanghai day while a year is missing, never while none is', () => {
    const warnings: unknown[] = [];
    const log = { warn: (o: unknown) => { warnings.push(o); } } as never;
    const check = watchCalendar(CHINA_2026_CALENDAR, log);
    check(shanghaiTime('2026-11-30', '10:00'));
    expect(warnings).toHaveLength(0);
    check(shanghaiTime('2026-12-01', '00:01'));
    check(shanghaiTime('2026-12-01', '23:59'));
    expect(warnings).toEqual([{ missingYears: [2027], keys: ['calendar.holidays', 'calendar.makeupWorkdays'] }]);
    check(shanghaiTime('2026-12-02', '00:00'));
    expect(warnings).toHaveLength(2);
  });
});
