import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { createAdminAudit } from '../../src/features/admin/admin-audit.ts';
import { startSecured, callAs } from './security-harness.ts';
import type { Secured, Session } from './security-harness.ts';

/** Issue 15: the category tree is data, edited by the administrators, versioned and applied live. */

let s: Secured;
const clock = new VirtualClock(Date.now());
beforeAll(async () => { s = await startSecured({ clock, logLevel: 'info' }); }, 60_000);
afterAll(async () => { await s?.close(); });

interface Reply { status: number; body: any }

async function call(who: Session | null, method: string, path: string, body?: unknown): Promise<Reply> {
  return callAs(s, who, method, path, body);
}

const audit = () => createAdminAudit(s.hotline.db, () => clock.now());
const PLACE = { districtCode: '110105', townshipCode: '110105001', address: '建国门外大街 1 号院', contactName: '王先生', contactPhone: '13900139001' };
const ticket = (category: string, extra: Record<string, unknown> = {}) =>
  call(s.sessions.agent, 'POST', '/api/tickets', { type: 'complaint', category, description: '小区门口问题一直没人处理', callerNumber: '13900139001', ...PLACE, ...extra });

type Tree = { groups: Array<{ code: string; zh: string; en: string; urgency: string; handling: string; retired: boolean; items: Array<Record<string, unknown>> }> };
async function inForce(): Promise<Tree & { version: number; effectiveAt: number; scheduled: Array<{ version: number; effectiveAt: number }> }> {
  const res = await call(s.sessions.admin, 'GET', '/api/admin/categories');
  expect(res.status).toBe(200);
  return res.body;
}

describe('who may read and change the category tree', () => {
  it('when an agent or a unit user asks, then 403 (audited); without a session, 401', async () => {
    for (const role of ['agent', 'unit'] as const) {
      expect((await call(s.sessions[role], 'GET', '/api/admin/categories')).status).toBe(403);
      expect((await call(s.sessions[role], 'PUT', '/api/admin/categories', { groups: [] })).status).toBe(403);
    }
    expect((await call(null, 'GET', '/api/admin/categories')).status).toBe(401);
    expect((await call(null, 'PUT', '/api/admin/categories', { groups: [] })).status).toBe(401);
    const refused = audit().list({ actor: s.sessions.unit.username }).entries;
    expect(refused.map((e) => [e.action, e.outcome, e.reason]).sort()).toEqual([
      ['categories.read', 'refused', 'ERR_FORBIDDEN'], ['categories.update', 'refused', 'ERR_FORBIDDEN'],
    ]);
  });

  it('when a supervisor reads, then the tree in force; when the supervisor tries a change, then 403, nothing changes and the refusal is audited', async () => {
    const read = await call(s.sessions.supervisor, 'GET', '/api/admin/categories');
    expect(read.status).toBe(200);
    const tree = read.body as Tree & { version: number };
    const water = tree.groups.find((g) => g.code === 'water')!;
    expect(water).toMatchObject({ zh: '供水', en: 'Water supply', urgency: 'utilities', handling: 'department', retired: false });
    expect(water.items.find((i) => i.code === 'water/outage')).toEqual({ code: 'water/outage', zh: '停水', en: 'Water outage', retired: false });
    expect(water.items.find((i) => i.code === 'water/fees')).toEqual({ code: 'water/fees', zh: '水费', en: 'Water bills', urgency: 'general', retired: false });
    const put = await call(s.sessions.supervisor, 'PUT', '/api/admin/categories', { groups: tree.groups });
    expect(put.status).toBe(403);
    expect((await inForce()).version).toBe(tree.version);
    const [entry] = audit().list({ actor: s.sessions.supervisor.username, action: 'categories.update' }).entries;
    expect(entry).toMatchObject({ outcome: 'refused', reason: 'ERR_FORBIDDEN', actor: s.sessions.supervisor.username });
  });
});

