import { afterEach, describe, expect, it } from 'vitest';
import { startSecured } from './security-harness.ts';
import type { Secured } from './security-harness.ts';
import { sleep, waitFor } from './call-harness.ts';

/** Issue 15: an agent's desk (专席) routes calls, changed by an administrator while the service runs. */

let s: Secured | undefined;
afterEach(async () => { await s?.close(); s = undefined; });

const FIRST_PASSWORD = 'Quartz-Meadow-83';
const NEW_PASSWORD = 'Lantern-Orchid-47';
const DESK_GONE = 'desk not in the lines and desks in force: its agents take callers as if they had no desk';

async function call(token: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(s!.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** An agent account made by the administrator, signed in at its seat (phone registered) and ready. */
async function readyAgent(admin: string, account: Record<string, unknown>): Promise<{ userId: string; agentId: string }> {
  const created = await call(admin, 'POST', '/api/admin/users', { password: FIRST_PASSWORD, ...account });
  expect(created.status).toBe(201);
  s!.hotline.sim!.control.registerPhone(account.seat as string, { mode: 'answer', ringMs: 200 });
  const first = (await call(null, 'POST', '/api/login', { username: account.username, password: FIRST_PASSWORD })).body.token as string;
  expect((await call(first, 'POST', '/api/me/password', { currentPassword: FIRST_PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(200);
  const token = (await call(null, 'POST', '/api/login', { username: account.username, password: NEW_PASSWORD })).body.token as string;
  expect((await call(token, 'POST', '/api/agents/me/login', {})).status).toBe(200);
  expect((await call(token, 'POST', '/api/agents/me/state', { state: 'ready' })).status).toBe(200);
  return { userId: created.body.user.id as string, agentId: s!.hotline.agents.forUser(created.body.user.id)!.id };
}

const liveCall = (from: string) => s!.hotline.calls.live().find((l) => l.call.callerNumber === from);
/** The caller has heard the greeting: queued, or already offered to a seat. */
const pastGreeting = (from: string) => waitFor(`${from} past the greeting`, () => !['arriving', 'greeting'].includes(liveCall(from)?.call.state ?? 'arriving'));

async function hangUpAll(): Promise<void> {
  for (const l of s!.hotline.calls.live()) for (const leg of l.legs.keys()) s!.hotline.sim!.control.remoteHangup(leg);
  await waitFor('every call ended', () => s!.hotline.calls.live().length === 0);
}

describe('an agent\'s desk set by an administrator routes the next call', () => {
  it('when an admin puts an agent on a desk, then a caller on another line waits while they are ready; taken off, the caller goes to them; on a removed desk, as if they had none', async () => {
    s = await startSecured({
      logLevel: 'info',
      values: {
        lines: [{ number: '12345', wrapUpSeconds: 1 }, { number: '12333', queue: 'social', wrapUpSeconds: 1 }],
        queues: [{ id: 'main', target: { skills: ['general'] } }, { id: 'social', target: { skills: ['social'], minLevel: 3 } }],
      },
    });
    const admin = s.sessions.admin.token;
    // Made on the social desk: the agents service hands the desk to the queue engine when it first meets the agent.
    const anna = await readyAgent(admin, { username: 'anna', displayName: '安娜', role: 'agent', seat: 'seat-anna', skills: { general: 3, social: 4 }, desk: 'social' });

    // Skills that do not meet the desk's target are refused, with the reason in Chinese and English.
    const misfit = await call(admin, 'PATCH', `/api/admin/users/${anna.userId}`, { skills: { general: 3 } });
    expect(misfit.status).toBe(400);
    expect(misfit.body.error.code).toBe('ERR_VALIDATION');
    expect(misfit.body.error.details).toEqual([{
      field: 'skills',
      message: '坐席技能不符合服务台“social”的要求：须有 social 中的一项达到 3 级',
      message_en: 'The agent\'s skills do not meet desk social\'s target: one of social at level 3 or above',
    }]);
    const bob = await call(admin, 'POST', '/api/admin/users', { username: 'bob', displayName: '鲍勃', role: 'agent', seat: 'seat-bob', skills: { general: 5 }, desk: 'social', password: FIRST_PASSWORD });
    expect(bob.status).toBe(400);
    expect(bob.body.error.details.map((f: any) => f.field)).toEqual(['desk']);

    s.hotline.sim!.control.placeCall({ line: '12345', from: '13600000001' });
    await pastGreeting('13600000001');
    await sleep(500);
    expect(s.hotline.agents.get(anna.agentId)?.state).toBe('ready');
    expect(liveCall('13600000001')?.call.state).toBe('queued');

    const off = await call(admin, 'PATCH', `/api/admin/users/${anna.userId}`, { desk: null });
    expect(off.status).toBe(200);
    expect(off.body.user.desk).toBeNull();
    await waitFor('anna on the main call', () => s!.hotline.agents.get(anna.agentId)?.state === 'on_call');
    expect(s.hotline.agents.get(anna.agentId)?.callId).toBe(liveCall('13600000001')!.call.id);
    await hangUpAll();
    await waitFor('anna ready again', () => s!.hotline.agents.get(anna.agentId)?.state === 'ready');

    // Back on the desk: the next main caller waits, the desk's caller is hers.
    expect((await call(admin, 'PATCH', `/api/admin/users/${anna.userId}`, { desk: 'social' })).status).toBe(200);
    s.hotline.sim!.control.placeCall({ line: '12345', from: '13600000002' });
    await pastGreeting('13600000002');
    await sleep(500);
    expect(s.hotline.agents.get(anna.agentId)?.state).toBe('ready');
    s.hotline.sim!.control.placeCall({ line: '12333', from: '13600000003' });
    await waitFor('anna on the desk\'s call', () => s!.hotline.agents.get(anna.agentId)?.state === 'on_call');
    expect(s.hotline.agents.get(anna.agentId)?.callId).toBe(liveCall('13600000003')!.call.id);
    expect(liveCall('13600000002')?.call.state).toBe('queued');
    for (const leg of liveCall('13600000003')!.legs.keys()) s.hotline.sim!.control.remoteHangup(leg);
    await waitFor('anna ready again', () => s!.hotline.agents.get(anna.agentId)?.state === 'ready');
    await sleep(300);
    expect(liveCall('13600000002')?.call.state).toBe('queued');

    // A new version of the lines and desks without the social desk: anna takes the waiting main caller, and the log says why, once.
    const lines = (await call(admin, 'GET', '/api/admin/lines')).body;
    const without = { lines: lines.lines.map((l: any) => ({ ...l, queue: 'main' })), queues: lines.queues.filter((q: any) => q.id !== 'social') };
    expect((await call(admin, 'PUT', '/api/admin/lines', without)).status).toBe(200);
    await waitFor('anna on the main call', () => s!.hotline.agents.get(anna.agentId)?.state === 'on_call');
    expect(s.hotline.agents.get(anna.agentId)?.callId).toBe(liveCall('13600000002')!.call.id);
    expect((await call(admin, 'PUT', '/api/admin/lines', { ...without, lines: without.lines.map((l: any) => ({ ...l, name: `${l.number} 热线` })) })).status).toBe(200);
    const said = s.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === DESK_GONE);
    expect(said).toEqual([expect.objectContaining({ desk: 'social', agentIds: [anna.agentId] })]);
    await hangUpAll();
  }, 60_000);
});
