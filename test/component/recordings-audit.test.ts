import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate, openDatabase } from '../../src/store/database.ts';
import type { TestAgent } from './call-harness.ts';
import { startLiveHarness } from './monitoring-harness.ts';
import type { LiveHarness } from './monitoring-harness.ts';

/**
 * Security review, finding 8: every playback of a recording, served or refused, is in its access log
 * (GET /api/recordings/:id/access) with who, when, from which address, the reason given and the outcome;
 * agents give a reason too.
 */

let h: LiveHarness;
let a1: TestAgent;
let a2: TestAgent;
let sup: { id: string; token: string };
let admin: { id: string; token: string };
let unitUser: { id: string; token: string };

interface Access {
  recordingId: string; userId: string; role: string; at: number; reason: string; kind: string; range: string;
  outcome: string; clientIp: string | null; refusal: string | null;
}

function wav(seconds: number, seed: number): Buffer {
  const data = Buffer.alloc(8000 * 2 * seconds);
  for (let i = 0; i < data.length; i += 2) data.writeInt16LE(Math.round(8000 * Math.sin((i / 2) * (seed / 50))), i);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0); head.writeUInt32LE(36 + data.length, 4); head.write('WAVE', 8); head.write('fmt ', 12);
  head.writeUInt32LE(16, 16); head.writeUInt16LE(1, 20); head.writeUInt16LE(1, 22); head.writeUInt32LE(8000, 24);
  head.writeUInt32LE(16000, 28); head.writeUInt16LE(2, 32); head.writeUInt16LE(16, 34); head.write('data', 36); head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

/** A stored recording of a call taken by `agentId`, of a confidential ticket when asked. */
function seedRecording(id: string, agentId: string, opts: { confidential?: boolean } = {}): void {
  const at = Date.now();
  const db = h.hotline.db;
  db.prepare(`INSERT INTO calls (id, line, caller_number, state, arrived_at, agent_id) VALUES (?, '12345', '13800138000', 'ended', ?, ?)`).run(`call-${id}`, at, agentId);
  if (opts.confidential) {
    db.prepare(`INSERT INTO tickets (id, number, call_id, type, description, status, confidential, created_at, updated_at) VALUES (?, ?, ?, 'complaint', 'x', 'intake', 1, ?, ?)`)
      .run(`t-${id}`, `N${id}`, `call-${id}`, at, at);
  }
  const bytes = wav(1, id.length + id.charCodeAt(0));
  const rel = `2026/01/01/call-${id}.wav`;
  mkdirSync(dirname(join(h.recordingsDir, rel)), { recursive: true });
  writeFileSync(join(h.recordingsDir, rel), bytes);
  db.prepare(`INSERT INTO recordings (id, call_id, agent_id, name, path, format, duration_ms, size_bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, 'wav', 1000, ?, ?, ?)`)
    .run(id, `call-${id}`, agentId, `call-${id}`, rel, bytes.length, createHash('sha256').update(bytes).digest('hex'), at);
}

beforeEach(async () => {
  h = await startLiveHarness();
  a1 = await h.addAgent('a1', { ready: false });
  a2 = await h.addAgent('a2', { ready: false });
  sup = await h.addUser('sup', 'supervisor');
  admin = await h.addUser('boss', 'admin');
  unitUser = await h.addUser('unit1', 'unit');
});
afterEach(async () => { await h.close(); });

const audio = (who: { token: string }, id: string, query: string, headers: Record<string, string> = {}) =>
  h.api(who, 'GET', `/api/recordings/${id}/audio${query}`, undefined, headers);
const reason = (text: string) => `?reason=${encodeURIComponent(text)}`;
async function accessLog(id: string, who: { token: string } = admin): Promise<Access[]> {
  const res = await h.api(who, 'GET', `/api/recordings/${id}/access`);
  expect(res.status).toBe(200);
  return res.body.access as Access[];
}

