import { pino, type DestinationStream, type Level, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level: Level | 'silent';
  /** One readable line per entry instead of JSON; for a person at a terminal, not for log shippers. */
  readonly pretty?: boolean;
  /** Where entries go; standard output when absent. */
  readonly destination?: DestinationStream;
}

const SENSITIVE = ['password', 'password_hash', 'passwordHash', 'secret', 'authorization', 'api_key', 'apiKey', 'cookie', 'csrf_token', 'csrfToken', 'token'];

/** Field paths blanked in every entry: sensitive names at the top, one and two levels down, and request/response headers. */
export const REDACTED_PATHS: readonly string[] = [
  ...SENSITIVE,
  ...SENSITIVE.map((k) => `*.${k}`),
  ...SENSITIVE.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? (options.pretty ? prettyLines(process.stdout) : undefined);
  return pino(
    {
      level: options.level,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      base: { service: 'hotline12345' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

/** A destination writing `time LEVEL msg {rest}` lines to a text stream. */
export function prettyLines(out: { write(text: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      try {
        const { time, level, msg, service: _service, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
        out.write(`${String(time ?? '')} ${String(level ?? '').toUpperCase().padEnd(5)} ${String(msg ?? '')}${extra}\n`);
      } catch {
        out.write(line);
      }
    },
  };
}
