/**
 * Agents of the soak: each offer rings a phone that answers after a random delay, or does not answer,
 * is busy, declines, or is not reachable (unregistered); now and then the agent pauses or logs out
 * while the phone rings, takes a break or leaves the seat for a while. After an answered call most
 * agents save a ticket through the tickets service, as the desktop does. An agent paused by the
 * service (no answer, busy, unreachable) comes back to ready after a while, as a person would.
 */
import type { Bus } from '../../bus.ts';
import type { Clock, TimerHandle } from '../../clock.ts';
import { HotlineError } from '../../domain/errors.ts';
import type { AgentsService } from '../../features/agents/agents.service.ts';
import type { AgentPhones } from '../../features/agents/agents.stasis.ts';
import type { Account } from '../../features/auth/auth.service.ts';
import type { TicketsService } from '../../features/tickets/tickets.service.ts';
import { exponential } from '../actors/callers.ts';
import type { Prng } from '../prng.ts';
import type { PhoneBehaviour, SimControl } from '../types.ts';
import type { Tally } from './tally.ts';

export interface SeatSettings {
  /** Mean talk time (exponential, at least 1 s) and the longest ring before an answer. */
  talkMs: number;
  ringMs: number;
  /** Per offer: shares of phones that do not answer, are busy, decline (603) or are unreachable. */
  noAnswer: number;
  busy: number;
  decline: number;
  unreachable: number;
  /** Per offer: shares of agents who pause, or log out, while their phone rings. */
  pauseWhileRinging: number;
  logoutWhileRinging: number;
  /** Share of answered calls the agent saves a ticket for. */
  ticketShare: number;
  /** Mean time between an agent's own breaks; a share of them are a logout rather than a pause. */
  breakEveryMs: number;
  logoutShare: number;
  breakMs: number;
  /** Mean time an agent paused by the service takes to come back to ready. */
  comebackMs: number;
  /** Streets and townships a complaint or a request for help is about (district and township codes). */
  places: ReadonlyArray<{ districtCode: string; townshipCode: string }>;
}

export interface Seats {
  /** Tickets the agents saved (the service returned a ticket) and those still to be written. */
  ticketsCreated(): number;
  ticketsPending(): number;
  /** No more faults from here on: phones answer, nobody takes a break; agents still come back and write tickets. */
  calm(): void;
  stop(): void;
}

const SERVICE_PAUSES = new Set(['no_answer', 'busy', 'rejected', 'unreachable', 'phone_unregistered']);

const TICKETS: ReadonlyArray<{ type: string; category: string; description: string }> = [
  { type: 'consultation', category: 'traffic/buses', description: '咨询公交线路调整情况' },
  { type: 'complaint', category: 'traffic/parking', description: '小区门口长期违章停车，影响通行' },
  { type: 'help', category: 'traffic/signals', description: '路口信号灯故障，请尽快维修' },
  { type: 'suggestion', category: 'traffic/congestion', description: '建议早高峰增加交警疏导' },
];

