import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { Bus } from '../../bus.ts';
import type { Config } from '../../config/config.ts';
import type { AuthService } from '../../features/auth/auth.service.ts';
import type { AgentsService } from '../../features/agents/agents.service.ts';
import type { TicketsService } from '../../features/tickets/tickets.service.ts';
import { createPrng } from '../prng.ts';
import type { Simulator } from '../types.ts';
import { startSimulatedAgents } from './agents.ts';
import type { SimulatedAgents } from './agents.ts';
import { startSimulatedCallers } from './callers.ts';
import type { SimulatedCallers } from './callers.ts';

export { startSimulatedAgents, simulatedSeat, simulatedUsername } from './agents.ts';
export { startSimulatedCallers, citizenNumber, exponential } from './callers.ts';

export interface SimulatedActors {
  agents: SimulatedAgents;
  callers: SimulatedCallers;
  stop(): Promise<void>;
}

/** The simulated agents and callers of `npm start`, from config.simulator, seeded. */
export async function startSimulatedActors(deps: {
  sim: Simulator; auth: AuthService; agents: AgentsService; tickets: TicketsService; bus: Bus; clock: Clock; log: Logger;
  settings: Config['simulator']; lines: string[]; password: string;
  checkPhone?: (seat: string) => Promise<void>;
}): Promise<SimulatedActors> {
  const prng = createPrng(deps.settings.seed);
  const agents = await startSimulatedAgents({
    control: deps.sim.control, auth: deps.auth, agents: deps.agents, tickets: deps.tickets, bus: deps.bus, clock: deps.clock, prng, log: deps.log,
    ...(deps.checkPhone ? { checkPhone: deps.checkPhone } : {}),
    settings: { count: deps.settings.agents, talkMs: deps.settings.talkSeconds * 1000, answerDelayMs: 3000, ticketShare: 0.5, password: deps.password },
  });
  const callers = startSimulatedCallers({
    control: deps.sim.control, clock: deps.clock, prng: createPrng(deps.settings.seed + 1), log: deps.log,
    settings: { lines: deps.lines, callsPerMinute: deps.settings.callsPerMinute, patienceMs: deps.settings.patienceSeconds * 1000 },
  });
  return {
    agents,
    callers,
    async stop() { callers.stop(); agents.stop(); },
  };
}
