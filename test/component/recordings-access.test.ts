import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestAgent } from './call-harness.ts';
import { startLiveHarness } from './monitoring-harness.ts';
import type { LiveHarness } from './monitoring-harness.ts';

const DAY = 24 * 60 * 60_000;
let h: LiveHarness;
let a1: TestAgent;
let a2: TestAgent;
let sup: { token: string };
let unitUser: { token: string };

function wav(seconds: number, seed: number): Buffer {
  const data = Buffer.alloc(8000 * 2 * seconds);
  for (let i = 0; i < data.length; i += 2) data.writeInt16LE(Math.round(8000 * Math.sin((i / 2) * (seed / 50))), i);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0); head.writeUInt32LE(36 + data.length, 4); head.write('WAVE', 8); head.write('fmt ', 12);
  head.writeUInt32LE(16, 16); head.writeUInt16LE(1, 20); head.writeUInt16LE(1, 22); head.writeUInt32LE(8000, 24);
  head.writeUInt32LE(16000, 28); head.writeUInt16LE(2, 32); head.writeUInt16LE(16, 34); head.write('data', 36); head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

/** A stored recording of a call taken by `agentId`, `ageDays` old. */
function seedRecording(id: string, agentId: string, opts: { ageDays?: number; caller?: string; ticketStatus?: string; confidential?: boolean } = {}): { bytes: Buffer; path: string } {
  const at = Date.now() - (opts.ageDays ?? 0) * DAY;
  const db = h.hotline.db;
  db.prepare(`INSERT INTO calls (id, line, caller_number, state, arrived_at, agent_id) VALUES (?, '12345', ?, 'ended', ?, ?)`).run(`call-${id}`, opts.caller ?? '13800138000', at, agentId);
  if (opts.ticketStatus || opts.confidential) {
    db.prepare(`INSERT INTO tickets (id, number, call_id, type, description, status, confidential, created_at, updated_at) VALUES (?, ?, ?, 'complaint', 'x', ?, ?, ?, ?)`)
      .run(`t-${id}`, `N${id}`, `call-${id}`, opts.ticketStatus ?? 'intake', opts.confidential ? 1 : 0, at, at);
  }
  const bytes = wav(1, id.length + id.charCodeAt(0));
  const rel = `2026/01/01/call-${id}.wav`;
  mkdirSync(dirname(join(h.recordingsDir, rel)), { recursive: true });
  writeFileSync(join(h.recordingsDir, rel), bytes);
  db.prepare(`INSERT INTO recordings (id, call_id, agent_id, name, path, format, duration_ms, size_bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, 'wav', 1000, ?, ?, ?)`)
    .run(id, `call-${id}`, agentId, `call-${id}`, rel, bytes.length, createHash('sha256').update(bytes).digest('hex'), at);
  return { bytes, path: join(h.recordingsDir, rel) };
}

beforeEach(async () => {
  h = await startLiveHarness({ retentionDays: 30 });
  a1 = await h.addAgent('a1', { ready: false });
  a2 = await h.addAgent('a2', { ready: false });
  sup = await h.addUser('sup', 'supervisor');
  unitUser = await h.addUser('unit1', 'unit');
});
afterEach(async () => { await h.close(); });

const audio = (who: { token: string }, id: string, query: string, headers: Record<string, string> = {}) =>
  h.api(who, 'GET', `/api/recordings/${id}/audio${query}`, undefined, headers);

describe('recordings: who sees what', () => {
  it('when agents search, then each sees only their own calls; supervisors see all; units nothing', async () => {
    seedRecording('r1', a1.agentId, { caller: '13911112222' });
    seedRecording('r2', a2.agentId);
    const mine = await h.api(a1, 'GET', '/api/recordings');
    expect(mine.body.recordings.map((r: { id: string }) => r.id)).toEqual(['r1']);
    expect(mine.body.recordings[0].callerNumber).not.toContain('1111');
    expect((await audio(a1, 'r2', '')).status).toBe(404);
    expect((await audio(a1, 'r1', `?reason=${encodeURIComponent('核对工单')}`)).status).toBe(200);
    const all = await h.api(sup, 'GET', '/api/recordings?caller=13911112222');
    expect(all.body.recordings.map((r: { id: string }) => r.id)).toEqual(['r1']);
    expect((await h.api(sup, 'GET', `/api/recordings?agent=${a2.agentId}`)).body.recordings.map((r: { id: string }) => r.id)).toEqual(['r2']);
    expect((await h.api(unitUser, 'GET', '/api/recordings')).status).toBe(403);
    expect((await audio(unitUser, 'r1', '?reason=look')).status).toBe(403);
  });

  it('when a supervisor plays without a reason, then it is refused; with one, it is served; both are logged, with the reason', async () => {
    const { bytes } = seedRecording('r1', a1.agentId);
    const refused = await audio(sup, 'r1', '');
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].field).toBe('reason');
    const full = await audio(sup, 'r1', `?reason=${encodeURIComponent('投诉复核')}`);
    expect(full.status).toBe(200);
    expect(Buffer.compare(full.body, bytes)).toBe(0);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    const log = (await h.api(sup, 'GET', '/api/recordings/r1/access')).body.access;
    expect(log).toEqual([
      expect.objectContaining({ reason: '', kind: 'play', outcome: 'refused', refusal: 'reason_required', role: 'supervisor' }),
      expect.objectContaining({ reason: '投诉复核', kind: 'play', range: 'full', outcome: 'served', role: 'supervisor' }),
    ]);
  });

  it('when a recording of a confidential ticket is looked for, then supervisors neither find nor play it and admins do', async () => {
    seedRecording('r1', a1.agentId, { confidential: true });
    expect((await h.api(sup, 'GET', '/api/recordings')).body.recordings).toEqual([]);
    expect((await audio(sup, 'r1', '?reason=audit')).status).toBe(403);
    const admin = await h.addUser('boss', 'admin');
    expect((await audio(admin, 'r1', '?reason=audit')).status).toBe(200);
  });
});

