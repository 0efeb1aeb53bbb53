/**
 * Writes the seats' PJSIP objects (endpoint, aor and auth per seat, built on the templates in
 * config/pjsip.conf) and a CSV of their credentials for provisioning phones.
 *
 *   npx tsx scripts/gen-seats.ts --count 750 --prefix seat \
 *     --out config/generated/pjsip_seats.conf --secrets config/generated/seats.csv [--webrtc] [--force]
 *
 * Both files hold secrets: they are written with mode 0600 and are never committed.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SeatOptions {
  count: number;
  prefix?: string;
  /** Number of the first seat (default 1). */
  first?: number;
  /** Browser phone seats (webrtc-seat-template) instead of SIP phone seats. */
  webrtc?: boolean;
  /** Source of randomness, for tests; defaults to crypto.randomBytes. */
  random?: (size: number) => Buffer;
}

export interface Seat { name: string; username: string; secret: string }

export interface GeneratedSeats { seats: Seat[]; conf: string; csv: string }

export const SECRET_BYTES = 24; // 32 base64url characters, 192 bits
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,30}$/;

export function seatName(prefix: string, n: number, count: number, first = 1): string {
  const width = Math.max(4, String(first + count - 1).length);
  return `${prefix}${String(n).padStart(width, '0')}`;
}

export function generateSeats(opts: SeatOptions): GeneratedSeats {
  const prefix = opts.prefix ?? 'seat';
  const first = opts.first ?? 1;
  const random = opts.random ?? randomBytes;
  if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > 100_000) {
    throw new RangeError(`count must be an integer from 1 to 100000, got ${opts.count}`);
  }
  if (!Number.isInteger(first) || first < 0) throw new RangeError(`first must be a non-negative integer, got ${first}`);
  if (!NAME.test(`${prefix}0`)) throw new RangeError(`prefix "${prefix}" must start with a letter and use only letters, digits, - and _`);

  const endpointTemplate = opts.webrtc ? 'webrtc-seat-template' : 'seat-template';
  const seen = new Set<string>();
  const seats: Seat[] = [];
  for (let n = first; n < first + opts.count; n++) {
    const name = seatName(prefix, n, opts.count, first);
    let secret = random(SECRET_BYTES).toString('base64url');
    // A repeat is practically impossible with 192 random bits; a broken random source must not pass.
    for (let tries = 0; seen.has(secret); tries++) {
      if (tries >= 3) throw new Error('random source keeps repeating secrets');
      secret = random(SECRET_BYTES).toString('base64url');
    }
    if (secret.length < 20) throw new Error('random source returned too few bytes for a secret');
    seen.add(secret);
    seats.push({ name, username: name, secret });
  }

  const conf: string[] = [
    `; Seats ${seats[0]!.name}..${seats[seats.length - 1]!.name} (${seats.length}), ${opts.webrtc ? 'browser phones (WSS)' : 'SIP phones'}.`,
    '; Included by pjsip.conf. Holds secrets: keep it mode 0600/0640 and out of version control.',
    '',
  ];
  for (const s of seats) {
    conf.push(
      `[${s.name}](${endpointTemplate})`,
      `auth = ${s.name}`,
      `aors = ${s.name}`,
      `callerid = "${s.name}" <${s.name}>`,
      '',
      `[${s.name}](seat-aor-template)`,
      '',
      `[${s.name}](seat-auth-template)`,
      `username = ${s.username}`,
      `password = ${s.secret}`,
      '',
    );
  }
  const csv = ['seat,username,secret', ...seats.map((s) => `${s.name},${s.username},${s.secret}`)].join('\n') + '\n';
  return { seats, conf: conf.join('\n'), csv };
}

export interface WriteSeatOptions extends SeatOptions {
  out: string;
  secrets: string;
  force?: boolean;
}

export class RefusedOverwriteError extends Error {
  constructor(readonly files: string[]) {
    super(`refusing to overwrite ${files.join(' and ')} (existing phones use those secrets); pass --force to replace`);
    this.name = 'RefusedOverwriteError';
  }
}

/** Generates and writes both files (mode 0600); refuses to replace either unless `force`. */
export function writeSeatFiles(opts: WriteSeatOptions): GeneratedSeats {
  const existing = [opts.out, opts.secrets].filter((f) => existsSync(f));
  if (existing.length > 0 && !opts.force) throw new RefusedOverwriteError(existing);
  const generated = generateSeats(opts);
  for (const [file, text] of [[opts.out, generated.conf], [opts.secrets, generated.csv]] as const) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // A new file, 0600 before the first byte, renamed over the old one: rewriting an existing (perhaps 0644)
    // file in place would hand the new secrets to anyone who opened it while it was readable.
    const partial = `${file}.${process.pid}.part`;
    writeFileSync(partial, text, { mode: 0o600, flag: 'wx', flush: true });
    chmodSync(partial, 0o600); // the mode above is narrowed by the umask, never widened: make it exact
    renameSync(partial, file);
  }
  return generated;
}

const USAGE = 'usage: gen-seats --count N [--prefix seat] [--first 1] --out pjsip_seats.conf --secrets seats.csv [--webrtc] [--force]';

export function parseArgs(argv: readonly string[]): WriteSeatOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--webrtc' || arg === '--force') { flags.add(arg); continue; }
    if (!['--count', '--prefix', '--first', '--out', '--secrets'].includes(arg)) throw new Error(`unknown argument "${arg}"\n${USAGE}`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value\n${USAGE}`);
    values.set(arg, value);
  }
  const count = Number(values.get('--count'));
  const out = values.get('--out');
  const secrets = values.get('--secrets');
  if (!values.has('--count') || out === undefined || secrets === undefined) throw new Error(USAGE);
  return {
    count,
    prefix: values.get('--prefix') ?? 'seat',
    first: values.has('--first') ? Number(values.get('--first')) : 1,
    out: resolve(out),
    secrets: resolve(secrets),
    webrtc: flags.has('--webrtc'),
    force: flags.has('--force'),
  };
}

function main(): void {
  try {
    const opts = parseArgs(process.argv.slice(2));
    const { seats } = writeSeatFiles(opts);
    process.stdout.write(`gen-seats: ${seats.length} seats ${seats[0]!.name}..${seats[seats.length - 1]!.name} -> ${opts.out}\n`);
    process.stdout.write(`gen-seats: credentials for provisioning phones -> ${opts.secrets} (mode 0600)\n`);
  } catch (err) {
    process.stderr.write(`gen-seats: ${(err as Error).message}\n`);
    process.exitCode = err instanceof RefusedOverwriteError ? 3 : 2;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
