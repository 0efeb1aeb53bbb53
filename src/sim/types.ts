/**
 * The simulator's public surface: what tests, `npm start` and the bench use to drive a simulated
 * Asterisk 22. The simulator serves ARI (REST + events websocket) over real HTTP and AMI over TCP;
 * SimControl plays the parts of the SIP world (trunk callers, agent phones, surveyed citizens) and
 * injects faults.
 */
import type { Clock } from '../clock.ts';

export interface SimulatorOptions {
  host?: string;                     // default 127.0.0.1
  port?: number;                     // ARI HTTP port; 0 (default) picks a free one
  amiPort?: number | null;           // 0 (default) picks a free one; null disables AMI
  ariUsers?: Array<{ username: string; password: string }>;   // default [{hotline, hotline}]
  amiUsers?: Array<{ username: string; secret: string }>;     // default [{hotline, hotline}]
  clock?: Clock;                     // default realClock
  seed?: number;                     // for every random choice the simulator makes
  recordingsDir?: string;            // where stored recordings (real WAV files) live; default a temp dir
  /** The dialplan: a trunk call to `line` runs Stasis(app, args...). Unknown lines get 404-like rejection (SIP 404, never reaches ARI). */
  dialplan?: Array<{ line: string; app: string; args: string[] }>;
  /** Durations (ms) of sound:... media for playbacks; unknown sounds play for defaultSoundMs; `sound:...does-not-exist` fails as in the traces. */
  sounds?: Record<string, number>;
  defaultSoundMs?: number;
  asteriskId?: string;               // default "02:fc:00:00:00:01"
}

/** How a simulated SIP phone (an agent seat or a citizen called for a survey) answers an INVITE. */
export interface PhoneBehaviour {
  mode: 'answer' | 'no-answer' | 'busy' | 'reject';   // reject = 603 Decline
  ringMs?: number;                   // 180 Ringing after ~0 ms, then 200 OK after ringMs (answer mode); default 2000
  sendsRinging?: boolean;            // default true (a busy phone sends no 180, as in agent-busy)
  talkMs?: number;                   // the phone hangs up (BYE) this long after answering; undefined = never
  /** Keys the far end presses, each `afterMs` after answer (RFC 2833, delivered as ChannelDtmfReceived when the digit ends). */
  keys?: Array<{ afterMs: number; digit: string; durationMs?: number }>;
}

export interface InboundCall {
  line: string;                      // the dialled number, e.g. "12345"
  from: string;                      // caller number, e.g. "13800138000"
  callerName?: string;
  hangupAfterMs?: number;            // the caller hangs up (BYE) this long after the INVITE; undefined = never
  keys?: Array<{ afterMs: number; digit: string; durationMs?: number }>;  // after answer
}

export interface InboundCallResult {
  /** 'stasis' when it entered Stasis (channelId set); 'declined' when the app was not connected (603, as in reconnect-new-call-during-gap); 'no-route' when no dialplan line matched. */
  outcome: 'stasis' | 'declined' | 'no-route';
  channelId?: string;
}

export interface SimFaults {
  /** Closes every events websocket: code 1000 with a close frame, or 1006 (socket destroyed, no frame). */
  dropEventSockets(code?: 1000 | 1006): void;
  /** `core restart now`: hangs up every channel (cause 4 soft), drops sockets with 1006, ARI unavailable for downMs (ECONNREFUSED, then HTML 404, then 503 "Asterisk not booted"), registrations kept. */
  restart(downMs?: number): Promise<void>;
  /** Every REST answer is delayed by latencyMs; with probability failRate (seeded) answers `status` instead. Call with {} to clear. */
  setRest(opts: { latencyMs?: number; failRate?: number; status?: number }): void;
  /** Stops answering HTTP entirely (connections refused) until resumed. */
  setAriDown(down: boolean): void;
  /** Drops every AMI connection. */
  dropAmi(): void;
}

export interface SimChannelView {
  id: string; name: string; state: string; inStasis: boolean; app?: string; bridgeId?: string;
}
export interface SimBridgeView { id: string; bridge_type: string; channels: string[] }

export interface SimControl {
  /** Registers a SIP endpoint's contact (PJSIP/<resource>): endpoint state online, AMI ContactStatus/DeviceStateChange. Creates the endpoint if unknown. */
  registerPhone(resource: string, behaviour?: PhoneBehaviour): void;
  unregisterPhone(resource: string): void;
  setPhoneBehaviour(resource: string, behaviour: PhoneBehaviour): void;
  /** A citizen reachable for outbound (survey, callback) calls at `number` (endpoint PJSIP/<number> or the trunk form the service dials). */
  setCitizen(number: string, behaviour: PhoneBehaviour): void;
  /** A call arriving from the trunk. */
  placeCall(call: InboundCall): InboundCallResult;
  /** The far end of a channel hangs up (SIP BYE). No-op if the channel is gone. */
  remoteHangup(channelId: string): void;
  /** The far end presses a key on a live channel. */
  pressKey(channelId: string, digit: string, durationMs?: number): void;
  channels(): SimChannelView[];
  bridges(): SimBridgeView[];
  faults: SimFaults;
}

export interface Simulator {
  readonly ariUrl: string;           // http://127.0.0.1:<port>/ari
  readonly wsUrl: string;            // ws://127.0.0.1:<port>/ari/events
  readonly amiPort: number | null;
  readonly recordingsDir: string;
  readonly control: SimControl;
  close(): Promise<void>;
}