export function startSeats(deps: {
  agentIds: readonly string[]; agents: AgentsService; phones: AgentPhones; tickets: TicketsService;
  control: SimControl; bus: Bus; clock: Clock; prng: Prng; tally: Tally; settings: SeatSettings;
}): Seats {
  const { agents, control, clock, prng, tally, settings } = deps;
  const accounts = new Map<string, Account>();
  const timers = new Set<TimerHandle>();
  const unplugged = new Set<string>();
  const returning = new Set<string>();
  let calm = false;
  let stopped = false;
  let created = 0;
  let pending = 0;

  for (const id of deps.agentIds) {
    accounts.set(id, { id: `user-${id}`, username: id, displayName: `坐席 ${id}`, role: 'agent', agentId: id });
  }

  function later(fn: () => void, ms: number): void {
    const t = clock.setTimeout(() => { timers.delete(t); if (!stopped) fn(); }, Math.round(ms));
    timers.add(t);
  }

  function answering(): PhoneBehaviour {
    return { mode: 'answer', ringMs: Math.round(200 + prng.next() * settings.ringMs), talkMs: Math.max(1000, Math.round(exponential(prng, settings.talkMs))) };
  }

  /** The phone's answer to the offer now ringing. */
  function ring(agentId: string, seat: string): void {
    let r = calm ? 1 : prng.next();
    const take = (share: number): boolean => { r -= share; return r < 0; };
    if (take(settings.noAnswer)) { tally.add('agent phone: no answer'); control.setPhoneBehaviour(seat, { mode: 'no-answer' }); }
    else if (take(settings.busy)) { tally.add('agent phone: busy'); control.setPhoneBehaviour(seat, { mode: 'busy', sendsRinging: false }); }
    else if (take(settings.decline)) { tally.add('agent phone: declines'); control.setPhoneBehaviour(seat, { mode: 'reject' }); }
    else if (take(settings.unreachable)) {
      tally.add('agent phone: unreachable');
      unplugged.add(seat);
      control.unregisterPhone(seat);
    } else control.setPhoneBehaviour(seat, answering());
    if (calm) return;
    const s = prng.next();
    if (s < settings.pauseWhileRinging) {
      later(() => { if (agents.get(agentId)?.state === 'ringing' && agents.setState(agentId, 'paused', 'break').ok) { tally.add('agent pauses while ringing'); comeBack(agentId); } }, prng.next() * settings.ringMs);
    } else if (s < settings.pauseWhileRinging + settings.logoutWhileRinging) {
      later(() => { if (agents.get(agentId)?.state === 'ringing' && agents.logout(agentId).ok) { tally.add('agent logs out while ringing'); comeBack(agentId); } }, prng.next() * settings.ringMs);
    }
  }

  /** Back at the seat after a while: the phone registered again, logged in, ready. */
  function comeBack(agentId: string): void {
    if (returning.has(agentId)) return;
    returning.add(agentId);
    later(() => { void back(agentId); }, exponential(prng, settings.comebackMs));
  }

  async function back(agentId: string): Promise<void> {
    returning.delete(agentId);
    const seat = agents.seatOf(agentId) ?? agents.get(agentId)?.seat;
    if (!seat) return;
    if (unplugged.delete(seat)) control.registerPhone(seat, answering());
    await deps.phones.check(seat);
    const a = agents.get(agentId);
    if (!a || stopped) return;
    if (a.state === 'offline' && !agents.login(agentId, seat).ok) { tally.add('agent could not log in again'); return; }
    if (agents.get(agentId)?.state === 'paused') agents.setState(agentId, 'ready');
  }

  function takeBreak(agentId: string): void {
    later(() => {
      if (calm) return;
      const state = agents.get(agentId)?.state;
      if (state === 'ready' || state === 'wrap_up' || state === 'paused') {
        const logout = prng.next() < settings.logoutShare;
        const done = logout ? agents.logout(agentId) : agents.setState(agentId, 'paused', 'break');
        if (done.ok) {
          tally.add(logout ? 'agent logs out for a while' : 'agent takes a break');
          returning.add(agentId);
          later(() => { void back(agentId); }, exponential(prng, settings.breakMs));
        }
      }
      takeBreak(agentId);
    }, exponential(prng, settings.breakEveryMs));
  }

  function writeTicket(agentId: string, callId: string): void {
    const who = accounts.get(agentId);
    if (!who || prng.next() >= settings.ticketShare) return;
    pending++;
    const kind = TICKETS[prng.int(TICKETS.length)]!;
    const place = kind.type === 'complaint' || kind.type === 'help' ? settings.places[prng.int(settings.places.length)] : undefined;
    const form = place ? { ...kind, ...place, address: `${1 + prng.int(200)}号院` } : kind;
    const t = clock.setTimeout(() => {
      timers.delete(t);
      pending--;
      try {
        deps.tickets.create({ callId, ...form }, who);
        created++;
      } catch (error) {
        tally.add(`ticket refused: ${error instanceof HotlineError ? error.code : error instanceof Error ? error.message : String(error)}`);
      }
    }, Math.round(1000 + prng.next() * 40_000));
    timers.add(t);
  }

  const offs = [
    deps.bus.subscribe('agent.state', ({ agentId, state, reason }) => {
      if (!accounts.has(agentId)) return;
      if (state === 'ringing') {
        const seat = agents.seatOf(agentId);
        if (seat) ring(agentId, seat);
      } else if (state === 'paused' && reason !== undefined && SERVICE_PAUSES.has(reason)) {
        comeBack(agentId);
      }
    }),
    deps.bus.subscribe('agent.pop', ({ agentId, pop }) => { writeTicket(agentId, pop.callId); }),
  ];
  for (const id of deps.agentIds) takeBreak(id);

  return {
    ticketsCreated: () => created,
    ticketsPending: () => pending,
    calm() { calm = true; },
    stop() {
      stopped = true;
      for (const off of offs) off();
      for (const t of timers) clock.clearTimeout(t);
      timers.clear();
    },
  };
}
