import { describe, expect, it } from 'vitest';
import { calendarFrom } from '../../src/features/dispatch/dispatch.calendar.ts';
import { CHINA_2026_CALENDAR } from '../../src/domain/business-calendar.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';

describe('the configured holiday calendar', () => {
  it('keeps the built-in 2026 days when nothing is configured', () => {
    const c = calendarFrom({});
    expect(c.holidays).toEqual([...CHINA_2026_CALENDAR.holidays].sort());
    expect(c.makeupWorkdays).toEqual([...CHINA_2026_CALENDAR.makeupWorkdays].sort());
  });

  it('adds a later year from the configuration', () => {
    const c = calendarFrom({ holidays: ['2027-01-01'], makeupWorkdays: ['2027-01-02'] });
    expect(c.holidays).toContain('2027-01-01');
    expect(c.holidays).toContain('2026-10-01');
    expect(c.makeupWorkdays).toContain('2027-01-02');
  });

  it('names a day given as both a holiday and a working day', () => {
    expect(() => calendarFrom({ makeupWorkdays: ['2026-10-01'] })).toThrow(/2026-10-01.*calendar\.holidays.*calendar\.makeupWorkdays/);
  });

  it('refuses a malformed date in the configuration file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hotline-calendar-')), 'hotline.json');
    writeFileSync(file, JSON.stringify({ calendar: { holidays: ['2027-13-01'] } }));
    expect(() => loadConfig({ file, env: {} })).toThrow(/calendar\.holidays/);
    writeFileSync(file, JSON.stringify({ calendar: { holidays: ['2027-01-01'] } }));
    expect(loadConfig({ file, env: {} }).calendar.holidays).toEqual(['2027-01-01']);
  });
});
