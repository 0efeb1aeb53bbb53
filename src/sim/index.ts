/** startSimulator: a simulated Asterisk 22 speaking ARI and AMI over real sockets. */
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../clock.ts';
import { startAmiServer } from './ami/server.ts';
import type { AmiLink } from './ami-link.ts';
import { linkAmi } from './ami-link.ts';
import { EventBus } from './ari/events.ts';
import { Pbx } from './ari/state.ts';
import { createControl } from './control.ts';
import { createFaults } from './faults.ts';
import { createPrng } from './prng.ts';
import { AriServer } from './server.ts';
import type { Simulator, SimulatorOptions } from './types.ts';

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const clock = opts.clock ?? realClock;
  const asteriskId = opts.asteriskId ?? '02:fc:00:00:00:01';
  const recordingsDir = opts.recordingsDir ?? mkdtempSync(join(tmpdir(), 'hotline-sim-recordings-'));
  mkdirSync(recordingsDir, { recursive: true, mode: 0o700 });
  const bus = new EventBus(asteriskId);
  const pbx = new Pbx({
    clock, prng: createPrng(opts.seed ?? 12345), bus, recordingsDir,
    sounds: opts.sounds ?? {}, defaultSoundMs: opts.defaultSoundMs ?? 3000, asteriskId,
  });
  const server = new AriServer({ host, port: opts.port ?? 0, users: opts.ariUsers ?? [{ username: 'hotline', password: 'hotline' }], pbx });
  await server.listen();

  let ami: AmiLink | undefined;
  if ((opts.amiPort as number | null | undefined) !== null) {
    const amiServer = await startAmiServer({
      host, port: opts.amiPort ?? 0, users: opts.amiUsers ?? [{ username: 'hotline', secret: 'hotline' }], clock,
    });
    ami = linkAmi(pbx, amiServer);
  }
  const faults = createFaults({ pbx, server, ami: () => ami });
  const dialplan = opts.dialplan ?? [{ line: '12345', app: 'hotline', args: ['inbound', '12345'] }];
  const control = createControl({ pbx, dialplan, faults, ami: () => ami });
  return {
    ariUrl: `http://${host}:${server.port}/ari`,
    wsUrl: `ws://${host}:${server.port}/ari/events`,
    amiPort: ami?.port ?? null,
    recordingsDir,
    control,
    async close() {
      pbx.onEndpointActivity = undefined;
      pbx.resetRuntime();
      await server.close();
      await ami?.close();
    },
  };
}
