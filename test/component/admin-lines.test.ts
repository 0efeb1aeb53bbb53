import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { VirtualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createAdminAudit } from '../../src/features/admin/admin-audit.ts';
import { openLineVersions } from '../../src/features/admin/line-versions.ts';
import type { LineVersions, LinesDoc } from '../../src/features/admin/line-versions.ts';
import { callRoutingFrom } from '../../src/features/calls/queue-settings.ts';
import { migrate, openDatabase } from '../../src/store/database.ts';
import { leftovers, startCore } from './call-core.ts';
import type { CoreRig } from './call-core.ts';
import { startSecured, callAs } from './security-harness.ts';
import type { Secured, Session } from './security-harness.ts';

/** Issue 15: the lines and desks are data, edited by the administrators, versioned and applied live to calls. */

const ADMIN = { id: 'admin-1', username: 'admin', client: '127.0.0.1' };
const quiet = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe('over HTTP: who may read and change the lines and desks, the checks, versions and the audit', () => {
  let s: Secured;
  const clock = new VirtualClock(Date.now());
  beforeAll(async () => { s = await startSecured({ clock, logLevel: 'info' }); }, 60_000);
  afterAll(async () => { await s?.close(); });

  async function call(who: Session | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    return callAs(s, who, method, path, body);
  }
  const audit = () => createAdminAudit(s.hotline.db, () => clock.now());
  const current = async () => (await call(s.sessions.admin, 'GET', '/api/admin/lines')).body as LinesDoc & { version: number; effectiveAt: number; scheduled: unknown[] };
  const desk = (id: string, skills: string[], extra: Record<string, unknown> = {}) => ({ id, target: { skills, minLevel: 1 }, ...extra });

  it('when an agent or a unit user asks, then 403 (audited); without a session, 401; a supervisor reads but a change is refused and audited', async () => {
    for (const role of ['agent', 'unit'] as const) {
      expect((await call(s.sessions[role], 'GET', '/api/admin/lines')).status).toBe(403);
      expect((await call(s.sessions[role], 'PUT', '/api/admin/lines', { lines: [], queues: [] })).status).toBe(403);
    }
    expect((await call(null, 'GET', '/api/admin/lines')).status).toBe(401);
    expect((await call(null, 'PUT', '/api/admin/lines', { lines: [], queues: [] })).status).toBe(401);
    expect(audit().list({ actor: s.sessions.agent.username }).entries.map((e) => [e.action, e.reason]).sort())
      .toEqual([['lines.read', 'ERR_FORBIDDEN'], ['lines.update', 'ERR_FORBIDDEN']]);

    const read = await call(s.sessions.supervisor, 'GET', '/api/admin/lines');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ version: 1, scheduled: [], lines: [{ number: '12345', wrapUpSeconds: 1, greeting: 'sound:hotline/greeting' }], queues: [{ id: 'main' }] });
    const put = await call(s.sessions.supervisor, 'PUT', '/api/admin/lines', { lines: read.body.lines, queues: read.body.queues });
    expect(put.status).toBe(403);
    expect((await current()).version).toBe(1);
    const [refused] = audit().list({ actor: s.sessions.supervisor.username, action: 'lines.update' }).entries;
    expect(refused).toMatchObject({ outcome: 'refused', reason: 'ERR_FORBIDDEN' });
  });

  it('when a version breaks several rules, then 400 with every problem at once in Chinese and English, nothing changes, and the refusal is audited', async () => {
    const res = await call(s.sessions.admin, 'PUT', '/api/admin/lines', {
      lines: [
        { number: '12345', greeting: 'https://example.com/hello.wav', queue: 'nowhere' },
        { number: '12345', greeting: 'sound:hotline/greeting' },
      ],
      queues: [
        desk('main', ['general'], { overflowTo: 'social' }),
        desk('social', ['klingon'], { overflowTo: 'main' }),
        desk('dialect', ['general'], { overflowTo: 'mars' }),
      ],
    });
    expect(res.status).toBe(400);
    const details = res.body.error.details as Array<{ field: string; message: string; message_en: string }>;
    expect(details.map((d) => d.field).sort()).toEqual([
      'lines[0].greeting', 'lines[0].queue', 'lines[1].number', 'queues[0].overflowTo', 'queues[1].target', 'queues[2].overflowTo',
    ]);
    expect(details.find((d) => d.field === 'queues[0].overflowTo')!.message).toBe('溢出形成循环：main → social → main');
    expect(details.find((d) => d.field === 'queues[1].target')!.message_en).toBe('Unknown skill "klingon": give it to agents first');
    for (const d of details) { expect(d.message).toMatch(/[\u4e00-\u9fff]/); expect(d.message_en).toMatch(/[a-z]/); }
    expect((await current()).version).toBe(1);
    const [refused] = audit().list({ actor: s.sessions.admin.username, action: 'lines.update' }).entries;
    expect(refused).toMatchObject({ outcome: 'refused', reason: 'ERR_VALIDATION' });

    const schema = await call(s.sessions.admin, 'PUT', '/api/admin/lines', { lines: [{ number: '12a' }], queues: [desk('main', ['general'])], extra: 1 });
    expect(schema.status).toBe(400);
  });

  it('when an administrator saves a version now and another for later, then the first is in force at once for the calls service and the second on the clock, both audited', async () => {
    const v1 = await current();
    const desks = [desk('main', ['general'], { maxWaitSeconds: 300 }), desk('business', ['general'], { name: '营商环境专席' })];
    const lines = [{ ...v1.lines[0]!, queue: 'main' }];
    const now = await call(s.sessions.admin, 'PUT', '/api/admin/lines', { lines, queues: desks });
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ version: 2, effectiveAt: clock.now(), scheduled: [] });
    expect(now.body.queues[1]).toMatchObject({ id: 'business', name: '营商环境专席', overflowTo: 'callback', priority: 0, overflowRules: [] });
    expect(s.hotline.calls.queue.acd.queueIds()).toEqual(['main', 'business']);

    const at = clock.now() + 60 * 60_000;
    const later = await call(s.sessions.admin, 'PUT', '/api/admin/lines', { lines, queues: [desks[0]], effectiveAt: at });
    expect(later.body).toMatchObject({ version: 3, effectiveAt: at });
    expect(await current()).toMatchObject({ version: 2, scheduled: [{ version: 3, effectiveAt: at }] });
    clock.advance(59 * 60_000);
    expect(s.hotline.calls.queue.acd.queueIds()).toEqual(['main', 'business']);
    clock.advance(60_000);
    expect(await current()).toMatchObject({ version: 3, scheduled: [] });
    expect(s.hotline.calls.queue.acd.queueIds()).toEqual(['main']);

    const ok = audit().list({ action: 'lines.update' }).entries.filter((e) => e.outcome === 'ok');
    expect(ok.map((e) => e.target)).toEqual(['v3', 'v2']);
    expect(ok[1]).toMatchObject({ actor: s.sessions.admin.username, before: { version: 1 }, after: { version: 2, queues: [{ id: 'main' }, { id: 'business' }] } });
  });
});

