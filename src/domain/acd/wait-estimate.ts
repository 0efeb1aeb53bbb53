/**
 * How long a waiting caller should expect to wait. With every eligible seat busy, seats free up about
 * `agentsStaffed / aht` times a second, so the caller at position p waits for p of those: p · AHT / N.
 * When seats are shared with other queues the queue sees fewer of them; the answer rate observed
 * while callers were waiting then caps the rate. Handle times are averaged with an exponential weight
 * so the estimate follows the day's mix.
 */

export interface WaitStats {
  /** Exponentially weighted average handle time (talk + wrap-up), seconds. */
  readonly ahtSeconds: number;
  /** Seats logged in who may take this queue's calls (ready, ringing, talking or wrapping up). */
  readonly agentsStaffed: number;
  /** Seats free right now who may take the call. */
  readonly agentsFree?: number;
  /** Answers per minute this queue received while callers were waiting, when known. */
  readonly answersPerMinute?: number;
}

export const DEFAULT_AHT_WEIGHT = 0.05;

/** The handle-time average after one more handled call. */
export function nextAht(previous: number | undefined, handleSeconds: number, weight = DEFAULT_AHT_WEIGHT): number {
  if (previous === undefined || !Number.isFinite(previous)) return handleSeconds;
  return previous + weight * (handleSeconds - previous);
}

/** Answers per minute over the window ending at `now` (times in ms). */
export function answersPerMinute(answeredAt: readonly number[], now: number, windowMs = 5 * 60_000): number {
  let n = 0;
  for (const t of answeredAt) if (t > now - windowMs && t <= now) n++;
  return (n * 60_000) / windowMs;
}

/** Expected wait in seconds for the caller at `position` (1 = next); Infinity when no seat is staffed. */
export function estimateWait(position: number, stats: WaitStats): number {
  if (position <= (stats.agentsFree ?? 0)) return 0;
  const ahead = position - (stats.agentsFree ?? 0);
  const capacityPerSecond = stats.ahtSeconds > 0 ? stats.agentsStaffed / stats.ahtSeconds : 0;
  const observed = stats.answersPerMinute === undefined ? undefined : stats.answersPerMinute / 60;
  const perSecond = observed !== undefined && observed > 0
    ? (capacityPerSecond > 0 ? Math.min(capacityPerSecond, observed) : observed)
    : capacityPerSecond;
  return perSecond > 0 ? ahead / perSecond : Number.POSITIVE_INFINITY;
}

export interface AnnouncementPolicy {
  /** Off by default: intake has no menu and nothing is said unless the hotline asks for it. */
  readonly enabled: boolean;
  readonly firstAfterSeconds: number;
  readonly everySeconds: number;
  readonly sayPosition: boolean;
  readonly sayWait: boolean;
  /** The wait is said in whole minutes, rounded up; nothing is said when it exceeds this. */
  readonly maxWaitToSayMinutes: number;
}

export const DEFAULT_ANNOUNCEMENT_POLICY: AnnouncementPolicy = {
  enabled: false, firstAfterSeconds: 30, everySeconds: 60, sayPosition: true, sayWait: true, maxWaitToSayMinutes: 30,
};

export interface WaitingCaller {
  readonly queuedAt: number;
  /** When something was last said to this caller; null when never. */
  readonly lastAnnouncedAt: number | null;
  readonly position: number;
  readonly estimatedWaitSeconds: number;
}

export type Announcement = { readonly kind: 'position'; readonly position: number } | { readonly kind: 'wait'; readonly minutes: number };

export interface AnnouncementPlan {
  readonly say: readonly Announcement[];
  /** When to ask again; null when announcements are off. */
  readonly nextAt: number | null;
}

/** What to say to a waiting caller at `now` (ms), and when the next announcement falls due. */
export function announcementsFor(caller: WaitingCaller, now: number, policy: AnnouncementPolicy = DEFAULT_ANNOUNCEMENT_POLICY): AnnouncementPlan {
  if (!policy.enabled) return { say: [], nextAt: null };
  const dueAt = caller.lastAnnouncedAt === null
    ? caller.queuedAt + policy.firstAfterSeconds * 1000
    : caller.lastAnnouncedAt + policy.everySeconds * 1000;
  if (now < dueAt) return { say: [], nextAt: dueAt };
  const say: Announcement[] = [];
  if (policy.sayPosition && caller.position >= 1) say.push({ kind: 'position', position: caller.position });
  const minutes = Math.max(1, Math.ceil(caller.estimatedWaitSeconds / 60));
  if (policy.sayWait && Number.isFinite(caller.estimatedWaitSeconds) && minutes <= policy.maxWaitToSayMinutes) {
    say.push({ kind: 'wait', minutes });
  }
  return { say, nextAt: now + policy.everySeconds * 1000 };
}
