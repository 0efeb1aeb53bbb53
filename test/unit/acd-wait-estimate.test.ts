import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ANNOUNCEMENT_POLICY, announcementsFor, answersPerMinute, estimateWait, nextAht, type WaitStats,
} from '../../src/domain/acd/wait-estimate.ts';

describe('estimating the wait', () => {
  it.each<[string, number, WaitStats, number]>([
    ['the next caller, 10 busy seats of 150 s', 1, { ahtSeconds: 150, agentsStaffed: 10 }, 15],
    ['the fifth caller, 10 busy seats of 150 s', 5, { ahtSeconds: 150, agentsStaffed: 10 }, 75],
    ['the second caller with two seats free', 2, { ahtSeconds: 150, agentsStaffed: 10, agentsFree: 2 }, 0],
    ['the third caller with two seats free', 3, { ahtSeconds: 150, agentsStaffed: 10, agentsFree: 2 }, 15],
    ['seats shared with another queue answer 2 a minute', 4, { ahtSeconds: 150, agentsStaffed: 10, answersPerMinute: 2 }, 120],
    ['the observed rate is above what the seats can do', 4, { ahtSeconds: 150, agentsStaffed: 10, answersPerMinute: 60 }, 60],
    ['only the observed rate is known', 3, { ahtSeconds: 0, agentsStaffed: 0, answersPerMinute: 6 }, 30],
    ['nobody is staffed', 1, { ahtSeconds: 150, agentsStaffed: 0 }, Number.POSITIVE_INFINITY],
  ])('when %s, then the estimate is as worked out', (_what, position, stats, seconds) => {
    expect(estimateWait(position, stats)).toBeCloseTo(seconds, 6);
  });

  it.each([
    [undefined, 120, 120],
    [100, 200, 105],
    [100, 100, 100],
  ])('when the average was %s and a call took %d s, then the new average is %d', (prev, sample, next) => {
    expect(nextAht(prev, sample)).toBeCloseTo(next, 9);
  });

  it('when 10 answers fall in the last five minutes and 3 before, then the rate is 2 a minute', () => {
    const now = 1_000_000;
    const times = [...Array.from({ length: 10 }, (_, i) => now - i * 20_000), now - 300_000, now - 400_000, now - 500_000];
    expect(answersPerMinute(times, now)).toBe(2);
  });
});

describe('announcing position and wait', () => {
  const on = { ...DEFAULT_ANNOUNCEMENT_POLICY, enabled: true };
  const caller = { queuedAt: 0, lastAnnouncedAt: null, position: 3, estimatedWaitSeconds: 70 };

  it('when the hotline keeps the default policy, then nothing is said', () => {
    expect(announcementsFor(caller, 120_000)).toEqual({ say: [], nextAt: null });
  });

  it.each<[string, number, number | null, unknown]>([
    ['before the first announcement is due', 29_999, null, { say: [], nextAt: 30_000 }],
    ['when the first is due', 30_000, null, { say: [{ kind: 'position', position: 3 }, { kind: 'wait', minutes: 2 }], nextAt: 90_000 }],
    ['between two announcements', 60_000, 30_000, { say: [], nextAt: 90_000 }],
    ['when the next one is due', 90_000, 30_000, { say: [{ kind: 'position', position: 3 }, { kind: 'wait', minutes: 2 }], nextAt: 150_000 }],
  ])('when announcements are on and it is %s, then the plan is as expected', (_what, now, last, plan) => {
    expect(announcementsFor({ ...caller, lastAnnouncedAt: last }, now, on)).toEqual(plan);
  });

  it('when the estimate is unbounded, then only the position is said', () => {
    expect(announcementsFor({ ...caller, estimatedWaitSeconds: Number.POSITIVE_INFINITY }, 30_000, on).say).toEqual([{ kind: 'position', position: 3 }]);
  });
});
