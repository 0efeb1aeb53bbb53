import type { Logger } from 'pino';
import type { Bus } from '../../bus.ts';
import type { Clock, TimerHandle } from '../../clock.ts';
import type { AuthService } from '../../features/auth/auth.service.ts';
import type { AgentsService } from '../../features/agents/agents.service.ts';
import type { TicketsService } from '../../features/tickets/tickets.service.ts';
import { exponential } from './callers.ts';
import type { Prng } from '../prng.ts';
import type { SimControl } from '../types.ts';

export interface SimulatedAgentSettings {
  count: number;
  /** Mean talk time: the agent's phone hangs up this long (exponential) after answering. */
  talkMs: number;
  answerDelayMs: number;
  /** Share of answered calls on which the agent saves a ticket. */
  ticketShare: number;
  password: string;
}

export interface SimulatedAgents {
  usernames(): string[];
  stop(): void;
}

export function simulatedSeat(i: number): string { return `seat${String(i).padStart(4, '0')}`; }
export function simulatedUsername(i: number): string { return `agent${String(i).padStart(4, '0')}`; }

/**
 * Agents at their seats for `npm start`: each has an account, a registered phone in the simulator
 * that answers after a short ring and hangs up after a talk time, logs in and goes ready. The
 * agents service brings them back to ready after wrap-up; some calls end with a saved ticket.
 */
export async function startSimulatedAgents(deps: {
  control: SimControl; auth: AuthService; agents: AgentsService; tickets: TicketsService; bus: Bus; clock: Clock; prng: Prng; log: Logger;
  settings: SimulatedAgentSettings;
  /** Reads the seat's registration from ARI, as the login route does. */
  checkPhone?: (seat: string) => Promise<void>;
}): Promise<SimulatedAgents> {
  const { control, auth, agents, tickets, bus, clock, prng, settings } = deps;
  const log = deps.log.child({ component: 'sim.agents' });
  const names: string[] = [];
  const seats = new Map<string, string>();
  const timers = new Set<TimerHandle>();
  let stopped = false;

  function behaviour() {
    return { mode: 'answer' as const, ringMs: Math.round(settings.answerDelayMs * (0.5 + prng.next())), talkMs: Math.max(1000, Math.round(exponential(prng, settings.talkMs))) };
  }

  for (let i = 1; i <= settings.count; i++) {
    const username = simulatedUsername(i);
    const seat = simulatedSeat(i);
    let account = auth.findAccountByUsername(username);
    if (!account) {
      account = await auth.createUser({ username, password: settings.password, role: 'agent', displayName: `坐席 ${String(i).padStart(4, '0')}`, agent: { seat } });
    }
    if (!account.agentId) continue;
    names.push(username);
    seats.set(account.agentId, seat);
    control.registerPhone(seat, behaviour());
    await deps.checkPhone?.(seat);
    const login = agents.login(account.agentId, seat);
    if (login.ok) agents.setState(account.agentId, 'ready');
    else log.warn({ agentId: account.agentId, code: login.error.code }, 'simulated agent could not log in');
  }

  const off = [
    bus.subscribe('agent.pop', ({ agentId, pop }) => {
      const seat = seats.get(agentId);
      if (!seat || stopped) return;
      control.setPhoneBehaviour(seat, behaviour());
      if (prng.next() >= settings.ticketShare) return;
      const t = clock.setTimeout(() => {
        timers.delete(t);
        const user = auth.findAccountByUsername(simulatedUsername(Number(seat.slice(4))));
        if (!user || stopped) return;
        try {
          tickets.create({ callId: pop.callId, type: 'consultation', category: 'traffic/buses', description: '咨询公交线路调整情况（模拟来电）' }, user);
        } catch (error) {
          log.debug({ err: error }, 'simulated ticket not saved');
        }
      }, 2000);
      timers.add(t);
    }),
  ];
  log.info({ agents: names.length }, 'simulated agents at their seats');

  return {
    usernames: () => [...names],
    stop() {
      stopped = true;
      for (const o of off) o();
      for (const t of timers) clock.clearTimeout(t);
    },
  };
}
