/**
 * The rule for every password a person sets (an account created, imported, changed, or reset by an
 * administrator with a chosen password): at least 10 characters, not the username nor containing it,
 * not a known common password nor a run of digits or keys, one repeated character or a short repeated
 * pattern. Every reason is given at once, in Chinese and English. Generated passwords (16 random
 * characters of an unambiguous alphabet) are made to pass.
 */

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordProblemCode = 'too_short' | 'too_long' | 'is_username' | 'contains_username' | 'common' | 'pattern';

export interface PasswordProblem {
  code: PasswordProblemCode;
  reason: string;       // Simplified Chinese
  reason_en: string;
}

export interface PasswordContext {
  username?: string | undefined;
  /** Common passwords, lower case (src/domain/common-passwords.txt). */
  common: ReadonlySet<string>;
}

const TEXT: Record<PasswordProblemCode, { zh: string; en: string }> = {
  too_short: { zh: `密码至少需要 ${PASSWORD_MIN_LENGTH} 个字符`, en: `The password must have at least ${PASSWORD_MIN_LENGTH} characters` },
  too_long: { zh: `密码不能超过 ${PASSWORD_MAX_LENGTH} 个字符`, en: `The password must have at most ${PASSWORD_MAX_LENGTH} characters` },
  is_username: { zh: '密码不能与用户名相同', en: 'The password must not be the username' },
  contains_username: { zh: '密码不能包含用户名', en: 'The password must not contain the username' },
  common: { zh: '密码过于常见，容易被猜中', en: 'The password is too common and easy to guess' },
  pattern: { zh: '密码是连续或重复的数字、字母或键盘序列，容易被猜中', en: 'The password is a run or repetition of digits, letters or keys, easy to guess' },
};

function problem(code: PasswordProblemCode): PasswordProblem {
  return { code, reason: TEXT[code].zh, reason_en: TEXT[code].en };
}

/** Keyboard rows and the digit row, each read both ways, for runs like `qwertyuiop` or `0987654321`. */
const RUNS = [
  '0123456789012345678901234567890', 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz',
  'qwertyuiop[]', 'asdfghjkl;\'', 'zxcvbnm,./', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/', 'qazwsxedcrfvtgbyhnujmik,ol.p;/',
  'zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0', '1q2w3e4r5t6y7u8i9o0p', 'q1w2e3r4t5y6u7i8o9p0', 'qweasdzxcrtyfghvbnuiojklm,.',
];
const RUNS_BOTH_WAYS = [...RUNS, ...RUNS.map((r) => [...r].reverse().join(''))];

/** True when the whole password, lower-cased, is a piece of one keyboard or alphabet run. */
function isRun(lower: string): boolean {
  return RUNS_BOTH_WAYS.some((run) => run.includes(lower));
}

/** True when the password is a unit of at most 4 characters repeated (`aaaaaaaaaa`, `abcabcabcabc`, `12121212`). */
function isRepetition(lower: string): boolean {
  for (let unit = 1; unit <= 4; unit++) {
    if (lower.length < unit * 2 || lower.length % unit !== 0) continue;
    if (lower.slice(0, unit).repeat(lower.length / unit) === lower) return true;
  }
  return false;
}

/** A common password with digits or symbols around it (`password123!`, `!qwertyuiop`) is still common. */
function coreOf(lower: string): string {
  return lower.replace(/^[^a-z]+/, '').replace(/[^a-z]+$/, '');
}

/** Every reason the password is refused; empty when it is allowed. */
export function passwordProblems(password: string, context: PasswordContext): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(problem('too_short'));
  if (length > PASSWORD_MAX_LENGTH) problems.push(problem('too_long'));
  const lower = password.normalize('NFKC').toLowerCase();
  const username = context.username?.trim().toLowerCase() ?? '';
  if (username !== '') {
    if (lower === username) problems.push(problem('is_username'));
    else if (lower.includes(username)) problems.push(problem('contains_username'));
  }
  const core = coreOf(lower);
  if (context.common.has(lower) || (core.length >= 6 && context.common.has(core))) problems.push(problem('common'));
  else if (isRepetition(lower) || isRun(lower)) problems.push(problem('pattern'));
  return problems;
}

/** The problems as one line in each language, for a field error or a CSV row. */
export function describePasswordProblems(problems: readonly PasswordProblem[]): { reason: string; reason_en: string } {
  return { reason: problems.map((p) => p.reason).join('；'), reason_en: problems.map((p) => p.reason_en).join('; ') };
}

/** Reads the common-password list: one a line, `#` comments and blank lines skipped, lower-cased. */
export function parseCommonPasswords(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const word = line.trim();
    if (word === '' || word.startsWith('#')) continue;
    out.add(word.toLowerCase());
  }
  return out;
}
