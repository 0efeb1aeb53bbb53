import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskPhone } from '../../src/domain/phone.ts';
import { openDesktop, waitFor } from './call-harness.ts';
import type { DesktopSocket, TestAgent } from './call-harness.ts';
import { COMPLAINT, JIANWAI } from './dispatch-harness.ts';
import { startLiveHarness } from './monitoring-harness.ts';
import type { LiveHarness } from './monitoring-harness.ts';

/**
 * Security review, finding 4: a citizen's number and name are shown by one rule (src/domain/citizen-privacy.ts)
 * in every view, export and socket. Two tickets of the same street, one normal and one confidential, each with a
 * known caller number, contact phone and contact name, are read by each role through every route and socket
 * that shows a citizen; the full number appears only where the rule allows it. The expectations are written out
 * here, not computed from the rule.
 */

type Who = 'agentA' | 'agentB' | 'supervisor' | 'admin' | 'unit';
const EVERYONE: readonly Who[] = ['agentA', 'agentB', 'supervisor', 'admin', 'unit'];

interface Citizen { caller: string; contact: string; name: string }
/** Taken from agentA's call; not confidential. */
const N: Citizen = { caller: '13912345678', contact: '13787654321', name: '李女士' };
/** Taken by agentA on the phone, the caller asked for confidentiality. */
const C: Citizen = { caller: '13611112222', contact: '13533334444', name: '王先生' };
/** A missed call on the callback list (no ticket). */
const MISSED = '13455556666';

/** How much of a citizen a reply shows: the numbers in full, masked, or none at all; or the route refuses with this status. */
type Seen = 'full' | 'masked' | 'none' | 403 | 404;

let h: LiveHarness;
let agentA: TestAgent;
let agentB: TestAgent;
const tokens = {} as Record<Who, string>;
let callId = '';
const ids = { n: '', c: '' };
const sockets: WebSocket[] = [];
const frames = { portal: [] as unknown[], centre: {} as Record<string, unknown[]>, wallboard: {} as Record<string, unknown[]> };
let desktops: Record<'agentA' | 'agentB', DesktopSocket>;

async function read(who: Who, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(h.url + path, { headers: { authorization: `Bearer ${tokens[who]}` } });
  return { status: res.status, text: await res.text() };
}

