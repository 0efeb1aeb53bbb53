import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ScreenPop } from '../../src/bus.ts';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';

let desk: DeskApp | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await desk?.close();
  desk = undefined;
});

type Frame = { type: string; [k: string]: unknown };

/** A client socket that queues every frame it receives. */
function open(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; frames: Frame[]; next(type?: string, ms?: number): Promise<Frame> }> {
  const ws = new WebSocket(url, { headers });
  sockets.push(ws);
  const frames: Frame[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => { frames.push(JSON.parse(String(data)) as Frame); for (const w of waiters.splice(0)) w(); });
  let read = 0;
  const next = async (type?: string, ms = 3000): Promise<Frame> => {
    const deadline = Date.now() + ms;
    for (;;) {
      while (read < frames.length) {
        const f = frames[read++]!;
        if (!type || f.type === type) return f;
      }
      if (Date.now() > deadline) throw new Error(`no ${type ?? 'frame'} within ${ms} ms; got ${frames.map((f) => f.type).join(',')}`);
      await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 50); });
    }
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, next }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function pop(callId: string, callerNumber: string, extra = ''): ScreenPop {
  return {
    callId, line: '12345', lineName: '12345 市民服务热线', callerNumber, callerName: '', waitedMs: 8000, answeredAt: Date.now(),
    history: extra ? [{ id: 't', number: '2026112500001', createdAt: Date.now(), type: 'help', category: 'other/other', status: 'accepted', description: extra }] : [],
  };
}

async function twoAgents(settings = {}) {
  desk = await startDeskApp({ settings: { live: settings } });
  await desk.addUser('agent001', 'agent', 'agent001');
  await desk.addUser('agent002', 'agent', 'agent002');
  return { a: await desk.login('agent001'), b: await desk.login('agent002') };
}

const withCookie = (s: Session) => ({ cookie: s.cookie });

