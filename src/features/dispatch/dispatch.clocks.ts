import { addWorkingTime, workingMsBetween } from '../../domain/business-calendar.ts';
import type { BusinessCalendar } from '../../domain/business-calendar.ts';
import { clockStatus, dispatchClocks } from '../../domain/deadlines.ts';
import type { ClockStatus, DeadlinePolicy, DispatchClocks, UrgencyClass } from '../../domain/deadlines.ts';
import type { DispatchRound } from './dispatch.repo.ts';

export interface ClockRules { policy: DeadlinePolicy; calendar: BusinessCalendar }

/** A new dispatch round with both clocks running from `at`. */
export function startRound(
  r: { ticketId: string; round: number; leadUnit: string; cooperatingUnits: readonly string[]; urgency: UrgencyClass; at: number; by: string | null },
  rules: ClockRules,
): DispatchRound {
  const round: DispatchRound = {
    ticketId: r.ticketId, round: r.round, leadUnit: r.leadUnit, cooperatingUnits: [...r.cooperatingUnits], dispatchedBy: r.by,
    clocks: dispatchClocks(r.at, r.urgency, rules.policy, rules.calendar),
    signedAt: null, repliedAt: null, replyResult: null, replyActions: null, pendingExtension: null,
    acceptWarnedAt: null, acceptOverdueAt: null, completeWarnedAt: null, completeOverdueAt: null, endedAt: null, nextCheckAt: null,
  };
  return withNextCheck(round);
}

const WORKING_UNITS = new Set(['working_hours', 'working_days']);

/**
 * The completion clock after the centre sends a reply back for rework: the time the reply waited
 * for review does not count against the unit, so the deadline and its warning move on by that
 * much (in working time where the class counts working time).
 */
export function resumeCompletion(clocks: DispatchClocks, pausedFrom: number, at: number, rules: ClockRules): DispatchClocks {
  if (at <= pausedFrom) return clocks;
  const working = WORKING_UNITS.has(rules.policy[clocks.urgency].completion.unit);
  const shift = (instant: number) => {
    if (!working) return instant + (at - pausedFrom);
    return addWorkingTime(rules.calendar, instant, workingMsBetween(rules.calendar, pausedFrom, at));
  };
  return { ...clocks, completeBy: shift(clocks.completeBy), completeWarnAt: shift(clocks.completeWarnAt) };
}

/** The next instant the sweeper has something to raise on this round, or null. */
export function nextCheckOf(r: DispatchRound): number | null {
  if (r.endedAt !== null) return null;
  const due: number[] = [];
  if (r.signedAt === null) {
    if (r.acceptWarnedAt === null) due.push(r.clocks.acceptWarnAt);
    else if (r.acceptOverdueAt === null) due.push(r.clocks.acceptBy + 1);
  }
  if (r.repliedAt === null) {
    if (r.completeWarnedAt === null) due.push(r.clocks.completeWarnAt);
    else if (r.completeOverdueAt === null) due.push(r.clocks.completeBy + 1);
  }
  return due.length ? Math.min(...due) : null;
}

export function withNextCheck(r: DispatchRound): DispatchRound {
  return { ...r, nextCheckAt: nextCheckOf(r) };
}

/** Where both clocks of a round stand; a round that ended early keeps the states it had then. */
export function roundClockStatus(r: DispatchRound, now: number): ClockStatus {
  return clockStatus(r.endedAt ?? now, r.clocks, r.signedAt, r.repliedAt);
}
