import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { parseCommonPasswords, passwordProblems } from '../../domain/password-policy.ts';
import type { PasswordProblem } from '../../domain/password-policy.ts';

const KEY_LENGTH = 64;
const COST = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
/**
 * The cost for a generated one-time password: 16 characters of a 57-letter alphabet are 93 random bits,
 * beyond any guessing whatever the hash costs, and the person replaces it at the first sign-in (hashed then
 * at full cost). It keeps a bulk import of thousands of accounts to seconds instead of minutes.
 */
const GENERATED_COST = { N: 1024, r: 8, p: 1 };

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem: COST.maxmem }, (error, key) => {
      if (error) reject(error); else resolve(key);
    });
  });
}

async function hashWith(password: string, cost: { N: number; r: number; p: number }): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export function hashPassword(password: string): Promise<string> {
  return hashWith(password, COST);
}

/** The hash of a password made by generatePassword() (never one a person chose). */
export function hashGeneratedPassword(password: string): Promise<string> {
  return hashWith(password, GENERATED_COST);
}

/** True when the stored hash is cheaper than a chosen password's (a generated one-time password). */
export function isLightHash(stored: string): boolean {
  const n = Number(stored.split('$')[1]);
  return Number.isFinite(n) && n < COST.N;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = await derive(password, salt, { N, r, p });
  return timingSafeEqual(actual, expected);
}

/** A hash to compare against when the user does not exist, so a wrong username costs as much as a wrong password. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(12).toString('hex'));
  return decoy;
}

/** No 0/O, 1/l/I: read aloud or copied from paper without mistakes. */
const UNAMBIGUOUS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export const GENERATED_PASSWORD_LENGTH = 16;

let common: Set<string> | undefined;
/** The common-password list shipped in src/domain/common-passwords.txt, read once. */
export function commonPasswords(): ReadonlySet<string> {
  common ??= parseCommonPasswords(readFileSync(new URL('../../domain/common-passwords.txt', import.meta.url), 'utf8'));
  return common;
}

/** Every reason the policy refuses the password a person chose (empty when it is allowed). */
export function checkPassword(password: string, username?: string): PasswordProblem[] {
  return passwordProblems(password, { username, common: commonPasswords() });
}

/** A one-time password of 16 random characters of an unambiguous alphabet, one the policy allows. */
export function generatePassword(username?: string): string {
  for (;;) {
    let out = '';
    for (let i = 0; i < GENERATED_PASSWORD_LENGTH; i++) out += UNAMBIGUOUS[randomInt(UNAMBIGUOUS.length)];
    if (checkPassword(out, username).length === 0) return out;
  }
}

/**
 * Hashes many passwords on libuv's thread pool, a few at a time (the event loop stays free for calls),
 * in the order given. `onProgress` is told after each one.
 */
export async function hashMany(
  items: ReadonlyArray<{ password: string; generated: boolean }>,
  opts: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<string[]> {
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? availableParallelism(), 4));
  const out = new Array<string>(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      const item = items[i]!;
      out[i] = await (item.generated ? hashGeneratedPassword(item.password) : hashPassword(item.password));
      opts.onProgress?.(++done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
