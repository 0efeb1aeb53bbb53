/**
 * The handling-unit directory as the administrators change it: units with their district, contact number,
 * handled categories, retirement and accounts; renames kept in unit_names.
 */
import type { Database } from '../../store/database.ts';

/** The kinds the console speaks of; the directory stores streets and townships in finer kinds (seed-units.ts). */
export const UNIT_KINDS = ['district', 'street', 'township', 'department', 'utility'] as const;
export type AdminUnitKind = (typeof UNIT_KINDS)[number];

const STORED_KINDS: Readonly<Record<AdminUnitKind, readonly string[]>> = {
  district: ['district'],
  street: ['subdistrict', 'area'],
  township: ['town', 'township', 'other'],
  department: ['department'],
  utility: ['utility'],
};

/** The kind a new unit of a console kind is stored as. */
export const STORE_KIND: Readonly<Record<AdminUnitKind, string>> = {
  district: 'district', street: 'subdistrict', township: 'township', department: 'department', utility: 'utility',
};

export function adminKindOf(stored: string): AdminUnitKind {
  return (UNIT_KINDS.find((k) => STORED_KINDS[k].includes(stored)) ?? 'township');
}

export interface UnitRecord {
  code: string; name: string; kind: string; districtCode: string | null; districtName: string | null;
  contactNumber: string | null; retiredAt: number | null; handles: string[]; users: number;
}

export interface UnitQuery {
  q?: string | undefined; kind?: AdminUnitKind | undefined; district?: string | undefined;
  state?: 'active' | 'retired' | undefined; offset: number; limit: number;
}

export interface UnitAccount { id: string; username: string; displayName: string; disabled: boolean }

interface UnitRow {
  code: string; name: string; kind: string; district_code: string | null; district_name: string | null;
  contact_number: string | null; retired_at: number | null; handles: string | null; users: number;
}

function handlesOf(text: string | null): string[] {
  try { return text ? (JSON.parse(text) as string[]) : []; } catch { return []; }
}

function toRecord(r: UnitRow): UnitRecord {
  const handles = handlesOf(r.handles);
  return {
    code: r.code, name: r.name, kind: r.kind, districtCode: r.kind === 'district' ? null : r.district_code,
    districtName: r.kind === 'district' ? null : r.district_name, contactNumber: r.contact_number, retiredAt: r.retired_at,
    handles, users: r.users,
  };
}

const SELECT = `SELECT u.code, u.name, u.kind, u.district_code, d.name AS district_name, u.contact_number, u.retired_at, u.handles,
    (SELECT count(*) FROM users x WHERE x.unit_id = u.code) AS users
  FROM units u LEFT JOIN units d ON d.code = u.district_code`;

const likeText = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export type UnitsAdminRepo = ReturnType<typeof createUnitsAdminRepo>;

export function createUnitsAdminRepo(db: Database) {
  const byCode = db.prepare(`${SELECT} WHERE u.code = ?`);
  const sameCode = db.prepare('SELECT code FROM units WHERE code = ? COLLATE NOCASE').pluck();
  const insert = db.prepare(`INSERT INTO units (code, name, district_code, kind, contact_number, handles, edited_at)
    VALUES (@code, @name, @districtCode, @kind, @contactNumber, @handles, @at)`);
  const rename = db.prepare('UPDATE units SET name = ?, edited_at = ? WHERE code = ?');
  const setContact = db.prepare('UPDATE units SET contact_number = ?, edited_at = ? WHERE code = ?');
  const setHandles = db.prepare('UPDATE units SET handles = ?, edited_at = ? WHERE code = ?');
  const setRetired = db.prepare('UPDATE units SET retired_at = ? WHERE code = ?');
  // The name it had until now, from the start, when the unit was never renamed before.
  const keepFirstName = db.prepare(`INSERT OR IGNORE INTO unit_names (code, name, valid_from)
    SELECT code, name, 0 FROM units WHERE code = ? AND NOT EXISTS (SELECT 1 FROM unit_names WHERE code = units.code)`);
  const addName = db.prepare('INSERT OR REPLACE INTO unit_names (code, name, valid_from) VALUES (?, ?, ?)');
  const openDispatches = db.prepare(`SELECT count(DISTINCT ticket_id) FROM ticket_dispatch_units
    WHERE unit_code = ? AND active = 1`).pluck();
  const activeChildren = db.prepare(`SELECT count(*) FROM units
    WHERE district_code = ? AND kind <> 'district' AND retired_at IS NULL`).pluck();
  const accounts = db.prepare(`SELECT id, username, display_name AS displayName, disabled_at FROM users
    WHERE unit_id = ? ORDER BY username`);

  function where(q: UnitQuery): { sql: string; params: Record<string, unknown> } {
    const parts: string[] = [];
    const params: Record<string, unknown> = {};
    if (q.q) { parts.push("(u.code LIKE @q ESCAPE '\\' OR u.name LIKE @q ESCAPE '\\')"); params.q = likeText(q.q); }
    if (q.kind) {
      const kinds = STORED_KINDS[q.kind];
      parts.push(`u.kind IN (${kinds.map((_, i) => `@k${i}`).join(', ')})`);
      kinds.forEach((k, i) => { params[`k${i}`] = k; });
    }
    if (q.district) { parts.push("u.district_code = @district AND u.kind <> 'district'"); params.district = q.district; }
    if (q.state === 'active') parts.push('u.retired_at IS NULL');
    if (q.state === 'retired') parts.push('u.retired_at IS NOT NULL');
    return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
  }

  return {
    get(code: string): UnitRecord | undefined {
      const r = byCode.get(code) as UnitRow | undefined;
      return r && toRecord(r);
    },
    /** The code as stored when one differing only in case (or not at all) exists. */
    codeTaken: (code: string): string | undefined => sameCode.get(code) as string | undefined,
    list(q: UnitQuery): { total: number; units: UnitRecord[] } {
      const w = where(q);
      const total = Number(db.prepare(`SELECT count(*) FROM units u ${w.sql}`).pluck().get(w.params));
      const rows = db.prepare(`${SELECT} ${w.sql} ORDER BY u.code LIMIT @limit OFFSET @offset`)
        .all({ ...w.params, limit: q.limit, offset: q.offset }) as UnitRow[];
      return { total, units: rows.map(toRecord) };
    },
    insert(u: { code: string; name: string; kind: string; districtCode: string | null; contactNumber: string | null; handles: string[] | null; at: number }): void {
      insert.run({ ...u, handles: u.handles === null ? null : JSON.stringify(u.handles) });
    },
    /** Renames the unit from `at` on, keeping the name it had before for the time before. */
    rename(code: string, name: string, at: number): void {
      keepFirstName.run(code);
      addName.run(code, name, at);
      rename.run(name, at, code);
    },
    setContact(code: string, contactNumber: string | null, at: number): void { setContact.run(contactNumber, at, code); },
    setHandles(code: string, handles: string[], at: number): void { setHandles.run(JSON.stringify(handles), at, code); },
    setRetired(code: string, at: number | null): void { setRetired.run(at, code); },
    openDispatches: (code: string): number => Number(openDispatches.get(code)),
    activeChildren: (code: string): number => Number(activeChildren.get(code)),
    accounts: (code: string): UnitAccount[] => (accounts.all(code) as Array<{ id: string; username: string; displayName: string; disabled_at: number | null }>)
      .map((a) => ({ id: a.id, username: a.username, displayName: a.displayName, disabled: a.disabled_at !== null })),
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
  };
}