describe('recordings audit: refused playbacks are logged', () => {
  it('when a unit user tries to play a recording, then it is refused and the log says who, from where, why and when', async () => {
    seedRecording('r1', a1.agentId);
    const before = Date.now();
    expect((await audio(unitUser, 'r1', reason('想听一下'))).status).toBe(403);
    const log = await accessLog('r1', sup);
    expect(log).toEqual([expect.objectContaining({
      recordingId: 'r1', userId: unitUser.id, role: 'unit', reason: '想听一下', kind: 'play', outcome: 'refused', refusal: 'role', clientIp: '127.0.0.1',
    })]);
    expect(log[0]!.at).toBeGreaterThanOrEqual(before);
    expect(log[0]!.at).toBeLessThanOrEqual(Date.now());
  });

  it('when an agent tries to play another agent\'s call, then it is refused as not found, and logged as not their call', async () => {
    seedRecording('r2', a2.agentId);
    const res = await audio(a1, 'r2', `${reason('核对')}&download=1`);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('not_own_call');
    expect(await accessLog('r2')).toEqual([expect.objectContaining({
      userId: expect.any(String), role: 'agent', reason: '核对', kind: 'download', outcome: 'refused', refusal: 'not_own_call', clientIp: '127.0.0.1',
    })]);
  });

  it('when a supervisor tries to play a recording of a confidential ticket, then it is refused and the admin sees the attempt', async () => {
    seedRecording('r3', a1.agentId, { confidential: true });
    expect((await audio(sup, 'r3', reason('质检抽查'))).status).toBe(403);
    expect(await accessLog('r3')).toEqual([expect.objectContaining({
      userId: sup.id, role: 'supervisor', reason: '质检抽查', outcome: 'refused', refusal: 'confidential_ticket', clientIp: '127.0.0.1',
    })]);
  });

  it('when a supervisor gives no reason, or a query the route does not take, then each refusal is logged', async () => {
    seedRecording('r4', a1.agentId);
    expect((await audio(sup, 'r4', '')).status).toBe(400);
    expect((await audio(sup, 'r4', '?reason=x')).status).toBe(400);
    expect((await audio(sup, 'r4', `${reason('复核')}&download=maybe`)).status).toBe(400);
    const log = await accessLog('r4');
    expect(log.map((e) => [e.outcome, e.refusal, e.reason])).toEqual([
      ['refused', 'reason_required', ''], ['refused', 'reason_required', 'x'], ['refused', 'invalid_request', '复核'],
    ]);
    expect(log.every((e) => e.userId === sup.id && e.clientIp === '127.0.0.1')).toBe(true);
  });

  it('when a recording does not exist, then the refusal says nothing more and nothing is logged against another recording', async () => {
    seedRecording('r5', a1.agentId);
    expect((await audio(sup, 'nope', reason('复核'))).status).toBe(404);
    expect((await audio(unitUser, 'nope', reason('复核'))).status).toBe(403);
    expect(await accessLog('r5')).toEqual([]);
  });
});

describe('recordings audit: agents give a reason too', () => {
  it('when an agent plays their own call without a reason, then it is refused and logged; with one, it is served and logged with it', async () => {
    seedRecording('r6', a1.agentId);
    const refused = await audio(a1, 'r6', '');
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].field).toBe('reason');
    expect((await audio(a1, 'r6', reason('核对市民诉求'))).status).toBe(200);
    expect((await audio(a1, 'r6', reason('核对市民诉求'), { range: 'bytes=0-9' })).status).toBe(206);
    const log = await accessLog('r6');
    expect(log.map((e) => [e.role, e.outcome, e.refusal, e.reason, e.range])).toEqual([
      ['agent', 'refused', 'reason_required', '', 'full'],
      ['agent', 'served', null, '核对市民诉求', 'full'],
      ['agent', 'partial', null, '核对市民诉求', 'bytes=0-9'],
    ]);
    expect(log.every((e) => e.clientIp === '127.0.0.1')).toBe(true);
  });

  it('when a supervisor plays with a reason, then the served entry has the client address as well', async () => {
    seedRecording('r7', a1.agentId);
    expect((await audio(sup, 'r7', reason('投诉复核'))).status).toBe(200);
    expect(await accessLog('r7', sup)).toEqual([expect.objectContaining({
      userId: sup.id, role: 'supervisor', reason: '投诉复核', outcome: 'served', refusal: null, clientIp: '127.0.0.1',
    })]);
  });
});

describe('recordings audit: the access log across the migration', () => {
  it('when a database logged playbacks before 090, then its rows are kept (address unknown) and refusals can be logged after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-rec-audit-'));
    try {
      const older = join(dir, 'older');
      const upTo090 = join(dir, 'upTo090');
      mkdirSync(older);
      mkdirSync(upTo090);
      for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{3}_.*\.sql$/.test(f))) {
        const n = Number(file.slice(0, 3));
        if (n < 90) copyFileSync(join(MIGRATIONS_DIR, file), join(older, file));
        if (n <= 90) copyFileSync(join(MIGRATIONS_DIR, file), join(upTo090, file));
      }
      const db = openDatabase(join(dir, 'hotline.sqlite'));
      try {
        migrate(db, { dir: older });
        db.prepare(`INSERT INTO recordings (id, name, format, created_at) VALUES ('old', 'old', 'wav', 1)`).run();
        db.prepare(`INSERT INTO recording_access (recording_id, user_id, role, at, reason, kind, range, outcome)
          VALUES ('old', 'u1', 'supervisor', 2, '复核', 'play', 'full', 'served')`).run();
        expect(migrate(db, { dir: upTo090 })).toEqual([expect.stringMatching(/^090_/)]);
        const rows = db.prepare('SELECT id, user_id, reason, outcome, client_ip, refusal FROM recording_access').all();
        expect(rows).toEqual([{ id: 1, user_id: 'u1', reason: '复核', outcome: 'served', client_ip: null, refusal: null }]);
        db.prepare(`INSERT INTO recording_access (recording_id, user_id, role, at, reason, kind, range, outcome, client_ip, refusal)
          VALUES ('old', 'u2', 'unit', 3, '', 'play', 'full', 'refused', '10.0.0.9', 'role')`).run();
        expect(db.prepare('SELECT max(id) AS id FROM recording_access').get()).toEqual({ id: 2 });
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
