import Type from 'typebox';
import { MetricsSection, ReportsSection, SoftphoneSection, SurveysSection } from './surveys-reports.schema.ts';

const closed = { additionalProperties: false } as const;
const seconds = (def: number, min = 0, max = 86_400) => Type.Integer({ minimum: min, maximum: max, default: def });
const isoDate = Type.String({ pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' });
const port = (def: number) => Type.Integer({ minimum: 1, maximum: 65_535, default: def });

export const Line = Type.Object({
  number: Type.String({ pattern: '^[0-9]{3,20}$', maxLength: 20 }),
  name: Type.String({ minLength: 1, maxLength: 100, default: '12345 市民服务热线' }),
  greeting: Type.String({ minLength: 1, maxLength: 200, default: 'sound:hotline/greeting' }),
  wrapUpSeconds: seconds(15, 0, 3_600),
  /** The queue (desk) this line's callers wait in; the first queue when unset. */
  queue: Type.Optional(Type.String({ pattern: '^[a-z0-9_-]{1,32}$', maxLength: 32 })),
  /** Added to the queue's priority for callers on this line. */
  priority: Type.Optional(Type.Integer({ minimum: -100, maximum: 100 })),
  /** 一次一评: when the agent hangs up first, the caller is asked to rate the call with one keypress. */
  rateAfterCall: Type.Boolean({ default: false }),
}, closed);

const skillName = Type.String({ pattern: '^[a-z0-9_-]{1,32}$', maxLength: 32 });
const SkillTarget = Type.Object({
  skills: Type.Array(skillName, { minItems: 1, maxItems: 50 }),
  minLevel: Type.Integer({ minimum: 1, maximum: 5, default: 1 }),
}, closed);

const Announcements = Type.Object({
  enabled: Type.Boolean({ default: false }),
  firstAfterSeconds: seconds(30, 0, 3_600),
  everySeconds: seconds(60, 10, 3_600),
  sayPosition: Type.Boolean({ default: true }),
  sayWait: Type.Boolean({ default: true }),
  maxWaitToSayMinutes: Type.Integer({ minimum: 1, maximum: 120, default: 30 }),
}, { ...closed, default: {} });

/** A desk: which agents may take its callers, how the target widens with the wait, and its limits. */
export const Queue = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9_-]{1,32}$', maxLength: 32 }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  target: SkillTarget,
  overflowRules: Type.Array(Type.Object({ afterSeconds: seconds(20), widenTo: SkillTarget }, closed), { maxItems: 20, default: [] }),
  priority: Type.Integer({ minimum: -100, maximum: 100, default: 0 }),
  maxWaiting: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  maxWaitSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  /** 'callback' (a message, then a callback task) or the id of another queue. */
  overflowTo: Type.String({ minLength: 1, maxLength: 32, default: 'callback' }),
  announcements: Announcements,
}, closed);

