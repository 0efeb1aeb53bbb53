import { describe, expect, it } from 'vitest';
import { PASSWORD_MIN_LENGTH, describePasswordProblems, parseCommonPasswords, passwordProblems } from '../../src/domain/password-policy.ts';
import { GENERATED_PASSWORD_LENGTH, checkPassword, commonPasswords, generatePassword, hashGeneratedPassword, hashPassword, isLightHash, verifyPassword } from '../../src/features/auth/passwords.ts';

const codes = (password: string, username?: string) => checkPassword(password, username).map((p) => p.code);

describe('password policy', () => {
  it('when a password is shorter than 10 characters, then it is refused as too short, in Chinese and English', () => {
    const problems = checkPassword('Xk9#mQ2v', 'zhang.san');
    expect(problems.map((p) => p.code)).toEqual(['too_short']);
    expect(problems[0]!.reason).toMatch(/至少需要 10 个字符/);
    expect(problems[0]!.reason_en).toMatch(/at least 10/);
    expect(codes('Xk9#mQ2v7!', 'zhang.san')).toEqual([]);
    expect(PASSWORD_MIN_LENGTH).toBe(10);
  });

  it('when a password is the username or contains it (any case), then it is refused', () => {
    expect(codes('zhangsan.01', 'zhangsan.01')).toEqual(['is_username']);
    expect(codes('ZHANGSAN.01', 'zhangsan.01')).toEqual(['is_username']);
    expect(codes('My-Zhangsan-7x', 'zhangsan')).toEqual(['contains_username']);
    expect(codes('My-Lisi-Pass-7x', 'zhangsan')).toEqual([]);
  });

  it('when a password is on the common list, with digits or symbols around it, or in any case, then it is refused', () => {
    for (const p of ['qwertyuiop', 'QwertyUIOP', '1234567890', 'woaini1314', 'a123456789', 'password123', 'basketball', 'hotline12345', '!!basketball2024']) {
      expect(codes(p), p).toContain('common');
    }
    expect(commonPasswords().size).toBeGreaterThan(3000);
  });

  it('when a password is a run of keys or digits, or a short pattern repeated, then it is refused as a pattern', () => {
    for (const p of ['asdfghjkl;\'', '0987654321', '12345678901234', 'zyxwvutsrqpo', 'aaaaaaaaaaaa', 'abcabcabcabc', '1qaz2wsx3edc4rfv', 'ababababab']) {
      expect(codes(p), p).toEqual(expect.arrayContaining([expect.stringMatching(/^(pattern|common)$/)]));
    }
  });

  it('when a password breaks several rules, then every reason is given at once', () => {
    const problems = passwordProblems('li', { username: 'li', common: parseCommonPasswords('# list\nli\n') });
    expect(problems.map((p) => p.code)).toEqual(['too_short', 'is_username', 'common']);
    const text = describePasswordProblems(problems);
    expect(text.reason.split('；')).toHaveLength(3);
    expect(text.reason_en.split('; ')).toHaveLength(3);
  });

  it('when a password is generated, then it has 16 unambiguous characters and always passes the policy', () => {
    for (let i = 0; i < 300; i++) {
      const p = generatePassword('abc');
      expect(p).toHaveLength(GENERATED_PASSWORD_LENGTH);
      expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]+$/);
      expect(checkPassword(p, 'abc')).toEqual([]);
    }
  });

  it('when a generated password is hashed, then it verifies and is marked light; a chosen one is hashed at full cost', async () => {
    const generated = generatePassword();
    const light = await hashGeneratedPassword(generated);
    expect(isLightHash(light)).toBe(true);
    expect(await verifyPassword(generated, light)).toBe(true);
    expect(await verifyPassword('wrong-password-1', light)).toBe(false);
    const full = await hashPassword('Xk9#mQ2v7!');
    expect(isLightHash(full)).toBe(false);
    expect(await verifyPassword('Xk9#mQ2v7!', full)).toBe(true);
  });
});
