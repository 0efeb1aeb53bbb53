import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { VirtualClock } from '../../src/clock.ts';
import { SESSION_ENDED } from '../../src/features/auth/session-sockets.ts';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';

let desk: DeskApp | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await desk?.close();
  desk = undefined;
});

const HOUR = 3_600_000;

/** A desk on a virtual clock, its live sockets never pinged (the clock jumps hours at a time). */
async function startDesk(clock: VirtualClock) {
  desk = await startDeskApp({ clock, settings: { live: { heartbeatMs: 1000 * HOUR }, auth: { sessionTtlMs: 8 * HOUR } } });
  await desk.addUser('agent001', 'agent', 'agent001');
  await desk.addUser('agent002', 'agent', 'agent002');
  return desk;
}

/** An open desktop socket, with how it was closed once it is. */
function open(d: DeskApp, s: Session): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(d.wsUrl, { headers: { cookie: s.cookie } });
  sockets.push(ws);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

const me = async (d: DeskApp, s: Session) => (await fetch(`${d.url}/api/me`, { headers: { cookie: s.cookie } })).status;

/** Moves the clock a minute at a time, as the minute checks would see it. */
function advance(clock: VirtualClock, ms: number): void {
  for (let left = ms; left > 0; left -= 60_000) clock.advance(Math.min(60_000, left));
}

describe('the sessions of live sockets', () => {
  it('when a page keeps its socket open, then its session outlives the idle limit; once closed, the limit applies again', async () => {
    const clock = new VirtualClock();
    const d = await startDesk(clock);
    const kept = await d.login('agent001');
    const idle = await d.login('agent002');
    const socket = await open(d, kept);

    advance(clock, 9 * HOUR);
    expect(await me(d, idle)).toBe(401);
    expect(await me(d, kept)).toBe(200);
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);

    socket.ws.close(1000, 'bye');
    await socket.closed;
    advance(clock, 9 * HOUR);
    expect(await me(d, kept)).toBe(401);
  });

  it('when a session signs out in one tab, then its sockets in the other tabs close with 4401 at once, and another session\'s stay open', async () => {
    const clock = new VirtualClock();
    const d = await startDesk(clock);
    const mine = await d.login('agent001');
    const other = await d.login('agent002');
    const tab1 = await open(d, mine);
    const tab2 = await open(d, mine);
    const theirs = await open(d, other);
    const res = await fetch(`${d.url}/api/logout`, { method: 'POST', headers: { cookie: mine.cookie, 'x-csrf-token': mine.csrf } });
    expect(res.status).toBe(204);
    expect(await tab1.closed).toBe(SESSION_ENDED);
    expect(await tab2.closed).toBe(SESSION_ENDED);
    expect(theirs.ws.readyState).toBe(WebSocket.OPEN);
    expect(d.app.sessionSockets.stats()).toEqual({ sessions: 1, sockets: 1 });
  });

  it('when a session is removed behind an open socket, then the socket is closed with 4401 within a minute', async () => {
    const clock = new VirtualClock();
    const d = await startDesk(clock);
    const s = await d.login('agent001');
    const socket = await open(d, s);
    d.db.prepare('DELETE FROM sessions').run();
    advance(clock, 60_000);
    expect(await socket.closed).toBe(SESSION_ENDED);
  });
});
