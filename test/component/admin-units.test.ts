/**
 * Issue 15: the handling-unit directory administered live. The whole hotline (startSecured: one user per role);
 * units are added, renamed, retired and restored over HTTP, and the pickers, the suggestion, dispatch and the
 * rankings see it without a restart. Every change and every refused attempt is in the admin audit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecured, callAs } from './security-harness.ts';
import type { Secured } from './security-harness.ts';
import { COMPLAINT } from './dispatch-harness.ts';
import { A, insertReportsDataset } from './reports-dataset.ts';
import type { Role } from '../../src/features/auth/auth.service.ts';
import { seedHandlingUnits } from '../../src/features/dispatch/handling-units.ts';
import { readUnitsSeed, seedUnits } from '../../src/store/seed-units.ts';

let s: Secured;
beforeAll(async () => { s = await startSecured({ logLevel: 'info' }); }, 60_000);
afterAll(async () => { await s?.close(); });

type Body = Record<string, any>;
type Who = Role | 'none';

async function api(who: Who, method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
  return callAs(s, who === 'none' ? null : s.sessions[who], method, path, body);
}

interface AuditRow { actor_username: string; action: string; target: string | null; outcome: string; reason: string | null; before_json: string | null; after_json: string | null }
const audits = (action: string): AuditRow[] =>
  s.hotline.db.prepare('SELECT * FROM admin_audit WHERE action = ? ORDER BY id').all(action) as AuditRow[];

const CHAOYANG = '110105';
const JIANWAI = '110105001';
const CHAOWAI = '110105002';

/** The codes of the picker's tree (GET /api/units) and of the departments and utilities (GET /api/handling-units). */
async function offered(): Promise<Set<string>> {
  const tree = (await api('agent', 'GET', '/api/units')).body as { districts: Array<{ code: string; units: Array<{ code: string }> }> };
  const handling = (await api('agent', 'GET', '/api/handling-units')).body as { units: Array<{ code: string }> };
  return new Set([...tree.districts.flatMap((d) => [d.code, ...d.units.map((u) => u.code)]), ...handling.units.map((u) => u.code)]);
}

/** A ticket saved and dispatched to `leadUnit` in one step by the agent; its id. */
async function dispatchedTo(leadUnit: string): Promise<string> {
  const res = await api('agent', 'POST', '/api/tickets/intake', { ...COMPLAINT, handling: { mode: 'dispatch', leadUnit } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

describe('who may read and change the directory', () => {
  const routes: Array<[string, string, unknown?]> = [
    ['GET', '/api/admin/units'],
    ['POST', '/api/admin/units', { code: 'x-role', name: '测试', kind: 'department' }],
    ['PATCH', `/api/admin/units/${CHAOWAI}`, { name: '改名' }],
    ['POST', `/api/admin/units/${CHAOWAI}/retire`],
    ['POST', `/api/admin/units/${CHAOWAI}/restore`],
    ['GET', `/api/admin/units/${CHAOWAI}/users`],
  ];

  it('when an agent, a unit user or nobody asks, then 403, 403 and 401 on every route, and nothing changes', async () => {
    for (const [method, path, body] of routes) {
      expect((await api('agent', method, path, body)).status, `${method} ${path}`).toBe(403);
      expect((await api('unit', method, path, body)).status, `${method} ${path}`).toBe(403);
      expect((await api('none', method, path, body)).status, `${method} ${path}`).toBe(401);
    }
    expect((await api('admin', 'GET', '/api/admin/units?q=x-role')).body.total).toBe(0);
    expect(audits('unit.create').filter((a) => a.outcome === 'refused').map((a) => [a.actor_username, a.reason]))
      .toEqual([['sec-agent', 'ERR_FORBIDDEN'], ['sec-unit', 'ERR_FORBIDDEN']]);
    expect(audits('unit.list').map((a) => a.actor_username)).toEqual(['sec-agent', 'sec-unit']);
  });

  it('when a supervisor reads, then the list and the accounts come back; when they try a change, then 403 and the refusal is audited', async () => {
    const list = await api('supervisor', 'GET', `/api/admin/units?q=${JIANWAI}`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      total: 1,
      units: [{
        code: JIANWAI, name: '建外街道', kind: 'street', districtCode: CHAOYANG, districtName: '朝阳区', contactNumber: expect.any(String),
        retiredAt: null, users: 0, handles: [],
      }],
    });
    expect((await api('supervisor', 'GET', `/api/admin/units/${JIANWAI}/users`)).status).toBe(200);
    const before = audits('unit.update').length;
    const tried = await api('supervisor', 'PATCH', `/api/admin/units/${JIANWAI}`, { name: '主管改的名字' });
    expect(tried.status).toBe(403);
    expect((await api('supervisor', 'POST', `/api/admin/units/${JIANWAI}/retire`)).status).toBe(403);
    const refused = audits('unit.update').slice(before);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ actor_username: 'sec-supervisor', target: JIANWAI, outcome: 'refused', reason: 'ERR_FORBIDDEN' });
    // The role is decided before the body is read: the attempt is named by route and target, its body never parsed.
    expect(JSON.parse(refused[0]!.after_json!)).toMatchObject({ request: null, context: { reason: 'role', role: 'supervisor' } });
    expect(audits('unit.retire').at(-1)).toMatchObject({ actor_username: 'sec-supervisor', outcome: 'refused' });
    expect((await api('admin', 'GET', `/api/admin/units?q=${JIANWAI}`)).body.units[0].name).toBe('建外街道');
  });
});

