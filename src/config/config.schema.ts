import Type from 'typebox';

const closed = { additionalProperties: false } as const;
const seconds = (def: number, min = 0, max = 86_400) => Type.Integer({ minimum: min, maximum: max, default: def });
const port = (def: number) => Type.Integer({ minimum: 1, maximum: 65_535, default: def });

const Line = Type.Object({
  number: Type.String({ pattern: '^[0-9]{3,20}$' }),
  name: Type.String({ minLength: 1, default: '12345 市民服务热线' }),
  greeting: Type.String({ minLength: 1, default: 'sound:hotline/greeting' }),
  wrapUpSeconds: seconds(15, 0, 3_600),
}, closed);

/** The service's whole configuration: every key, its default and what it allows. */
export const ConfigSchema = Type.Object({
  service: Type.Object({
    host: Type.String({ minLength: 1, default: '0.0.0.0' }),
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
  agents: Type.Object({
    ringTimeoutSeconds: seconds(20, 5, 120),
    wrapUpSeconds: seconds(15, 0, 3_600),
    noAnswerPauseReason: Type.String({ minLength: 1, default: 'no_answer' }),
  }, { ...closed, default: {} }),
  simulator: Type.Object({
    agents: Type.Integer({ minimum: 0, maximum: 5_000, default: 20 }),
    callsPerMinute: Type.Number({ minimum: 0, maximum: 10_000, default: 6 }),
    seed: Type.Integer({ default: 1 }),
    talkSeconds: seconds(150, 1),
    patienceSeconds: seconds(60, 1),
  }, { ...closed, default: {} }),
  log: Type.Object({
    level: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
    pretty: Type.Boolean({ default: false }),
  }, { ...closed, default: {} }),
}, closed);

type Loaded = Type.Static<typeof ConfigSchema>;

/** The configuration after loading: optional switches are settled (pbx.mode, ami.enabled). */
export type Config = Omit<Loaded, 'pbx' | 'ami'> & {
  pbx: { mode: 'simulator' | 'asterisk' };
  ami: Omit<Loaded['ami'], 'enabled'> & { enabled: boolean };
};

export type LineConfig = Config['lines'][number];

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
  { name: 'HOTLINE_LOG_LEVEL', path: ['log', 'level'] },
  { name: 'HOTLINE_LOG_PRETTY', path: ['log', 'pretty'] },
];
