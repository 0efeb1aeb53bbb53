import type { Database } from '../../src/store/database.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';

export interface SeedTicket {
  id: string; number: string; description: string; address?: string | null; caller?: string | null; contactName?: string | null;
  contactPhone?: string | null; category?: string; status?: string; township?: string | null; leadUnit?: string | null;
  confidential?: boolean; createdAt: number; createdBy?: string | null; type?: string;
}

export function addTicket(db: Database, t: SeedTicket): void {
  db.prepare(`INSERT INTO tickets (id, number, caller_number, type, category, description, district_code, unit_code, address, contact,
    contact_phone, confidential, status, created_by, created_at, updated_at, lead_unit)
    VALUES (@id, @number, @caller, @type, @category, @description, '110105', @township, @address, @contactName, @contactPhone,
    @confidential, @status, @createdBy, @createdAt, @createdAt, @leadUnit)`).run({
    caller: null, contactName: null, contactPhone: null, address: null, township: null, leadUnit: null, createdBy: null,
    category: 'property/service', status: 'intake', type: 'complaint', ...t, confidential: t.confidential ? 1 : 0,
  });
}

export function request(desk: DeskApp, s: Session, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { cookie: s.cookie, 'x-csrf-token': s.csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${desk.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

export async function addUnitUser(desk: DeskApp, username: string, unitCode: string): Promise<Session> {
  await desk.addUser(username, 'unit');
  desk.db.prepare('UPDATE users SET unit_id = ? WHERE username = ?').run(unitCode, username);
  return desk.login(username);
}

/** 建外街道 and 朝外街道 of 朝阳区, and a city department. */
export const JIANWAI = '110105001';
export const CHAOWAI = '110105002';

export const DAY0 = Date.parse('2026-11-20T09:00:00+08:00');
export const HOUR = 3600_000;

export function seedTickets(db: Database): void {
  const rows: SeedTicket[] = [
    { id: 't1', number: '2026112000001', description: '小区旁工地夜间施工噪声扰民，持续一周', address: '建国路88号', caller: '13800138001', category: 'construction/night-works', township: JIANWAI, createdAt: DAY0 },
    { id: 't2', number: '2026112000002', description: '楼上住户装修噪声', address: '朝阳门外大街12号', caller: '13800138002', category: 'pollution/noise', township: CHAOWAI, createdAt: DAY0 + HOUR, status: 'dispatched', leadUnit: CHAOWAI },
    { id: 't3', number: '2026112100001', description: '暖气不热，室温只有十五度', address: '建国路99号院3号楼', caller: '13800138003', category: 'heating/too-cold', township: JIANWAI, createdAt: DAY0 + 24 * HOUR, status: 'accepted', leadUnit: JIANWAI },
    { id: 't4', number: '2026112100002', description: '举报有人在消防通道违法停车', address: '光华路5号', caller: '13900139000', contactName: '李女士', contactPhone: '13900139000', category: 'traffic/parking', township: JIANWAI, createdAt: DAY0 + 25 * HOUR, confidential: true, createdBy: 'someone-else' },
    { id: 't5', number: '2026112200001', description: '物业不作为，电梯坏了一周没人修', address: '朝外SOHO', caller: '13800138001', category: 'property/lift', township: CHAOWAI, createdAt: DAY0 + 48 * HOUR, status: 'closed' },
  ];
  for (const r of rows) addTicket(db, r);
}
