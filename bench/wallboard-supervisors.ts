/**
 * The wallboard bench's 50 supervisors, in a worker thread of their own: their browsers are on other
 * machines, so reading and parsing the frames must not wait for the service's event loop, nor the service
 * for theirs. Each frame is stamped with the monotonic clock (shared by every thread) as it arrives, and
 * reported to the bench with the board time it was built at.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

/** The sockets one thread opens: `tokens[i]` is the bench's socket number `first + i`. */
export interface SupervisorsStart { url: string; tokens: string[]; first: number }
/** One frame as one supervisor's socket received it. */
export interface ReceivedFrame { socket: number; type: string; boardAt: number; receivedAt: number; bytes: number }

/** Milliseconds on the monotonic clock, the same in every thread of the process. */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** A frame's type and board time, read from its first bytes (the rest of the frame is not needed here). */
export function frameHead(data: Buffer): { type: string; boardAt: number } {
  const head = data.subarray(0, 512).toString('latin1');
  return { type: /^\{"type":"(\w+)"/.exec(head)?.[1] ?? '?', boardAt: Number(/"snapshot":\{"at":(\d+)/.exec(head)?.[1]) };
}

async function run(start: SupervisorsStart): Promise<void> {
  const port = parentPort!;
  const sockets: WebSocket[] = [];
  let batch: ReceivedFrame[] = [];
  const flush = setInterval(() => { if (batch.length) { port.postMessage({ frames: batch }); batch = []; } }, 50);
  await Promise.all(start.tokens.map(async (token, socket) => {
    const ws = new WebSocket(`${start.url}/ws/wallboard?token=${encodeURIComponent(token)}`, { perMessageDeflate: false, skipUTF8Validation: true });
    ws.on('message', (data: Buffer) => {
      const receivedAt = monotonicMs();
      batch.push({ socket: start.first + socket, ...frameHead(data), receivedAt, bytes: data.length });
    });
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    sockets.push(ws);
  }));
  port.postMessage({ open: sockets.length });
  port.on('message', (m: { stop?: boolean }) => {
    if (!m.stop) return;
    clearInterval(flush);
    port.postMessage({ frames: batch, stopped: true });
    for (const ws of sockets) ws.terminate();
  });
}

if (parentPort && (workerData as SupervisorsStart | undefined)?.url) void run(workerData as SupervisorsStart);
