import { describe, expect, it } from 'vitest';
import { CHINA_2026_CALENDAR, shanghaiTime } from '../../src/domain/business-calendar.ts';
import { DEFAULT_DEADLINE_POLICY } from '../../src/domain/deadlines.ts';
import { SEED_TAXONOMY } from '../../src/domain/taxonomy.ts';
import { nextCheckOf, resumeCompletion, startRound } from '../../src/features/dispatch/dispatch.clocks.ts';
import { SEED_HANDLING_UNITS, departmentFor, suggestUnit } from '../../src/features/dispatch/handling-units.ts';
import { TICKET_CATEGORIES, isTicketCategory } from '../../src/features/tickets/categories.ts';
import { validateTicketForm } from '../../src/features/tickets/tickets.schemas.ts';

const RULES = { policy: DEFAULT_DEADLINE_POLICY, calendar: CHINA_2026_CALENDAR };
const JIANWAI = '110105001';

describe('the suggested unit from place and category', () => {
  it.each([
    ['sanitation/rubbish', JIANWAI, JIANWAI, 'township_of_place'],
    ['traffic/parking', JIANWAI, JIANWAI, 'township_of_place'],
    ['water/outage', JIANWAI, 'util-water', 'department_of_category'],
    ['gas/leak', null, 'util-gas', 'department_of_category'],
    ['heating/too-cold', JIANWAI, 'util-heat', 'department_of_category'],
    ['power/outage', JIANWAI, 'util-power', 'department_of_category'],
    ['pollution/water', JIANWAI, 'city-swj', 'department_of_category'],
    ['pollution/air', JIANWAI, 'city-sthjj', 'department_of_category'],
    ['social-security/medical-insurance', null, 'city-ybj', 'department_of_category'],
    ['education/admission', JIANWAI, 'city-jw', 'department_of_category'],
  ])('when the category is %s at %s, then the suggestion is %s (%s)', (category, townshipCode, unitCode, reason) => {
    expect(suggestUnit({ category, townshipCode })).toEqual({ unitCode, reason });
  });

  it('when a township category has no place, then there is no suggestion; a department category no department handles falls back to the township', () => {
    expect(suggestUnit({ category: 'sanitation/rubbish', townshipCode: null })).toBeNull();
    expect(suggestUnit({ category: 'traffic/signals', townshipCode: JIANWAI }, [])).toEqual({ unitCode: JIANWAI, reason: 'township_fallback' });
  });

  it('when the seed list is read, then every department-handled category of the taxonomy has a unit', () => {
    const orphans = SEED_TAXONOMY.flatMap((g) => g.items
      .filter((i) => (i.handling ?? g.handling) === 'department')
      .map((i) => `${g.code}/${i.code}`)
      .filter((code) => departmentFor(code, SEED_HANDLING_UNITS) === undefined));
    expect(orphans).toEqual([]);
  });
});

describe('the intake form on the domain taxonomy', () => {
  it('when the form tree is built, then it is the domain tree with English labels and each item carries its urgency', () => {
    expect(TICKET_CATEGORIES.map((g) => g.code)).toEqual(SEED_TAXONOMY.map((g) => g.code));
    expect(TICKET_CATEGORIES.flatMap((g) => g.items).every((i) => i.en !== i.zh)).toBe(true);
    expect(TICKET_CATEGORIES.find((g) => g.code === 'gas')!.items.find((i) => i.code === 'leak')).toMatchObject({ zh: '燃气泄漏', urgency: 'life_safety' });
    expect(isTicketCategory('water/outage')).toBe(true);
    expect(isTicketCategory('water')).toBe(false);
    expect(isTicketCategory('供水/停水')).toBe(false);
  });

  it('when urgency is left out, then it is suggested from the category; a chosen one is kept; a bad channel or urgency is a field error', () => {
    const units = () => ({ kind: 'district', districtCode: null });
    const base = { type: 'consultation', category: 'gas/leak', description: '闻到燃气味道' };
    expect(validateTicketForm(base, units).form).toMatchObject({ urgency: 'life_safety', channel: 'phone' });
    expect(validateTicketForm({ ...base, urgency: 'general', channel: 'wechat' }, units).form).toMatchObject({ urgency: 'general', channel: 'wechat' });
    const bad = validateTicketForm({ ...base, urgency: 'soon', channel: 'fax' }, units);
    expect(bad.errors.map((e) => [e.field, e.message])).toEqual([
      ['channel', '受理渠道无效，应为电话、网站或微信'], ['urgency', '紧急程度无效'],
    ]);
  });
});

describe('round clocks', () => {
  const round = startRound({ ticketId: 't', round: 1, leadUnit: JIANWAI, cooperatingUnits: [], urgency: 'general', at: shanghaiTime('2026-11-23', '10:00'), by: null }, RULES);

  it('when a round starts, then the sweeper looks first at the acceptance warning, then at each deadline in turn, and never after it ends', () => {
    expect(nextCheckOf(round)).toBe(round.clocks.acceptWarnAt);
    expect(nextCheckOf({ ...round, acceptWarnedAt: 1 })).toBe(round.clocks.acceptBy + 1);
    expect(nextCheckOf({ ...round, signedAt: 1 })).toBe(round.clocks.completeWarnAt);
    expect(nextCheckOf({ ...round, signedAt: 1, completeWarnedAt: 1, completeOverdueAt: 1 })).toBeNull();
    expect(nextCheckOf({ ...round, endedAt: 1 })).toBeNull();
  });

  it('when completion resumes after a review over a weekend, then only the working time of the review is added', () => {
    const resumed = resumeCompletion(round.clocks, shanghaiTime('2026-11-27', '17:00'), shanghaiTime('2026-11-30', '10:00'), RULES);
    expect(resumed.completeBy - round.clocks.completeBy).toBe(2 * 3_600_000);
    const calendarClocks = { ...round.clocks, urgency: 'utilities' as const };
    expect(resumeCompletion(calendarClocks, 0, 5_000, RULES).completeBy - calendarClocks.completeBy).toBe(5_000);
  });
});
