import { describe, expect, it } from 'vitest';
import { CHINA_2026_CALENDAR } from '../../src/domain/business-calendar.ts';
import {
  DEFAULT_DEADLINE_POLICY, URGENCY_CLASSES, clockStatus, dispatchClocks, extendCompletion,
  type DeadlinePolicy, type DispatchClocks, type UrgencyClass,
} from '../../src/domain/deadlines.ts';
import {
  SEED_TAXONOMY, TICKET_TYPES, categoryLabel, findCategory, suggestUnitKind, suggestUrgency, taxonomyProblems, ticketTypeOf,
} from '../../src/domain/taxonomy.ts';

function sh(date: string, time = '00:00'): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  return Date.UTC(y, m - 1, d, hh - 8, mm);
}

const CAL = CHINA_2026_CALENDAR;
const POLICY = DEFAULT_DEADLINE_POLICY;

describe('dispatch clocks', () => {
  it.each<[string, UrgencyClass, number, { acceptBy: number; acceptWarnAt: number; completeBy: number; completeWarnAt: number }]>([
    ['life safety at night on a holiday, in calendar minutes', 'life_safety', sh('2026-10-03', '02:10'), {
      acceptBy: sh('2026-10-03', '02:25'), acceptWarnAt: sh('2026-10-03', '02:20'),
      completeBy: sh('2026-10-03', '04:10'), completeWarnAt: sh('2026-10-03', '03:40'),
    }],
    ['utilities just before midnight on a Friday', 'utilities', sh('2026-11-27', '23:50'), {
      acceptBy: sh('2026-11-28', '00:20'), acceptWarnAt: sh('2026-11-28', '00:10'),
      completeBy: sh('2026-11-28', '23:50'), completeWarnAt: sh('2026-11-28', '19:02'),
    }],
    ['general the afternoon before 国庆', 'general', sh('2026-09-30', '16:00'), {
      acceptBy: sh('2026-10-08', '16:00'), acceptWarnAt: sh('2026-10-08', '14:30'),
      completeBy: sh('2026-10-15', '16:00'), completeWarnAt: sh('2026-10-14', '11:30'),
    }],
    ['general late on a Monday evening', 'general', sh('2026-11-23', '22:00'), {
      acceptBy: sh('2026-11-24', '18:00'), acceptWarnAt: sh('2026-11-24', '16:30'),
      completeBy: sh('2026-12-02', '18:00'), completeWarnAt: sh('2026-12-01', '15:00'),
    }],
    ['general at 11:59, to the minute', 'general', sh('2026-11-23', '11:59'), {
      acceptBy: sh('2026-11-24', '11:59'), acceptWarnAt: sh('2026-11-24', '10:29'),
      completeBy: sh('2026-12-02', '11:59'), completeWarnAt: sh('2026-11-30', '17:59'),
    }],
    ['complex after hours on a Friday', 'complex', sh('2026-11-20', '18:30'), {
      acceptBy: sh('2026-11-23', '18:00'), acceptWarnAt: sh('2026-11-23', '16:30'),
      completeBy: sh('2026-12-11', '18:00'), completeWarnAt: sh('2026-12-08', '18:00'),
    }],
  ])('when a ticket is dispatched (%s), then both clocks and their warnings are set', (_what, urgency, at, expected) => {
    expect(dispatchClocks(at, urgency, POLICY, CAL)).toEqual({ urgency, dispatchedAt: at, extensions: 0, ...expected });
  });

  it('when the policy counts working hours and warns a fixed time before, then both follow working time', () => {
    const policy: DeadlinePolicy = {
      ...POLICY,
      general: {
        acceptance: { amount: 4, unit: 'working_hours', warn: { kind: 'before', minutes: 60 } },
        completion: { amount: 3, unit: 'calendar_days', warn: { kind: 'before', minutes: 24 * 60 } },
      },
    };
    const clocks = dispatchClocks(sh('2026-11-27', '16:00'), 'general', policy, CAL);
    expect(clocks.acceptBy).toBe(sh('2026-11-30', '11:00'));
    expect(clocks.acceptWarnAt).toBe(sh('2026-11-30', '10:00'));
    expect(clocks.completeBy).toBe(sh('2026-11-30', '16:00'));
    expect(clocks.completeWarnAt).toBe(sh('2026-11-29', '16:00'));
  });

  it('when every class is dispatched, then warnings come before deadlines and acceptance before completion', () => {
    for (const urgency of URGENCY_CLASSES) {
      const c = dispatchClocks(sh('2026-11-23', '10:00'), urgency, POLICY, CAL);
      expect(c.acceptWarnAt).toBeLessThan(c.acceptBy);
      expect(c.completeWarnAt).toBeLessThan(c.completeBy);
      expect(c.acceptBy).toBeLessThan(c.completeBy);
    }
  });
});

