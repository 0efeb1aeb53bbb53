import type { Database } from '../../store/database.ts';
import type { HandlingUnit, HandlingUnitKind } from '../dispatch/handling-units.ts';

export interface Township { code: string; name: string; kind: string }
export interface District { code: string; name: string; units: Township[] }

/**
 * The live directory of handling units as the pickers and the suggestion read it: units in use only (a retired
 * unit is offered to nobody), read again whenever the directory has changed (an administrator's change applies
 * at once, without a restart).
 */
export interface UnitsRepo {
  /** Districts in use with their streets and townships in use, in code order. */
  tree(): District[];
  /** Departments and utilities in use with the category codes they handle, in the order they were added. */
  handlingUnits(): HandlingUnit[];
  /** Moves on with every change to the directory; equal numbers mean nothing changed in between. */
  version(): number;
}

/**
 * SQL for the name a unit (`code`, a column or parameter) had at the instant `at`: the name it was given last at
 * or before `at` when it has been renamed since; its current name otherwise (also when it never was renamed).
 */
export function nameAtSql(code: string, at: string, current: string): string {
  return `CASE WHEN EXISTS (SELECT 1 FROM unit_names n WHERE n.code = ${code} AND n.valid_from > ${at})
    THEN coalesce((SELECT n.name FROM unit_names n WHERE n.code = ${code} AND n.valid_from <= ${at} ORDER BY n.valid_from DESC LIMIT 1),
      (SELECT n.name FROM unit_names n WHERE n.code = ${code} ORDER BY n.valid_from LIMIT 1))
    ELSE ${current} END`;
}

/** The directory's version (see UnitsRepo.version); 0 before the directory tables exist. */
export function directoryVersion(db: Database): () => number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'unit_directory_version'").get() !== undefined;
  if (!exists) return () => 0;
  const read = db.prepare('SELECT version FROM unit_directory_version WHERE id = 1').pluck();
  return () => Number(read.get() ?? 0);
}

function handlesOf(text: string | null): string[] {
  if (text === null) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
}

export function createUnitsRepo(db: Database): UnitsRepo {
  const districts = db.prepare("SELECT code, name FROM units WHERE kind = 'district' AND retired_at IS NULL ORDER BY code");
  const townships = db.prepare(`SELECT code, name, kind, district_code FROM units
    WHERE kind <> 'district' AND district_code IS NOT NULL AND retired_at IS NULL ORDER BY code`);
  const handling = db.prepare(`SELECT code, name, kind, handles FROM units
    WHERE kind IN ('department', 'utility') AND retired_at IS NULL ORDER BY rowid`);
  const version = directoryVersion(db);
  let treeHeld: { version: number; tree: District[] } | undefined;
  let handlingHeld: { version: number; units: HandlingUnit[] } | undefined;

  function readTree(): District[] {
    const byDistrict = new Map<string, District>();
    for (const d of districts.all() as Array<{ code: string; name: string }>) byDistrict.set(d.code, { code: d.code, name: d.name, units: [] });
    for (const t of townships.all() as Array<{ code: string; name: string; kind: string; district_code: string }>) {
      byDistrict.get(t.district_code)?.units.push({ code: t.code, name: t.name, kind: t.kind });
    }
    return [...byDistrict.values()];
  }

  return {
    tree() {
      const v = version();
      if (treeHeld?.version !== v) treeHeld = { version: v, tree: readTree() };
      return treeHeld.tree;
    },
    handlingUnits() {
      const v = version();
      if (handlingHeld?.version !== v) {
        const rows = handling.all() as Array<{ code: string; name: string; kind: HandlingUnitKind; handles: string | null }>;
        handlingHeld = { version: v, units: rows.map((r) => ({ code: r.code, name: r.name, kind: r.kind, handles: handlesOf(r.handles) })) };
      }
      return handlingHeld.units;
    },
    version,
  };
}
