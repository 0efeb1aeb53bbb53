/**
 * Accounts as CSV, the way Excel and WPS write it: UTF-8 with or without a BOM, CRLF or LF, fields quoted
 * when they hold commas, quotes or line breaks. The columns are
 * `username,display_name,role,seat,skills,desk,unit_code,initial_password` in any order (the first three
 * required). Validation reports every error of every row at once, each with its line in the file (the header
 * is line 1) and its column, in Chinese and English.
 */
import type { PasswordProblem } from '../../domain/password-policy.ts';
import { describePasswordProblems } from '../../domain/password-policy.ts';
import { ROLES } from '../auth/auth.service.ts';
import type { Role } from '../auth/auth.service.ts';

export const CSV_COLUMNS = ['username', 'display_name', 'role', 'seat', 'skills', 'desk', 'unit_code', 'initial_password'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
const REQUIRED: readonly CsvColumn[] = ['username', 'display_name', 'role'];
export const MAX_IMPORT_ROWS = 20_000;

export const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;
export const SEAT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
export const DISPLAY_NAME_MAX = 64;

export interface CsvRecord { line: number; fields: string[] }

export interface ImportError { row: number; column: string; reason: string; reason_en: string }

/** One account as read from a row (or a request body), before it is checked. */
export interface AccountInput {
  username: string;
  displayName: string;
  role: string;
  seat?: string | undefined;
  skills?: Record<string, number> | string | undefined;
  desk?: string | undefined;
  unitCode?: string | undefined;
  password?: string | undefined;
}

/** A checked account, ready to be created. */
export interface AccountRow {
  line: number;
  username: string;
  displayName: string;
  role: Role;
  seat: string | null;
  skills: Record<string, number> | null;
  desk: string | null;
  unitCode: string | null;
  password: string | null;
}

/** What a check needs to know about the accounts, seats, units, skills and desks already there. */
export interface AccountChecks {
  usernameTaken(username: string): boolean;
  seatTaken(seat: string): boolean;
  unitExists(code: string): boolean;
  knownSkills: ReadonlySet<string>;
  desks: ReadonlySet<string>;
  /** The level of a skill listed without one. */
  listedLevel: number;
  passwordProblems(password: string, username: string): PasswordProblem[];
}

/** Splits CSV text into records; an unterminated quote is reported on the line its field began. */
export function parseCsv(text: string): { records: CsvRecord[]; error?: ImportError } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 1;
  let i = 0;
  const endRecord = () => { fields.push(field); records.push({ line: recordLine, fields }); fields = []; field = ''; };
  while (i < src.length) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      if (c === '\n') line++;
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; quoteLine = line; i++; continue; }
    if (c === ',') { fields.push(field); field = ''; i++; continue; }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += c; i++;
  }
  if (quoted) return { records, error: err(quoteLine, '(row)', '引号未闭合', 'A quoted field is not closed') };
  if (field !== '' || fields.length > 0) endRecord();
  return { records };
}

function err(row: number, column: string, reason: string, reason_en: string): ImportError {
  return { row, column, reason, reason_en };
}

/** `general:3;market:2` (also with `；`, `：`, spaces); a skill without a level gets `listedLevel`. */
export function parseSkills(text: string, listedLevel: number): { skills: Record<string, number>; bad: string[] } {
  const skills: Record<string, number> = {};
  const bad: string[] = [];
  for (const part of text.split(/[;；]/).map((p) => p.trim()).filter(Boolean)) {
    const [name, level] = part.split(/[:：]/).map((p) => p.trim());
    const n = level === undefined ? listedLevel : Number(level);
    if (!name || !Number.isInteger(n) || n < 1 || n > 5 || level === '') bad.push(part);
    else skills[name] = n;
  }
  return { skills, bad };
}

export function formatSkills(skills: Readonly<Record<string, number>> | null): string {
  return skills ? Object.entries(skills).map(([k, v]) => `${k}:${v}`).join(';') : '';
}

