import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AgentStatus } from '../../src/domain/agent-state.ts';
import type { PhoneBehaviour } from '../../src/sim/types.ts';
import { leftovers, startCore } from './call-core.ts';

type Step =
  | { kind: 'call'; hangupAfterMs: number | null }
  | { kind: 'agent'; agent: number; act: 'ready' | 'pause' | 'logout' | 'login' | 'unregister' | 'register' | 'phone'; phone: PhoneBehaviour['mode'] }
  | { kind: 'wait'; ms: number };

const AGENTS = 4;
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('call' as const), hangupAfterMs: fc.option(fc.integer({ min: 0, max: 90_000 }), { nil: null }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('agent' as const), agent: fc.integer({ min: 0, max: AGENTS - 1 }),
      act: fc.constantFrom('ready', 'ready', 'pause', 'logout', 'login', 'unregister', 'register', 'phone'),
      phone: fc.constantFrom<PhoneBehaviour['mode']>('answer', 'answer', 'no-answer', 'busy'),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.constantFrom(0, 5, 300, 2_000, 9_000, 25_000) }) },
);

describe('the queue under random traffic (property)', () => {
  it('when calls arrive, callers hang up at any point, phones fail and agents pause, log out and lose registration, then no agent gets two calls, no call rings a paused, offline or unregistered agent, no call is lost, first come first served holds, and nothing is left', async () => {
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 40 }), async (steps) => {
      const rig = await startCore({ agents: { ringTimeoutSeconds: 5, wrapUpSeconds: 2 } }, { greetingMs: 500 });
      const { core } = rig;
      const problems: string[] = [];
      const last = new Map<string, AgentStatus>();
      const offered = new Set<string>();
      try {
        const ids = await core.addAgents(AGENTS, { phone: { mode: 'answer', ringMs: 700, talkMs: 4_000 } });
        const seatOf = (i: number) => core.agents.seatOf(ids[i]!)!;
        for (const s of core.agents.statuses()) last.set(s.id, s);
        core.bus.subscribe('agent.state', ({ agentId, state }) => {
          const before = last.get(agentId);
          const now = core.agents.statusOf(agentId)!;
          if (state === 'ringing') {
            if (before?.state !== 'ready') problems.push(`${agentId} offered while ${before?.state}`);
            if (!before?.registered || !core.sim.pbx.endpoints.get(core.agents.seatOf(agentId)!)?.registered) problems.push(`${agentId} offered while unregistered`);
          }
          last.set(agentId, now);
        });
        core.bus.subscribe('call.changed', ({ callId, state }) => {
          if (state !== 'offering' || offered.has(callId)) return;
          offered.add(callId);
          const me = core.calls.byId(callId)!.call;
          for (const other of core.calls.live()) {
            const c = other.call;
            if (c.id !== callId && c.state === 'queued' && !offered.has(c.id) && c.queuedAt !== null && me.queuedAt !== null && c.queuedAt < me.queuedAt
              && core.calls.queue.acd.call(c.id) !== undefined) {
              problems.push(`${callId} served before earlier caller ${c.id}`);
            }
          }
        });
        const checkSeats = (): void => {
          const perSeat = new Map<string, number>();
          for (const c of core.sim.pbx.liveChannels()) if (c.origin === 'originate' && c.endpoint) perSeat.set(c.endpoint, (perSeat.get(c.endpoint) ?? 0) + 1);
          for (const [seat, n] of perSeat) if (n > 1) problems.push(`${seat} has ${n} calls at once`);
        };
        let placed = 0;
        for (const step of steps) {
          if (step.kind === 'call') {
            placed++;
            core.sim.control.placeCall({ line: '12345', from: `1390000${String(placed).padStart(4, '0')}`, hangupAfterMs: step.hangupAfterMs ?? 120_000 });
          } else if (step.kind === 'wait') {
            await rig.clock.runUntil(rig.clock.now() + step.ms, () => core.sim.settle(), checkSeats);
          } else {
            const id = ids[step.agent]!;
            if (step.act === 'ready') core.agents.setState(id, 'ready');
            else if (step.act === 'pause') core.agents.setState(id, 'paused', 'break');
            else if (step.act === 'logout') core.agents.logout(id);
            else if (step.act === 'login') core.agents.login(id);
            else if (step.act === 'unregister') { core.sim.control.unregisterPhone(seatOf(step.agent)); await core.phones.check(seatOf(step.agent)); }
            else if (step.act === 'register') { core.sim.control.registerPhone(seatOf(step.agent)); await core.phones.check(seatOf(step.agent)); }
            else core.sim.control.setPhoneBehaviour(seatOf(step.agent), { mode: step.phone, ringMs: 700, talkMs: 4_000, sendsRinging: step.phone !== 'busy' });
          }
          await core.sim.settle();
        }
        await rig.clock.runUntil(rig.clock.now() + 200_000, () => core.sim.settle(), checkSeats);
        const rows = core.db.prepare('SELECT COUNT(*) AS n, SUM(ended_at IS NULL) AS open FROM calls').get() as { n: number; open: number | null };
        if (rows.n !== placed) problems.push(`${placed} calls placed, ${rows.n} known`);
        if ((rows.open ?? 0) > 0) problems.push(`${rows.open} calls never ended`);
        expect(problems).toEqual([]);
        expect(leftovers(rig)).toEqual({ channels: 0, bridges: 0, calls: 0, stuck: [] });
      } finally {
        await rig.close();
      }
    }), { numRuns: 40, seed: Number(process.env.PROPERTY_SEED ?? 20261125) });
  }, 120_000);
});
