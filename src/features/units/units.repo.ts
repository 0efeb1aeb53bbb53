import type { Database } from '../../store/database.ts';

export interface Township { code: string; name: string; kind: string }
export interface District { code: string; name: string; units: Township[] }

export interface UnitsRepo {
  /** Districts with their streets and townships, in code order. */
  tree(): District[];
}

export function createUnitsRepo(db: Database): UnitsRepo {
  const districts = db.prepare("SELECT code, name FROM units WHERE kind = 'district' ORDER BY code");
  const townships = db.prepare(`SELECT code, name, kind, district_code FROM units
    WHERE kind <> 'district' AND district_code IS NOT NULL ORDER BY code`);
  return {
    tree() {
      const byDistrict = new Map<string, District>();
      for (const d of districts.all() as Array<{ code: string; name: string }>) byDistrict.set(d.code, { code: d.code, name: d.name, units: [] });
      for (const t of townships.all() as Array<{ code: string; name: string; kind: string; district_code: string }>) {
        byDistrict.get(t.district_code)?.units.push({ code: t.code, name: t.name, kind: t.kind });
      }
      return [...byDistrict.values()];
    },
  };
}