/**
 * Checks one account; `seen` holds the usernames and seats of earlier rows of the same file (with their lines).
 * Returns the errors, or the account when there are none.
 */
export function checkAccount(
  input: AccountInput, line: number, checks: AccountChecks,
  seen: { usernames: Map<string, number>; seats: Map<string, number> } = { usernames: new Map(), seats: new Map() },
): { errors: ImportError[]; account?: AccountRow } {
  const errors: ImportError[] = [];
  const add = (column: string, reason: string, reason_en: string) => errors.push(err(line, column, reason, reason_en));
  const username = input.username.trim().toLowerCase();
  if (username === '') add('username', '用户名必填', 'The username is required');
  else if (!USERNAME.test(username)) add('username', '用户名须为 3–32 个小写字母、数字或 . _ -，以字母或数字开头', 'The username must be 3-32 of a-z 0-9 . _ -, starting with a letter or digit');
  else if (seen.usernames.has(username)) add('username', `用户名与第 ${seen.usernames.get(username)} 行重复`, `The username repeats line ${seen.usernames.get(username)}`);
  else if (checks.usernameTaken(username)) add('username', '用户名已存在', 'The username already exists');
  if (username !== '' && !seen.usernames.has(username)) seen.usernames.set(username, line);

  const displayName = input.displayName.trim();
  if (displayName === '') add('display_name', '姓名必填', 'The display name is required');
  else if ([...displayName].length > DISPLAY_NAME_MAX) add('display_name', `姓名不能超过 ${DISPLAY_NAME_MAX} 个字符`, `The display name must have at most ${DISPLAY_NAME_MAX} characters`);

  const role = input.role.trim().toLowerCase();
  const knownRole = (ROLES as readonly string[]).includes(role);
  if (!knownRole) add('role', `角色无效（可选：${ROLES.join('、')}）`, `Unknown role (one of ${ROLES.join(', ')})`);
  const agent = role === 'agent';

  const seat = input.seat?.trim() ?? '';
  if (agent && seat === '') add('seat', '坐席账号必须填写座席号', 'An agent needs a seat');
  else if (seat !== '' && knownRole && !agent) add('seat', '只有坐席账号可以填写座席号', 'Only an agent has a seat');
  else if (seat !== '' && !SEAT.test(seat)) add('seat', '座席号格式不正确（字母、数字、. _ -，最多 40 个字符）', 'The seat must be letters, digits, . _ - (at most 40)');
  else if (seat !== '' && seen.seats.has(seat)) add('seat', `座席号与第 ${seen.seats.get(seat)} 行重复`, `The seat repeats line ${seen.seats.get(seat)}`);
  else if (seat !== '' && checks.seatTaken(seat)) add('seat', '该座席已被占用', 'The seat is already taken');
  if (seat !== '' && !seen.seats.has(seat)) seen.seats.set(seat, line);

  let skills: Record<string, number> | null = null;
  const rawSkills = input.skills;
  const hasSkills = typeof rawSkills === 'string' ? rawSkills.trim() !== '' : rawSkills !== undefined && Object.keys(rawSkills).length > 0;
  if (hasSkills && knownRole && !agent) add('skills', '只有坐席账号可以设置技能', 'Only an agent has skills');
  else if (hasSkills) {
    const parsed = typeof rawSkills === 'string' ? parseSkills(rawSkills, checks.listedLevel) : { skills: { ...rawSkills }, bad: [] };
    for (const part of parsed.bad) add('skills', `技能等级无效：${part}（等级为 1–5 的整数，如 general:3）`, `Bad skill level: ${part} (a whole number 1-5, e.g. general:3)`);
    for (const [name, level] of Object.entries(parsed.skills)) {
      if (!checks.knownSkills.has(name)) add('skills', `未知技能：${name}`, `Unknown skill: ${name}`);
      else if (!Number.isInteger(level) || level < 1 || level > 5) add('skills', `技能等级无效：${name}:${level}（1–5）`, `Bad skill level: ${name}:${level} (1-5)`);
    }
    skills = parsed.skills;
  }

  const desk = input.desk?.trim() ?? '';
  if (desk !== '' && knownRole && !agent) add('desk', '只有坐席账号可以设置服务台', 'Only an agent has a desk');
  else if (desk !== '' && !checks.desks.has(desk)) add('desk', `未知服务台：${desk}`, `Unknown desk: ${desk}`);

  const unitCode = input.unitCode?.trim() ?? '';
  if (role === 'unit' && unitCode === '') add('unit_code', '承办单位账号必须填写单位代码', 'A unit user needs a unit code');
  else if (unitCode !== '' && knownRole && role !== 'unit') add('unit_code', '只有承办单位账号可以填写单位代码', 'Only a unit user has a unit code');
  else if (unitCode !== '' && !checks.unitExists(unitCode)) add('unit_code', `未知单位代码：${unitCode}`, `Unknown unit code: ${unitCode}`);

  const password = input.password ?? '';
  if (password !== '') {
    const problems = checks.passwordProblems(password, username);
    if (problems.length) { const d = describePasswordProblems(problems); add('initial_password', d.reason, d.reason_en); }
  }
  if (errors.length) return { errors };
  return {
    errors,
    account: {
      line, username, displayName, role: role as Role,
      seat: seat || null, skills, desk: desk || null, unitCode: unitCode || null, password: password || null,
    },
  };
}

