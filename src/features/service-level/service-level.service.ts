import type { Clock } from '../../clock.ts';
import { DEFAULT_SERVICE_LEVEL_OPTIONS, serviceLevelReport } from '../../domain/acd/service-level.ts';
import type { CallLeg, ServiceLevelFigures, ServiceLevelOptions, ServiceLevelReport } from '../../domain/acd/service-level.ts';
import type { AgentActivityLog } from './agent-activity.ts';
import type { CallLegSource } from './service-level.source.ts';

export const GROUPINGS = ['line', 'queue', 'agent', 'hour'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export interface ServiceLevelGroup extends ServiceLevelFigures {
  key: string;
  name: string;
}

export interface ServiceLevelAnswer {
  from: number;
  to: number;
  groupBy: Grouping | null;
  options: ServiceLevelOptions;
  total: ServiceLevelFigures;
  groups: ServiceLevelGroup[];
}

export interface ServiceLevelService {
  /** The service level of the calls that arrived in [from, to) and have ended, grouped as asked. */
  report(from: number, to: number, groupBy?: Grouping): ServiceLevelAnswer;
  /** The same figures from legs already in hand (the wallboard's); occupancy only when asked. */
  fromLegs(legs: readonly CallLeg[], from: number, to: number, now: number, occupancy?: boolean): ServiceLevelReport;
  options: ServiceLevelOptions;
}

export const EMPTY_FIGURES: ServiceLevelFigures = {
  offered: 0, answered: 0, answeredWithin15s: 0, rate15: null, answerRate: null, abandoned: 0, shortAbandoned: 0,
  overflowed: 0, failed: 0, asaSeconds: null, ahtSeconds: null, occupancy: null,
};

/**
 * The service level of a period. Occupancy comes from the source's agent state history (kept in the
 * database) when it has one, else from `activity`.
 */
export function createServiceLevelService(deps: {
  source: CallLegSource;
  activity?: AgentActivityLog;
  clock: Clock;
  options?: Partial<ServiceLevelOptions>;
  agentName?: (agentId: string) => string | undefined;
}): ServiceLevelService {
  const options: ServiceLevelOptions = { ...DEFAULT_SERVICE_LEVEL_OPTIONS, ...deps.options };
  const { directory } = deps.source;
  const activity = deps.source.activity ?? deps.activity;

  function fromLegs(legs: readonly CallLeg[], from: number, to: number, now: number, occupancy = true): ServiceLevelReport {
    const intervals = occupancy ? activity?.intervals(from, to, now) ?? [] : [];
    return serviceLevelReport(legs, intervals, options);
  }

  function nameOf(groupBy: Grouping, key: string): string {
    switch (groupBy) {
      case 'line': return directory.lines.find((l) => l.number === key)?.name ?? key;
      case 'queue': return directory.desks.find((d) => d.id === key)?.name ?? key;
      case 'agent': return deps.agentName?.(key) ?? key;
      case 'hour': return new Date(Number(key) + options.utcOffsetMinutes * 60_000).toISOString().slice(0, 13).replace('T', ' ') + ':00';
    }
  }

  return {
    options,
    fromLegs,
    report(from, to, groupBy) {
      const r = fromLegs(deps.source.legs(from, to), from, to, deps.clock.now());
      const table = groupBy === 'line' ? r.byLine : groupBy === 'queue' ? r.byQueue : groupBy === 'agent' ? r.byAgent : groupBy === 'hour' ? r.byHour : {};
      const keys = Object.keys(table);
      if (groupBy === 'line') for (const l of directory.lines) if (!keys.includes(l.number)) keys.push(l.number);
      if (groupBy === 'queue') for (const d of directory.desks) if (!keys.includes(d.id)) keys.push(d.id);
      const groups = groupBy
        ? keys.map((key) => ({ key, name: nameOf(groupBy, key), ...(table[key] ?? EMPTY_FIGURES) }))
        : [];
      if (groupBy === 'hour') groups.sort((a, b) => Number(a.key) - Number(b.key));
      return { from, to, groupBy: groupBy ?? null, options, total: r.total, groups };
    },
  };
}
