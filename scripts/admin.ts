/**
 * The administrators' command line: `npm run admin -- <command> [flags]`. It works on the configured
 * database (the same config file and environment as the service: HOTLINE_CONFIG, HOTLINE_DB …) whether the
 * service is running or not (SQLite in WAL mode), applying the same migrations first. Every change is in the
 * admin audit with the actor `cli:<os user>`. Exit codes: 0 done, 1 refused (the reasons are printed),
 * 2 bad command or flags.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { realClock } from '../src/clock.ts';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { isHotlineError } from '../src/domain/errors.ts';
import { createLogger } from '../src/log.ts';
import { migrate, openDatabase } from '../src/store/database.ts';
import { readUnitsSeed, seedUnits } from '../src/store/seed-units.ts';
import { ROLES } from '../src/features/auth/auth.service.ts';
import { createAccountsService } from '../src/features/admin/accounts.service.ts';
import type { AccountsService } from '../src/features/admin/accounts.service.ts';
import type { ImportError } from '../src/features/admin/accounts-csv.ts';
import type { AuditActor } from '../src/features/admin/admin-audit.ts';

interface Command { flags: Record<string, string>; booleans?: string[]; required: string[]; what: string }

const COMMANDS: Record<string, Command> = {
  help: { flags: {}, required: [], what: '列出全部命令和参数 (list every command and its flags)' },
  'create-user': {
    flags: {
      '--username': '<u>    用户名：3–32 个 a-z 0-9 . _ -',
      '--role': `<r>    角色：${ROLES.join(' | ')}`,
      '--password-file': '<f>  存放密码的文件（首行）；不给则生成一次性密码并只显示一次',
      '--display-name': '<n>  显示名（默认为用户名）',
      '--unit': '<code>     承办单位代码（unit 角色必填）',
      '--seat': '<seat>     座席号（agent 角色必填）',
    },
    required: ['--username', '--role'],
    what: '创建一个账号 (create an account)',
  },
  'import-users': {
    flags: {
      '--file': '<csv>      CSV：username,display_name,role,seat,skills,desk,unit_code,initial_password',
      '--dry-run': '          只检查，不创建 (check only)',
      '--passwords-out': '<f>  把生成的一次性密码写入新文件（权限 0600）；不给则打印到标准输出',
    },
    booleans: ['--dry-run'],
    required: ['--file'],
    what: '从 CSV 批量导入账号，全部成功或全部不建 (import accounts, all or nothing)',
  },
  'reset-password': { flags: { '--username': '<u>' }, required: ['--username'], what: '重置为一次性密码并显示一次 (reset to a one-time password)' },
  'disable-user': { flags: { '--username': '<u>' }, required: ['--username'], what: '停用账号并结束其全部会话 (disable an account, end its sessions)' },
};

class UsageError extends Error {}

function helpText(): string {
  const lines = ['用法 (usage): npm run admin -- <command> [flags]', ''];
  for (const [name, c] of Object.entries(COMMANDS)) {
    lines.push(`  ${name.padEnd(15)} ${c.what}`);
    for (const [flag, text] of Object.entries(c.flags)) {
      const [arg = '', ...rest] = text.trim().startsWith('<') ? text.trim().split(/\s+(.*)/s) : ['', text.trim()];
      const required = c.required.includes(flag) ? '（必填 required）' : '';
      lines.push(`      ${`${flag} ${arg}`.padEnd(24)} ${rest.join('').trim()}${required}`);
    }
  }
  lines.push('', '数据库与服务相同：配置文件 HOTLINE_CONFIG，或 HOTLINE_DB (the service\'s database: HOTLINE_CONFIG or HOTLINE_DB).');
  return lines.join('\n');
}

function parse(argv: string[]): { name: string; flags: Record<string, string | true> } {
  const [name, ...rest] = argv;
  if (!name) throw new UsageError('缺少命令 (no command)');
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`未知命令 ${name} (unknown command)`);
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    if (!(flag in command.flags)) throw new UsageError(`${name}: 未知参数 ${flag} (unknown flag)`);
    if (command.booleans?.includes(flag)) { flags[flag] = true; continue; }
    const value = rest[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${name}: ${flag} 缺少取值 (needs a value)`);
    flags[flag] = value;
  }
  for (const flag of command.required) if (!(flag in flags)) throw new UsageError(`${name}: 缺少 ${flag} (required)`);
  const role = flags['--role'];
  if (typeof role === 'string' && !(ROLES as readonly string[]).includes(role)) throw new UsageError(`${name}: --role 须为 ${ROLES.join(' | ')}`);
  return { name, flags };
}

const str = (flags: Record<string, string | true>, name: string): string | undefined => (typeof flags[name] === 'string' ? flags[name] : undefined);
const say = (text: string) => process.stdout.write(`${text}\n`);
const warn = (text: string) => process.stderr.write(`${text}\n`);
const describe = (e: ImportError) => `第 ${e.row} 行 ${e.column}：${e.reason}  (row ${e.row} ${e.column}: ${e.reason_en})`;

function readFileOrUsage(path: string, what: string): string {
  try { return readFileSync(path, 'utf8'); } catch (error) { throw new UsageError(`${what} ${path} 无法读取 (cannot be read): ${(error as Error).message}`); }
}

async function run(name: string, flags: Record<string, string | true>, accounts: AccountsService, actor: AuditActor): Promise<number> {
  const user = (flags: Record<string, string | true>) => {
    const found = accounts.byUsername(str(flags, '--username')!);
    if (!found) { warn(`未找到账号 ${str(flags, '--username')} (no such account)`); return undefined; }
    return found;
  };
  switch (name) {
    case 'create-user': {
      const file = str(flags, '--password-file');
      const password = file === undefined ? undefined : readFileOrUsage(file, '--password-file').split(/\r?\n/)[0];
      const username = str(flags, '--username')!;
      const created = await accounts.create(actor, {
        username, displayName: str(flags, '--display-name') ?? username, role: str(flags, '--role')!,
        seat: str(flags, '--seat'), unitCode: str(flags, '--unit'), password,
      }, { oneTime: password === undefined });
      say(`已创建 ${created.user.username}（${created.user.role}）(created)`);
      if (created.initialPassword) say(`一次性密码（只显示这一次，首次登录后须修改）(one-time password, shown once): ${created.initialPassword}`);
      return 0;
    }
    case 'import-users': {
      const text = readFileOrUsage(str(flags, '--file')!, '--file');
      if (flags['--dry-run']) {
        const checked = accounts.checkImport(text);
        for (const e of checked.errors) say(describe(e));
        say(checked.errors.length ? `检查未通过：${checked.errors.length} 处错误，共 ${checked.rows} 行 (${checked.errors.length} errors in ${checked.rows} rows)` : `检查通过：${checked.rows} 行可以导入 (${checked.rows} rows can be imported)`);
        return checked.errors.length ? 1 : 0;
      }
      const out = str(flags, '--passwords-out');
      if (out !== undefined && existsSync(out)) throw new UsageError(`--passwords-out ${out} 已存在，不会覆盖 (exists; not overwritten)`);
      let shown = 0;
      const done = await accounts.importCsv(actor, text, {
        onProgress(n, total) {
          const tenth = Math.floor((n * 10) / total);
          if (tenth > shown) { shown = tenth; warn(`已处理密码 ${tenth * 10}% (${n}/${total})`); }
        },
      });
      say(`已创建 ${done.created} 个账号 (created)`);
      if (out !== undefined) { writeFileSync(out, done.passwords, { mode: 0o600, flag: 'wx' }); say(`一次性密码已写入 ${out} (one-time passwords written)`); }
      else process.stdout.write(done.passwords);
      return 0;
    }
    case 'reset-password': {
      const found = user(flags);
      if (!found) return 1;
      const reset = await accounts.resetPassword(actor, found.id);
      say(`${found.username} 的一次性密码（只显示这一次）(one-time password, shown once): ${reset.initialPassword}`);
      return 0;
    }
    case 'disable-user': {
      const found = user(flags);
      if (!found) return 1;
      accounts.setDisabled(actor, found.id, true);
      say(`已停用 ${found.username}，其会话已结束 (disabled, sessions ended)`);
      return 0;
    }
    default:
      say(helpText());
      return 0;
  }
}

async function main(argv: string[]): Promise<number> {
  let command: { name: string; flags: Record<string, string | true> };
  try {
    command = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    warn(`${error.message}\n\n${helpText()}`);
    return 2;
  }
  if (command.name === 'help') { say(helpText()); return 0; }
  const config = loadConfig();
  const db = openDatabase(config.database.path);
  try {
    migrate(db);
    seedUnits(db, readUnitsSeed());
    const log = createLogger({ level: 'warn', destination: { write: (line: string) => { process.stderr.write(line); } } });
    const accounts = createAccountsService({ db, config, clock: realClock, log });
    const actor: AuditActor = { id: null, username: `cli:${userInfo().username}`, client: null };
    return await run(command.name, command.flags, accounts, actor);
  } catch (error) {
    if (error instanceof UsageError) { warn(error.message); return 2; }
    if (!isHotlineError(error)) throw error;
    const details = error.details as { fields?: Array<{ field: string; message: string; message_en?: string }>; errors?: ImportError[] } | undefined;
    if (details?.errors) for (const e of details.errors) warn(describe(e));
    else for (const f of details?.fields ?? []) warn(`${f.field}：${f.message}  (${f.message_en ?? ''})`);
    warn(`未完成 (refused): ${error.code}`);
    return 1;
  } finally {
    db.close();
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
  warn(error instanceof ConfigError ? error.message : `admin: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
});