/** Reads and checks a whole import file: every error of every row, or the accounts to create. */
export function checkImport(text: string, checks: AccountChecks): { rows: number; errors: ImportError[]; accounts: AccountRow[] } {
  const parsed = parseCsv(text);
  const errors: ImportError[] = parsed.error ? [parsed.error] : [];
  const [header, ...body] = parsed.records.filter((r) => r.fields.some((f) => f.trim() !== ''));
  if (!header) return { rows: 0, errors: [...errors, err(1, '(header)', '文件为空或缺少表头', 'The file is empty or has no header')], accounts: [] };
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) errors.push(err(header.line, name || `#${i + 1}`, `未知列：${name}`, `Unknown column: ${name}`));
    else if (index.has(name)) errors.push(err(header.line, name, `列重复：${name}`, `Repeated column: ${name}`));
    else index.set(name, i);
  });
  for (const column of REQUIRED) if (!index.has(column)) errors.push(err(header.line, column, `缺少必需列：${column}`, `Missing column: ${column}`));
  if (body.length > MAX_IMPORT_ROWS) errors.push(err(header.line, '(file)', `一次最多导入 ${MAX_IMPORT_ROWS} 行`, `At most ${MAX_IMPORT_ROWS} rows at once`));
  if (errors.length) return { rows: body.length, errors, accounts: [] };

  const seen = { usernames: new Map<string, number>(), seats: new Map<string, number>() };
  const accounts: AccountRow[] = [];
  for (const record of body) {
    if (record.fields.length !== names.length) {
      errors.push(err(record.line, '(row)', `列数 ${record.fields.length} 与表头的 ${names.length} 列不一致`, `${record.fields.length} fields where the header has ${names.length}`));
      continue;
    }
    const cell = (c: CsvColumn) => { const i = index.get(c); return i === undefined ? undefined : record.fields[i]; };
    const result = checkAccount({
      username: cell('username') ?? '', displayName: cell('display_name') ?? '', role: cell('role') ?? '',
      seat: cell('seat'), skills: cell('skills') ?? '', desk: cell('desk'), unitCode: cell('unit_code'), password: cell('initial_password'),
    }, record.line, checks, seen);
    errors.push(...result.errors);
    if (result.account) accounts.push(result.account);
  }
  return { rows: body.length, errors, accounts };
}

/** One CSV field: quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV text with CRLF line ends; `bom` for a file Excel opens as UTF-8. */
export function writeCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>, bom = false): string {
  const lines = [header.map(csvField).join(','), ...rows.map((r) => r.map(csvField).join(','))];
  return `${bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
}
