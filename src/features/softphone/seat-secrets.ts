import { readFileSync } from 'node:fs';

/** The SIP digest credentials of one seat, as scripts/gen-seats.ts writes them. */
export interface SeatCredentials { seat: string; username: string; secret: string }

/** Why no credentials could be read: the file is missing or unreadable, or not in the seats CSV format. */
export type SeatSecretsProblem = 'secrets_unreadable' | 'secrets_malformed';

export type SeatLookup =
  | { ok: true; credentials: SeatCredentials }
  | { ok: false; reason: 'no_secret' | SeatSecretsProblem };

const HEADER = 'seat,username,secret';
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const SECRET = /^[\x21-\x7e]{8,256}$/;

/**
 * Reads the seats CSV (`seat,username,secret`, one seat a line) into a map. A line that is not three
 * plain fields makes the whole file malformed: half a file of secrets is not a file to trust.
 */
export function parseSeatSecrets(text: string): Map<string, SeatCredentials> | 'secrets_malformed' {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if ((lines[0] ?? '').trim() !== HEADER) return 'secrets_malformed';
  const seats = new Map<string, SeatCredentials>();
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const fields = line.split(',');
    if (fields.length !== 3) return 'secrets_malformed';
    const [seat, username, secret] = fields.map((f) => f.trim()) as [string, string, string];
    if (!NAME.test(seat) || !NAME.test(username) || !SECRET.test(secret)) return 'secrets_malformed';
    if (seats.has(seat)) return 'secrets_malformed';
    seats.set(seat, { seat, username, secret });
  }
  return seats;
}

/**
 * The seats CSV of one file, read at each lookup: seats added or secrets rotated count at once, without a
 * restart (a lookup is one agent opening the desktop; the file of 750 seats is about 40 kB).
 */
export function createSeatSecrets(file: string) {
  function load(): Map<string, SeatCredentials> | SeatSecretsProblem {
    try {
      return parseSeatSecrets(readFileSync(file, 'utf8'));
    } catch {
      return 'secrets_unreadable';
    }
  }

  return {
    lookup(seat: string): SeatLookup {
      const seats = load();
      if (typeof seats === 'string') return { ok: false, reason: seats };
      const credentials = seats.get(seat);
      return credentials ? { ok: true, credentials } : { ok: false, reason: 'no_secret' };
    },
  };
}

export type SeatSecrets = ReturnType<typeof createSeatSecrets>;
