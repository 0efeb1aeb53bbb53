/**
 * The simulator on loopback: how many ARI requests a second it answers, and how many events a
 * second it delivers to a connected client while calls come and go.
 */
import pino from 'pino';
import { startSimulator } from '../src/sim/index.ts';
import { createAriClient } from '../src/pbx/ari/client.ts';
import { percentile } from './stats.ts';

async function requestsPerSecond(ariUrl: string, seconds: number, concurrency: number) {
  const auth = 'Basic ' + Buffer.from('hotline:hotline').toString('base64');
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  let bridgeSeq = 0;
  async function worker() {
    while (performance.now() < end) {
      const t0 = performance.now();
      // A realistic mix: read state, create and destroy a bridge.
      const id = `bench-${bridgeSeq++}`;
      const r1 = await fetch(`${ariUrl}/bridges?type=mixing&bridgeId=${id}`, { method: 'POST', headers: { authorization: auth } });
      await r1.arrayBuffer();
      const r2 = await fetch(`${ariUrl}/bridges/${id}`, { method: 'DELETE', headers: { authorization: auth } });
      await r2.arrayBuffer();
      const r3 = await fetch(`${ariUrl}/asterisk/info`, { headers: { authorization: auth } });
      await r3.arrayBuffer();
      latencies.push((performance.now() - t0) / 3);
      n += 3;
    }
  }
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  return { rps: n / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function eventsPerSecond(seconds: number) {
  const sim = await startSimulator({ amiPort: null, dialplan: [{ line: '12345', app: 'bench', args: ['inbound', '12345'] }] });
  const client = createAriClient({ url: sim.ariUrl, username: 'hotline', password: 'hotline', app: 'bench', log: pino({ level: 'silent' }) });
  let events = 0;
  client.onEvent((e) => {
    events++;
    if (e.type === 'StasisStart') {
      const id = e.channel.id;
      void client.channels.answer(id).then(() => client.channels.hangup(id)).catch(() => {});
    }
  });
  await client.connect();
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  let calls = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) { sim.control.placeCall({ line: '12345', from: `1380013${String(calls++ % 10000).padStart(4, '0')}` }); }
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 200));
  const elapsed = (performance.now() - t0) / 1000;
  await client.close();
  await sim.close();
  return { eventsPerSecond: events / elapsed, calls };
}

export async function benchSimulator(): Promise<Record<string, number | string>> {
  const sim = await startSimulator({ amiPort: null });
  const rest = await requestsPerSecond(sim.ariUrl, 5, 16);
  await sim.close();
  const ev = await eventsPerSecond(5);
  return {
    'ARI requests/s (16 concurrent, loopback)': Math.round(rest.rps),
    'ARI request latency p50 (ms)': rest.p50,
    'ARI request latency p99 (ms)': rest.p99,
    'events/s delivered to one client': Math.round(ev.eventsPerSecond),
    'calls placed during the events run': ev.calls,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchSimulator());
}
