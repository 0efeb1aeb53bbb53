import WebSocket from 'ws';
import type { Role } from '../../src/features/auth/auth.service.ts';
import type { Harness } from './call-harness.ts';

/** A user of the given role, signed in: the bearer token. */
export async function signIn(h: Harness, username: string, role: Role): Promise<string> {
  const extra = role === 'agent' ? { agent: { seat: `seat-${username}` } } : {};
  await h.hotline.app.auth.createUser({ username, password: 'secret-pass-1', role, displayName: username, ...extra });
  const res = await fetch(h.hotline.url + '/api/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'secret-pass-1' }),
  });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export interface WallboardClient {
  frames: any[];
  socket: WebSocket;
  /** The first frame (received so far or later) that satisfies the test. */
  next(test: (frame: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

export function wallboardUrl(url: string, token?: string): string {
  return `${url.replace(/^http/, 'ws')}/ws/wallboard${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
}

export async function openWallboard(url: string, token: string): Promise<WallboardClient> {
  const socket = new WebSocket(wallboardUrl(url, token));
  const frames: any[] = [];
  const waiters = new Set<{ test: (f: any) => boolean; resolve: (f: any) => void }>();
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as any;
    frame.receivedAt = Date.now();
    frames.push(frame);
    for (const w of [...waiters]) if (w.test(frame)) { waiters.delete(w); w.resolve(frame); }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
  return {
    frames,
    socket,
    next(test, timeoutMs = 8000) {
      const seen = frames.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { test, resolve: (f: any) => { clearTimeout(timer); resolve(f); } };
        const timer = setTimeout(() => { waiters.delete(w); reject(new Error('timed out waiting for a wallboard frame')); }, timeoutMs);
        waiters.add(w);
      });
    },
    close: () => socket.close(),
  };
}

/** The HTTP status with which the socket upgrade is refused, or 101 when it is accepted. */
export async function upgradeStatus(url: string, token?: string): Promise<number> {
  const socket = new WebSocket(wallboardUrl(url, token));
  return new Promise((resolve) => {
    socket.once('open', () => { socket.close(); resolve(101); });
    socket.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); socket.terminate(); });
    socket.once('error', () => resolve(0));
  });
}