describe('checking a new tree', () => {
  it('when a tree breaks several rules, then 400 with every problem at once in Chinese and English, no new version, and the refusal audited', async () => {
    expect((await ticket('sanitation/rubbish')).status).toBe(201);
    const before = await inForce();
    const groups = structuredClone(before.groups);
    const sanitation = groups.find((g) => g.code === 'sanitation')!;
    sanitation.items = sanitation.items.filter((i) => i.code !== 'sanitation/rubbish');     // removed while tickets use it
    groups.push({ code: 'Bad Code', zh: '坏编码', en: 'Bad code', urgency: 'general', handling: 'township', retired: false, items: [
      { code: 'water/leak', zh: '', en: 'Leak', urgency: 'soon', handling: 'street', retired: false },
    ] });
    groups.push({ ...structuredClone(groups[0]!), zh: '重复' });                              // the same group code twice
    const res = await call(s.sessions.admin, 'PUT', '/api/admin/categories', { groups, effectiveAt: clock.now() - 3_600_000 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ERR_VALIDATION');
    const fields = (res.body.error.details as Array<{ field: string; message: string; message_en: string }>);
    const byField = (f: string) => fields.filter((d) => d.field === f);
    const bad = groups.length - 2;
    expect(byField(`groups[${bad}].code`)[0]!.message).toContain('只能由小写字母');
    expect(byField(`groups[${bad}].items[0].code`)[0]!.message_en).toContain('must be "Bad Code/<item>"');
    expect(byField(`groups[${bad}].items[0].zh`)).toHaveLength(1);
    expect(byField(`groups[${bad}].items[0].urgency`)[0]!.message).toContain('紧急程度');
    expect(byField(`groups[${bad}].items[0].handling`)[0]!.message_en).toContain('Unknown handling kind');
    expect(byField(`groups[${bad + 1}].code`)[0]!.message).toContain('重复');
    expect(byField('groups').map((d) => d.message)).toEqual(['分类“sanitation/rubbish”已有工单使用，只能停用，不能删除或改编码']);
    expect(byField('effectiveAt')).toHaveLength(1);
    for (const d of fields) { expect(d.message).toMatch(/[\u4e00-\u9fff]/); expect(d.message_en).toMatch(/[a-z]/); }
    expect((await inForce()).version).toBe(before.version);
    const [entry] = audit().list({ actor: s.sessions.admin.username, action: 'categories.update' }).entries;
    expect(entry).toMatchObject({ outcome: 'refused', reason: 'ERR_VALIDATION' });
  });

  it('when a category used by tickets is recoded, then it is refused; retired, it is taken', async () => {
    const before = await inForce();
    const recoded = structuredClone(before.groups);
    recoded.find((g) => g.code === 'sanitation')!.items.find((i) => i.code === 'sanitation/rubbish')!.code = 'sanitation/garbage';
    const res = await call(s.sessions.admin, 'PUT', '/api/admin/categories', { groups: recoded });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { message_en: string }) => d.message_en)).toEqual([
      'Tickets are filed under "sanitation/rubbish": it may be retired but not removed or recoded',
    ]);
    const retired = structuredClone(before.groups);
    retired.find((g) => g.code === 'sanitation')!.items.find((i) => i.code === 'sanitation/rubbish')!.retired = true;
    const ok = await call(s.sessions.admin, 'PUT', '/api/admin/categories', { groups: retired });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(before.version + 1);
  });
});

