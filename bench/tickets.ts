/**
 * Tickets: create+dispatch throughput through the tickets service and the handling lifecycle (both
 * clocks, audit rows, unit rows), then a unit's inbox query p99 with 50,000 tickets in the database:
 * the query alone, and the portal's whole inbox answer (deadline states, unit names) for 50 rows.
 * Run alone with `npx tsx bench/tickets.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { realClock } from '../src/clock.ts';
import { CHINA_2026_CALENDAR } from '../src/domain/business-calendar.ts';
import { DEFAULT_DEADLINE_POLICY } from '../src/domain/deadlines.ts';
import { SEED_TAXONOMY } from '../src/domain/taxonomy.ts';
import type { Account } from '../src/features/auth/auth.service.ts';
import { createDispatchRepo } from '../src/features/dispatch/dispatch.repo.ts';
import { createHandling } from '../src/features/dispatch/dispatch.service.ts';
import { createHandlingViews } from '../src/features/dispatch/dispatch.views.ts';
import { SEED_HANDLING_UNITS, seedHandlingUnits, suggestUnit } from '../src/features/dispatch/handling-units.ts';
import { createTicketAudit } from '../src/features/tickets/ticket-audit.ts';
import { createTicketsRepo } from '../src/features/tickets/tickets.repo.ts';
import { createTicketsService } from '../src/features/tickets/tickets.service.ts';
import { createLogger } from '../src/log.ts';
import { migrate, openDatabase } from '../src/store/database.ts';
import { readUnitsSeed, seedUnits } from '../src/store/seed-units.ts';
import { createPrng } from '../src/sim/prng.ts';
import { percentile } from './stats.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 50_000);
const QUERIES = Number(process.env.BENCH_INBOX_QUERIES ?? 1_000);

export async function benchTickets(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-bench-tickets-'));
  const db = openDatabase(join(dir, 'hotline.sqlite'));
  try {
    migrate(db);
    const seed = readUnitsSeed();
    seedUnits(db, seed);
    seedHandlingUnits(db);
    const log = createLogger({ level: 'silent' });
    const clock = realClock;
    const tickets = createTicketsService({ repo: createTicketsRepo(db), clock, log });
    const repo = createDispatchRepo(db);
    const audit = createTicketAudit(db);
    const handling = createHandling({ repo, audit, clock, log, rules: { policy: DEFAULT_DEADLINE_POLICY, calendar: CHINA_2026_CALENDAR } });
    const views = createHandlingViews({ repo, audit, handlingUnits: SEED_HANDLING_UNITS });
    db.prepare(`INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES ('usr-bench-agent', 'bench-agent', '坐席', 'agent', 'bench:no-login', 0)`).run();
    const agent: Account = { id: 'usr-bench-agent', username: 'bench-agent', displayName: '坐席', role: 'agent', agentId: null };
    const centre = handling.actorOf(agent);
    const unitActor = (unitCode: string) => ({ actor: { role: 'unit' as const, id: `usr-${unitCode}`, unitCode }, account: null, name: unitCode });

    const places = seed.districts.flatMap((d) => d.units.map((u) => ({ district: d.code, township: u.code })));
    const categories = SEED_TAXONOMY.flatMap((g) => g.items.map((i) => `${g.code}/${i.code}`));
    const random = createPrng(12345);
    const pick = <T>(items: readonly T[]): T => items[random.int(items.length)]!;

    const started = performance.now();
    for (let n = 0; n < TICKETS; n++) {
      const place = pick(places);
      const category = pick(categories);
      const created = tickets.create({
        callerNumber: `139${String(n).padStart(8, '0')}`, type: 'complaint', category, description: `第 ${n} 号诉求：${category} 问题反映，请尽快处理`,
        districtCode: place.district, townshipCode: place.township, address: `测试路 ${n % 997} 号`,
      }, agent);
      const unit = suggestUnit({ category, townshipCode: place.township })!.unitCode;
      handling.run(centre, created.id, { kind: 'dispatch', leadUnit: unit });
      const fate = n % 10;
      if (fate >= 3) handling.run(unitActor(unit), created.id, { kind: 'sign' });
      if (fate >= 6) handling.run(unitActor(unit), created.id, { kind: 'reply', result: '已处理' }, { replyActions: '现场核查' });
    }
    const seconds = (performance.now() - started) / 1000;

    const busiest = db.prepare(`SELECT unit_code, count(*) AS n FROM ticket_dispatch_units WHERE active = 1 GROUP BY unit_code ORDER BY n DESC LIMIT 1`).get() as { unit_code: string; n: number };
    const township = db.prepare(`SELECT unit_code, count(*) AS n FROM ticket_dispatch_units u JOIN units ON units.code = u.unit_code
      WHERE active = 1 AND units.district_code IS NOT NULL GROUP BY unit_code ORDER BY n DESC LIMIT 1`).get() as { unit_code: string; n: number };
    const measure = (fn: () => unknown) => {
      const samples: number[] = [];
      for (let i = 0; i < QUERIES; i++) { const t0 = performance.now(); fn(); samples.push(performance.now() - t0); }
      return samples;
    };
    const now = Date.now();
    const queryOnly = measure(() => repo.inbox({ unitCode: busiest.unit_code, statuses: ['dispatched', 'accepted', 'replied'], overdue: false, active: true, now, limit: 50, offset: 0 }));
    const whole = measure(() => views.inbox(unitActor(busiest.unit_code), { status: 'open' }, now));
    const overdue = measure(() => views.inbox(unitActor(busiest.unit_code), { status: 'open', overdue: true }, now));
    const townshipWhole = measure(() => views.inbox(unitActor(township.unit_code), { status: 'open' }, now));
    return {
      'tickets in the database': TICKETS,
      'create+dispatch (+sign/reply on 70%/40%) tickets/s': Math.round(TICKETS / seconds),
      'busiest unit': `${busiest.unit_code} (${busiest.n} active tickets)`,
      'inbox query p50 ms': percentile(queryOnly, 50),
      'inbox query p99 ms': percentile(queryOnly, 99),
      'inbox answer (50 rows, clocks, names) p99 ms': percentile(whole, 99),
      'inbox answer, overdue only p99 ms': percentile(overdue, 99),
      'busiest township': `${township.unit_code} (${township.n} active tickets)`,
      'township inbox answer p99 ms': percentile(townshipWhole, 99),
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await benchTickets();
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(48)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}`);
}
