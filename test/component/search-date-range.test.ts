/**
 * Ticket search with a date range reads a range of keys instead of filtering every text match; it must
 * find exactly what a plain reading of every ticket finds, tickets taken in out of intake order included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/database.ts';
import { createSearchRepo } from '../../src/features/search/search.repo.ts';
import type { SearchRepo, TicketFilters, TicketScope } from '../../src/features/search/search.repo.ts';
import { createPrng } from '../../src/sim/prng.ts';

const TICKETS = 3000;
const DAY = 86_400_000;
const START = Date.parse('2025-03-01T00:00:00+08:00');
const PLACES = ['建国路', '光华路', '望京西路', '学院路', '金台里', '团结湖北区'];
const PROBLEMS = ['夜间施工噪声', '暖气不热', '电梯故障困人', '垃圾无人清运', '消防通道违法停车', '楼上漏水'];
const STATUSES = ['intake', 'dispatched', 'accepted', 'replied', 'closed'];
const WORDS = ['暖气', '施工', '电梯故障', '消防通道', '建国路', '漏水', '垃圾', '望京', '光华路 暖气', '困人', '不热'];

/** A seeded generator (the simulator's mulberry32), so that runs are comparable. */
const seeded = (seed: number): (() => number) => createPrng(seed).next;

interface Plain {
  key: number; id: string; description: string; address: string; status: string; caller: string; unit: string; createdAt: number;
  /** The unit leading its handling, and every unit it was dispatched to. */
  lead: string | null; dispatched: string[];
}

const unitCode = (n: number) => `110105${String(n).padStart(3, '0')}`;