describe('where the lines and desks come from at start', () => {
  const file = (greeting: string) => loadConfig({ env: {}, values: { lines: [{ number: '12345', greeting }], log: { level: 'silent' } } });

  it('when the service starts again, then the config file stays in charge until a version is made in the console; from then on the database is', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    const clock = new VirtualClock();
    const open = (greeting: string) => openLineVersions({ db, clock, log: quiet, config: file(greeting) });
    expect(open('sound:hotline/greeting').get()).toMatchObject({ version: 1 });
    expect(open('sound:hotline/greeting').get().version).toBe(1);
    const changedFile = open('sound:hotline/greeting-2').get();
    expect(changedFile).toMatchObject({ version: 2, lines: [{ greeting: 'sound:hotline/greeting-2' }] });
    const edited = open('sound:hotline/greeting-2');
    edited.put(ADMIN, { lines: [{ ...changedFile.lines[0]!, greeting: 'sound:hotline/console' }], queues: changedFile.queues });
    const again = open('sound:hotline/greeting-3').get();
    expect(again).toMatchObject({ version: 3, lines: [{ greeting: 'sound:hotline/console' }] });
    db.close();
  });
});

describe('applied live to calls, without disturbing calls in progress (virtual time)', () => {
  let rig: CoreRig | undefined;
  let versions: LineVersions | undefined;
  afterEach(async () => { versions?.close(); await rig?.close(); rig = undefined; versions = undefined; });

  async function start(values: Record<string, unknown>): Promise<{ rig: CoreRig; versions: LineVersions }> {
    rig = await startCore(values);
    const config = loadConfig({ env: {}, values: { log: { level: 'silent' }, ...values } });
    versions = openLineVersions({ db: rig.core.db, clock: rig.clock, log: quiet, config });
    const calls = rig.core.calls;
    versions.start((doc) => calls.applyRouting(callRoutingFrom(doc)));
    return { rig, versions };
  }
  const change = (v: LineVersions, edit: (doc: LinesDoc) => void, effectiveAt?: number) => {
    const doc = structuredClone(v.inForce());
    edit(doc);
    return v.put(ADMIN, { ...doc, ...(effectiveAt === undefined ? {} : { effectiveAt }) });
  };
  const callOf = (r: CoreRig, from: string) => r.core.calls.live().find((l) => l.call.callerNumber === from);
  const row = (r: CoreRig, from: string) => r.core.db.prepare('SELECT end_reason, queue_id FROM calls WHERE caller_number = ?').get(from);

  it('when a desk\'s maximum wait is shortened, then the caller already waiting keeps the wait they had and the next caller gets the new one', async () => {
    const { rig: r, versions: v } = await start({ queues: [{ id: 'main', target: { skills: ['general'] }, maxWaitSeconds: 600 }] });
    r.core.sim.control.placeCall({ line: '12345', from: '13800000001' });
    await r.run(20_000);
    change(v, (doc) => { doc.queues[0]!.maxWaitSeconds = 30; });
    r.core.sim.control.placeCall({ line: '12345', from: '13800000002' });
    await r.run(40_000);
    expect(row(r, '13800000002')).toEqual({ end_reason: 'overflow', queue_id: 'main' });
    expect(callOf(r, '13800000001')?.call.state).toBe('queued');
    await r.run(520_000);                                    // 580 s into the first caller's 600
    expect(callOf(r, '13800000001')?.call.state).toBe('queued');
    await r.run(30_000);
    expect(row(r, '13800000001')).toEqual({ end_reason: 'overflow', queue_id: 'main' });
  });

  it('when a new desk is added for a line, then its next caller goes to an agent with the desk\'s skill, not to the agent idle longest', async () => {
    const { rig: r, versions: v } = await start({ lines: [{ number: '12345' }, { number: '12333' }], queues: [{ id: 'main', target: { skills: ['general'] } }] });
    const [general] = await r.core.addAgents(1, { skills: { general: 3 }, phone: { mode: 'answer', ringMs: 500, talkMs: 30_000 } });
    await r.run(5_000);
    const [social] = await r.core.addAgents(1, { skills: { general: 3, social: 4 }, phone: { mode: 'answer', ringMs: 500, talkMs: 30_000 } });
    change(v, (doc) => {
      doc.queues.push({ ...structuredClone(doc.queues[0]!), id: 'social', target: { skills: ['social'], minLevel: 3 } });
      doc.lines[1]!.queue = 'social';
    });
    r.core.sim.control.placeCall({ line: '12333', from: '13800000003' });
    await r.run(3_000);
    expect(r.core.agents.get(social!)?.state).toBe('on_call');
    expect(r.core.agents.get(general!)?.state).toBe('ready');
    expect(callOf(r, '13800000003')?.queueId).toBe('social');
  });

  it('when the desks change while callers wait and an agent talks, then the waiting keep their places and time, and the talking call keeps its line\'s wrap-up', async () => {
    const { rig: r, versions: v } = await start({ lines: [{ number: '12345', wrapUpSeconds: 5 }], queues: [{ id: 'main', target: { skills: ['general'] } }] });
    const [agent] = await r.core.addAgents(1, { skills: { general: 3 }, phone: { mode: 'answer', ringMs: 500, talkMs: 20_000 } });
    r.core.sim.control.placeCall({ line: '12345', from: '13800000010' });
    await r.run(3_000);
    expect(r.core.agents.get(agent!)?.state).toBe('on_call');
    r.core.sim.control.placeCall({ line: '12345', from: '13800000011' });
    await r.run(1_000);
    r.core.sim.control.placeCall({ line: '12345', from: '13800000012' });
    await r.run(3_000);
    const queuedAt = callOf(r, '13800000011')!.call.queuedAt;
    change(v, (doc) => {
      doc.lines[0]!.wrapUpSeconds = 300;
      doc.queues[0]!.priority = 5;
      doc.queues[0]!.maxWaitSeconds = 600;
    });
    r.core.sim.control.placeCall({ line: '12345', from: '13800000013' });
    await r.run(3_000);
    const order = r.core.calls.waiting().map((id) => r.core.calls.byId(id)!.call.callerNumber);
    expect(order).toEqual(['13800000011', '13800000012', '13800000013']);
    expect(callOf(r, '13800000011')!.call.queuedAt).toBe(queuedAt);
    await r.run(12_000);                                     // the talk ends; 5 s of wrap-up, not 300
    await r.run(8_000);
    expect(r.core.agents.get(agent!)?.callId).toBe(callOf(r, '13800000011')!.call.id);
  });

  it('when a desk with callers waiting is removed, then it keeps serving them (and announcing to them) and takes no new one, and is gone once empty', async () => {
    const { rig: r, versions: v } = await start({
      lines: [{ number: '12345' }, { number: '12333', queue: 'social' }],
      queues: [
        { id: 'main', target: { skills: ['general'] } },
        { id: 'social', target: { skills: ['social'], minLevel: 3 }, announcements: { enabled: true, firstAfterSeconds: 5, everySeconds: 10 } },
      ],
    });
    const played: string[] = [];
    const ari = r.core.sim.client;
    const play = ari.channels.play;
    ari.channels.play = (id, p) => { played.push(([] as string[]).concat(p.media).join(' ')); return play(id, p); };
    r.core.sim.control.placeCall({ line: '12333', from: '13800000020' });
    r.core.sim.control.placeCall({ line: '12333', from: '13800000022' });
    await r.run(3_000);
    change(v, (doc) => { doc.queues = [doc.queues[0]!]; delete doc.lines[1]!.queue; });
    r.core.sim.control.placeCall({ line: '12333', from: '13800000021' });
    await r.run(3_000);
    expect(callOf(r, '13800000020')?.queueId).toBe('social');
    expect(callOf(r, '13800000022')?.queueId).toBe('social');
    expect(callOf(r, '13800000021')?.queueId).toBe('main');
    expect(r.core.calls.queue.acd.queueIds()).toEqual(['main', 'social']);
    await r.run(14_000);                                     // the second caller's announcements go on: at 5 s and 15 s
    expect(played.filter((m) => m === 'sound:hotline/queue-ahead sound:hotline/num-1 sound:hotline/queue-callers')).toHaveLength(2);
    const [desk] = await r.core.addAgents(1, { skills: { social: 4 }, phone: { mode: 'answer', ringMs: 500, talkMs: 5_000 } });
    await r.run(3_000);
    expect(r.core.agents.get(desk!)?.callId).toBe(callOf(r, '13800000020')!.call.id);
    change(v, (doc) => { doc.lines[0]!.name = '12345 热线'; });
    expect(r.core.calls.queue.acd.queueIds()).toEqual(['main', 'social']);
    await r.run(60_000);
    expect(row(r, '13800000020')).toMatchObject({ end_reason: 'agent_hangup', queue_id: 'social' });
    expect(row(r, '13800000022')).toMatchObject({ end_reason: 'agent_hangup', queue_id: 'social' });
    change(v, (doc) => { doc.lines[0]!.name = '12345 市民热线'; });
    expect(r.core.calls.queue.acd.queueIds()).toEqual(['main']);
    expect(callOf(r, '13800000021')?.queueId).toBe('main');
  });

  it('when a new greeting is scheduled, then callers hear the old one until its time on the clock and the next caller hears the new one', async () => {
    const { rig: r, versions: v } = await start({ lines: [{ number: '12345', greeting: 'sound:hotline/greeting' }] });
    const played: string[] = [];
    const ari = r.core.sim.client;
    const play = ari.channels.play;
    ari.channels.play = (id, p) => { played.push(([] as string[]).concat(p.media).join(' ')); return play(id, p); };
    const at = r.clock.now() + 10 * 60_000;
    const added = change(v, (doc) => { doc.lines[0]!.greeting = 'sound:hotline/greeting-holiday'; }, at);
    expect(added).toMatchObject({ version: 2, effectiveAt: at });
    expect(v.get()).toMatchObject({ version: 1, scheduled: [{ version: 2, effectiveAt: at }] });
    r.core.sim.control.placeCall({ line: '12345', from: '13800000030' });
    await r.run(10 * 60_000 - 2_000);
    expect(played).toEqual(['sound:hotline/greeting']);
    await r.run(2_000);
    expect(v.get()).toMatchObject({ version: 2, scheduled: [] });
    r.core.sim.control.placeCall({ line: '12345', from: '13800000031' });
    await r.run(3_000);
    expect(played).toEqual(['sound:hotline/greeting', 'sound:hotline/greeting-holiday']);
    await r.run(60_000 * 60);
    expect(leftovers(r)).toMatchObject({ stuck: [] });
  });
});
