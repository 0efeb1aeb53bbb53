/** The simulated Asterisk's objects and how ARI prints them. */
import type { TimerHandle } from '../../clock.ts';
import type { PhoneBehaviour } from '../types.ts';
import { ariTimestamp } from './format.ts';

export interface CallerId { name: string; number: string }

export interface Dialplan { context: string; exten: string; priority: number; app_name: string; app_data: string }

export type ChannelOrigin = 'dialplan' | 'originate' | 'snoop' | 'local';

export interface SimChannel {
  id: string;
  name: string;
  state: 'Down' | 'Ring' | 'Ringing' | 'Up';
  protocolId: string;
  caller: CallerId;
  connected: CallerId;
  dialplan: Dialplan;
  creationtime: number;
  language: string;
  origin: ChannelOrigin;
  endpoint?: string;              // PJSIP resource the channel belongs to
  dialstring?: string;
  app?: string;
  appArgs: string[];
  inStasis: boolean;
  subscribed: boolean;            // its app receives its events
  bridgeId?: string;
  vars: Map<string, string>;
  gone: boolean;
  timers: Set<TimerHandle>;
  snoopOf?: string;
  snoops: Set<string>;
  behaviour?: PhoneBehaviour;
  pendingKeys?: Array<{ afterMs: number; digit: string; durationMs?: number }>;
  moh: boolean;
  answeredAt?: number;
}

export interface InternalMember { id: string; name: string }

export interface SimBridge {
  id: string;
  type: 'mixing' | 'holding';
  technology: string;
  name: string;
  creationtime: number;
  members: string[];              // channel ids, in joining order
  apps: Set<string>;
  moh: boolean;
  announcer?: InternalMember;
  recorder?: InternalMember & { recording: string };
}

export interface SimPlayback {
  id: string;
  mediaUri: string;
  targetUri: string;
  language: string;
  state: 'queued' | 'playing' | 'done' | 'failed';
  timer?: TimerHandle;
}

export interface SimLiveRecording {
  name: string;
  format: string;
  targetUri: string;
  state: 'queued' | 'recording' | 'paused' | 'done' | 'failed' | 'canceled';
  startedAt: number;
  timer?: TimerHandle;
}

export function channelJson(c: SimChannel): Record<string, unknown> {
  return {
    id: c.id, name: c.name, state: c.state, protocol_id: c.protocolId,
    caller: { ...c.caller }, connected: { ...c.connected }, accountcode: '',
    dialplan: { ...c.dialplan }, creationtime: ariTimestamp(c.creationtime), language: c.language,
  };
}

export function bridgeJson(b: SimBridge, channels: string[] = b.members): Record<string, unknown> {
  return {
    id: b.id, technology: b.technology, bridge_type: b.type, bridge_class: 'stasis', creator: 'Stasis',
    name: b.name, channels: [...channels], creationtime: ariTimestamp(b.creationtime), video_mode: 'talker',
  };
}

export function playbackJson(p: SimPlayback): Record<string, unknown> {
  return { id: p.id, media_uri: p.mediaUri, target_uri: p.targetUri, language: p.language, state: p.state };
}

export function liveRecordingJson(r: SimLiveRecording, duration?: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: r.name, format: r.format, state: r.state, target_uri: r.targetUri };
  if (duration !== undefined) out.duration = duration;
  return out;
}

export const CAUSE_TEXT: Record<number, string> = {
  0: 'Unknown', 1: 'Unallocated (unassigned) number', 16: 'Normal Clearing', 17: 'User busy',
  18: 'No user responding', 19: 'User alerting, no answer', 21: 'Call Rejected', 26: 'Answered elsewhere',
  28: 'Invalid number format (incomplete number)', 31: 'Normal, unspecified', 34: 'Circuit/channel congestion',
  38: 'Network out of order', 58: 'Bearer capability not available', 127: 'Interworking, unspecified',
};

export const REASON_CAUSE: Record<string, number> = {
  normal: 16, busy: 17, congestion: 34, no_answer: 19, timeout: 19, rejected: 21, unallocated: 1,
  normal_unspecified: 31, number_incomplete: 28, codec_mismatch: 58, interworking: 127, failure: 38,
  answered_elsewhere: 26,
};
