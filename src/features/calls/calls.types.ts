import type { Logger } from 'pino';
import type { TimerHandle } from '../../clock.ts';
import type { InboundCall } from '../../domain/call-state.ts';
import type { CallLane } from './call-lane.ts';

export interface LineSettings {
  number: string;
  name: string;
  greeting: string;        // sound:hotline/greeting; empty = no greeting
  wrapUpMs: number;
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
}
