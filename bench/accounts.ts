/**
 * Accounts for a centre going live, in a temporary SQLite file: a CSV import of 750 agents and 2,000 unit
 * users (wall time; generated one-time passwords hashed on the thread pool), its dry run (wall time), then
 * list and search over 10,000 accounts (p50/p99 of the service call, the server's time per request).
 * Targets: import <= 30 s, dry run <= 3 s, list p99 <= 50 ms.
 * `npx tsx bench/accounts.ts [agents] [unitUsers] [total]` runs it alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { realClock } from '../src/clock.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/log.ts';
import { migrate, openDatabase } from '../src/store/database.ts';
import { readUnitsSeed, seedUnits } from '../src/store/seed-units.ts';
import { createAccountsService } from '../src/features/admin/accounts.service.ts';
import type { UserFilter } from '../src/features/admin/accounts.repo.ts';
import { hashGeneratedPassword } from '../src/features/auth/passwords.ts';
import { percentile } from './stats.ts';

type Figures = Record<string, number | string>;

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['芳', '强', '伟', '敏', '静', '磊', '洋', '艳', '杰', '娟'];
const name = (i: number) => `${SURNAMES[i % 10]}${GIVEN[Math.floor(i / 10) % 10]}${i}`;

export async function benchAccounts(agents = 750, unitUsers = 2_000, total = 10_000): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-bench-accounts-'));
  const db = openDatabase(join(dir, 'hotline.sqlite'));
  try {
    migrate(db);
    seedUnits(db, readUnitsSeed());
    const units = (db.prepare("SELECT code FROM units WHERE kind <> 'district' ORDER BY code").all() as Array<{ code: string }>).map((u) => u.code);
    const config = loadConfig({ env: {} });
    const log = createLogger({ level: 'silent' });
    const accounts = createAccountsService({ db, config, clock: realClock, log });
    const actor = { id: null, username: 'bench', client: null };

    const lines = ['username,display_name,role,seat,skills,desk,unit_code,initial_password'];
    for (let i = 1; i <= agents; i++) lines.push(`agent.${i},"${name(i)}, 坐席",agent,seat${String(i).padStart(4, '0')},general:${1 + (i % 5)},main,,`);
    for (let i = 1; i <= unitUsers; i++) lines.push(`unit.${i},${name(i)},unit,,,,${units[i % units.length]},`);
    const csv = `\uFEFF${lines.join('\r\n')}\r\n`;

    let t = performance.now();
    const dry = accounts.checkImport(csv);
    const dryMs = performance.now() - t;
    if (dry.errors.length) throw new Error(`bench file has errors: ${JSON.stringify(dry.errors.slice(0, 3))}`);

    t = performance.now();
    const done = await accounts.importCsv(actor, csv);
    const importMs = performance.now() - t;

    // Up to `total` accounts: supervisors and more unit users, one shared hash (hashing each is the import's cost, measured above).
    const hash = await hashGeneratedPassword('bench-password-x');
    const now = Date.now();
    accounts.repo.transaction(() => {
      for (let i = agents + unitUsers + 1; i <= total; i++) {
        const supervisor = i % 50 === 0;
        accounts.repo.insert({
          username: `${supervisor ? 'sup' : 'staff'}.${i}`, displayName: name(i), role: supervisor ? 'supervisor' : 'unit', passwordHash: hash,
          mustChangePassword: i % 3 === 0, unitCode: supervisor ? null : units[i % units.length]!, seat: null, desk: null, skills: null,
        }, now);
      }
    });
    db.prepare('ANALYZE').run();

    const kinds: Record<string, UserFilter> = {
      'first page': {},
      'q username': { q: 'agent.7' },
      'q display name': { q: '王芳' },
      'role agent': { role: 'agent' },
      'unit': { unit: units[7] },
      'desk': { desk: 'main', offset: 500 },
      'state must_change': { state: 'must_change', offset: 2_000 },
      'deep page': { offset: 9_900 },
    };
    const figures: Figures = {
      'import 750 agents + 2,000 unit users, s': importMs / 1000,
      'import: accounts created': done.created,
      'dry run of the same file, s': dryMs / 1000,
      'accounts listed over': (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n,
    };
    const all: number[] = [];
    for (const [kind, filter] of Object.entries(kinds)) {
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        t = performance.now();
        accounts.list({ limit: 50, ...filter });
        times.push(performance.now() - t);
      }
      all.push(...times);
      figures[`list ${kind} p50, ms`] = percentile(times, 50);
      figures[`list ${kind} p99, ms`] = percentile(times, 99);
    }
    figures['list all kinds p99, ms'] = percentile(all, 99);
    return figures;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [agents, unitUsers, total] = process.argv.slice(2).map(Number);
  const figures = await benchAccounts(agents || undefined, unitUsers || undefined, total || undefined);
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(44)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}`);
}
