/**
 * The demo history's tickets (工单): saved by the agent who took the call, in the same step answered on the spot,
 * merged into an open ticket of the same incident, or dispatched (one unit, sometimes a cooperating one); then the
 * unit signs for it, replies or returns it, the centre closes it or sends it back, and the closure's survey is
 * scheduled. Everything goes through the tickets service and the dispatch handling, as the desktop, the portal and
 * the review desk make it happen, at the times the history gives.
 */
import type { Account } from '../features/auth/auth.service.ts';
import type { DispatchRepo } from '../features/dispatch/dispatch.repo.ts';
import type { ActorContext, Handling } from '../features/dispatch/dispatch.service.ts';
import { suggestUnit, departmentFor } from '../features/dispatch/handling-units.ts';
import type { HandlingUnit } from '../features/dispatch/handling-units.ts';
import type { TicketsService } from '../features/tickets/tickets.service.ts';
import type { TicketAction } from '../domain/ticket-lifecycle.ts';
import type { AnsweredCall } from './demo-history-calls.ts';
import {
  ANSWERS, REPLIES, RETURN_REASONS, REWORK_REASONS, addressIn, describe, kindOf, pick, pickIncident, pickKind, pickWeighted,
} from './demo-history-content.ts';
import type { Place } from './demo-history-content.ts';
import type { UnitQuality } from './demo-history-surveys.ts';
import type { Prng } from './prng.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const NAMES = ['张先生', '王女士', '李先生', '刘女士', '陈先生', '杨女士', '赵先生', '黄女士', '周先生', '吴女士'];
const SURVEY: ActorContext = { actor: { role: 'system', id: 'survey' }, account: null, name: '回访' };

export interface TicketTally { tickets: number; dispatched: number; answered: number; merged: number; returned: number; closed: number; reworked: number }

interface Incident { place: Place; category: string; until: number; left: number; masterId: string | null }

