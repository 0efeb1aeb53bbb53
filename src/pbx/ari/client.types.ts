/**
 * The ARI operations the hotline uses. Everything that talks to Asterisk goes through this interface:
 * the real client (client.ts) implements it over fetch + ws; nothing else implements it except
 * test fakes. Model types come from models.ts, generated from Asterisk 22's api-docs.
 */
import type {
  Application, AsteriskInfo, Bridge, Channel, Endpoint, LiveRecording, Playback, StoredRecording, Variable,
  AriEvent,
} from './models.ts';

export type HangupReason =
  | 'normal' | 'busy' | 'congestion' | 'no_answer' | 'timeout' | 'rejected' | 'unallocated'
  | 'normal_unspecified' | 'number_incomplete' | 'codec_mismatch' | 'interworking' | 'failure' | 'answered_elsewhere';

export interface OriginateParams {
  endpoint: string;            // e.g. PJSIP/seat0001
  app: string;                 // the Stasis application
  appArgs?: string;            // comma-separated, e.g. "agent,<callId>"
  channelId?: string;          // pre-allocated id (hl-agent-<uuid>)
  otherChannelId?: string;
  callerId?: string;           // "Name" <number>
  timeout?: number;            // seconds of ringing before Asterisk gives up (default 30)
  variables?: Record<string, string>;
  originator?: string;
  formats?: string;
}

export interface SnoopParams {
  spy?: 'none' | 'both' | 'out' | 'in';
  whisper?: 'none' | 'both' | 'out' | 'in';
  app: string;
  appArgs?: string;
  snoopId?: string;
}

export interface RecordParams {
  name: string;
  format: string;              // wav
  maxDurationSeconds?: number;
  maxSilenceSeconds?: number;
  ifExists?: 'fail' | 'overwrite' | 'append';
  beep?: boolean;
  terminateOn?: 'none' | 'any' | '*' | '#';
}

export interface PlayParams {
  media: string | string[];    // sound:hotline/greeting
  lang?: string;
  offsetms?: number;
  skipms?: number;
  playbackId?: string;
}

/** A failed ARI request. status is undefined when the transport failed (refused, reset, timeout). */
export interface AriErrorInfo {
  status: number | undefined;
  message: string;             // Asterisk's "message" or "error" field, or the transport error
  method: string;
  path: string;                // without credentials
}

export interface AriRest {
  channels: {
    list(): Promise<Channel[]>;
    get(channelId: string): Promise<Channel>;
    originate(p: OriginateParams): Promise<Channel>;
    answer(channelId: string): Promise<void>;
    hangup(channelId: string, reason?: HangupReason): Promise<void>;
    ring(channelId: string): Promise<void>;
    ringStop(channelId: string): Promise<void>;
    play(channelId: string, p: PlayParams): Promise<Playback>;
    record(channelId: string, p: RecordParams): Promise<LiveRecording>;
    snoop(channelId: string, p: SnoopParams): Promise<Channel>;
    sendDtmf(channelId: string, dtmf: string, opts?: { before?: number; between?: number; duration?: number; after?: number }): Promise<void>;
    getVariable(channelId: string, variable: string): Promise<Variable>;
    setVariable(channelId: string, variable: string, value: string): Promise<void>;
    continueInDialplan(channelId: string, opts?: { context?: string; extension?: string; priority?: number; label?: string }): Promise<void>;
    startMoh(channelId: string, mohClass?: string): Promise<void>;
    stopMoh(channelId: string): Promise<void>;
  };
  bridges: {
    list(): Promise<Bridge[]>;
    get(bridgeId: string): Promise<Bridge>;
    create(p: { type: string; bridgeId?: string; name?: string }): Promise<Bridge>;
    destroy(bridgeId: string): Promise<void>;
    addChannel(bridgeId: string, channel: string | string[], opts?: { role?: string; absorbDTMF?: boolean; mute?: boolean; inhibitConnectedLineUpdates?: boolean }): Promise<void>;
    removeChannel(bridgeId: string, channel: string | string[]): Promise<void>;
    startMoh(bridgeId: string, mohClass?: string): Promise<void>;
    stopMoh(bridgeId: string): Promise<void>;
    play(bridgeId: string, p: PlayParams): Promise<Playback>;
    record(bridgeId: string, p: RecordParams): Promise<LiveRecording>;
  };
  playbacks: {
    get(playbackId: string): Promise<Playback>;
    stop(playbackId: string): Promise<void>;
    control(playbackId: string, operation: 'restart' | 'pause' | 'unpause' | 'reverse' | 'forward'): Promise<void>;
  };
  recordings: {
    getLive(name: string): Promise<LiveRecording>;
    stopLive(name: string): Promise<void>;
    cancelLive(name: string): Promise<void>;
    listStored(): Promise<StoredRecording[]>;
    getStored(name: string): Promise<StoredRecording>;
    /** The stored recording's bytes (audio/wav). */
    downloadStored(name: string): Promise<Uint8Array>;
    deleteStored(name: string): Promise<void>;
  };
  endpoints: {
    list(): Promise<Endpoint[]>;
    get(tech: string, resource: string): Promise<Endpoint>;
  };
  applications: {
    get(app: string): Promise<Application>;
    subscribe(app: string, eventSource: string | string[]): Promise<Application>;
  };
  asterisk: {
    info(): Promise<AsteriskInfo>;
    ping(): Promise<{ asterisk_id: string; ping: string; timestamp: string }>;
  };
}

export type AriConnectionState = 'connecting' | 'reconciling' | 'connected' | 'disconnected' | 'closed';

/** What reconcile saw on (re)connect: handed to subscribers before any new event is delivered. */
export interface AriSnapshot {
  channels: Channel[];
  bridges: Bridge[];
  reconnect: boolean;          // false on the very first connect
}

export interface AriClientStats {
  eventsReceived: number;
  eventsMalformed: number;     // not JSON, no type, or not an object
  eventsUnknown: number;       // a type events.json does not define (still delivered as unknown)
  eventsDuplicate: number;     // the same frame again: Asterisk sends an event once per subscription that covers it
  restErrors: number;          // 4xx/5xx answers
  transportErrors: number;     // refused / reset / timeout
  reconnects: number;
}

export interface AriClient extends AriRest {
  readonly app: string;
  /** Opens the events socket; resolves after the first reconcile. Reconnects with capped backoff until close(). */
  connect(): Promise<void>;
  close(): Promise<void>;
  state(): AriConnectionState;
  stats(): AriClientStats;
  /** Every well-formed event, in the order received; handlers run synchronously in order. Returns an unsubscribe. */
  onEvent(handler: (event: AriEvent) => void): () => void;
  /** Called on every (re)connect with what ARI holds now, before any event after the connect is delivered. Awaited. */
  onReconcile(handler: (snapshot: AriSnapshot) => Promise<void> | void): () => void;
  onStateChange(handler: (state: AriConnectionState) => void): () => void;
}

export class AriError extends Error implements AriErrorInfo {
  readonly status: number | undefined;
  readonly method: string;
  readonly path: string;
  constructor(info: AriErrorInfo) {
    super(`ARI ${info.method} ${info.path} -> ${info.status ?? 'transport error'}: ${info.message}`);
    this.name = 'AriError';
    this.status = info.status;
    this.method = info.method;
    this.path = info.path;
  }
  get notFound(): boolean { return this.status === 404; }
  get transport(): boolean { return this.status === undefined || this.status >= 500; }
}
