import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './call-harness.ts';
import { fillStorage, holdWriteLock, packTable, startFaultHotline } from './store-fault-rig.ts';
import type { FaultHotline } from './store-fault-rig.ts';
import type { Database } from '../../src/store/database.ts';

const FORM = {
  type: '投诉',
  category: 'pollution/noise',
  description: '小区旁工地夜间施工噪声扰民，持续一周',
  districtCode: '110105',
  townshipCode: '110105001',
  address: '建国路 88 号',
  contactName: '王先生',
  contactPhone: '13800138000',
};
/** The longest description the form takes: its row needs pages of its own. */
const LONG = '工地夜间施工噪声扰民，'.repeat(360);

/** Every row a ticket intake or a ticket action writes. */
function ticketRows(db: Database) {
  return db.prepare(`SELECT (SELECT count(*) FROM tickets) AS tickets, (SELECT count(*) FROM audit_log) AS audit,
    (SELECT coalesce(sum(last), 0) FROM ticket_day_sequence) AS numbers, (SELECT count(*) FROM ticket_calls) AS ticketCalls`).get();
}

async function health(f: FaultHotline) {
  return (await fetch(`${f.hotline.url}/health`)).json() as Promise<{ status: string; database: { state: string; sqlite?: string; pendingWrites: number } }>;
}