describe('ticket search over a date range', () => {
  let dir: string;
  let db: Database;
  let repo: SearchRepo;
  let all: Plain[];
  const rnd = seeded(83);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotline-search-dates-'));
    db = openDatabase(join(dir, 'h.sqlite'));
    migrate(db);
    const insert = db.prepare(`INSERT INTO tickets (id, number, caller_number, type, category, description, district_code, unit_code, address,
      confidential, status, created_at, updated_at) VALUES (?, ?, ?, 'complaint', 'property/lift', ?, '110105', ?, ?, 0, ?, ?, ?)`);
    db.transaction(() => {
      let at = START;
      for (let i = 0; i < TICKETS; i++) {
        at += Math.floor(rnd() * 3 * 3_600_000);
        // One in twelve is taken in late (an import, a clock set back): its intake time is up to ten days back.
        const createdAt = rnd() < 1 / 12 ? at - Math.floor(rnd() * 10 * DAY) : at;
        insert.run(`tkt-${i}`, String(2025_0000_00000 + i), `1390000${String(Math.floor(rnd() * 400)).padStart(4, '0')}`,
          `${pick(PLACES)}${pick(PROBLEMS)}，希望尽快处理`, `110105${String(1 + Math.floor(rnd() * 6)).padStart(3, '0')}`,
          `${pick(PLACES)}${1 + Math.floor(rnd() * 200)}号`, pick(STATUSES), createdAt, createdAt);
      }
    })();
    // Dispatched tickets: a lead unit (not always the township's own) and the units they were sent to.
    const units = db.prepare("INSERT OR IGNORE INTO units (code, name, district_code, kind) VALUES (?, ?, '110105', 'township')");
    for (let u = 1; u <= 6; u++) units.run(unitCode(u), `街道${u}`);
    const lead = db.prepare('UPDATE tickets SET lead_unit = ? WHERE id = ?');
    const sent = db.prepare("INSERT INTO ticket_dispatch_units (ticket_id, round, unit_code, role, active, dispatched_at) VALUES (?, 1, ?, ?, 1, 0)");
    db.transaction(() => {
      for (let i = 0; i < TICKETS; i++) {
        if (rnd() < 0.25) lead.run(unitCode(1 + Math.floor(rnd() * 6)), `tkt-${i}`);
        if (rnd() < 0.2) sent.run(`tkt-${i}`, unitCode(1 + Math.floor(rnd() * 6)), rnd() < 0.5 ? 'lead' : 'cooperating');
      }
    })();
    // A few intake times corrected afterwards.
    const fix = db.prepare('UPDATE tickets SET created_at = created_at + ? WHERE id = ?');
    for (let i = 0; i < 20; i++) fix.run(Math.floor((rnd() - 0.5) * 20 * DAY), `tkt-${Math.floor(rnd() * TICKETS)}`);
    repo = createSearchRepo(db);
    all = (db.prepare(`SELECT k.key, t.id, t.description, t.address, t.status, t.caller_number AS caller, t.unit_code AS unit, t.created_at AS createdAt,
      t.lead_unit AS lead, (SELECT json_group_array(unit_code) FROM ticket_dispatch_units d WHERE d.ticket_id = t.id) AS dispatched
      FROM tickets t JOIN ticket_search_keys k ON k.ticket_id = t.id`).all() as Array<Omit<Plain, 'dispatched'> & { dispatched: string }>)
      .map((t) => ({ ...t, dispatched: JSON.parse(t.dispatched) as string[] }));
  });
  afterAll(() => { db?.close(); if (dir) rmSync(dir, { recursive: true, force: true }); });

  /** Every run of the query appears in the description or the address, and every other filter holds. */
  function plain(f: TicketFilters, before: number | undefined, limit: number, scope: TicketScope = {}): string[] {
    const runs = (f.q ?? '').split(/\s+/).filter(Boolean);
    return all
      .filter((t) => runs.every((r) => t.description.includes(r) || t.address.includes(r)))
      .filter((t) => !f.status || f.status.includes(t.status))
      .filter((t) => !f.caller || t.caller === f.caller)
      .filter((t) => !f.unit || t.unit === f.unit || t.lead === f.unit)
      .filter((t) => scope.unitCode === undefined || t.unit === scope.unitCode || t.lead === scope.unitCode || t.dispatched.includes(scope.unitCode))
      .filter((t) => (f.from === undefined || t.createdAt >= f.from) && (f.to === undefined || t.createdAt < f.to))
      .filter((t) => before === undefined || t.key < before)
      .sort((a, b) => b.key - a.key)
      .slice(0, limit)
      .map((t) => t.id);
  }

  it('when the migration has run, then the keys carry intake times and the out-of-order tickets are marked late', () => {
    const keys = db.prepare('SELECT k.created_at AS keyed, t.created_at AS taken, k.late FROM ticket_search_keys k JOIN tickets t ON t.id = k.ticket_id ORDER BY k.key').all() as Array<{ keyed: number; taken: number; late: number }>;
    expect(keys).toHaveLength(TICKETS);
    expect(keys.every((k) => k.keyed === k.taken)).toBe(true);
    const inOrder = keys.filter((k) => k.late === 0).map((k) => k.keyed);
    expect(inOrder).toEqual([...inOrder].sort((a, b) => a - b));
    expect(keys.filter((k) => k.late === 1).length).toBeGreaterThan(TICKETS / 20);
  });

  it('when 400 random searches with dates, text, status, caller and unit run, some by a unit\'s own user, then each finds exactly what a plain reading finds', () => {
    let compared = 0;
    let nonEmpty = 0;
    for (let i = 0; i < 400; i++) {
      const f: TicketFilters = {};
      const from = START + Math.floor(rnd() * 260 * DAY);
      const span = pick([3_600_000, DAY, 7 * DAY, 31 * DAY, 120 * DAY]);
      const range = rnd();
      if (range < 0.45) { f.from = from; f.to = from + span; } else if (range < 0.65) f.from = from; else if (range < 0.85) f.to = from;
      if (rnd() < 0.8) f.q = pick(WORDS);
      if (rnd() < 0.4) f.status = rnd() < 0.5 ? [pick(STATUSES)] : [pick(STATUSES), pick(STATUSES)];
      if (rnd() < 0.1) f.caller = `1390000${String(Math.floor(rnd() * 400)).padStart(4, '0')}`;
      if (rnd() < 0.15) f.unit = unitCode(1 + Math.floor(rnd() * 6));
      const scope: TicketScope = rnd() < 0.25 ? { unitCode: unitCode(1 + Math.floor(rnd() * 6)) } : {};
      const limit = pick([5, 21, 100]);
      const first = repo.page(f, scope, undefined, limit);
      expect(first.map((r) => r.id), JSON.stringify({ f, scope })).toEqual(plain(f, undefined, limit, scope));
      compared++;
      if (first.length) nonEmpty++;
      const last = first.at(-1);
      if (first.length === limit && last) {
        expect(repo.page(f, scope, last.key, limit).map((r) => r.id), `next page of ${JSON.stringify({ f, scope })}`).toEqual(plain(f, last.key, limit, scope));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(400);
    expect(nonEmpty).toBeGreaterThan(150);
  });

  it('when a range holds more out-of-order tickets than are read one by one, then the results are still exact', () => {
    const f: TicketFilters = { from: START, to: START + 400 * DAY, q: '暖气' };
    const late = (db.prepare('SELECT COUNT(*) FROM ticket_search_keys WHERE late = 1').pluck().get() as number);
    expect(late).toBeGreaterThan(32);
    expect(repo.page(f, {}, undefined, 50).map((r) => r.id)).toEqual(plain(f, undefined, 50));
  });
});
