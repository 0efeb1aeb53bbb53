import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/store/database.ts';
import { verifyPassword } from '../../src/features/auth/passwords.ts';

const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-admin-cli-'));
  db = join(dir, 'hotline.sqlite');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `npm run admin -- …` as the operator would (tsx, the service's config from the environment). */
function admin(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(tsx, ['scripts/admin.ts', ...args], {
      cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, HOTLINE_DB: db }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += String(d); });
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function query<T>(sql: string, ...args: unknown[]): T[] {
  const handle = openDatabase(db);
  try { migrate(handle); return handle.prepare(sql).all(...args) as T[]; } finally { handle.close(); }
}

describe('admin command line', () => {
  it('when asked for help, then it lists every command with its flags; a bad command or flag exits 2 with the reason', async () => {
    const help = await admin('help');
    expect(help.code).toBe(0);
    for (const word of ['create-user', 'import-users', 'reset-password', 'disable-user', '--username', '--role', '--password-file', '--display-name', '--unit', '--seat', '--file', '--dry-run']) {
      expect(help.stdout).toContain(word);
    }
    const unknown = await admin('make-coffee');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/未知命令 make-coffee/);
    const badFlag = await admin('create-user', '--username', 'x.y.z', '--colour', 'red');
    expect(badFlag).toMatchObject({ code: 2, stderr: expect.stringMatching(/未知参数 --colour/) });
    const missing = await admin('create-user', '--role', 'admin');
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/缺少 --username/) });
    const badRole = await admin('create-user', '--username', 'x.y.z', '--role', 'boss');
    expect(badRole.code).toBe(2);
    const noValue = await admin('import-users', '--file');
    expect(noValue).toMatchObject({ code: 2, stderr: expect.stringMatching(/--file 缺少取值/) });
  }, 60_000);

  it('when the first administrator is created from a password file, then the password is theirs (not one-time) and the change is audited as cli:<user>; a weak one is refused', async () => {
    const file = join(dir, 'admin.pw');
    writeFileSync(file, 'Velvet-Compass-58\n', { mode: 0o600 });
    const created = await admin('create-user', '--username', 'admin', '--role', 'admin', '--display-name', '系统管理员', '--password-file', file);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/已创建 admin/);
    const [row] = query<{ password_hash: string; must_change_password: number; display_name: string }>('SELECT * FROM users WHERE username = ?', 'admin');
    expect(row).toMatchObject({ must_change_password: 0, display_name: '系统管理员' });
    expect(await verifyPassword('Velvet-Compass-58', row!.password_hash)).toBe(true);
    expect(query('SELECT actor_username, action, outcome FROM admin_audit')).toEqual([{ actor_username: `cli:${userInfo().username}`, action: 'user.create', outcome: 'ok' }]);
    for (const file of [db, `${db}-wal`]) expect(existsSync(file) && readFileSync(file).includes(Buffer.from('Velvet-Compass-58'))).toBe(false);

    writeFileSync(file, 'password\n');
    const weak = await admin('create-user', '--username', 'admin2', '--role', 'admin', '--password-file', file);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/至少需要 10 个字符/);
    expect(query('SELECT username FROM users WHERE username = ?', 'admin2')).toEqual([]);

    const generated = await admin('create-user', '--username', 'duty.lead', '--role', 'supervisor');
    expect(generated.code).toBe(0);
    const password = /shown once\): (\S+)/.exec(generated.stdout)?.[1];
    expect(password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{16}$/);
    expect(query('SELECT must_change_password FROM users WHERE username = ?', 'duty.lead')).toEqual([{ must_change_password: 1 }]);
  }, 60_000);

  it('when an import file has errors, then the dry run prints each in Chinese with its row and column and exits 1, creating nothing; the real import creates them all and writes the passwords once', async () => {
    const csv = join(dir, 'agents.csv');
    writeFileSync(csv, '\uFEFFusername,display_name,role,seat,skills,unit_code\r\n'
      + 'agent.001,"王芳, 早班",agent,seat0001,general:3,\r\n'
      + 'agent.002,李强,agent,seat0001,general:7,\r\n'
      + 'unit.001,建外街道,unit,,,999999\r\n');
    const dry = await admin('import-users', '--file', csv, '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.stdout.split('\n').filter((l) => l.startsWith('第'))).toEqual([
      '第 3 行 seat：座席号与第 2 行重复  (row 3 seat: The seat repeats line 2)',
      expect.stringMatching(/^第 3 行 skills：技能等级无效：general:7/),
      '第 4 行 unit_code：未知单位代码：999999  (row 4 unit_code: Unknown unit code: 999999)',
    ]);
    const refused = await admin('import-users', '--file', csv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/第 3 行 seat/);
    expect(query('SELECT username FROM users WHERE username LIKE ?', '%.00%')).toEqual([]);

    const unit = query<{ code: string }>("SELECT code FROM units WHERE kind <> 'district' ORDER BY code LIMIT 1")[0]!.code;
    writeFileSync(csv, readFileSync(csv, 'utf8').replace('seat0001,general:7', 'seat0002,general:4').replace('999999', unit));
    expect((await admin('import-users', '--file', csv, '--dry-run')).stdout).toMatch(/检查通过：3 行/);
    const out = join(dir, 'passwords.csv');
    const done = await admin('import-users', '--file', csv, '--passwords-out', out);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/已创建 3 个账号/);
    expect(done.stderr).toMatch(/100%/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const lines = readFileSync(out, 'utf8').trim().split('\r\n');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['username', 'agent.001', 'agent.002', 'unit.001']);
    const [, password] = lines[1]!.split(',');
    const [row] = query<{ password_hash: string }>('SELECT password_hash FROM users WHERE username = ?', 'agent.001');
    expect(await verifyPassword(password!, row!.password_hash)).toBe(true);
    expect(query('SELECT name, desk FROM agents ORDER BY seat')).toEqual([{ name: '王芳, 早班', desk: null }, { name: '李强', desk: null }]);
    expect((await admin('import-users', '--file', csv, '--passwords-out', out)).code).toBe(2);

    const disabled = await admin('disable-user', '--username', 'agent.001');
    expect(disabled.code).toBe(0);
    expect(query('SELECT disabled_at IS NOT NULL AS d FROM users WHERE username = ?', 'agent.001')).toEqual([{ d: 1 }]);
    const reset = await admin('reset-password', '--username', 'agent.002');
    expect(reset.code).toBe(0);
    expect((await admin('reset-password', '--username', 'nobody.here')).code).toBe(1);
    const actions = query<{ action: string; outcome: string }>('SELECT action, outcome FROM admin_audit ORDER BY id').map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['users.import:refused', 'users.import:ok', 'user.disable:ok', 'user.reset_password:ok']));
  }, 120_000);
});
