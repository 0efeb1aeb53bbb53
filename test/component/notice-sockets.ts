import WebSocket from 'ws';
import type { Session } from '../fixtures/desk-app.ts';

export type Frame = { type: string; [k: string]: any };

export interface NoticeSocket { ws: WebSocket; frames: Frame[]; next(type?: string, ms?: number): Promise<Frame> }

/** Notice sockets (the unit portal's, the centre desk's) opened by one test file, each queuing every frame it receives. */
export function noticeSockets(): {
  open(url: string, headers: Record<string, string>): Promise<NoticeSocket>;
  refused(url: string, headers: Record<string, string>): Promise<string>;
  closeAll(): void;
} {
  const sockets: WebSocket[] = [];
  const open = (url: string, headers: Record<string, string>): Promise<NoticeSocket> => {
    const ws = new WebSocket(url, { headers });
    sockets.push(ws);
    const frames: Frame[] = [];
    ws.on('message', (data) => { frames.push(JSON.parse(String(data)) as Frame); });
    let read = 0;
    const next = async (type?: string, ms = 3000): Promise<Frame> => {
      const deadline = Date.now() + ms;
      for (;;) {
        while (read < frames.length) {
          const f = frames[read++]!;
          if (!type || f.type === type) return f;
        }
        if (Date.now() > deadline) throw new Error(`no ${type ?? 'frame'} within ${ms} ms; got ${frames.map((f) => f.type).join(',')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, frames, next }));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  };
  return {
    open,
    async refused(url, headers) {
      try { await open(url, headers); return 'opened'; } catch (error) { return (error as Error).message; }
    },
    closeAll() { for (const s of sockets.splice(0)) s.terminate(); },
  };
}

export const cookie = (s: Session) => ({ cookie: s.cookie });
