import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import type { TicketAudit } from '../tickets/ticket-audit.ts';
import { withNextCheck } from './dispatch.clocks.ts';
import type { DispatchRepo, DispatchRound } from './dispatch.repo.ts';
import type { ActorContext, Handling, HandlingNotice } from './dispatch.service.ts';

export const SWEEP_INTERVAL_MS = 60_000;
const BATCH = 500;

export interface SweepReport { warnings: number; overdue: number }

const SYSTEM: ActorContext = { actor: { role: 'system', id: 'system' }, account: null, name: '系统' };

/**
 * 督办: raises a warning (an `urge` through the lifecycle, which notifies the unit) when a clock
 * reaches its warning point, and flags it overdue once its deadline has passed. Each is raised once
 * per round; both land in the audit trail.
 */
export function createDeadlineSweeper(deps: { repo: DispatchRepo; handling: Handling; audit: TicketAudit; log: Logger; notify?: (notice: HandlingNotice) => void }) {
  const { repo, handling, audit } = deps;
  const log = deps.log.child({ component: 'deadline-sweeper' });

  function flagOverdue(r: DispatchRound, ticket: { status: string; number: string }, clock: 'acceptance' | 'completion', now: number): void {
    const { status } = ticket;
    audit.write({
      ticketId: r.ticketId, at: now, actorId: 'system', actorName: '系统', role: 'system', unitCode: r.leadUnit,
      action: `${clock}_overdue`, from: status, to: status,
      details: { round: r.round, due: clock === 'acceptance' ? r.clocks.acceptBy : r.clocks.completeBy },
    });
    log.info({ ticketId: r.ticketId, unit: r.leadUnit, clock }, 'deadline passed');
    deps.notify?.({ to: 'unit', unitCode: r.leadUnit, about: `${clock}_overdue`, ticketId: r.ticketId, number: ticket.number });
  }

  function sweepRound(r: DispatchRound, now: number, report: SweepReport): void {
    repo.transaction(() => {
      const ticket = repo.ticket(r.ticketId);
      if (!ticket || ticket.round !== r.round) { repo.saveRound({ ...r, nextCheckAt: null }); return; }
      let round = r;
      const warn: Array<'acceptance' | 'completion'> = [];
      if (round.signedAt === null) {
        if (round.acceptWarnedAt === null && now >= round.clocks.acceptWarnAt) { round = { ...round, acceptWarnedAt: now }; warn.push('acceptance'); }
        if (round.acceptOverdueAt === null && now > round.clocks.acceptBy) {
          round = { ...round, acceptWarnedAt: round.acceptWarnedAt ?? now, acceptOverdueAt: now };
          flagOverdue(round, ticket, 'acceptance', now); report.overdue++;
        }
      }
      if (round.repliedAt === null) {
        if (round.completeWarnedAt === null && now >= round.clocks.completeWarnAt) { round = { ...round, completeWarnedAt: now }; warn.push('completion'); }
        if (round.completeOverdueAt === null && now > round.clocks.completeBy) {
          round = { ...round, completeWarnedAt: round.completeWarnedAt ?? now, completeOverdueAt: now };
          flagOverdue(round, ticket, 'completion', now); report.overdue++;
        }
      }
      repo.saveRound(withNextCheck(round));
      for (const clock of warn) {
        try {
          handling.run(SYSTEM, r.ticketId, { kind: 'urge', note: clock === 'acceptance' ? '签收时限即将到期' : '办理时限即将到期' }, {}, now);
          report.warnings++;
        } catch (error) {
          log.warn({ err: error, ticketId: r.ticketId, clock }, 'warning not raised');
        }
      }
    });
  }

  /** Raises everything due at `now`; returns how many warnings and overdue flags it raised. */
  function sweepDeadlines(now: number): SweepReport {
    const report: SweepReport = { warnings: 0, overdue: 0 };
    for (let pass = 0; pass < 20; pass++) {
      const due = repo.due(now, BATCH);
      for (const r of due) {
        try { sweepRound(r, now, report); } catch (error) { log.error({ err: error, ticketId: r.ticketId }, 'deadline sweep failed'); }
      }
      if (due.length < BATCH) break;
    }
    return report;
  }

  return { sweepDeadlines };
}

/** Runs the sweep every minute on the given clock until stopped. */
export function startDeadlineTimer(clock: Clock, sweep: (now: number) => unknown, everyMs = SWEEP_INTERVAL_MS): () => void {
  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    try { sweep(clock.now()); } finally { if (!stopped) timer = clock.setTimeout(tick, everyMs); }
  };
  timer = clock.setTimeout(tick, everyMs);
  return () => { stopped = true; clock.clearTimeout(timer); };
}
