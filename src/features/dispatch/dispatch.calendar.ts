import { CHINA_2026_CALENDAR } from '../../domain/business-calendar.ts';
import type { BusinessCalendar } from '../../domain/business-calendar.ts';

export interface CalendarSettings {
  holidays?: readonly string[];
  makeupWorkdays?: readonly string[];
}

/**
 * The deadline clocks' working days: the built-in 2026 calendar plus the configured days (`calendar.*`).
 * A day given both as a holiday and as a makeup working day is a mistake in the configuration, named here.
 */
export function calendarFrom(settings: CalendarSettings, base: BusinessCalendar = CHINA_2026_CALENDAR): BusinessCalendar {
  const holidays = new Set([...base.holidays, ...(settings.holidays ?? [])]);
  const makeup = new Set([...base.makeupWorkdays, ...(settings.makeupWorkdays ?? [])]);
  const both = [...holidays].filter((d) => makeup.has(d)).sort();
  if (both.length > 0) {
    throw new Error(`calendar: ${both.join(', ')} cannot be both a holiday (calendar.holidays) and a working day (calendar.makeupWorkdays)`);
  }
  return { holidays: [...holidays].sort(), makeupWorkdays: [...makeup].sort(), workHours: base.workHours };
}