export function createTicketsHistory(deps: {
  prng: Prng; tickets: TicketsService; handling: Handling; repo: DispatchRepo; handlingUnits: readonly HandlingUnit[];
  agents: readonly Account[]; supervisor: Account; end: number;
  at(time: number, run: () => void): void;
  place(prng: Prng): Place;
  /** The account a unit acts through (its staff), and a hook before it acts (it reads its notices). */
  unitActor(unitCode: string, at: number): ActorContext;
  /** Before the centre acts: its review desk read. */
  centreActs(at: number): void;
  /** A ticket was stored (the hotspot sweeper reads new tickets). */
  created(at: number): void;
  transaction<T>(fn: () => T): T;
}) {
  const { prng, handling, repo } = deps;
  const tally: TicketTally = { tickets: 0, dispatched: 0, answered: 0, merged: 0, returned: 0, closed: 0, reworked: 0 };
  const qualities = new Map<string, UnitQuality>();
  let incident: Incident | undefined;
  let lastIncident = -Infinity;

  const quality = (unitCode: string): UnitQuality => {
    let q = qualities.get(unitCode);
    if (!q) qualities.set(unitCode, (q = { respond: 0.85 + 0.14 * prng.next(), resolve: 0.85 + 0.13 * prng.next(), satisfy: 0.65 + 0.3 * prng.next() }));
    return q;
  };

  /** Runs a lifecycle action at its time; one the ticket no longer allows (merged, closed meanwhile) is left out. */
  function act(ctx: ActorContext, ticketId: string, action: TicketAction, at: number): boolean {
    try {
      handling.run(ctx, ticketId, action, {}, at);
      return true;
    } catch {
      return false;
    }
  }

  const later = (at: number, run: () => void) => { if (at < deps.end) deps.at(at, run); };

  /** What the unit leading the current round does: sign (in time or late), or return it; then reply. */
  function planRound(ticketId: string, reopened: boolean): void {
    const ticket = repo.ticket(ticketId);
    const round = ticket ? repo.round(ticketId, ticket.round) : undefined;
    if (!ticket || !round) return;
    const unit = round.leadUnit;
    const q = quality(unit);
    const { dispatchedAt, acceptBy, completeBy, urgency } = round.clocks;
    if (!reopened && ticket.round === 1 && prng.next() < 0.03) {
      const at = dispatchedAt + (20 + prng.int(200)) * MIN;
      later(at, () => {
        if (!act(deps.unitActor(unit, at), ticketId, { kind: 'return', reason: pick(prng, RETURN_REASONS) }, at)) return;
        tally.returned++;
        const other = departmentFor(ticket.category ?? '', deps.handlingUnits)?.code;
        const to = other && other !== unit ? other : ticket.townshipCode && ticket.townshipCode !== unit ? ticket.townshipCode : undefined;
        const again = at + (10 + prng.int(50)) * MIN;
        if (to) later(again, () => { if (act(agentCtx(), ticketId, { kind: 'reassign', leadUnit: to }, again)) planRound(ticketId, false); });
      });
      return;
    }
    const fast = urgency === 'life_safety' || urgency === 'utilities';
    const signAt = prng.next() < q.respond
      ? dispatchedAt + Math.round((0.05 + 0.75 * prng.next()) * (acceptBy - dispatchedAt))
      : acceptBy + (fast ? (5 + prng.int(40)) * MIN : (1 + prng.int(20)) * HOUR);
    later(signAt, () => {
      if (!act(deps.unitActor(unit, signAt), ticketId, { kind: 'sign' }, signAt)) return;
      const late = prng.next() < 0.08;
      const replyAt = Math.max(signAt + 10 * MIN, late ? completeBy + (fast ? (10 + prng.int(60)) * MIN : (2 + prng.int(40)) * HOUR)
        : signAt + Math.round((0.1 + 0.8 * prng.next()) * Math.max(completeBy - signAt, 30 * MIN)));
      for (const coop of round.cooperatingUnits) {
        const coopAt = signAt + Math.round((replyAt - signAt) * 0.6);
        later(coopAt, () => { act(deps.unitActor(coop, coopAt), ticketId, { kind: 'reply', result: pick(prng, REPLIES) }, coopAt); });
      }
      reply(ticketId, unit, replyAt, 0);
    });
  }

  function reply(ticketId: string, unit: string, at: number, reworks: number): void {
    later(at, () => {
      if (!act(deps.unitActor(unit, at), ticketId, { kind: 'reply', result: pick(prng, REPLIES) }, at)) return;
      const reviewAt = at + (30 + prng.int(8 * 60)) * MIN;
      later(reviewAt, () => {
        deps.centreActs(reviewAt);
        const ctx = handling.actorOf(deps.supervisor);
        if (reworks === 0 && prng.next() < 0.04) {
          if (!act(ctx, ticketId, { kind: 'rework', reason: pick(prng, REWORK_REASONS) }, reviewAt)) return;
          tally.reworked++;
          reply(ticketId, unit, reviewAt + (4 + prng.int(44)) * HOUR, reworks + 1);
          return;
        }
        if (act(ctx, ticketId, { kind: 'close' }, reviewAt)) tally.closed++;
      });
    });
  }

  const agentCtx = (): ActorContext => handling.actorOf(deps.agents[prng.int(deps.agents.length)]!);

  /** The request of this call: an incident under way nearby, or one of the usual kinds from anywhere. */
  function request(at: number): { place: Place; category: string; incident?: Incident } {
    if (incident && (incident.until < at || incident.left <= 0)) incident = undefined;
    // Now and then, and at least every day and a half (so the last days have their hotspot too).
    if (!incident && (prng.next() < 1 / 80 || at - lastIncident > 36 * HOUR)) {
      lastIncident = at;
      incident = { place: deps.place(prng), category: pickIncident(prng, at), until: at + (4 + prng.int(5)) * HOUR, left: 5 + prng.int(7), masterId: null };
    }
    if (incident && prng.next() < 0.6) {
      incident.left--;
      return { place: incident.place, category: incident.category, incident };
    }
    return { place: deps.place(prng), category: pickKind(prng, at).category };
  }

  /** The agent saves the call's ticket during wrap-up and, in the same step, answers, merges or dispatches it. */
  function intake(call: AnsweredCall, at: number): void {
    const who = deps.agents[call.agent]!;
    const { place, category, incident: from } = request(at);
    const kind = kindOf(category);
    const type = from ? pickWeighted(prng, [['complaint', 6], ['help', 4]] as const) : pickWeighted(prng, kind.types);
    const located = type !== 'consultation' || prng.next() < 0.6;
    const where = located ? addressIn(prng, place) : undefined;
    const form = {
      callId: call.callId, channel: 'phone', type, category, description: describe(prng, kind, where?.address ?? null),
      ...(located ? { districtCode: place.districtCode, townshipCode: place.townshipCode, community: where!.community, address: where!.address } : {}),
      contactName: pick(prng, NAMES), contactPhone: call.callerNumber, confidential: prng.next() < 0.02,
    };
    const quiet = type === 'consultation' || type === 'praise' || type === 'suggestion';
    const answer: TicketAction = { kind: 'answer_directly', answer: pick(prng, ANSWERS) };
    let action: TicketAction;
    if (quiet && prng.next() < 0.85) action = answer;
    else if (from?.masterId && prng.next() < 0.4 && ['intake', 'dispatched', 'accepted'].includes(repo.ticket(from.masterId)?.status ?? '')) {
      action = { kind: 'merge', masterId: from.masterId };
    } else {
      const lead = suggestUnit({ category, townshipCode: located ? place.townshipCode : null }, deps.handlingUnits)?.unitCode;
      const cooperatingUnits: string[] = [];
      if (lead && located && prng.next() < 0.05) {
        const other = lead === place.townshipCode ? departmentFor(category, deps.handlingUnits)?.code : place.townshipCode;
        if (other && other !== lead) cooperatingUnits.push(other);
      }
      action = lead ? { kind: 'dispatch', leadUnit: lead, cooperatingUnits } : answer;
    }
    const ticket = deps.transaction(() => {
      const created = deps.tickets.create(form, who);
      handling.run(handling.actorOf(who), created.id, action, {}, at);
      return created;
    });
    tally.tickets++;
    deps.created(at);
    if (action.kind === 'answer_directly') tally.answered++;
    if (action.kind === 'merge') tally.merged++;
    if (action.kind === 'dispatch') {
      tally.dispatched++;
      if (from && from.masterId === null) from.masterId = ticket.id;
      planRound(ticket.id, false);
    }
  }

  return {
    tally,
    /** Most answered calls end with a ticket saved a few seconds into the wrap-up. */
    fromCall(call: AnsweredCall): void {
      if (prng.next() >= 0.2) return;
      const at = call.endedAt + 3_000 + prng.int(9_000);
      later(at, () => intake(call, at));
    },
    /** The unit whose work a ticket's survey judges: the one leading its latest round. */
    qualityOf(ticketId: string): UnitQuality {
      const lead = repo.ticket(ticketId)?.leadUnit;
      return lead ? quality(lead) : { respond: 0.9, resolve: 0.9, satisfy: 0.8 };
    },
    /** 二次办理 after a survey: reopened to its unit by the system, as the live service does, then handled again. */
    reopen(ticketId: string, at: number): void {
      later(at, () => {
        if (act(SURVEY, ticketId, { kind: 'reopen', reason: '回访：问题未解决或不满意' }, at)) planRound(ticketId, true);
      });
    },
  };
}
