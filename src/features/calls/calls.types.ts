import type { Logger } from 'pino';
import type { TimerHandle } from '../../clock.ts';
import type { InboundCall } from '../../domain/call-state.ts';
import type { AcdConfig } from '../../domain/acd/queues.ts';
import type { AnnouncementPolicy } from '../../domain/acd/wait-estimate.ts';
import type { CallLane } from './call-lane.ts';

export interface LineSettings {
  number: string;
  name: string;
  greeting: string;        // sound:hotline/greeting; empty = no greeting
  wrapUpMs: number;
  /** 一次一评: when the agent hangs up first, the caller stays on the line for the after-call rating. */
  rateAfterCall?: boolean;
}

/** A caller handed over for the after-call rating: the call is over, the caller's channel still in Stasis. */
export interface RatingHandoff {
  callId: string;
  callerChannelId: string;
  line: string;
  agentId: string | null;
}

export interface CallsSettings {
  app: string;
  ringTimeoutMs: number;
  defaultWrapUpMs: number;
  mohClass: string;
  /** A greeting that never reports its end (unknown media scheme) is given up after this long. */
  greetingGuardMs: number;
  historyDays: number;
  lines: LineSettings[];
  /** Lines to desks, desks' targets, widening and limits; every line to one general queue when unset. */
  acd?: AcdConfig;
  /** Position and wait announcements per queue; off unless a queue turns them on. */
  announcements?: Record<string, AnnouncementPolicy>;
  /** Played to a caller an overflow sends to a callback, before the call ends. */
  overflowMessage?: string;
}

/** The lines and desks the calls service routes by; replaced whole when a new version takes effect. */
export interface CallRouting {
  lines: LineSettings[];
  acd: AcdConfig;
  announcements: Record<string, AnnouncementPolicy>;
}

/** A missed call, for the callback list: abandoned in the queue, sent to a callback by an overflow, or lost. */
export interface MissedCall {
  callId: string;
  callerNumber: string;
  line: string;
  queueId: string | null;
  reason: 'abandoned' | 'overflow' | 'missed';
  arrivedAt: number;
  endedAt: number;
  waitedMs: number;
}

/** One agent leg rung for a call. */
export interface AgentLeg {
  agentId: string;
  seat: string;
  offeredAt: number;
  answeredAt: number | null;
  gone: boolean;
}

/** A call the service is handling right now: the domain state plus the ARI objects it holds. */
export interface LiveCall {
  call: InboundCall;
  callerName: string;
  line: LineSettings;
  log: Logger;
  lane: CallLane;
  holdingBridgeId: string | null;
  mixingBridgeId: string | null;
  greetingPlaybackId: string | null;
  greetingTimer: TimerHandle | undefined;
  offerTimer: TimerHandle | undefined;
  legs: Map<string, AgentLeg>;
  recording: { name: string; startedAt: number; agentId: string | null } | null;
  finished: boolean;
  /** The desk the caller waits in (changes when the call overflows to another queue). */
  queueId?: string;
  /** When it joined that queue, for a call taken up after a restart (its maximum wait runs on from then). */
  queueJoinedAt?: number;
  /** Why the call left the queue for a message and a callback. */
  overflowed?: string;
  messagePlaybackId?: string | null;
  messageTimer?: TimerHandle;
  announceTimer?: TimerHandle;
  lastAnnouncedAt?: number | null;
}