describe('clock status', () => {
  const clocks: DispatchClocks = dispatchClocks(sh('2026-11-23', '10:00'), 'general', POLICY, CAL);
  // acceptBy Tue 10:00, acceptWarnAt Mon 17:30; completeBy Wed 2 Dec 10:00, completeWarnAt Mon 30 Nov 16:00
  it.each<[string, number, number | undefined, number | undefined, string, string]>([
    ['just dispatched', sh('2026-11-23', '10:01'), undefined, undefined, 'pending', 'pending'],
    ['a minute before the acceptance warning', sh('2026-11-23', '17:29'), undefined, undefined, 'pending', 'pending'],
    ['at the acceptance warning', sh('2026-11-23', '17:30'), undefined, undefined, 'warning', 'pending'],
    ['exactly at the acceptance deadline', sh('2026-11-24', '10:00'), undefined, undefined, 'warning', 'pending'],
    ['a minute past it', sh('2026-11-24', '10:01'), undefined, undefined, 'overdue', 'pending'],
    ['signed in time', sh('2026-11-24', '10:01'), sh('2026-11-23', '11:00'), undefined, 'met', 'pending'],
    ['signed exactly on time', sh('2026-11-25', '09:00'), sh('2026-11-24', '10:00'), undefined, 'met', 'pending'],
    ['signed late', sh('2026-11-25', '09:00'), sh('2026-11-24', '10:01'), undefined, 'missed', 'pending'],
    ['a minute before the completion warning', sh('2026-11-30', '15:59'), sh('2026-11-23', '11:00'), undefined, 'met', 'pending'],
    ['at the completion warning', sh('2026-11-30', '16:00'), sh('2026-11-23', '11:00'), undefined, 'met', 'warning'],
    ['past completion', sh('2026-12-02', '10:01'), sh('2026-11-23', '11:00'), undefined, 'met', 'overdue'],
    ['completed in time', sh('2026-12-05', '10:00'), sh('2026-11-23', '11:00'), sh('2026-12-02', '10:00'), 'met', 'met'],
    ['completed late', sh('2026-12-05', '10:00'), sh('2026-11-23', '11:00'), sh('2026-12-02', '10:01'), 'met', 'missed'],
  ])('when the clocks are read %s, then each clock shows the expected state', (_what, now, signedAt, completedAt, acceptance, completion) => {
    expect(clockStatus(now, clocks, signedAt, completedAt)).toEqual({ acceptance, completion });
  });
});

describe('extensions', () => {
  it.each<[string, UrgencyClass, number, number, number]>([
    ['3 working days on a general ticket after 国庆', 'general', sh('2026-09-30', '16:00'), 3, sh('2026-10-20', '16:00')],
    ['12 hours on a utilities ticket', 'utilities', sh('2026-11-27', '23:50'), 12, sh('2026-11-29', '11:50')],
  ])('when the centre approves %s, then the completion deadline moves in the class\'s unit', (_what, urgency, at, extra, completeBy) => {
    const clocks = dispatchClocks(at, urgency, POLICY, CAL);
    const r = extendCompletion(clocks, extra, POLICY, CAL);
    expect(r.ok && r.value.completeBy).toBe(completeBy);
    expect(r.ok && r.value.extensions).toBe(1);
    expect(r.ok && r.value.acceptBy).toBe(clocks.acceptBy);
    expect(r.ok && r.value.completeWarnAt).toBeGreaterThan(clocks.completeWarnAt);
    expect(r.ok && r.value.completeWarnAt).toBeLessThan(completeBy);
  });

  it.each([0, -1, Number.NaN])('when an extension of %s is asked, then it is refused', (extra) => {
    const r = extendCompletion(dispatchClocks(sh('2026-11-23', '10:00'), 'general', POLICY, CAL), extra, POLICY, CAL);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('ERR_VALIDATION');
  });
});

describe('taxonomy', () => {
  it.each([
    ['water/outage', 'utilities', 'department'],
    ['供水/停水', 'utilities', 'department'],
    ['供电', 'utilities', 'department'],
    ['gas/outage', 'utilities', 'department'],
    ['heating/too-cold', 'utilities', 'department'],
    ['gas/leak', 'life_safety', 'department'],
    ['power/fees', 'general', 'department'],
    ['illegal-building/structures', 'complex', 'township'],
    ['物业管理/物业服务', 'general', 'township'],
    ['traffic/parking', 'general', 'township'],
    ['public-safety/fire', 'life_safety', 'township'],
    ['no-such/thing', 'general', 'township'],
    ['water/no-such-item', 'general', 'township'],
  ])('when the category is %s, then urgency %s and a %s unit are suggested', (category, urgency, kind) => {
    expect(suggestUrgency(category)).toBe(urgency);
    expect(suggestUnitKind(category)).toBe(kind);
  });

  it('when the seed tree is checked, then it has every common category with 3 to 6 items and no problems', () => {
    expect(taxonomyProblems(SEED_TAXONOMY)).toEqual([]);
    for (const name of ['物业管理', '市容环卫', '交通管理', '违法建设', '市场管理', '环境污染', '施工管理', '供暖', '供水', '供电',
      '燃气', '教育', '修缮', '社会保障', '医疗卫生', '房屋管理', '劳动就业', '公共安全', '营商环境', '其他']) {
      const match = findCategory(name);
      expect(match?.group.items.length, name).toBeGreaterThanOrEqual(3);
      expect(match?.group.items.length, name).toBeLessThanOrEqual(6);
    }
  });

  it('when a tree repeats a code, then the problem is named', () => {
    const broken = [...SEED_TAXONOMY, SEED_TAXONOMY[0]!];
    expect(taxonomyProblems(broken)).toEqual(['分类编码重复：property']);
  });

  it('when a category is shown, then its Chinese path is used', () => {
    expect(categoryLabel('water/outage')).toBe('供水 / 停水');
    expect(findCategory('供水/停水')?.code).toBe('water/outage');
  });

  it.each([['投诉', 'complaint'], ['praise', 'praise'], ['表扬', 'praise'], ['抱怨', undefined]])(
    'when the ticket type %s is read, then it is %s', (text, type) => {
      expect(ticketTypeOf(text)).toBe(type);
    },
  );

  it('when ticket types are listed, then all six have Chinese labels', () => {
    expect(Object.values(TICKET_TYPES).map((t) => t.zh)).toEqual(['咨询', '求助', '投诉', '举报', '建议', '表扬']);
  });
});
