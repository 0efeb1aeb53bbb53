/**
 * The administrators' side of the handling-unit directory: add a unit, rename it (the old name stays with the past),
 * change its contact number or the categories it handles, retire it and bring it back. Every change is applied at
 * once (pickers, suggestions and dispatch read the directory live) and written to the admin audit in the same
 * transaction; refusals are audited by the routes (directory.feature.ts).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import { findCategory } from '../../domain/taxonomy.ts';
import type { FieldDetail } from '../../http-errors.ts';
import type { AdminAudit, AuditActor } from './admin-audit.ts';
import { STORE_KIND, adminKindOf } from './units-admin.repo.ts';
import type { AdminUnitKind, UnitAccount, UnitQuery, UnitRecord, UnitsAdminRepo } from './units-admin.repo.ts';

export interface UnitView {
  code: string; name: string; kind: AdminUnitKind; districtCode: string | null; districtName: string | null;
  contactNumber: string | null; retiredAt: number | null; users: number;
  /** Category codes a department or utility handles (the dispatch suggestion reads them); empty for the others. */
  handles: string[];
}

export interface NewUnit {
  code: string; name: string; kind: AdminUnitKind; districtCode?: string | undefined; contactNumber?: string | null | undefined; handles?: string[] | undefined;
}
export interface UnitChange { name?: string | undefined; contactNumber?: string | null | undefined; handles?: string[] | undefined }

const CODE = /^[A-Za-z0-9-]{2,32}$/;
const PHONE = /^\+?[0-9]{3,20}$/;
const NAME_MAX = 60;
const HANDLING_KINDS: readonly string[] = ['department', 'utility'];

const field = (name: string, message: string, message_en: string): FieldDetail => ({ field: name, message, message_en });

export function viewOf(r: UnitRecord): UnitView {
  return {
    code: r.code, name: r.name, kind: adminKindOf(r.kind), districtCode: r.districtCode, districtName: r.districtName,
    contactNumber: r.contactNumber, retiredAt: r.retiredAt, users: r.users, handles: r.handles,
  };
}

function checkName(name: string, errors: FieldDetail[]): string {
  const text = name.trim();
  if (text === '') errors.push(field('name', '请填写单位名称', 'Give the unit a name'));
  else if ([...text].length > NAME_MAX) errors.push(field('name', `单位名称不能超过 ${NAME_MAX} 个字`, `The name is longer than ${NAME_MAX} characters`));
  else if (/[\r\n\t]/.test(text)) errors.push(field('name', '单位名称不能包含换行或制表符', 'The name cannot contain line breaks or tabs'));
  return text;
}

function checkContact(value: string | null | undefined, errors: FieldDetail[]): string | null {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  if (!PHONE.test(text)) errors.push(field('contactNumber', '联系电话只能是 3 至 20 位数字（可带 + 号）', 'The contact number must be 3 to 20 digits, optionally after +'));
  return text;
}

function checkHandles(kind: string, handles: string[] | undefined, errors: FieldDetail[]): string[] | null {
  if (handles === undefined) return null;
  if (!HANDLING_KINDS.includes(kind)) {
    errors.push(field('handles', '只有部门和公共服务企业可以设置承办的诉求分类', 'Only departments and utilities handle categories'));
    return null;
  }
  const out: string[] = [];
  const unknown: string[] = [];
  for (const code of handles) {
    const match = findCategory(code.trim());
    if (match === undefined) unknown.push(code);
    else if (!out.includes(match.code)) out.push(match.code);
  }
  if (unknown.length) errors.push(field('handles', `未知的诉求分类：${unknown.join('、')}`, `Unknown categories: ${unknown.join(', ')}`));
  return out;
}

export type UnitsAdmin = ReturnType<typeof createUnitsAdmin>;

