import { afterEach, describe, expect, it } from 'vitest';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';
import { registerTicketExport } from '../../src/features/exports/exports.routes.ts';
import { csvCell } from '../../src/features/exports/csv.ts';
import { DAY0, HOUR, JIANWAI, addTicket, addUnitUser, request, seedTickets } from './search-helpers.ts';

let desk: DeskApp | undefined;
afterEach(async () => { await desk?.close(); desk = undefined; });

async function started() {
  desk = await startDeskApp({ features: [registerTicketExport] });
  seedTickets(desk.db);
  await desk.addUser('super1', 'supervisor');
  await desk.addUser('agent001', 'agent', 'agent001');
  return { supervisor: await desk.login('super1'), agent: await desk.login('agent001') };
}

async function exported(s: Session, query: Record<string, string> = {}): Promise<{ status: number; bytes: Buffer; type: string | null; disposition: string | null }> {
  const res = await request(desk!, s, 'GET', `/api/tickets/export.csv?${new URLSearchParams(query)}`);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition') };
}

/** A small RFC 4180 reader, enough to check what Excel would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  return rows;
}

describe('ticket CSV export', () => {
  it('when exported, then the file starts with a UTF-8 BOM, has Chinese headers and CRLF rows, newest first', async () => {
    const { supervisor } = await started();
    const out = await exported(supervisor, { fields: 'number,description,address' });
    expect(out.status).toBe(200);
    expect(out.type).toContain('text/csv');
    expect(out.disposition).toContain("filename*=UTF-8''");
    expect([...out.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(out.bytes.toString('utf8').slice(1));
    expect(rows[0]).toEqual(['工单编号', '诉求内容', '地址']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['2026112200001', '2026112100002', '2026112100001', '2026112000002', '2026112000001']);
  });

  it('when cells hold commas, quotes, line breaks or formulas, then they are quoted and formulas are defused', async () => {
    const { supervisor } = await started();
    addTicket(desk!.db, { id: 'x1', number: '2026112300001', description: '=HYPERLINK("http://evil","点我")', address: '甲,乙"丙"\n丁', createdAt: DAY0 + 80 * HOUR });
    addTicket(desk!.db, { id: 'x2', number: '2026112300002', description: '@SUM(A1)', address: '+86 10 1234', createdAt: DAY0 + 81 * HOUR });
    addTicket(desk!.db, { id: 'x3', number: '2026112300003', description: '-1+1 楼道', address: null, createdAt: DAY0 + 82 * HOUR });
    const rows = parseCsv((await exported(supervisor, { fields: 'number,description,address', number: '20261123' })).bytes.toString('utf8').slice(1));
    expect(rows.slice(1)).toEqual([
      ['2026112300003', "'-1+1 楼道", ''],
      ['2026112300002', "'@SUM(A1)", "'+86 10 1234"],
      ['2026112300001', `'=HYPERLINK("http://evil","点我")`, '甲,乙"丙"\n丁'],
    ]);
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('a"b')).toBe('"a""b"');
  });

  it('when more tickets than one step are exported, then all of them arrive once', async () => {
    const { supervisor } = await started();
    desk!.db.transaction(() => {
      for (let i = 0; i < 1234; i++) addTicket(desk!.db, { id: `b${i}`, number: `20261124${String(i + 1).padStart(5, '0')}`, description: `批量导出测试${i}`, createdAt: DAY0 + 100 * HOUR + i });
    })();
    const rows = parseCsv((await exported(supervisor, { fields: 'number', q: '批量导出' })).bytes.toString('utf8').slice(1));
    expect(rows.length - 1).toBe(1234);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(1234);
  });

  it('when filters and fields are given, then they apply; an unknown field is refused with 400', async () => {
    const { supervisor } = await started();
    const rows = parseCsv((await exported(supervisor, { fields: 'number,status,confidential', status: 'dispatched,accepted' })).bytes.toString('utf8').slice(1));
    expect(rows).toEqual([['工单编号', '状态', '保密'], ['2026112100001', 'accepted', '否'], ['2026112000002', 'dispatched', '否']]);
    expect((await exported(supervisor, { fields: 'number,password' })).status).toBe(400);
  });

  it('when a unit exports, then only its tickets come, numbers masked, confidential contacts left out; an agent is refused; the export is audited', async () => {
    const { agent } = await started();
    const unit = await addUnitUser(desk!, 'jianwai', JIANWAI);
    const rows = parseCsv((await exported(unit, { fields: 'number,callerNumber' })).bytes.toString('utf8').slice(1));
    expect(rows.slice(1).map((r) => r[0])).toEqual(['2026112100002', '2026112100001', '2026112000001']);
    expect(rows[1]![1]).toBe('');
    expect(rows[2]![1]).toMatch(/^138\*+8003$/);
    expect((await exported(agent)).status).toBe(403);
    const audit = desk!.db.prepare("SELECT actor, details FROM audit_log WHERE action = 'tickets.export'").all() as Array<{ details: string }>;
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ unit: JIANWAI, columns: ['number', 'callerNumber'] });
  });
});
