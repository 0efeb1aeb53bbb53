import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus } from '../../bus.ts';
import type { Clock, TimerHandle } from '../../clock.ts';
import { hotspotAlerts } from '../../domain/hotspots.ts';
import type { HotspotRule } from '../../domain/hotspots.ts';
import type { HotspotsRepo, StoredHotspot } from './hotspots.repo.ts';

/** What the sweeper reads of tickets: new ones in storage order, and one street's tickets of one category. */
export interface HotspotTickets {
  ticketsAfter(afterSeq: number, limit: number): Array<{ seq: number; unitCode: string; category: string; createdAt: number }>;
  seqBefore(at: number): number;
  ticketsAt(unitCode: string, category: string, from: number, to: number): Array<{ id: string; unitCode: string; category: string; createdAt: number }>;
}

export interface HotspotsService {
  /** Reads the tickets stored since the last sweep, raises, stores and publishes the alerts they complete. */
  sweep(): StoredHotspot[];
  start(): void;
  stop(): void;
}

const BATCH = 5_000;

export function createHotspotsService(deps: {
  tickets: HotspotTickets; repo: HotspotsRepo; bus: Bus; clock: Clock; log: Logger;
  rule: HotspotRule & { sweepSeconds: number }; unitName: (code: string) => string;
}): HotspotsService {
  const { tickets, repo, bus, clock, log, rule } = deps;
  const windowMs = rule.windowHours * 3_600_000;
  let timer: TimerHandle | undefined;
  let running = false;

  function sweep(): StoredHotspot[] {
    const now = clock.now();
    let seq = repo.sweptUpTo() ?? tickets.seqBefore(now - 2 * windowMs);
    const places = new Map<string, { unitCode: string; category: string }>();
    for (;;) {
      const batch = tickets.ticketsAfter(seq, BATCH);
      for (const t of batch) {
        if (t.unitCode && t.category && t.createdAt >= now - 2 * windowMs) places.set(`${t.unitCode}\u0000${t.category}`, { unitCode: t.unitCode, category: t.category });
      }
      if (batch.length > 0) seq = batch[batch.length - 1]!.seq;
      if (batch.length < BATCH) break;
    }
    const raised: StoredHotspot[] = [];
    for (const { unitCode, category } of places.values()) {
      const found = hotspotAlerts(
        tickets.ticketsAt(unitCode, category, now - 2 * windowMs, now), now, rule,
        repo.raisedSince(unitCode, category, now - 4 * windowMs),
      );
      for (const a of found) {
        const alert: StoredHotspot = { id: `hsp-${randomUUID()}`, ...a, ticketIds: [...a.ticketIds], windowHours: rule.windowHours, raisedAt: now };
        if (repo.insert(alert)) raised.push(alert);
      }
    }
    repo.saveSweptUpTo(seq);
    for (const a of raised) {
      log.info({ unitCode: a.unitCode, category: a.category, count: a.count }, 'hotspot alert raised');
      bus.publish('hotspot.alert', { ...a, unitName: deps.unitName(a.unitCode) });
    }
    return raised;
  }

  const tick = () => {
    try { sweep(); } catch (error) { log.error({ err: error }, 'hotspot sweep failed'); }
    if (running) timer = clock.setTimeout(tick, rule.sweepSeconds * 1000);
  };

  return {
    sweep,
    start() {
      if (running) return;
      running = true;
      timer = clock.setTimeout(tick, 0);
    },
    stop() {
      running = false;
      clock.clearTimeout(timer);
    },
  };
}