export function createUnitsAdmin(deps: { repo: UnitsAdminRepo; audit: AdminAudit; clock: Clock; log: Logger }) {
  const { repo, audit, clock } = deps;
  const log = deps.log.child({ component: 'unit-directory' });

  function mustFind(code: string): UnitRecord {
    const found = repo.get(code);
    if (!found) throw hotlineError('ERR_NO_SUCH_UNIT', { code });
    return found;
  }

  function changed(actor: AuditActor, action: string, code: string, before: UnitView | undefined, after: UnitView): UnitView {
    audit.record({ actor, action, target: code, ...(before ? { before } : {}), after, outcome: 'ok' });
    log.info({ action, unit: code, by: actor.username }, 'unit directory changed');
    return after;
  }

  function create(actor: AuditActor, u: NewUnit): UnitView {
    const errors: FieldDetail[] = [];
    const code = u.code.trim();
    if (!CODE.test(code)) errors.push(field('code', '单位编码须为 2 至 32 位字母、数字或连字符（-）', 'The code must be 2 to 32 letters, digits or hyphens'));
    const name = checkName(u.name, errors);
    const contactNumber = checkContact(u.contactNumber, errors);
    const handles = checkHandles(u.kind, u.handles, errors);
    const inDistrict = u.kind === 'street' || u.kind === 'township';
    const districtCode = u.districtCode?.trim() || null;
    if (inDistrict && districtCode === null) errors.push(field('districtCode', '街道、乡镇须选择所属区', 'A street or township needs its district'));
    if (!inDistrict && districtCode !== null) errors.push(field('districtCode', '只有街道、乡镇属于某个区', 'Only streets and townships belong to a district'));
    if (inDistrict && districtCode !== null) {
      const district = repo.get(districtCode);
      if (!district || district.kind !== 'district') errors.push(field('districtCode', `未找到该区：${districtCode}`, `No such district ${districtCode}`));
      else if (district.retiredAt !== null) errors.push(field('districtCode', `${district.name}已撤销`, `District ${districtCode} is retired`));
    }
    if (errors.length) throw hotlineError('ERR_VALIDATION', { fields: errors });
    return repo.transaction(() => {
      const taken = repo.codeTaken(code);
      if (taken !== undefined) {
        throw hotlineError('ERR_UNIT_CODE_TAKEN', { code, existing: taken, fields: [field('code', `单位编码 ${taken} 已被使用`, `The code ${taken} is taken`)] });
      }
      const at = clock.now();
      const kind = STORE_KIND[u.kind];
      repo.insert({ code, name, kind, districtCode: u.kind === 'district' ? code : districtCode, contactNumber, handles: HANDLING_KINDS.includes(u.kind) ? handles ?? [] : null, at });
      return changed(actor, 'unit.create', code, undefined, viewOf(mustFind(code)));
    });
  }

  function update(actor: AuditActor, code: string, c: UnitChange): UnitView {
    return repo.transaction(() => {
      const before = mustFind(code);
      const errors: FieldDetail[] = [];
      const name = c.name === undefined ? undefined : checkName(c.name, errors);
      const contactNumber = c.contactNumber === undefined ? undefined : checkContact(c.contactNumber, errors);
      const handles = checkHandles(before.kind, c.handles, errors);
      if (errors.length) throw hotlineError('ERR_VALIDATION', { fields: errors, code });
      const at = clock.now();
      if (name !== undefined && name !== before.name) repo.rename(code, name, at);
      if (contactNumber !== undefined && contactNumber !== before.contactNumber) repo.setContact(code, contactNumber, at);
      if (handles !== null) repo.setHandles(code, handles, at);
      return changed(actor, 'unit.update', code, viewOf(before), viewOf(mustFind(code)));
    });
  }

  /** Retires a unit: offered to nobody, dispatched nothing; refused while tickets are open with it. */
  function retire(actor: AuditActor, code: string): UnitView {
    return repo.transaction(() => {
      const before = mustFind(code);
      if (before.retiredAt !== null) throw hotlineError('ERR_UNIT_STATE', { code, reason: 'already_retired', zh: '该单位已经撤销', en: 'The unit is already retired' });
      const openDispatches = repo.openDispatches(code);
      if (openDispatches > 0) throw hotlineError('ERR_UNIT_HAS_OPEN_DISPATCHES', { code, openDispatches, zh: `该单位还有 ${openDispatches} 张工单未办结`, en: `${openDispatches} tickets are still open with the unit` });
      if (before.kind === 'district') {
        const activeUnits = repo.activeChildren(code);
        if (activeUnits > 0) throw hotlineError('ERR_UNIT_HAS_ACTIVE_UNITS', { code, activeUnits, zh: `该区下还有 ${activeUnits} 个在用的街道、乡镇`, en: `${activeUnits} streets or townships of the district are in use` });
      }
      repo.setRetired(code, clock.now());
      return changed(actor, 'unit.retire', code, viewOf(before), viewOf(mustFind(code)));
    });
  }

  function restore(actor: AuditActor, code: string): UnitView {
    return repo.transaction(() => {
      const before = mustFind(code);
      if (before.retiredAt === null) throw hotlineError('ERR_UNIT_STATE', { code, reason: 'not_retired', zh: '该单位未撤销，无需恢复', en: 'The unit is not retired' });
      const district = before.kind !== 'district' && before.districtCode ? repo.get(before.districtCode) : undefined;
      if (district?.retiredAt != null) throw hotlineError('ERR_UNIT_STATE', { code, reason: 'district_retired', district: district.code, zh: '所属区已撤销，请先恢复该区', en: 'Its district is retired: restore the district first' });
      repo.setRetired(code, null);
      return changed(actor, 'unit.restore', code, viewOf(before), viewOf(mustFind(code)));
    });
  }

  return {
    list: (q: UnitQuery): { total: number; units: UnitView[] } => {
      const found = repo.list(q);
      return { total: found.total, units: found.units.map(viewOf) };
    },
    get: (code: string): UnitView => viewOf(mustFind(code)),
    users: (code: string): { code: string; users: UnitAccount[] } => ({ code: mustFind(code).code, users: repo.accounts(code) }),
    create,
    update,
    retire,
    restore,
  };
}