describe('the database busy or full', () => {
  let f: FaultHotline | undefined;
  afterEach(async () => { await f?.close(); f = undefined; });

  it('when another process holds the write lock, then a ticket waits the busy timeout and is refused with 503 ERR_STORE_BUSY and Retry-After, nothing is half-written, /health says busy, and the ticket goes through once the lock is let go', async () => {
    f = await startFaultHotline();
    const agent = await f.addAgent('anna');
    const db = f.hotline.db;
    db.pragma('busy_timeout = 300'); // the service's 5 s timeout, shortened for the test
    const before = ticketRows(db);
    const lock = holdWriteLock(f.dbPath);
    try {
      const refused = await f.api(agent.token, 'POST', '/api/tickets', FORM);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body.error).toMatchObject({ code: 'ERR_STORE_BUSY', context: { sqlite: 'SQLITE_BUSY' } });
      expect(refused.body.error.message).toMatch(/数据库繁忙/);
      expect(refused.body.error.message_en).toMatch(/database is busy/);
      expect(ticketRows(db)).toEqual(before);
      expect(await health(f)).toMatchObject({ status: 'degraded', database: { state: 'busy', sqlite: 'SQLITE_BUSY' } });
      expect(f.entries.some((e) => e.msg === 'request failed' && e.code === 'ERR_STORE_BUSY')).toBe(true);
    } finally {
      lock.release();
    }
    expect(await health(f)).toMatchObject({ status: 'ok', database: { state: 'ok' } });
    const created = await f.api(agent.token, 'POST', '/api/tickets', FORM);
    expect(created.status).toBe(201);
    const after = ticketRows(db) as { tickets: number; audit: number };
    expect(after.tickets).toBe((before as { tickets: number }).tickets + 1);
    expect(after.audit).toBeGreaterThan((before as { audit: number }).audit);
  });

  it('when the storage is full, then a ticket intake and a direct answer are refused with 507 ERR_STORE_FULL, no ticket is left without its audit row, the service goes on, and both go through once space returns', async () => {
    f = await startFaultHotline();
    const agent = await f.addAgent('anna');
    const db = f.hotline.db;
    const open = await f.api(agent.token, 'POST', '/api/tickets', FORM);
    expect(open.status).toBe(201);
    const ticketId: string = open.body.id;
    expect(ticketId).toMatch(/^tkt-/);
    const before = ticketRows(db);
    const storage = fillStorage(db);

    const intake = await f.api(agent.token, 'POST', '/api/tickets', { ...FORM, description: LONG });
    expect(intake.status).toBe(507);
    expect(intake.body.error).toMatchObject({ code: 'ERR_STORE_FULL', context: { sqlite: 'SQLITE_FULL' } });
    expect(intake.body.error.message).toMatch(/存储空间已满/);
    expect(intake.body.error.message_en).toMatch(/storage is full/);
    expect(intake.headers.get('retry-after')).toBe('60');
    const answer = await f.api(agent.token, 'POST', `/api/tickets/${ticketId}/answer`, { answer: LONG });
    expect(answer.status).toBe(507);
    expect(answer.body.error.code).toBe('ERR_STORE_FULL');
    expect(ticketRows(db)).toEqual(before);
    expect(db.prepare('SELECT status, answer FROM tickets WHERE id = ?').get(ticketId)).toMatchObject({ status: 'intake', answer: null });
    expect(db.prepare(`SELECT count(*) AS n FROM tickets t WHERE NOT EXISTS
      (SELECT 1 FROM audit_log a WHERE a.subject = t.id AND a.action = 'ticket.submit')`).get()).toEqual({ n: 0 });

    // The service goes on: reads answer, health says why writes fail.
    expect((await f.api(agent.token, 'GET', `/api/tickets/${ticketId}`)).status).toBe(200);
    expect(await health(f)).toMatchObject({ status: 'degraded', database: { state: 'full', sqlite: 'SQLITE_FULL' } });

    storage.restore();
    expect(await health(f)).toMatchObject({ status: 'ok', database: { state: 'ok' } });
    expect((await f.api(agent.token, 'POST', '/api/tickets', { ...FORM, description: LONG })).status).toBe(201);
    const answered = await f.api(agent.token, 'POST', `/api/tickets/${ticketId}/answer`, { answer: LONG });
    expect(answered.status).toBe(200);
    expect(db.prepare('SELECT status FROM tickets WHERE id = ?').get(ticketId)).not.toEqual({ status: 'intake' });
  });

  it('when the storage is full, a citizen calls, waits in the queue, is answered and hangs up: the call works, the refusal is logged once, and the call log is written once space returns', async () => {
    f = await startFaultHotline();
    const agent = await f.addAgent('anna', { ready: false });
    const { hotline } = f;
    const sim = hotline.sim!;
    const db = hotline.db;
    // A day of calls has filled the last pages of the call log; then the disk is full.
    db.prepare(`INSERT INTO calls (id, line, caller_number, state, arrived_at) VALUES ('filler-call', '12345', '01000000000', 'ended', 1)`).run();
    const storage = fillStorage(db);
    const insertCall = db.prepare(`INSERT INTO calls (id, line, caller_number, state, arrived_at, ended_at, end_reason)
      VALUES (?, '12345', '01000000000', 'ended', ?, ?, 'caller_hangup')`);
    const insertLeg = db.prepare(`INSERT INTO call_legs (id, call_id, kind, agent_id, started_at) VALUES (?, 'filler-call', 'agent', NULL, ?)`);
    packTable(db, (n) => insertCall.run(`filler-${n}`, n, n + 1));
    packTable(db, (n) => insertLeg.run(`filler-leg-${n}`, n));
    const fillerCalls = (db.prepare("SELECT count(*) AS n FROM calls WHERE id LIKE 'filler%'").get() as { n: number }).n;

    const { channelId } = sim.control.placeCall({ line: '12345', from: '13900139000' });
    const callId = await waitFor('the call waiting in the queue', () => {
      const live = hotline.calls.live()[0];
      return live?.call.state === 'queued' ? live.call.id : undefined;
    });
    await waitFor('the caller in the holding bridge', () => sim.control.bridges().some((b) => b.bridge_type === 'holding' && b.channels.includes(channelId!)));

    expect((await f.api(agent.token, 'POST', '/api/agents/me/state', { state: 'ready' })).status).toBe(200);
    await waitFor('the agent on the call', () => hotline.agents.get(agent.agentId)?.state === 'on_call');
    await waitFor('caller and agent in one mixing bridge', () => sim.control.bridges().some((b) => b.bridge_type === 'mixing' && b.channels.length === 2));

    sim.control.remoteHangup(channelId!);
    await waitFor('the call over, nothing left in Asterisk', () => hotline.calls.live().length === 0
      && sim.control.channels().length === 0 && sim.control.bridges().length === 0);
    await waitFor('the agent in wrap-up, then ready', () => hotline.agents.get(agent.agentId)?.state === 'ready', 5000);

    expect(f.entries.filter((e) => e.msg === 'call step failed' || e.msg === 'call event handling failed')).toEqual([]);
    const refusals = f.entries.filter((e) => e.msg.startsWith('database refused a write'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 'error', what: 'insertCall', sqlite: 'SQLITE_FULL' });
    expect(hotline.callsRepo.call(callId)).toBeUndefined();
    expect(await health(f)).toMatchObject({ status: 'degraded', database: { state: 'full' } });
    expect((await health(f)).database.pendingWrites).toBeGreaterThan(3);

    storage.restore();
    expect(await health(f)).toMatchObject({ status: 'ok', database: { state: 'ok', pendingWrites: 0 } });
    const row = hotline.callsRepo.call(callId)!;
    expect(row).toMatchObject({ state: 'ended', end_reason: 'caller_hangup', agent_id: agent.agentId });
    expect(row.answered_at).not.toBeNull();
    expect(row.talk_ms).toBeGreaterThan(0);
    expect(hotline.callsRepo.legs(callId)).toEqual([expect.objectContaining({ outcome: 'answered', agent_id: agent.agentId })]);
    expect(db.prepare('SELECT state FROM agents WHERE id = ?').get(agent.agentId)).toEqual({ state: 'ready' });
    expect((db.prepare("SELECT count(*) AS n FROM calls WHERE id LIKE 'filler%'").get() as { n: number }).n).toBe(fillerCalls);
  });

  it('when the storage is full and a citizen hangs up unanswered in the queue, then the callback owed to them is kept and filed once space returns', async () => {
    f = await startFaultHotline({ callbacks: { shortAbandonSeconds: 0 } });
    const { hotline } = f;
    const sim = hotline.sim!;
    const db = hotline.db;
    // The call log and the callback list have filled their last pages; then the disk is full.
    db.prepare(`INSERT INTO callbacks (id, caller_number, line, reason, status, first_missed_at, last_missed_at)
      VALUES ('filler-callback', '01000000000', '12345', 'missed', 'done', 1, 1)`).run();
    const storage = fillStorage(db);
    const insertCall = db.prepare(`INSERT INTO calls (id, line, caller_number, state, arrived_at, ended_at, end_reason)
      VALUES (?, '12345', '01000000000', 'ended', ?, ?, 'caller_hangup')`);
    const insertCallback = db.prepare(`INSERT INTO callbacks (id, caller_number, line, reason, status, first_missed_at, last_missed_at)
      VALUES (?, '01000000000', '12345', 'missed', 'done', ?, ?)`);
    const insertMissed = db.prepare(`INSERT INTO callback_missed_calls (call_id, callback_id, missed_at) VALUES (?, 'filler-callback', ?)`);
    packTable(db, (n) => insertCall.run(`filler-${n}`, n, n + 1));
    packTable(db, (n) => insertCallback.run(`filler-cb-${n}`, n, n));
    packTable(db, (n) => insertMissed.run(`filler-missed-${n}`, n));

    const { channelId } = sim.control.placeCall({ line: '12345', from: '13900139001' });
    const callId = await waitFor('the call waiting in the queue', () => {
      const live = hotline.calls.live()[0];
      return live?.call.state === 'queued' ? live.call.id : undefined;
    });
    sim.control.remoteHangup(channelId!);
    await waitFor('the call over', () => hotline.calls.live().length === 0 && sim.control.channels().length === 0);
    expect(f.entries.filter((e) => e.msg === 'missed call not added to the callback list')).toEqual([]);
    expect(db.prepare('SELECT callback_id FROM callback_missed_calls WHERE call_id = ?').get(callId)).toBeUndefined();

    storage.restore();
    expect(await health(f)).toMatchObject({ status: 'ok', database: { state: 'ok', pendingWrites: 0 } });
    expect(hotline.callsRepo.call(callId)).toMatchObject({ state: 'ended', end_reason: 'abandoned' });
    const filed = db.prepare(`SELECT c.caller_number, c.status, c.reason FROM callback_missed_calls m JOIN callbacks c ON c.id = m.callback_id
      WHERE m.call_id = ?`).get(callId);
    expect(filed).toEqual({ caller_number: '13900139001', status: 'pending', reason: 'abandoned' });
  });

  it('when another process holds the write lock while a citizen calls, then the call is answered and ended as usual and its log is written once the lock is let go', async () => {
    f = await startFaultHotline();
    const agent = await f.addAgent('anna');
    const { hotline } = f;
    const sim = hotline.sim!;
    hotline.db.pragma('busy_timeout = 300'); // the service's 5 s timeout, shortened for the test
    const lock = holdWriteLock(f.dbPath);
    let callId: string;
    try {
      const { channelId } = sim.control.placeCall({ line: '12345', from: '13900139001' });
      callId = await waitFor('the agent on the call', () => {
        const live = hotline.calls.live()[0];
        return hotline.agents.get(agent.agentId)?.state === 'on_call' && live ? live.call.id : undefined;
      });
      await waitFor('caller and agent in one mixing bridge', () => sim.control.bridges().some((b) => b.bridge_type === 'mixing' && b.channels.length === 2));
      sim.control.remoteHangup(channelId!);
      await waitFor('the call over, nothing left in Asterisk', () => hotline.calls.live().length === 0
        && sim.control.channels().length === 0 && sim.control.bridges().length === 0);
      expect(f.entries.filter((e) => e.msg === 'call step failed' || e.msg === 'call event handling failed')).toEqual([]);
      expect(f.entries.find((e) => e.msg.startsWith('database refused a write'))).toMatchObject({ what: 'insertCall', sqlite: 'SQLITE_BUSY', kind: 'busy' });
      expect(await health(f)).toMatchObject({ status: 'degraded', database: { state: 'busy' } });
    } finally {
      lock.release();
    }
    expect(await health(f)).toMatchObject({ status: 'ok', database: { state: 'ok', pendingWrites: 0 } });
    expect(hotline.callsRepo.call(callId)).toMatchObject({ state: 'ended', end_reason: 'caller_hangup', agent_id: agent.agentId });
  });
});