describe('listing and adding units', () => {
  it('when the list is filtered by text, kind, district and state and paged, then it counts and pages what matches', async () => {
    const streets = await api('admin', 'GET', `/api/admin/units?kind=street&district=${CHAOYANG}&limit=5&offset=5`);
    expect(streets.body.total).toBeGreaterThan(20);
    expect(streets.body.units).toHaveLength(5);
    expect(streets.body.units.every((u: Body) => u.kind === 'street' && u.districtCode === CHAOYANG && u.districtName === '朝阳区')).toBe(true);
    const districts = await api('admin', 'GET', '/api/admin/units?kind=district&limit=200');
    expect(districts.body.total).toBe(16);
    expect(districts.body.units[0]).toMatchObject({ kind: 'district', districtCode: null, districtName: null });
    const utilities = await api('admin', 'GET', '/api/admin/units?kind=utility&q=%E7%87%83%E6%B0%94');   // 燃气
    expect(utilities.body.units.map((u: Body) => [u.code, u.handles])).toEqual([['util-gas', ['gas']]]);
    const own = await api('admin', 'GET', `/api/admin/units?q=${s.hotline.db.prepare("SELECT unit_id FROM users WHERE username = 'sec-unit'").pluck().get() as string}`);
    expect(own.body.units[0].users).toBe(1);
    expect((await api('admin', 'GET', '/api/admin/units?q=100%25')).body.total).toBe(0);
    expect((await api('admin', 'GET', '/api/admin/units?limit=500')).status).toBe(400);
    expect((await api('admin', 'GET', '/api/admin/units?kind=planet')).status).toBe(400);
  });

  it('when a new unit breaks several rules, then every error comes back at once in Chinese and English, nothing is added, and the refusal is audited', async () => {
    const res = await api('admin', 'POST', '/api/admin/units', { code: 'a', name: '  ', kind: 'street', contactNumber: '12-34', handles: ['water'] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ERR_VALIDATION');
    const fields = (res.body.error.details as Array<{ field: string; message: string; message_en: string }>);
    expect(fields.map((f) => f.field).sort()).toEqual(['code', 'contactNumber', 'districtCode', 'handles', 'name']);
    expect(fields.every((f) => /[\u4e00-\u9fff]/.test(f.message) && f.message_en.length > 0)).toBe(true);
    const notDistrict = await api('admin', 'POST', '/api/admin/units', { code: 'x-street', name: '新街道', kind: 'street', districtCode: JIANWAI });
    expect(notDistrict.body.error.details.map((f: Body) => f.field)).toEqual(['districtCode']);
    const departmentInDistrict = await api('admin', 'POST', '/api/admin/units', { code: 'x-dept', name: '区部门', kind: 'department', districtCode: CHAOYANG, handles: ['nonsense'] });
    expect(departmentInDistrict.body.error.details.map((f: Body) => f.field).sort()).toEqual(['districtCode', 'handles']);
    expect(audits('unit.create').filter((a) => a.actor_username === 'sec-admin').map((a) => [a.outcome, a.reason, a.target]))
      .toEqual([['refused', 'ERR_VALIDATION', 'a'], ['refused', 'ERR_VALIDATION', 'x-street'], ['refused', 'ERR_VALIDATION', 'x-dept']]);
    expect((await api('admin', 'GET', '/api/admin/units?q=x-')).body.total).toBe(0);
  });

  it('when a street and a department are added, then the pickers and the suggestion offer them at once, and a taken code is refused', async () => {
    const units = (tag?: string) => fetch(`${s.url}/api/units`, { headers: { authorization: `Bearer ${s.sessions.agent.token}`, ...(tag ? { 'if-none-match': tag } : {}) } });
    const tagBefore = (await units()).headers.get('etag')!;
    expect((await units(tagBefore)).status).toBe(304);
    const street = await api('admin', 'POST', '/api/admin/units', { code: 'CY-NEW-01', name: '望京新区街道', kind: 'street', districtCode: CHAOYANG, contactNumber: '01064000001' });
    expect(street.status).toBe(201);
    expect(street.body.unit).toEqual({
      code: 'CY-NEW-01', name: '望京新区街道', kind: 'street', districtCode: CHAOYANG, districtName: '朝阳区', contactNumber: '01064000001',
      retiredAt: null, users: 0, handles: [],
    });
    const tree = (await api('agent', 'GET', '/api/units')).body.districts as Array<{ code: string; units: Array<{ code: string; name: string }> }>;
    expect(tree.find((d) => d.code === CHAOYANG)!.units).toContainEqual(expect.objectContaining({ code: 'CY-NEW-01', name: '望京新区街道' }));
    // A browser holding the tree from before the change gets the new one, not a 304.
    const changed = await units(tagBefore);
    expect(changed.status).toBe(200);
    expect(changed.headers.get('cache-control')).toBe('private, no-cache');
    expect(changed.headers.get('etag')).not.toBe(tagBefore);

    const dept = await api('admin', 'POST', '/api/admin/units', { code: 'city-outage', name: '市停水应急办', kind: 'department', handles: ['water/outage', '供水/停水'] });
    expect(dept.status).toBe(201);
    expect(dept.body.unit.handles).toEqual(['water/outage']);
    expect((await api('agent', 'GET', '/api/handling-units')).body.units).toContainEqual({ code: 'city-outage', name: '市停水应急办', kind: 'department', handles: ['water/outage'] });
    const suggestion = await api('agent', 'GET', `/api/dispatch/suggestion?category=water/outage&townshipCode=${JIANWAI}`);
    expect(suggestion.body.suggestion).toMatchObject({ unitCode: 'city-outage', name: '市停水应急办', reason: 'department_of_category' });

    const twice = await api('admin', 'POST', '/api/admin/units', { code: 'cy-new-01', name: '重复', kind: 'street', districtCode: CHAOYANG });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'ERR_UNIT_CODE_TAKEN', context: { existing: 'CY-NEW-01' } });
    expect(audits('unit.create').filter((a) => a.outcome === 'ok').map((a) => a.target)).toEqual(['CY-NEW-01', 'city-outage']);
    expect(JSON.parse(audits('unit.create').find((a) => a.target === 'CY-NEW-01')!.after_json!)).toMatchObject({ name: '望京新区街道' });
    // Dispatched to at once.
    expect(await dispatchedTo('CY-NEW-01')).toBeTruthy();
  });
});