describe('recordings: ranges, download and integrity', () => {
  it('when ranges are asked for, then exact bytes come back with 206, and bad ranges get 416', async () => {
    const { bytes } = seedRecording('r1', a1.agentId);
    const size = bytes.length;
    const first = await audio(sup, 'r1', '?reason=qa', { range: 'bytes=0-99' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-99/${size}`);
    expect(Buffer.compare(first.body, bytes.subarray(0, 100))).toBe(0);
    const open = await audio(sup, 'r1', '?reason=qa', { range: 'bytes=1000-' });
    expect(Buffer.compare(open.body, bytes.subarray(1000))).toBe(0);
    const tail = await audio(sup, 'r1', '?reason=qa', { range: 'bytes=-50' });
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 50}-${size - 1}/${size}`);
    expect(Buffer.compare(tail.body, bytes.subarray(size - 50))).toBe(0);
    for (const bad of [`bytes=${size}-`, 'bytes=abc', 'bytes=50-10', 'items=0-1']) {
      const res = await audio(sup, 'r1', '?reason=qa', { range: bad });
      expect(res.status, bad).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${size}`);
    }
    const ranges = (await h.api(sup, 'GET', '/api/recordings/r1/access')).body.access.map((e: { range: string; outcome: string }) => `${e.range}:${e.outcome}`);
    expect(ranges.slice(0, 3)).toEqual(['bytes=0-99:partial', `bytes=1000-${size - 1}:partial`, `bytes=${size - 50}-${size - 1}:partial`]);
  });

  it('when downloaded, then it comes as an attachment and the access says download', async () => {
    seedRecording('r1', a1.agentId);
    const res = await audio(sup, 'r1', '?reason=evidence&download=1');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    expect((await h.api(sup, 'GET', '/api/recordings/r1/access')).body.access[0].kind).toBe('download');
  });

  it('when the file no longer matches its sha256, then it is not served and the tampering is logged', async () => {
    const { bytes, path } = seedRecording('r1', a1.agentId);
    const changed = Buffer.from(bytes);
    changed[100] = (changed[100]! + 1) % 256;
    writeFileSync(path, changed);
    const res = await audio(sup, 'r1', '?reason=qa', { range: 'bytes=0-10' });
    expect(res.status).toBe(409);
    expect(res.body.error.context.reason).toBe('recording_tampered');
    expect((await h.api(sup, 'GET', '/api/recordings/r1/access')).body.access[0].outcome).toBe('tampered');
    expect(h.hotline.db.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE subject = 'r1' AND action = 'recording.tampered'`).get()).toEqual({ n: 1 });
  });
});

describe('recordings: retention and legal hold', () => {
  it('when the sweep runs, then expired audio is deleted with its row kept, while held, disputed and recent recordings stay', async () => {
    const old = seedRecording('old', a1.agentId, { ageDays: 40 });
    const held = seedRecording('held', a1.agentId, { ageDays: 40 });
    const disputed = seedRecording('disp', a1.agentId, { ageDays: 40, ticketStatus: 'disputed' });
    const recent = seedRecording('new', a1.agentId, { ageDays: 3 });
    expect((await h.api(sup, 'POST', '/api/recordings/held/hold', { reason: '信访争议' })).status).toBe(200);

    expect(await h.recordings.sweep()).toBe(1);
    expect(existsSync(old.path)).toBe(false);
    for (const kept of [held, disputed, recent]) expect(existsSync(kept.path)).toBe(true);
    const row = (await h.api(sup, 'GET', '/api/recordings/old')).body.recording;
    expect(row.deletedAt).toEqual(expect.any(Number));
    expect(row.playable).toBe(false);
    expect((await audio(sup, 'old', '?reason=qa')).status).toBe(404);

    expect((await h.api(sup, 'DELETE', '/api/recordings/held/hold')).status).toBe(200);
    expect(await h.recordings.sweep()).toBe(1);
    expect(existsSync(held.path)).toBe(false);
  });
});
