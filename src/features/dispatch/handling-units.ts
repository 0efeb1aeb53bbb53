/**
 * City departments and public utilities that take dispatched tickets besides the streets and
 * townships, and the suggested unit for a ticket from its place and category. The list is
 * configuration: a city passes its own to seedHandlingUnits and suggestUnit.
 */
import { findCategory, suggestUnitKind } from '../../domain/taxonomy.ts';
import type { Taxonomy } from '../../domain/taxonomy.ts';
import type { Database } from '../../store/database.ts';

export type HandlingUnitKind = 'department' | 'utility';

export interface HandlingUnit {
  readonly code: string;
  readonly name: string;
  readonly kind: HandlingUnitKind;
  /** Category codes it handles: a group ('water') or an item ('pollution/water'); an item wins over a group. */
  readonly handles: readonly string[];
}

export const SEED_HANDLING_UNITS: readonly HandlingUnit[] = [
  { code: 'city-zjw', name: '市住房城乡建设委', kind: 'department', handles: ['housing', 'construction', 'property', 'repairs'] },
  { code: 'city-jtw', name: '市交通委', kind: 'department', handles: ['traffic'] },
  { code: 'city-cgw', name: '市城市管理委', kind: 'department', handles: ['sanitation', 'illegal-building'] },
  { code: 'city-scjgj', name: '市市场监管局', kind: 'department', handles: ['market'] },
  { code: 'city-sthjj', name: '市生态环境局', kind: 'department', handles: ['pollution'] },
  { code: 'city-swj', name: '市水务局', kind: 'department', handles: ['pollution/water'] },
  { code: 'city-jw', name: '市教委', kind: 'department', handles: ['education'] },
  { code: 'city-rsj', name: '市人力资源社会保障局', kind: 'department', handles: ['labour', 'social-security'] },
  { code: 'city-ybj', name: '市医保局', kind: 'department', handles: ['social-security/medical-insurance'] },
  { code: 'city-wjw', name: '市卫生健康委', kind: 'department', handles: ['health'] },
  { code: 'city-yjj', name: '市应急管理局', kind: 'department', handles: ['public-safety/work-safety', 'public-safety/chemicals'] },
  { code: 'city-zwfwj', name: '市政务服务和数据管理局', kind: 'department', handles: ['business-environment'] },
  { code: 'util-water', name: '北京自来水集团', kind: 'utility', handles: ['water'] },
  { code: 'util-power', name: '国网北京市电力公司', kind: 'utility', handles: ['power'] },
  { code: 'util-gas', name: '北京燃气集团', kind: 'utility', handles: ['gas'] },
  { code: 'util-heat', name: '北京热力集团', kind: 'utility', handles: ['heating'] },
];

/**
 * Adds or renames the departments and utilities, with the categories they handle; they have no district, so the
 * form's place tree leaves them out. A unit an administrator has changed (units.edited_at) is left as they made it.
 */
export function seedHandlingUnits(db: Database, units: readonly HandlingUnit[] = SEED_HANDLING_UNITS): number {
  const upsert = db.prepare(`INSERT INTO units (code, name, district_code, kind, handles) VALUES (?, ?, NULL, ?, ?)
    ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, handles = excluded.handles
    WHERE units.edited_at IS NULL`);
  db.transaction(() => { for (const u of units) upsert.run(u.code, u.name, u.kind, JSON.stringify(u.handles)); })();
  return units.length;
}

/** The department or utility that handles a category: an item match first, then its group. */
export function departmentFor(category: string, units: readonly HandlingUnit[] = SEED_HANDLING_UNITS, taxonomy?: Taxonomy): HandlingUnit | undefined {
  const match = findCategory(category, taxonomy);
  if (match === undefined) return undefined;
  return units.find((u) => u.handles.includes(match.code)) ?? units.find((u) => u.handles.includes(match.group.code));
}

export type SuggestionReason = 'township_of_place' | 'department_of_category' | 'township_fallback';

export interface UnitSuggestion { unitCode: string; reason: SuggestionReason }

/**
 * Where a ticket should go: the street or township where it happens for a 属地 category, the
 * matching department or utility otherwise, the township when no department handles the category.
 */
export function suggestUnit(
  ticket: { category: string | null; townshipCode: string | null },
  units: readonly HandlingUnit[] = SEED_HANDLING_UNITS,
  taxonomy?: Taxonomy,
): UnitSuggestion | null {
  const category = ticket.category ?? '';
  if (suggestUnitKind(category, taxonomy) === 'department') {
    const department = departmentFor(category, units, taxonomy);
    if (department) return { unitCode: department.code, reason: 'department_of_category' };
    return ticket.townshipCode ? { unitCode: ticket.townshipCode, reason: 'township_fallback' } : null;
  }
  return ticket.townshipCode ? { unitCode: ticket.townshipCode, reason: 'township_of_place' } : null;
}
