import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { startHotlineCore } from '../../src/sim/actors/hotline-core.ts';
import { CALL_HANDLING_EVENTS, SimulationClock } from '../../src/sim/in-process.ts';
import { soakChecks } from '../../src/sim/soak/checks.ts';
import { runSoak } from '../../src/sim/soak/run-soak.ts';

describe('soak: simulated calls with random faults in virtual time', () => {
  it('when 2,000 calls meet hangups at every point, failing phones, breaks, socket drops and restarts, then nothing is left behind', async () => {
    const r = await runSoak({ calls: 2_000, seats: 60, seed: 20261125, faultRate: 2, dropEveryCalls: 100, restartEveryCalls: 700, progressEvery: 1e9 });
    const failed = r.checks.filter((c) => c.found !== 0).map((c) => `${c.name}: ${c.found} (${c.detail})`);
    expect(failed).toEqual([]);
    const faults = new Map(r.faults);
    for (const kind of ['greeting', 'queued', 'ringing', 'right after answer', 'mid-talk']) expect(faults.get(`caller hangs up: ${kind}`) ?? 0, kind).toBeGreaterThan(0);
    for (const kind of ['no answer', 'busy', 'declines', 'unreachable']) expect(faults.get(`agent phone: ${kind}`) ?? 0, kind).toBeGreaterThan(0);
    expect(faults.get('Asterisk restarts') ?? 0).toBeGreaterThan(0);
    expect(r.connection.drops).toBeGreaterThan(5);
    expect(r.connection.reconnects).toBeGreaterThanOrEqual(r.connection.drops);
    expect(r.placed).toBe(2_000);
    expect(r.log.answered).toBeGreaterThan(1_000);
    expect(r.log.lostWithPbx).toBeGreaterThan(0);
    expect(r.ticketsCreated).toBeGreaterThan(500);
  }, 120_000);

  it('when the same seed runs twice, then every figure is the same', async () => {
    const run = () => runSoak({ calls: 300, seats: 20, seed: 7, dropEveryCalls: 50, restartEveryCalls: 200, progressEvery: 1e9 });
    const [a, b] = [await run(), await run()];
    const figures = (r: typeof a) => ({ placed: r.placed, entered: r.enteredStasis, log: r.log, tickets: r.ticketsCreated, faults: r.faults, connection: r.connection, hours: r.virtualHours });
    expect(figures(b)).toEqual(figures(a));
  }, 60_000);

  it('when an option is out of range, then the soak refuses to start and says which', async () => {
    await expect(runSoak({ calls: 0 })).rejects.toThrow(/calls/);
    await expect(runSoak({ seats: 1.5 })).rejects.toThrow(/seats/);
    await expect(runSoak({ faultRate: -1 })).rejects.toThrow(/fault rate/);
    await expect(runSoak({ load: Number.NaN })).rejects.toThrow(/load/);
  });

  it('when a call is still in progress, then the checks report its channel, its live call and its open calls row', async () => {
    const clock = new SimulationClock();
    const config = loadConfig({ env: {}, values: { log: { level: 'silent' } } });
    const core = await startHotlineCore({ config, clock, log: pino({ level: 'silent' }), eventTypes: CALL_HANDLING_EVENTS });
    try {
      const placed = core.sim.control.placeCall({ line: '12345', from: '13800138000' });
      expect(placed.outcome).toBe('stasis');
      await clock.runUntil(clock.now() + 5_000, () => core.sim.settle());
      const found = new Map(soakChecks({
        db: core.db, control: core.sim.control, agents: core.agents, calls: core.calls, callsEntered: 1,
        ticketsCreated: 2, ticketsRefused: 0, callbacks: config.callbacks,
      }).map((c) => [c.name, c.found]));
      expect(found.get('leaked channels')).toBe(1);
      expect(found.get('live calls left in the calls service')).toBe(1);
      expect(found.get('calls rows never ended')).toBe(1);
      expect(found.get('tickets lost')).toBe(2);
      expect(found.get('calls in Stasis without a calls row (or rows without a call)')).toBe(0);
    } finally {
      await core.close();
    }
  });
});
