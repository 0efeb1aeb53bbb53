import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';

export interface UnitsSeed {
  readonly source: string;
  readonly city?: { readonly code: string; readonly name: string };
  readonly districts: ReadonlyArray<{
    readonly code: string;
    readonly name: string;
    readonly units: ReadonlyArray<{ readonly code: string; readonly name: string }>;
  }>;
}

export type UnitKind = 'district' | 'subdistrict' | 'town' | 'township' | 'area' | 'other';

/** The Beijing districts and township-level units shipped with the service. */
export const BUNDLED_UNITS_FILE = fileURLToPath(new URL('./seed/beijing-units.json', import.meta.url));

export function readUnitsSeed(path: string = BUNDLED_UNITS_FILE): UnitsSeed {
  const seed = JSON.parse(readFileSync(path, 'utf8')) as UnitsSeed;
  if (!seed || !Array.isArray(seed.districts)) throw new Error(`units seed ${path} has no districts list`);
  return seed;
}

/** What kind of unit a township-level name denotes: 街道, 镇, 乡 (incl. 民族乡) or 地区 (办事处). */
export function unitKindOf(name: string): UnitKind {
  if (name.endsWith('街道')) return 'subdistrict';
  if (name.endsWith('地区') || name.endsWith('地区办事处')) return 'area';
  if (name.endsWith('镇')) return 'town';
  if (name.endsWith('乡')) return 'township';
  return 'other';
}

/**
 * Loads districts and their units into `units`; running it again updates names and adds nothing twice. A unit an
 * administrator has changed (units.edited_at) is left as they made it.
 */
export function seedUnits(db: Database, seed: UnitsSeed): { districts: number; units: number } {
  const upsert = db.prepare(`INSERT INTO units (code, name, district_code, kind) VALUES (?, ?, ?, ?)
    ON CONFLICT (code) DO UPDATE SET name = excluded.name, district_code = excluded.district_code, kind = excluded.kind
    WHERE units.edited_at IS NULL`);
  let districts = 0;
  let units = 0;
  db.transaction(() => {
    for (const district of seed.districts) {
      upsert.run(district.code, district.name, district.code, 'district');
      districts++;
      for (const unit of district.units) {
        upsert.run(unit.code, unit.name, district.code, unitKindOf(unit.name));
        units++;
      }
    }
  })();
  return { districts, units };
}