describe('a rename keeps history', () => {
  it('when a street is renamed today, then last month\'s ranking and scorecard keep the old name and everything live shows the new one', async () => {
    insertReportsDataset(s.hotline.db);
    const ranked = async () => ((await api('supervisor', 'GET', '/api/reports/ranking?month=2026-11')).body.rows as Body[]).find((r) => r.code === A)!;
    expect((await ranked()).name).toBe('东华门街道');
    const renamed = await api('admin', 'PATCH', `/api/admin/units/${A}`, { name: '东华门新街道', contactNumber: '01065000000' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.unit).toMatchObject({ name: '东华门新街道', contactNumber: '01065000000' });

    expect((await ranked()).name).toBe('东华门街道');
    const card = await api('supervisor', 'GET', `/api/reports/units/${A}/scorecard?month=2026-11&months=2`);
    expect(card.body.unit.name).toBe('东华门街道');
    const csv = await (await fetch(`${s.url}/api/reports/ranking.csv?month=2026-11`, { headers: { authorization: `Bearer ${s.sessions.supervisor.token}` } })).text();
    expect(csv).toContain(`${A},东华门街道,`);

    expect((await api('admin', 'GET', `/api/admin/units?q=${A}`)).body.units[0].name).toBe('东华门新街道');
    const tree = (await api('agent', 'GET', '/api/units')).body.districts as Array<{ units: Array<{ code: string; name: string }> }>;
    expect(tree.flatMap((d) => d.units).find((u) => u.code === A)!.name).toBe('东华门新街道');
    const thisMonth = (await api('supervisor', 'GET', '/api/reports/me')).body.currentMonth as string;
    const card2 = await api('supervisor', 'GET', `/api/reports/units/${A}/scorecard?month=${thisMonth}&months=1`);
    expect(card2.body.unit.name).toBe('东华门新街道');
    // The bundled seed, loaded again at every start, leaves an administrator's unit as they made it.
    seedUnits(s.hotline.db, readUnitsSeed());
    seedHandlingUnits(s.hotline.db);
    expect((await api('admin', 'GET', `/api/admin/units?q=${A}`)).body.units[0].name).toBe('东华门新街道');
    const update = audits('unit.update').filter((a) => a.outcome === 'ok').at(-1)!;
    expect(JSON.parse(update.before_json!)).toMatchObject({ name: '东华门街道' });
    expect(JSON.parse(update.after_json!)).toMatchObject({ name: '东华门新街道', contactNumber: '01065000000' });
  });

  it('when a unit a ticket was once dispatched to is renamed, then that ended round keeps the old name and the live round the new', async () => {
    const id = await dispatchedTo(CHAOWAI);
    expect((await api('supervisor', 'POST', `/api/tickets/${id}/reassign`, { leadUnit: JIANWAI })).status).toBe(200);
    await api('admin', 'PATCH', `/api/admin/units/${CHAOWAI}`, { name: '朝外新街道' });
    await api('admin', 'PATCH', `/api/admin/units/${JIANWAI}`, { name: '建外新街道' });
    const file = (await api('supervisor', 'GET', `/api/tickets/${id}/handling`)).body;
    expect(file.rounds.map((r: Body) => [r.leadUnit, r.leadUnitName])).toEqual([[CHAOWAI, '朝外街道'], [JIANWAI, '建外新街道']]);
    expect(file.dispatch.leadUnitName).toBe('建外新街道');
  });
});

describe('retiring and restoring a unit', () => {
  it('when a unit still has an open dispatch, then retiring it is refused with the count; once reassigned it retires, is offered to nobody and cannot be dispatched to', async () => {
    const code = '110105003';
    const id = await dispatchedTo(code);
    const refused = await api('admin', 'POST', `/api/admin/units/${code}/retire`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'ERR_UNIT_HAS_OPEN_DISPATCHES', context: { openDispatches: 1 } });
    expect(refused.body.error.message).toMatch(/未办结/);
    expect(audits('unit.retire').at(-1)).toMatchObject({ actor_username: 'sec-admin', outcome: 'refused', reason: 'ERR_UNIT_HAS_OPEN_DISPATCHES', target: code });

    expect((await api('supervisor', 'POST', `/api/tickets/${id}/reassign`, { leadUnit: CHAOWAI })).status).toBe(200);
    const retired = await api('admin', 'POST', `/api/admin/units/${code}/retire`);
    expect(retired.status).toBe(200);
    expect(retired.body.unit.retiredAt).toEqual(expect.any(Number));
    expect((await offered()).has(code)).toBe(false);
    expect((await api('agent', 'GET', `/api/dispatch/suggestion?category=sanitation/rubbish&townshipCode=${code}`)).body.suggestion).toBeNull();

    const intake = await api('agent', 'POST', '/api/tickets/intake', { ...COMPLAINT, handling: { mode: 'dispatch', leadUnit: code } });
    expect(intake.status).toBe(409);
    expect(intake.body.error).toMatchObject({ code: 'ERR_UNIT_RETIRED', details: [{ field: 'leadUnit' }] });
    const back = await api('supervisor', 'POST', `/api/tickets/${id}/reassign`, { leadUnit: code });
    expect(back.body.error.code).toBe('ERR_UNIT_RETIRED');
    // Its ticket keeps it.
    const file = (await api('supervisor', 'GET', `/api/tickets/${id}/handling`)).body;
    expect(file.rounds[0]).toMatchObject({ leadUnit: code, leadUnitName: expect.stringMatching(/\S/) });
    expect((await api('admin', 'GET', `/api/admin/units?state=retired&q=${code}`)).body.total).toBe(1);
    expect((await api('admin', 'GET', `/api/admin/units?state=active&q=${code}`)).body.total).toBe(0);

    const again = await api('admin', 'POST', `/api/admin/units/${code}/retire`);
    expect(again.body.error).toMatchObject({ code: 'ERR_UNIT_STATE', context: { reason: 'already_retired' } });
    const restored = await api('admin', 'POST', `/api/admin/units/${code}/restore`);
    expect(restored.body.unit.retiredAt).toBeNull();
    expect((await offered()).has(code)).toBe(true);
    expect(await dispatchedTo(code)).toBeTruthy();
    expect(audits('unit.retire').filter((a) => a.outcome === 'ok').map((a) => a.target)).toEqual([code]);
    expect(audits('unit.restore').filter((a) => a.outcome === 'ok').map((a) => a.target)).toEqual([code]);
  });

  it('when a department is retired, then it is neither offered nor suggested; a district with streets in use is not retired', async () => {
    expect((await api('admin', 'POST', '/api/admin/units/util-gas/retire')).status).toBe(200);
    expect((await offered()).has('util-gas')).toBe(false);
    expect((await api('agent', 'GET', `/api/dispatch/suggestion?category=gas/leak&townshipCode=${JIANWAI}`)).body.suggestion)
      .toMatchObject({ unitCode: JIANWAI, reason: 'township_fallback' });
    // Its handled categories changed by an administrator outlive the seed at the next start.
    expect((await api('admin', 'PATCH', '/api/admin/units/util-heat', { handles: ['heating', 'power/outage'] })).status).toBe(200);
    seedHandlingUnits(s.hotline.db);
    expect((await api('admin', 'GET', '/api/admin/units?q=util-heat')).body.units[0].handles).toEqual(['heating', 'power/outage']);
    expect((await api('admin', 'PATCH', '/api/admin/units/CY-NEW-01', { handles: ['water'] })).body.error.details.map((f: Body) => f.field)).toEqual(['handles']);
    const district = await api('admin', 'POST', `/api/admin/units/${CHAOYANG}/retire`);
    expect(district.status).toBe(409);
    expect(district.body.error).toMatchObject({ code: 'ERR_UNIT_HAS_ACTIVE_UNITS', context: { activeUnits: expect.any(Number) } });
    expect((await api('admin', 'POST', '/api/admin/units/NOPE-1/retire')).status).toBe(404);
    expect((await api('admin', 'POST', `/api/admin/units/${JIANWAI}/restore`)).body.error.code).toBe('ERR_UNIT_STATE');
  });

  it('when a unit\'s accounts are asked for, then each comes with its name and whether it is disabled', async () => {
    const code = s.hotline.db.prepare("SELECT unit_id FROM users WHERE username = 'sec-unit'").pluck().get() as string;
    const res = await api('supervisor', 'GET', `/api/admin/units/${code}/users`);
    expect(res.body).toEqual({ code, users: [{ id: expect.any(String), username: 'sec-unit', displayName: 'unit', disabled: false }] });
    expect((await api('admin', 'GET', '/api/admin/units/NOPE-1/users')).status).toBe(404);
  });
});