async function send(who: Who, method: string, path: string, body?: unknown): Promise<any> {
  const res = await h.api(tokens[who], method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path} as ${who} -> ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

function socket(path: string, who: Who, into: unknown[]): Promise<WebSocket> {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}${path}?token=${encodeURIComponent(tokens[who])}`);
  sockets.push(ws);
  ws.on('message', (data) => { into.push(JSON.parse(String(data))); });
  return new Promise((resolve, reject) => { ws.once('open', () => resolve(ws)); ws.once('error', reject); ws.once('unexpected-response', (_q, r) => reject(new Error(`HTTP ${r.statusCode}`))); });
}

/**
 * What `text` shows of a citizen: `numbers` (the ones this view carries) in full, masked or not at all, and the
 * citizen's other number never; the name when the view carries names and shows the citizen.
 */
function expectShown(text: string, c: Citizen, seen: 'full' | 'masked' | 'none', opts: { numbers: Array<'caller' | 'contact'>; names: boolean }, what: string): void {
  for (const key of ['caller', 'contact'] as const) {
    const full = c[key];
    const masked = maskPhone(full);
    const how = opts.numbers.includes(key) ? seen : 'none';
    if (how === 'full') expect(text, `${what}: ${key} in full`).toContain(full);
    else expect(text, `${what}: ${key} not in full`).not.toContain(full);
    if (how === 'masked') expect(text, `${what}: ${key} masked`).toContain(masked);
    else expect(text, `${what}: ${key} not masked`).not.toContain(masked);
  }
  if (opts.names && seen !== 'none') expect(text, `${what}: the name`).toContain(c.name);
  else expect(text, `${what}: no name`).not.toContain(c.name);
}

/** Reads `path` as each role and checks both citizens against the table. */
async function checkRoute(path: (who: Who) => string, table: Record<Who, [Seen, Seen]>, opts: { numbers: Array<'caller' | 'contact'>; names: boolean }) {
  for (const who of EVERYONE) {
    const [forN, forC] = table[who];
    const res = await read(who, path(who));
    const what = `${path(who)} as ${who}`;
    if (typeof forN === 'number') {
      expect(res.status, what).toBe(forN);
      continue;
    }
    expect(res.status, what).toBe(200);
    expectShown(res.text, N, forN, opts, `${what}, normal ticket`);
    expectShown(res.text, C, forC as 'full' | 'masked' | 'none', opts, `${what}, confidential ticket`);
  }
}

const CONTACTS = { numbers: ['caller', 'contact'] as Array<'caller' | 'contact'>, names: true };
const NO_CONTACTS = { numbers: [] as Array<'caller' | 'contact'>, names: true };

beforeAll(async () => {
  h = await startLiveHarness();
  agentA = await h.addAgent('agentA');
  agentB = await h.addAgent('agentB', { ready: false });
  tokens.agentA = agentA.token;
  tokens.agentB = agentB.token;
  tokens.supervisor = (await h.addUser('sup1', 'supervisor')).token;
  tokens.admin = (await h.addUser('admin1', 'admin')).token;
  await h.hotline.app.auth.createUser({ username: 'jianwai1', password: 'secret-pass-1', role: 'unit', displayName: '建外街道' });
  h.hotline.db.prepare('UPDATE users SET unit_id = ? WHERE username = ?').run(JIANWAI, 'jianwai1');
  tokens.unit = (await h.hotline.app.auth.login('jianwai1', 'secret-pass-1'))!.id;

  // agentA answers N's call: the pop, the wallboard's grid; then takes both tickets.
  callId = (await h.connectCall(N.caller)).callId;
  const form = { ...COMPLAINT, description: '小区门口垃圾三天无人清运 测试工单甲' };
  delete (form as Partial<typeof form>).callerNumber;
  ids.n = (await send('agentA', 'POST', '/api/tickets', { ...form, callId, contactName: N.name, contactPhone: N.contact })).id;
  ids.c = (await send('agentA', 'POST', '/api/tickets', {
    ...form, description: '消防通道长期被车辆占用 测试工单乙', callerNumber: C.caller, contactName: C.name, contactPhone: C.contact, confidential: true,
  })).id;

  await socket('/ws/portal', 'unit', frames.portal);
  for (const who of ['agentA', 'agentB', 'supervisor', 'admin'] as const) await socket('/ws/centre', who, frames.centre[who] = []);
  for (const who of ['supervisor', 'admin'] as const) await socket('/ws/wallboard', who, frames.wallboard[who] = []);
  desktops = { agentA: await openDesktop(h.url, tokens.agentA), agentB: await openDesktop(h.url, tokens.agentB) };

  // Dispatched to the street, signed for and replied to by the unit, closed by the centre: notices both ways, a survey job each.
  for (const id of [ids.n, ids.c]) {
    await send('agentA', 'POST', `/api/tickets/${id}/dispatch`, { leadUnit: JIANWAI });
    await send('unit', 'POST', `/api/tickets/${id}/sign`);
    await send('unit', 'POST', `/api/tickets/${id}/reply`, { result: '已清理完毕', actions: '联系物业当日清运' });
    await send('supervisor', 'POST', `/api/tickets/${id}/close`);
  }

  // A recording of each ticket's call, both taken by agentA; a missed call agentB holds for callback.
  const db = h.hotline.db;
  const now = Date.now();
  db.prepare(`INSERT INTO calls (id, line, caller_number, state, arrived_at, agent_id) VALUES ('call-c', '12345', ?, 'ended', ?, ?)`).run(C.caller, now, agentA.agentId);
  for (const [rec, call, ticket] of [['rec-n', callId, ids.n], ['rec-c', 'call-c', ids.c]] as const) {
    db.prepare(`INSERT INTO recordings (id, call_id, agent_id, ticket_id, name, path, format, duration_ms, size_bytes, sha256, created_at)
      VALUES (?, ?, ?, ?, ?, NULL, 'wav', 1000, 44, NULL, ?)`).run(rec, call, agentA.agentId, ticket, rec, now);
  }
  db.prepare(`INSERT INTO callbacks (id, caller_number, line, reason, status, first_missed_at, last_missed_at, claimed_by, claimed_at)
    VALUES ('cb-1', ?, '12345', 'abandoned', 'claimed', ?, ?, ?, ?)`).run(MISSED, now, now, agentB.agentId, now);

  await waitFor('the centre told of both replies', () => (frames.centre.supervisor ?? []).filter((f) => (f as { type: string }).type === 'notice').length >= 2 || undefined);
  await waitFor('the unit told of both dispatches', () => frames.portal.filter((f) => (f as { type: string }).type === 'notice').length >= 2 || undefined);
});

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  desktops?.agentA.close();
  desktops?.agentB.close();
  await h?.close();
});

describe('citizen numbers and names: one rule in every view', () => {
  it('when each role reads a ticket (GET /api/tickets/:id), then the centre sees it whole and only the agent who took the confidential one sees it', async () => {
    await checkRoute(() => `/api/tickets/${ids.n}`, {
      agentA: ['full', 'none'], agentB: ['full', 'none'], supervisor: ['full', 'none'], admin: ['full', 'none'], unit: [403, 403],
    }, CONTACTS);
    await checkRoute(() => `/api/tickets/${ids.c}`, {
      agentA: ['none', 'full'], agentB: [403, 403], supervisor: ['none', 'full'], admin: ['none', 'full'], unit: [403, 403],
    }, CONTACTS);
  });

  it('when each role opens the ticket page (handling), then a unit sees the numbers masked and nothing of the confidential caller', async () => {
    await checkRoute(() => `/api/tickets/${ids.n}/handling`, {
      agentA: ['full', 'none'], agentB: ['full', 'none'], supervisor: ['full', 'none'], admin: ['full', 'none'], unit: ['masked', 'none'],
    }, CONTACTS);
    await checkRoute(() => `/api/tickets/${ids.c}/handling`, {
      agentA: ['none', 'full'], agentB: ['none', 'none'], supervisor: ['none', 'full'], admin: ['none', 'full'], unit: ['none', 'none'],
    }, CONTACTS);
  });

  it('when each role reads a ticket\'s history, then no citizen is in it', async () => {
    for (const id of [ids.n, ids.c]) {
      await checkRoute(() => `/api/tickets/${id}/history`, {
        agentA: ['none', 'none'], agentB: ['none', 'none'], supervisor: ['none', 'none'], admin: ['none', 'none'], unit: ['none', 'none'],
      }, NO_CONTACTS);
    }
  });

  it('when each role searches (GET /api/tickets/search), then a unit never gets a full number', async () => {
    const q = `/api/tickets/search?q=${encodeURIComponent('测试工单')}`;
    const found = await read('unit', q);
    expect((JSON.parse(found.text) as { items: unknown[] }).items).toHaveLength(2);
    await checkRoute(() => q, {
      agentA: ['full', 'full'], agentB: ['full', 'none'], supervisor: ['full', 'full'], admin: ['full', 'full'], unit: ['masked', 'none'],
    }, CONTACTS);
  });

  it('when a unit searches by a citizen\'s number, then it is refused: it could confirm a masked number', async () => {
    expect((await read('unit', `/api/tickets/search?caller=${N.caller}`)).status).toBe(403);
    expect((await read('unit', `/api/tickets/export.csv?caller=${N.caller}`)).status).toBe(403);
    expect((await read('supervisor', `/api/tickets/search?caller=${N.caller}`)).text).toContain(ids.n);
  });

  it('when each role exports the CSV with every contact column, then a unit never gets a full number', async () => {
    const csv = `/api/tickets/export.csv?q=${encodeURIComponent('测试工单')}&fields=number,callerNumber,contactName,contactPhone,confidential`;
    const unitRows = (await read('unit', csv)).text.trim().split('\r\n');
    expect(unitRows).toHaveLength(3);
    await checkRoute(() => csv, {
      agentA: [403, 403], agentB: [403, 403], supervisor: ['full', 'full'], admin: ['full', 'full'], unit: ['masked', 'none'],
    }, CONTACTS);
  });

  it('when the unit portal\'s inbox and the centre\'s queues are read, then they list tickets without citizens', async () => {
    await checkRoute((w) => (w === 'unit' ? '/api/portal/inbox?status=all' : `/api/portal/inbox?status=all&unit=${JIANWAI}`), {
      agentA: ['none', 'none'], agentB: ['none', 'none'], supervisor: ['none', 'none'], admin: ['none', 'none'], unit: ['none', 'none'],
    }, NO_CONTACTS);
    const inbox = JSON.parse((await read('unit', '/api/portal/inbox?status=all')).text) as { tickets: Array<{ id: string }> };
    expect(inbox.tickets.map((t) => t.id).sort()).toEqual([ids.n, ids.c].sort());
    await checkRoute(() => '/api/portal/centre', {
      agentA: ['none', 'none'], agentB: ['none', 'none'], supervisor: ['none', 'none'], admin: ['none', 'none'], unit: [403, 403],
    }, NO_CONTACTS);
  });

  it('when the portal\'s and the centre\'s notices are read and pushed, then no citizen is in them', async () => {
    await checkRoute(() => '/api/portal/notices', {
      agentA: [403, 403], agentB: [403, 403], supervisor: [403, 403], admin: [403, 403], unit: ['none', 'none'],
    }, NO_CONTACTS);
    await checkRoute(() => '/api/centre/notices', {
      agentA: ['none', 'none'], agentB: ['none', 'none'], supervisor: ['none', 'none'], admin: ['none', 'none'], unit: [403, 403],
    }, NO_CONTACTS);
    const pushed = [frames.portal, ...Object.values(frames.centre)];
    expect(pushed.every((f) => f.length >= 3)).toBe(true);
    for (const f of pushed) {
      expectShown(JSON.stringify(f), N, 'none', NO_CONTACTS, 'notice frames, normal ticket');
      expectShown(JSON.stringify(f), C, 'none', NO_CONTACTS, 'notice frames, confidential ticket');
    }
  });

  it('when the recordings list is read, then the caller is masked for everyone and the confidential call only where it may be found', async () => {
    await checkRoute(() => '/api/recordings', {
      agentA: ['masked', 'masked'], agentB: ['none', 'none'], supervisor: ['masked', 'none'], admin: ['masked', 'masked'], unit: [403, 403],
    }, { numbers: ['caller'], names: false });
    await checkRoute(() => '/api/recordings/rec-n', {
      agentA: ['masked', 'none'], agentB: [404, 404], supervisor: ['masked', 'none'], admin: ['masked', 'none'], unit: [403, 403],
    }, { numbers: ['caller'], names: false });
  });

  it('when the callback list is read, then the centre\'s staff who call back see the number and units cannot read it', async () => {
    for (const who of EVERYONE) {
      const res = await read(who, '/api/callbacks');
      if (who === 'unit') { expect(res.status).toBe(403); continue; }
      expect(res.status).toBe(200);
      // agentA neither holds the task nor is offered pending ones while on a call.
      if (who === 'agentA') {
        expect(res.text).not.toContain(MISSED);
        expect(res.text).not.toContain(maskPhone(MISSED));
      } else {
        expect(res.text, who).toContain(MISSED);
      }
    }
  });

  it('when the survey jobs are read, then the number dialled is masked', async () => {
    await checkRoute(() => '/api/surveys', {
      agentA: [403, 403], agentB: [403, 403], supervisor: ['masked', 'masked'], admin: ['masked', 'masked'], unit: [403, 403],
    }, { numbers: ['contact'], names: false });
  });

  it('when the wallboard is read and pushed, then the caller on agentA\'s call is masked', async () => {
    await checkRoute(() => '/api/wallboard/agents', {
      agentA: [403, 403], agentB: [403, 403], supervisor: ['masked', 'none'], admin: ['masked', 'none'], unit: [403, 403],
    }, { numbers: ['caller'], names: false });
    for (const who of ['supervisor', 'admin']) {
      const text = await waitFor(`a wallboard frame for ${who}`, () => {
        const t = JSON.stringify(frames.wallboard[who]);
        return t.includes(maskPhone(N.caller)) ? t : undefined;
      });
      expectShown(text, N, 'masked', { numbers: ['caller'], names: false }, `/ws/wallboard as ${who}`);
    }
  });

  it('when the desktops are pushed, then the pop names the caller in full to the agent on the call only', async () => {
    const helloA = await waitFor('agentA hello', () => desktops.agentA.frames.find((f) => f.type === 'hello'));
    expect(helloA.pop.callerNumber).toBe(N.caller);
    expect(JSON.stringify(helloA.pop.history)).not.toContain(N.caller);
    const helloB = await waitFor('agentB hello', () => desktops.agentB.frames.find((f) => f.type === 'hello'));
    expect(helloB.pop).toBeNull();
    expectShown(JSON.stringify(desktops.agentB.frames), N, 'none', CONTACTS, 'agentB desktop');
  });

  it('when agentA calls the unit into the citizen\'s call, then the three-way call\'s view carries no citizen', async () => {
    const unit = h.hotline.db.prepare('SELECT contact_number FROM units WHERE code = ?').get(JIANWAI) as { contact_number: string };
    h.hotline.sim!.control.setCitizen(unit.contact_number, { mode: 'answer', ringMs: 50 });
    const res = await h.api(agentA, 'POST', `/api/calls/${callId}/conference`, { unitCode: JIANWAI });
    expect(res.status).toBe(201);
    expect(res.body.conference.number).toBe(unit.contact_number);
    await waitFor('the conference reported', () => desktops.agentA.frames.some((f) => f.type === 'conference.status' && f.conference.status === 'connected') || undefined);
    const conference = JSON.stringify([res.body, ...desktops.agentA.frames.filter((f) => f.type === 'conference.status')]);
    expectShown(conference, N, 'none', CONTACTS, 'conference view');
    expectShown(conference, C, 'none', CONTACTS, 'conference view');
  });
});