describe('a new version applies live', () => {
  it('when an administrator changes the tree, then the form, intake, the suggested urgency and the deadlines follow at once; old tickets keep their code', async () => {
    const old = await ticket('sanitation/graffiti');
    expect(old.status).toBe(201);
    const before = await inForce();
    const groups = structuredClone(before.groups);
    const water = groups.find((g) => g.code === 'water')!;
    water.items.find((i) => i.code === 'water/outage')!.urgency = 'life_safety';
    water.items.push({ code: 'water/meter', zh: '水表问题', en: 'Water meter', urgency: 'general', handling: 'department', retired: false });
    groups.find((g) => g.code === 'sanitation')!.items.find((i) => i.code === 'sanitation/graffiti')!.retired = true;
    groups.find((g) => g.code === 'heating')!.urgency = 'complex';                          // its items without their own follow
    const put = await call(s.sessions.admin, 'PUT', '/api/admin/categories', { groups });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: before.version + 1, effectiveAt: clock.now(), scheduled: [] });

    const form = await call(s.sessions.agent, 'GET', '/api/ticket-categories');
    const formWater = form.body.groups.find((g: { code: string }) => g.code === 'water');
    expect(formWater.items.find((i: { code: string }) => i.code === 'meter')).toMatchObject({ zh: '水表问题', en: 'Water meter' });
    expect(formWater.items.find((i: { code: string }) => i.code === 'outage')).toMatchObject({ urgency: 'life_safety' });
    const formSanitation = form.body.groups.find((g: { code: string }) => g.code === 'sanitation');
    expect(formSanitation.items.map((i: { code: string }) => i.code)).not.toContain('graffiti');
    expect(formSanitation.items.map((i: { code: string }) => i.code)).not.toContain('rubbish');

    const refused = await ticket('sanitation/graffiti');
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((d: { field: string }) => d.field)).toEqual(['category']);
    const meter = await ticket('water/meter');
    expect(meter.status).toBe(201);
    const outage = await ticket('water/outage');
    expect(outage.status).toBe(201);
    expect(outage.body.urgency).toBe('life_safety');
    expect((await ticket('heating/outage')).body.urgency).toBe('complex');
    expect((await ticket('heating/fees')).body.urgency).toBe('general');
    const suggestion = await call(s.sessions.agent, 'GET', '/api/dispatch/suggestion?category=water%2Foutage&townshipCode=110105001');
    expect(suggestion.body.urgency).toBe('life_safety');
    const deadlines = await call(s.sessions.agent, 'GET', `/api/dispatch/deadlines?urgency=${suggestion.body.urgency}`);
    expect(deadlines.body.classes[0].acceptBy - deadlines.body.at).toBeLessThanOrEqual(15 * 60_000);

    const kept = await call(s.sessions.agent, 'GET', `/api/tickets/${old.body.id}`);
    expect(kept.body.category).toBe('sanitation/graffiti');
  });
});

describe('versions and scheduling', () => {
  it('when a version is scheduled, then it is listed and not in force until its time comes on the clock; then it is, with no restart', async () => {
    const before = await inForce();
    const groups = structuredClone(before.groups);
    groups.find((g) => g.code === 'gas')!.items.push({ code: 'gas/meter', zh: '燃气表', en: 'Gas meter', urgency: 'general', handling: 'department', retired: false });
    const at = clock.now() + 10 * 60_000;
    const put = await call(s.sessions.admin, 'PUT', '/api/admin/categories', { groups, effectiveAt: at });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: before.version + 1, effectiveAt: at });
    const now = await inForce();
    expect(now.version).toBe(before.version);
    expect(now.scheduled).toEqual([{ version: before.version + 1, effectiveAt: at }]);
    expect((await ticket('gas/meter')).status).toBe(400);

    clock.advance(10 * 60_000);
    const later = await inForce();
    expect(later).toMatchObject({ version: before.version + 1, effectiveAt: at, scheduled: [] });
    expect((await ticket('gas/meter')).status).toBe(201);

    const entries = audit().list({ action: 'categories.update' }).entries.filter((e) => e.outcome === 'ok');
    const latest = entries[0]!;
    expect(latest).toMatchObject({ actor: s.sessions.admin.username, target: `v${before.version + 1}` });
    expect((latest.before as { version: number }).version).toBe(before.version);
    expect((latest.after as { effectiveAt: number }).effectiveAt).toBe(at);
    const versions = s.hotline.db.prepare("SELECT version, author FROM reference_versions WHERE kind = 'categories' ORDER BY version").all();
    expect(versions[0]).toEqual({ version: 1, author: 'system' });
    expect(versions.slice(1).every((v) => (v as { author: string }).author === s.sessions.admin.username)).toBe(true);
  });
});