/** The service's whole configuration: every key, its default and what it allows. */
export const ConfigSchema = Type.Object({
  service: Type.Object({
    /** Where the service listens; when unset, 127.0.0.1 with the simulator (the demo's passwords stay on this machine), 0.0.0.0 with Asterisk. */
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    port: Type.Integer({ minimum: 0, maximum: 65_535, default: 8080 }),
    publicUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  }, { ...closed, default: {} }),
  ari: Type.Object({
    url: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:8088/ari' }),
    username: Type.String({ minLength: 1, default: 'hotline' }),
    password: Type.String({ default: '' }),
    app: Type.String({ pattern: '^[A-Za-z0-9_-]+$', default: 'hotline' }),
    requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 5_000 }),
  }, { ...closed, default: {} }),
  ami: Type.Object({
    host: Type.String({ minLength: 1, default: '127.0.0.1' }),
    port: port(5038),
    username: Type.String({ minLength: 1, default: 'hotline' }),
    password: Type.String({ default: '' }),
    enabled: Type.Optional(Type.Boolean()),
  }, { ...closed, default: {} }),
  pbx: Type.Object({
    mode: Type.Optional(Type.Enum(['simulator', 'asterisk'])),
  }, { ...closed, default: {} }),
  database: Type.Object({
    path: Type.String({ minLength: 1, default: './hotline.sqlite' }),
  }, { ...closed, default: {} }),
  recordings: Type.Object({
    dir: Type.String({ minLength: 1, default: './recordings' }),
  }, { ...closed, default: {} }),
  lines: Type.Array(Line, { minItems: 1, default: [{ number: '12345' }] }),
  queues: Type.Array(Queue, {
    minItems: 1,
    default: [{ id: 'main', target: { skills: ['general'], minLevel: 1 }, overflowRules: [], priority: 0, overflowTo: 'callback', announcements: {} }],
  }),
  skills: Type.Object({
    /** Skills of an agent with none stored (skill -> level 1..5). */
    defaults: Type.Record(skillName, Type.Integer({ minimum: 1, maximum: 5 }), { default: { general: 3 } }),
    /** The level given to skills listed without levels on an agent account. */
    listedLevel: Type.Integer({ minimum: 1, maximum: 5, default: 3 }),
  }, { ...closed, default: {} }),
  callbacks: Type.Object({
    enabled: Type.Boolean({ default: true }),
    /** Missed calls from one number within this window share one callback task. */
    dedupeHours: Type.Number({ minimum: 0, maximum: 720, default: 24 }),
    /** Abandons shorter than this (misdials, hang-ups during the greeting) get no callback. */
    shortAbandonSeconds: seconds(5, 0, 120),
    /** Callbacks are offered when no caller has waited for this long ... */
    quietSeconds: seconds(30, 0, 3_600),
    /** ... and at least this many agents are ready. */
    minReadyAgents: Type.Integer({ minimum: 0, maximum: 100_000, default: 2 }),
    callerId: Type.String({ minLength: 1, default: '12345' }),
    /** How a citizen's number is dialled; {number} is replaced. */
    dialTemplate: Type.String({ pattern: '\\{number\\}', default: 'PJSIP/{number}@trunk' }),
    ringTimeoutSeconds: seconds(30, 5, 120),
    maxAttempts: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
    /** Played to a caller sent to a callback by an overflow before the call ends. */
    message: Type.String({ minLength: 1, default: 'sound:hotline/callback-later' }),
  }, { ...closed, default: {} }),
  agents: Type.Object({
    ringTimeoutSeconds: seconds(20, 5, 120),
    wrapUpSeconds: seconds(15, 0, 3_600),
    noAnswerPauseReason: Type.String({ minLength: 1, default: 'no_answer' }),
  }, { ...closed, default: {} }),
  tickets: Type.Object({
    /** Priority added to a caller whose open ticket is overdue, sent back for rework or reopened. */
    waitingCallerBoost: Type.Integer({ minimum: 0, maximum: 100, default: 10 }),
  }, { ...closed, default: {} }),
  /**
   * Working days for the deadline clocks (Asia/Shanghai): public holidays and makeup working days (调休上班),
   * as YYYY-MM-DD, added to the built-in 2026 calendar. Add each year's State Council notice here.
   */
  calendar: Type.Object({
    holidays: Type.Optional(Type.Array(isoDate, { maxItems: 2_000 })),
    makeupWorkdays: Type.Optional(Type.Array(isoDate, { maxItems: 2_000 })),
  }, { ...closed, default: {} }),
  auth: Type.Object({
    /** A session unused for this long ends (every use slides it). */
    sessionIdleMinutes: Type.Integer({ minimum: 5, maximum: 10_080, default: 480 }),
    /** A session ends this many hours after its sign-in, however much it is used. */
    sessionMaxHours: Type.Integer({ minimum: 1, maximum: 168, default: 12 }),
  }, { ...closed, default: {} }),
  serviceLevel: Type.Object({
    /** Agents' state history (agent_state_log) older than this many days is pruned by a daily sweep. */
    agentStateRetentionDays: Type.Integer({ minimum: 2, maximum: 3_660, default: 400 }),
  }, { ...closed, default: {} }),
  simulator: Type.Object({
    agents: Type.Integer({ minimum: 0, maximum: 5_000, default: 20 }),
    callsPerMinute: Type.Number({ minimum: 0, maximum: 10_000, default: 6 }),
    seed: Type.Integer({ default: 1 }),
    talkSeconds: seconds(150, 1),
    patienceSeconds: seconds(60, 1),
    /** A month of past calls, tickets and surveys written into an empty database at the first start (npm start only). */
    history: Type.Enum(['on', 'off'], { default: 'on' }),
  }, { ...closed, default: {} }),
  http: Type.Object({
    /**
     * The TLS-terminating proxies in front of the service: addresses or CIDR ranges, comma-separated. Only from
     * these are X-Forwarded-For (the client's address) and X-Forwarded-Proto believed. Empty: none.
     */
    trustedProxies: Type.String({ default: '', maxLength: 4_000, pattern: '^[0-9A-Fa-f.:/, ]*$' }),
    /** The session cookie's Secure flag: `auto` sets it on requests that came over HTTPS (directly or by a trusted proxy). */
    cookieSecure: Type.Enum(['auto', 'always', 'never'], { default: 'auto' }),
    /** Strict-Transport-Security on answers over HTTPS; 0 turns it off. */
    hstsMaxAgeSeconds: Type.Integer({ minimum: 0, maximum: 63_072_000, default: 31_536_000 }),
    /** Failed sign-ins one client address may make across usernames in 15 minutes before it backs off. */
    loginFailuresPerAddress: Type.Integer({ minimum: 5, maximum: 100_000, default: 30 }),
  }, { ...closed, default: {} }),
  surveys: SurveysSection,
  reports: ReportsSection,
  metrics: MetricsSection,
  softphone: SoftphoneSection,
  log: Type.Object({
    level: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
    pretty: Type.Boolean({ default: false }),
  }, { ...closed, default: {} }),
}, closed);

