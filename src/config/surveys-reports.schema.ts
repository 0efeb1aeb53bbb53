import Type from 'typebox';

/**
 * The callback survey (回访), the three rates and the monthly ranking, the metrics token and the browser
 * softphone: the sections of the configuration an operator sets for them. Defaults match the features'
 * own defaults (DEFAULT_SURVEY_CONFIG, DEFAULT_REPORTS_POLICY); a unit test keeps them equal.
 */

const closed = { additionalProperties: false } as const;
const clock = (def: string) => Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', default: def });
const count = (def: number, max = 1_000) => Type.Integer({ minimum: 0, maximum: max, default: def });
const weight = (def: number) => Type.Number({ minimum: 0, maximum: 100, default: def });
const denominator = Type.Enum(['rated', 'surveyed'], { default: 'rated' });

export const SurveysSection = Type.Object({
  /** Start the dialer with the service. */
  enabled: Type.Boolean({ default: true }),
  /** Caller id the citizen sees; the first line's number when unset. */
  callerId: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{3,20}$' })),
  /** How a citizen's number is dialled; {number} is replaced. */
  endpoint: Type.String({ pattern: '\\{number\\}', default: 'PJSIP/{number}@trunk' }),
  ringTimeoutSeconds: Type.Integer({ minimum: 5, maximum: 120, default: 30 }),
  /** How long after closure (办结) the first call may go out. */
  delayAfterClosureMinutes: Type.Integer({ minimum: 0, maximum: 43_200, default: 60 }),
  /** Asia/Shanghai local time: no survey call starts before start or at/after end. */
  callingHours: Type.Object({ start: clock('09:00'), end: clock('20:00') }, { ...closed, default: {} }),
  maxAttempts: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
  /** Least time between two attempts on one ticket's survey. */
  spacingMinutes: Type.Number({ minimum: 1, maximum: 10_080, default: 120 }),
  /** Survey channels up at once. */
  maxConcurrent: Type.Integer({ minimum: 1, maximum: 10_000, default: 30 }),
  /** New survey calls a second at most; 0: no pacing. */
  pacingPerSecond: Type.Number({ minimum: 0, maximum: 1_000, default: 5 }),
  /** Whether tickets the caller asked to keep confidential are surveyed at all. */
  surveyConfidential: Type.Boolean({ default: false }),
  /** How many times a question is asked again after silence or a wrong key. */
  repeats: Type.Integer({ minimum: 0, maximum: 5, default: 2 }),
  /** How long to wait for a key after a question. */
  silenceSeconds: Type.Number({ minimum: 1, maximum: 60, default: 6 }),
  /** Which answers send the ticket back for a second round of handling (二次办理). */
  reopen: Type.Enum(['unresolved_or_unsatisfied', 'unresolved', 'never'], { default: 'unresolved_or_unsatisfied' }),
}, { ...closed, default: {} });

export const ReportsSection = Type.Object({
  rates: Type.Object({
    /** Each answer as a percentage of a satisfied answer. */
    satisfactionWeights: Type.Object({
      satisfied: weight(100), basically_satisfied: weight(80), unsatisfied: weight(0),
    }, { ...closed, default: {} }),
    resolutionDenominator: denominator,
    satisfactionDenominator: denominator,
    compositeWeights: Type.Object({
      response: weight(10), resolution: weight(45), satisfaction: weight(45),
    }, { ...closed, default: {} }),
    compositeWhenMissing: Type.Enum(['reweight', 'zero'], { default: 'reweight' }),
    /** Per-ticket points (e.g. Beijing's 1 / -0.5 / -1), or null for none. */
    perTicketPoints: Type.Union([
      Type.Null(),
      Type.Object({
        bothYes: Type.Number({ minimum: -100, maximum: 100 }),
        oneNo: Type.Number({ minimum: -100, maximum: 100 }),
        bothNo: Type.Number({ minimum: -100, maximum: 100 }),
      }, closed),
    ], { default: null }),
  }, { ...closed, default: {} }),
  ranking: Type.Object({
    advancedCount: count(10),
    progressCount: count(10),
    rectificationCount: count(10),
    governanceCount: count(10),
    minDispatched: count(1, 100_000),
  }, { ...closed, default: {} }),
  /** Request volume for the governance class: rounds the unit led, or tickets about its area. */
  volume: Type.Enum(['dispatched', 'located'], { default: 'dispatched' }),
  hotspot: Type.Object({
    windowHours: Type.Number({ minimum: 1, maximum: 720, default: 24 }),
    threshold: Type.Integer({ minimum: 1, maximum: 10_000, default: 5 }),
    sweepSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
  }, { ...closed, default: {} }),
  /** Figures of a month not yet closed are reused this long. */
  openMonthCacheSeconds: Type.Integer({ minimum: 0, maximum: 86_400, default: 30 }),
  listLength: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
}, { ...closed, default: {} });

export const MetricsSection = Type.Object({
  /** Bearer token a Prometheus scraper sends to GET /metrics; unset: only a supervisor or admin session. */
  token: Type.Optional(Type.String({ minLength: 16, maxLength: 512 })),
}, { ...closed, default: {} });

export const SoftphoneSection = Type.Object({
  /** Offer the browser softphone (WebRTC over Asterisk's websocket transport) on the agent desktop. */
  enabled: Type.Boolean({ default: false }),
  /** Asterisk's SIP websocket, e.g. wss://pbx.example:8089/ws; required when enabled. */
  wssUrl: Type.Optional(Type.String({ pattern: '^wss?://[^\\s/]+' })),
  /** The SIP domain of the seats' addresses; the wssUrl host when unset. */
  sipDomain: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.-]+(:[0-9]{1,5})?$' })),
  /** The seat passwords CSV written by scripts/gen-seats.ts. */
  seatSecretsFile: Type.Optional(Type.String({ minLength: 1 })),
}, { ...closed, default: {} });
