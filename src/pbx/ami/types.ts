import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';

export type AmiState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  log: Logger;
  /** Delay before the first reconnect attempt, doubled after each failure up to maxMs. */
  reconnect?: { initialMs: number; maxMs: number };
  /** An action without a response after this long rejects (default 10 s). */
  actionTimeoutMs?: number;
  /** A Ping is sent this often while connected; a missing Pong drops and reopens the connection. 0 disables (default 20 s). */
  pingIntervalMs?: number;
  clock?: Clock;
}

export interface CoreSettings {
  amiVersion: string;
  asteriskVersion: string;
  systemName: string;
  coreMaxCalls: number;
  coreMaxLoadAvg: number;
  coreRunUser: string;
  coreRunGroup: string;
  coreMaxFilehandles: number;
  coreRealTimeEnabled: boolean;
  coreCdrEnabled: boolean;
  coreHttpEnabled: boolean;
  soundsSearchCustomDir: boolean;
}

/** One `EndpointList` item of PJSIPShowEndpoints. */
export interface EndpointListItem {
  name: string;
  transport: string;
  aor: string;
  auths: string[];
  outboundAuths: string[];
  /** Parsed from `Contacts: agent1/sip:agent1@127.0.0.1:5081,`; empty when none. */
  contacts: Array<{ aor: string; uri: string }>;
  /** As Asterisk words it: `Not in use`, `In use`, `Busy`, `Ringing`, `Unavailable`, `On Hold`, … */
  deviceState: string;
  activeChannels: number;
}

/** One `ContactList` item of PJSIPShowContacts. */
export interface ContactListItem {
  /** `<aor>;@<hash>` */
  objectName: string;
  aor: string;
  endpoint: string;
  uri: string;
  /** `NonQualified`, `Reachable`, `Unreachable`, `Unknown`, … */
  status: string;
  callId: string;
  userAgent: string;
  viaAddr: string;
  viaPort: number | null;
  /** Epoch seconds. */
  expirationTime: number | null;
  qualifyFrequency: number;
  roundtripUsec: number | null;
  regServer: string;
}

export type DeviceState =
  | 'UNKNOWN' | 'NOT_INUSE' | 'INUSE' | 'BUSY' | 'INVALID' | 'UNAVAILABLE' | 'RINGING' | 'RINGINUSE' | 'ONHOLD';

export interface ContactStatusEvent {
  uri: string;
  /** `Created`, `Removed`, `Reachable`, `Unreachable`, `NonQualified`, `Updated`, `Unknown`. */
  contactStatus: string;
  aor: string;
  endpointName: string;
  roundtripUsec: number | null;
}

export interface DeviceStateChangeEvent {
  /** e.g. `PJSIP/agent2` */
  device: string;
  state: DeviceState;
}

export interface PeerStatusEvent {
  channelType: string;
  /** e.g. `PJSIP/agent2` */
  peer: string;
  /** `Reachable`, `Unreachable`, … */
  peerStatus: string;
}

export interface FullyBootedEvent {
  uptime: number | null;
  lastReload: number | null;
  status: string;
}

export interface ShutdownEvent {
  /** `Cleanly` or `Uncleanly` */
  shutdown: string;
  restart: boolean;
}

export interface AmiEventMap {
  ContactStatus: ContactStatusEvent;
  DeviceStateChange: DeviceStateChangeEvent;
  PeerStatus: PeerStatusEvent;
  FullyBooted: FullyBootedEvent;
  Shutdown: ShutdownEvent;
}

export type AmiEventName = keyof AmiEventMap;

export interface AmiStats {
  /** Successful logins after the first one. */
  reconnects: number;
  /** Established sessions that were lost. */
  drops: number;
  /** Messages that were neither a response nor an event, or a known event missing its fields. */
  malformed: number;
  /** Everything logged as a failure: connect failures, drops, malformed messages, timeouts, handler throws. */
  errors: number;
}

export interface AmiClient {
  /** Resolves once logged in; keeps retrying refused or dropped connections; rejects on rejected credentials or close(). */
  connect(): Promise<void>;
  /** Logs off when connected, then closes for good. Pending actions reject. */
  close(): Promise<void>;
  state(): AmiState;
  onStateChange(handler: (state: AmiState) => void): () => void;
  on<K extends AmiEventName>(name: K, handler: (event: AmiEventMap[K]) => void): () => void;
  coreSettings(): Promise<CoreSettings>;
  pjsipShowEndpoints(): Promise<EndpointListItem[]>;
  pjsipShowContacts(): Promise<ContactListItem[]>;
  /** Round trip of an AMI Ping, in ms. */
  ping(): Promise<number>;
  stats(): AmiStats;
}

export class AmiError extends Error {
  constructor(message: string, readonly code: 'ERR_AMI_NOT_CONNECTED' | 'ERR_AMI_CONNECTION_LOST' | 'ERR_AMI_CLOSED'
    | 'ERR_AMI_AUTH_FAILED' | 'ERR_AMI_TIMEOUT' | 'ERR_AMI_ACTION_FAILED', readonly action?: string) {
    super(message);
    this.name = 'AmiError';
  }
}