type Loaded = Type.Static<typeof ConfigSchema>;

/** The configuration after loading: optional switches are settled (pbx.mode, ami.enabled, service.host). */
export type Config = Omit<Loaded, 'service' | 'pbx' | 'ami' | 'surveys'> & {
  /** host is settled by the PBX mode when unset. */
  service: Omit<Loaded['service'], 'host'> & { host: string };
  pbx: { mode: 'simulator' | 'asterisk' };
  ami: Omit<Loaded['ami'], 'enabled'> & { enabled: boolean };
  /** callerId is settled to the first line's number when unset. */
  surveys: Omit<Loaded['surveys'], 'callerId'> & { callerId: string };
};

export type LineConfig = Config['lines'][number];
export type QueueSettings = Config['queues'][number];
export type CallbackSettings = Config['callbacks'];
export type SurveysSettings = Config['surveys'];
export type ReportsSettings = Config['reports'];
export type SoftphoneSettings = Config['softphone'];

export interface EnvironmentKey {
  readonly name: string;
  readonly path: readonly string[];
  readonly secret?: boolean;
}

/** Environment variables and the keys they set; secrets may also be read from `<NAME>_FILE`. */
export const ENVIRONMENT_KEYS: readonly EnvironmentKey[] = [
  { name: 'HOTLINE_HOST', path: ['service', 'host'] },
  { name: 'HOTLINE_PORT', path: ['service', 'port'] },
  { name: 'HOTLINE_PUBLIC_URL', path: ['service', 'publicUrl'] },
  { name: 'HOTLINE_TRUSTED_PROXIES', path: ['http', 'trustedProxies'] },
  { name: 'HOTLINE_COOKIE_SECURE', path: ['http', 'cookieSecure'] },
  { name: 'HOTLINE_HSTS_MAX_AGE_SECONDS', path: ['http', 'hstsMaxAgeSeconds'] },
  { name: 'HOTLINE_LOGIN_FAILURES_PER_ADDRESS', path: ['http', 'loginFailuresPerAddress'] },
  { name: 'ASTERISK_ARI_URL', path: ['ari', 'url'] },
  { name: 'ASTERISK_ARI_USER', path: ['ari', 'username'] },
  { name: 'ASTERISK_ARI_PASSWORD', path: ['ari', 'password'], secret: true },
  { name: 'ASTERISK_ARI_APP', path: ['ari', 'app'] },
  { name: 'ASTERISK_ARI_TIMEOUT_MS', path: ['ari', 'requestTimeoutMs'] },
  { name: 'ASTERISK_AMI_HOST', path: ['ami', 'host'] },
  { name: 'ASTERISK_AMI_PORT', path: ['ami', 'port'] },
  { name: 'ASTERISK_AMI_USER', path: ['ami', 'username'] },
  { name: 'ASTERISK_AMI_PASSWORD', path: ['ami', 'password'], secret: true },
  { name: 'HOTLINE_AMI_ENABLED', path: ['ami', 'enabled'] },
  { name: 'HOTLINE_PBX_MODE', path: ['pbx', 'mode'] },
  { name: 'HOTLINE_DB', path: ['database', 'path'] },
  { name: 'HOTLINE_RECORDINGS_DIR', path: ['recordings', 'dir'] },
  { name: 'HOTLINE_RING_TIMEOUT_SECONDS', path: ['agents', 'ringTimeoutSeconds'] },
  { name: 'HOTLINE_WRAP_UP_SECONDS', path: ['agents', 'wrapUpSeconds'] },
  { name: 'HOTLINE_SIM_AGENTS', path: ['simulator', 'agents'] },
  { name: 'HOTLINE_SIM_CALLS_PER_MINUTE', path: ['simulator', 'callsPerMinute'] },
  { name: 'HOTLINE_SIM_SEED', path: ['simulator', 'seed'] },
  { name: 'HOTLINE_DEMO_HISTORY', path: ['simulator', 'history'] },
  { name: 'HOTLINE_SURVEYS_ENABLED', path: ['surveys', 'enabled'] },
  { name: 'HOTLINE_SURVEYS_CALLER_ID', path: ['surveys', 'callerId'] },
  { name: 'HOTLINE_SURVEYS_ENDPOINT', path: ['surveys', 'endpoint'] },
  { name: 'HOTLINE_SURVEYS_CALLING_START', path: ['surveys', 'callingHours', 'start'] },
  { name: 'HOTLINE_SURVEYS_CALLING_END', path: ['surveys', 'callingHours', 'end'] },
  { name: 'HOTLINE_SURVEYS_MAX_CONCURRENT', path: ['surveys', 'maxConcurrent'] },
  { name: 'HOTLINE_SURVEYS_DELAY_AFTER_CLOSURE_MINUTES', path: ['surveys', 'delayAfterClosureMinutes'] },
  { name: 'HOTLINE_REPORTS_VOLUME', path: ['reports', 'volume'] },
  { name: 'HOTLINE_REPORTS_RESOLUTION_DENOMINATOR', path: ['reports', 'rates', 'resolutionDenominator'] },
  { name: 'HOTLINE_REPORTS_SATISFACTION_DENOMINATOR', path: ['reports', 'rates', 'satisfactionDenominator'] },
  { name: 'HOTLINE_WAITING_CALLER_BOOST', path: ['tickets', 'waitingCallerBoost'] },
  { name: 'HOTLINE_AGENT_STATE_RETENTION_DAYS', path: ['serviceLevel', 'agentStateRetentionDays'] },
  { name: 'HOTLINE_SESSION_IDLE_MINUTES', path: ['auth', 'sessionIdleMinutes'] },
  { name: 'HOTLINE_SESSION_MAX_HOURS', path: ['auth', 'sessionMaxHours'] },
  { name: 'HOTLINE_METRICS_TOKEN', path: ['metrics', 'token'], secret: true },
  { name: 'HOTLINE_SOFTPHONE_ENABLED', path: ['softphone', 'enabled'] },
  { name: 'HOTLINE_SOFTPHONE_WSS_URL', path: ['softphone', 'wssUrl'] },
  { name: 'HOTLINE_SOFTPHONE_SIP_DOMAIN', path: ['softphone', 'sipDomain'] },
  { name: 'HOTLINE_SOFTPHONE_SEAT_SECRETS_FILE', path: ['softphone', 'seatSecretsFile'] },
  { name: 'HOTLINE_LOG_LEVEL', path: ['log', 'level'] },
  { name: 'HOTLINE_LOG_PRETTY', path: ['log', 'pretty'] },
];
