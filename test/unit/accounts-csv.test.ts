import { describe, expect, it } from 'vitest';
import { checkImport, csvField, parseCsv, parseSkills, writeCsv } from '../../src/features/admin/accounts-csv.ts';
import type { AccountChecks, ImportError } from '../../src/features/admin/accounts-csv.ts';
import { checkPassword } from '../../src/features/auth/passwords.ts';

const HEADER = 'username,display_name,role,seat,skills,desk,unit_code,initial_password';

function checks(over: Partial<AccountChecks> = {}): AccountChecks {
  return {
    usernameTaken: (u) => u === 'taken.user',
    seatTaken: (s) => s === 'seat9999',
    unitExists: (c) => c === '110105001' || c === '110101',
    knownSkills: new Set(['general', 'market', 'social']),
    desks: new Set(['main', 'business']),
    listedLevel: 3,
    passwordProblems: (p, u) => checkPassword(p, u),
    ...over,
  };
}

const at = (errors: ImportError[]) => errors.map((e) => `${e.row}:${e.column}`);

describe('accounts CSV', () => {
  it('when a file comes from Excel (BOM, CRLF, quoted fields with commas, quotes and a line break, Chinese names), then every field is read as written', () => {
    const text = `\uFEFF${HEADER}\r\n`
      + 'zhang.san,"张三, 市场组",agent,seat0001,general:3;market:2,main,,\r\n'
      + 'li.si,"李四 ""老李""",unit,,,,110105001,\r\n'
      + 'wang.wu,"王五\r\n夜班",supervisor,,,,,\r\n';
    const { records, error } = parseCsv(text);
    expect(error).toBeUndefined();
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    expect(records[1]!.fields[1]).toBe('张三, 市场组');
    expect(records[2]!.fields[1]).toBe('李四 "老李"');
    expect(records[3]!.fields[1]).toBe('王五\r\n夜班');
    const checked = checkImport(text, checks());
    expect(checked.errors).toEqual([]);
    expect(checked.rows).toBe(3);
    expect(checked.accounts[0]).toMatchObject({ username: 'zhang.san', displayName: '张三, 市场组', role: 'agent', seat: 'seat0001', skills: { general: 3, market: 2 }, desk: 'main' });
    expect(checked.accounts[1]).toMatchObject({ username: 'li.si', role: 'unit', unitCode: '110105001', seat: null, skills: null });
  });

  it('when the columns come in another order, with LF line ends and without the optional ones, then they are read by name', () => {
    const text = 'role,username,display_name,unit_code\nunit,unit.a,甲单位,110101\nadmin,boss.a,管理员,\n';
    const checked = checkImport(text, checks());
    expect(checked.errors).toEqual([]);
    expect(checked.accounts.map((a) => [a.username, a.role, a.unitCode])).toEqual([['unit.a', 'unit', '110101'], ['boss.a', 'admin', null]]);
  });

  it('when the header lacks a required column or names an unknown one, then the header row (1) says so', () => {
    const checked = checkImport('username,role,colour\nx.y.z,agent,red\n', checks());
    expect(checked.errors.map((e) => [e.row, e.column])).toEqual([[1, 'colour'], [1, 'display_name']]);
    expect(checked.errors[1]!.reason).toMatch(/缺少必需列/);
    expect(checked.errors[1]!.reason_en).toMatch(/Missing column/);
  });

  it('when rows break every rule, then every error of every row comes at once with its line and column', () => {
    const text = [
      HEADER,
      'dup.user,甲,agent,seat0001,general:3,main,,',            // 2 fine
      'dup.user,乙,agent,seat0001,general:9,nowhere,,',         // 3 duplicate username, seat repeats 2, bad level, unknown desk
      'taken.user,丙,agent,seat9999,cooking:2,,,',              // 4 username exists, seat taken, unknown skill
      'Bad Name!,丁,wizard,,,,,',                               // 5 bad username, unknown role
      'unit.x,戊,unit,,,,999999,',                              // 6 unknown unit
      'unit.y,己,unit,,,,,',                                    // 7 unit without a unit code
      'agent.z,庚,agent,,,,,qwertyuiop',                        // 8 agent without seat, common password
      'sup.x,,supervisor,seat0100,general:2,main,110101,',      // 9 no name, seat/skills/desk/unit not for a supervisor
      'short.row,辛,agent',                                     // 10 too few fields
    ].join('\n');
    const checked = checkImport(text, checks());
    expect(at(checked.errors)).toEqual([
      '3:username', '3:seat', '3:skills', '3:desk',
      '4:username', '4:seat', '4:skills',
      '5:username', '5:role',
      '6:unit_code',
      '7:unit_code',
      '8:seat', '8:initial_password',
      '9:display_name', '9:seat', '9:skills', '9:desk', '9:unit_code',
      '10:(row)',
    ]);
    const reason = (row: number, column: string) => checked.errors.find((e) => e.row === row && e.column === column)!;
    expect(reason(3, 'username').reason).toBe('用户名与第 2 行重复');
    expect(reason(3, 'seat').reason_en).toBe('The seat repeats line 2');
    expect(reason(4, 'username').reason).toBe('用户名已存在');
    expect(reason(4, 'seat').reason).toBe('该座席已被占用');
    expect(reason(4, 'skills').reason).toBe('未知技能：cooking');
    expect(reason(3, 'skills').reason_en).toMatch(/Bad skill level: general:9/);
    expect(reason(6, 'unit_code').reason).toBe('未知单位代码：999999');
    expect(reason(8, 'initial_password').reason).toMatch(/过于常见/);
    expect(checked.accounts.map((a) => a.username)).toEqual(['dup.user']);
  });

  it('when a quoted field is never closed, then the line it began on is named', () => {
    const checked = checkImport(`${HEADER}\nok.user,甲,admin,,,,,\nbroken,"乙,admin,,,,,\n`, checks());
    expect(checked.errors).toEqual([{ row: 3, column: '(row)', reason: '引号未闭合', reason_en: 'A quoted field is not closed' }]);
  });

  it('when blank lines or rows of empty cells are in the file, then they are skipped; an empty file says so', () => {
    expect(checkImport(`${HEADER}\n\nok.user,甲,admin,,,,,\n,,,,,,,\n`, checks())).toMatchObject({ rows: 1, errors: [] });
    expect(checkImport('', checks()).errors[0]).toMatchObject({ row: 1, column: '(header)' });
  });

  it('when skills are written with Chinese punctuation or without levels, then they are read', () => {
    expect(parseSkills('general：3；market', 3)).toEqual({ skills: { general: 3, market: 3 }, bad: [] });
    expect(parseSkills('general:0;market:x', 3).bad).toEqual(['general:0', 'market:x']);
  });

  it('when CSV is written, then fields are quoted as needed, formulas defused, CRLF used and a BOM added on request', () => {
    expect(csvField('张三, 市场组')).toBe('"张三, 市场组"');
    expect(csvField('a "b"')).toBe('"a ""b"""');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    const text = writeCsv(['a', 'b'], [['1', null]], true);
    expect(text).toBe('\uFEFFa,b\r\n1,\r\n');
    expect(parseCsv(writeCsv(['n'], [['王五\r\n夜班']])).records[1]!.fields).toEqual(['王五\r\n夜班']);
  });
});