describe('live desktop socket', () => {
  it('when a socket has no session or a bad token, then the upgrade is refused with 401', async () => {
    desk = await startDeskApp();
    await expect(open(desk.wsUrl)).rejects.toThrow('HTTP 401');
    await expect(open(`${desk.wsUrl}?token=forged`)).rejects.toThrow('HTTP 401');
  });

  it('when agent B gets a pop, then only B’s sockets receive it and agent A never does', async () => {
    const { a, b } = await twoAgents();
    const sa = await open(desk!.wsUrl, withCookie(a));
    const sb = await open(`${desk!.wsUrl}?token=${encodeURIComponent(b.token)}`);
    expect(await sa.next('hello')).toMatchObject({ agent: { id: 'agent001', state: 'offline' }, pop: null });
    await sb.next('hello');
    desk!.bus.publish('agent.pop', { agentId: 'agent002', pop: pop('call-b', '13900000002') });
    desk!.bus.publish('agent.state', { agentId: 'agent002', state: 'on_call', since: Date.now() });
    expect(await sb.next('pop')).toMatchObject({ pop: { callId: 'call-b', callerNumber: '13900000002' } });
    expect(await sb.next('agent.state')).toMatchObject({ state: 'on_call' });
    sa.ws.send(JSON.stringify({ type: 'ping', ref: 'r1' }));
    expect(await sa.next()).toMatchObject({ type: 'pong', ref: 'r1' });
    expect(sa.frames.map((f) => f.type)).toEqual(['hello', 'pong']);
    expect(JSON.stringify(sa.frames)).not.toContain('13900000002');
  });

  it('when the desktop reconnects during a call, then hello carries the pop again until the call ends', async () => {
    const { a } = await twoAgents();
    desk!.bus.publish('agent.state', { agentId: 'agent001', state: 'on_call', since: 1000 });
    desk!.bus.publish('agent.pop', { agentId: 'agent001', pop: pop('call-a', '13900000001') });
    const first = await open(desk!.wsUrl, withCookie(a));
    expect(await first.next('hello')).toMatchObject({ agent: { state: 'on_call', since: 1000 }, pop: { callId: 'call-a' } });
    first.ws.close();
    const again = await open(desk!.wsUrl, withCookie(a));
    expect(await again.next('hello')).toMatchObject({ pop: { callId: 'call-a', callerNumber: '13900000001' } });
    desk!.bus.publish('agent.call_ended', { agentId: 'agent001', callId: 'call-a', endedAt: Date.now() });
    expect(await again.next('call.ended')).toMatchObject({ callId: 'call-a' });
    const later = await open(desk!.wsUrl, withCookie(a));
    expect(await later.next('hello')).toMatchObject({ pop: null });
  });

  it('when a client sends malformed, oversized, unknown or hostile frames, then each gets ERR_BAD_MESSAGE and the socket stays up', async () => {
    const { a } = await twoAgents({ maxMessageBytes: 4096 });
    desk!.addCall('call-a', 'agent001');
    desk!.addCall('call-b', 'agent002');
    const s = await open(desk!.wsUrl, withCookie(a));
    await s.next('hello');
    const hostile: Array<string | Buffer> = [
      'not json', '[]', 'null', '42', '{"type":1}', '{"no":"type"}', JSON.stringify({ type: 'x'.repeat(500) }),
      JSON.stringify({ type: 'ping', pad: 'y'.repeat(10_000) }), JSON.stringify({ type: 'shutdown.everything' }),
      '{"type":"__proto__"}', Buffer.from([0xff, 0xfe, 0x00]), '{'.repeat(3000),
    ];
    for (const frame of hostile) {
      s.ws.send(frame);
      expect(await s.next('error'), String(frame).slice(0, 40)).toMatchObject({ code: 'ERR_BAD_MESSAGE' });
    }
    s.ws.send(JSON.stringify({ type: 'draft.save', ref: 'd1', callId: 'call-a', data: 'nope', version: -1 }));
    const invalid = await s.next('error');
    expect(invalid).toMatchObject({ code: 'ERR_VALIDATION', ref: 'd1' });
    expect((invalid.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['data', 'version']);
    s.ws.send(JSON.stringify({ type: 'draft.save', ref: 'd2', callId: 'call-b', data: {}, version: 0 }));
    expect(await s.next('error')).toMatchObject({ code: 'ERR_FORBIDDEN', ref: 'd2' });
    s.ws.send(JSON.stringify({ type: 'draft.save', ref: 'd3', callId: 'call-a', data: { description: '经 websocket 保存' }, version: 0 }));
    expect(await s.next('draft.saved')).toMatchObject({ ref: 'd3', callId: 'call-a', version: 1 });
    s.ws.send(JSON.stringify({ type: 'ping', ref: 'alive' }));
    expect(await s.next('pong')).toMatchObject({ ref: 'alive' });
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('when a client stops reading, then it is dropped with 1013 while other sockets keep receiving', async () => {
    const { a, b } = await twoAgents({ maxBufferedBytes: 256 * 1024, slowGraceMs: 200, closeGraceMs: 10_000 });
    const slow = await open(desk!.wsUrl, withCookie(a));
    const fast = await open(desk!.wsUrl, withCookie(a));
    const other = await open(desk!.wsUrl, withCookie(b));
    await Promise.all([slow.next('hello'), fast.next('hello'), other.next('hello')]);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => slow.ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(64 * 1024);
    let sent = 0;
    const started = Date.now();
    while (desk!.app.hub.stats().dropped === 0 && Date.now() - started < 15_000) {
      for (let i = 0; i < 16; i++) desk!.bus.publish('agent.pop', { agentId: 'agent001', pop: pop(`call-${sent++}`, '13900000001', big) });
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(desk!.app.hub.stats().dropped).toBe(1);
    desk!.bus.publish('agent.pop', { agentId: 'agent002', pop: pop('call-other', '13900000002') });
    expect(await other.next('pop')).toMatchObject({ pop: { callId: 'call-other' } });
    const last = `call-${sent - 1}`;
    for (;;) {
      const f = await fast.next('pop', 10_000);
      if ((f.pop as ScreenPop).callId === last) break;
    }
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code, reason } = await closed;
    expect(code).toBe(1013);
    expect(reason).toMatch(/slow/);
  });
});
