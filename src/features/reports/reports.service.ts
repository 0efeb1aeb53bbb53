import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import { groupRates } from '../../domain/rates.ts';
import type { UnitRates } from '../../domain/rates.ts';
import { monthlyRanking } from '../../domain/ranking.ts';
import type { RankingClass } from '../../domain/ranking.ts';
import { addMonths, monthOf, monthRange, monthsEnding } from './months.ts';
import { reportsPolicy } from './reports.policy.ts';
import type { ReportsPolicy, ReportsPolicyInput } from './reports.policy.ts';
import type { ClosedMonth, Figures, MonthFigures, ReportLevel, ReportsRepo } from './reports.repo.ts';
import { REPORT_LEVELS } from './reports.repo.ts';
import type { ReportsSource, Tally, UnitInfo } from './reports.source.ts';

export interface MonthReport {
  readonly month: string;
  readonly level: ReportLevel;
  /** 'published': the figures stored when the month was closed; 'computed': from the stored events now. */
  readonly basis: 'published' | 'computed';
  readonly closed: boolean;
  /** Where the previous month's composites for the gains came from. */
  readonly previousBasis: 'published' | 'computed';
  readonly rows: readonly MonthFigures[];
}

export interface ScorecardMonth extends Partial<Figures> {
  readonly month: string;
  readonly closed: boolean;
  readonly rank: number | null;
  readonly ranked: number;
  readonly gain: number | null;
  readonly volume: number;
  readonly classes: readonly RankingClass[];
}

export interface ReportsService {
  readonly policy: ReportsPolicy;
  currentMonth(): string;
  /** The month's figures and ranking: published when closed, unless `recompute`. */
  month(month: string, level: ReportLevel, options?: { recompute?: boolean }): MonthReport;
  scorecard(code: string, lastMonth: string, count: number): { unit: UnitInfo; level: ReportLevel; months: ScorecardMonth[] };
  /**
   * Publishes (closes) a month that has ended, in one transaction with its audit entry; ERR_CONFLICT, with when and by
   * whom, when it was closed already (nothing changes). `by` is the account's username, `actorId` its id for the audit.
   */
  closeMonth(month: string, by: string | null, actorId?: string): MonthReport;
  /** When and by whom the month was closed; undefined while it is open. */
  closing(month: string): Omit<ClosedMonth, 'policy'> | undefined;
  units(): ReadonlyMap<string, UnitInfo>;
  /** The units with the names they had at the end of a month: a past month keeps the names it was ranked under. */
  unitsAt(month: string): ReadonlyMap<string, UnitInfo>;
  levelOf(unit: UnitInfo): ReportLevel;
  topCategories(month: string): Tally[];
  hotspotStreets(month: string): Tally[];
  dailyVolume(month: string): Tally[];
}

const NO_FIGURES = {
  surveyed: 0, unreached: 0, resolutionRated: 0, resolvedCount: 0, satisfactionRated: 0, satisfied: 0,
  basicallySatisfied: 0, unsatisfied: 0, responseRate: null, resolutionRate: null, satisfactionScore: 0, satisfactionRate: null, composite: null,
} as const;

/** The parts of the policy a month's figures depend on; a closed month keeps the ones it was closed with. */
type MonthRules = Pick<ReportsPolicy, 'rates' | 'ranking' | 'volume'>;

export function createReportsService(deps: { source: ReportsSource; repo: ReportsRepo; clock: Clock; policy: ReportsPolicy }): ReportsService {
  const { source, repo, clock, policy } = deps;
  const cache = new Map<string, { at: number; report: MonthReport }>();
  // Read again whenever the directory changes: a unit added, renamed or retired shows at once.
  let unitsCache: { version: number; map: Map<string, UnitInfo> } | undefined;
  const namesCache = new Map<string, { version: number; map: Map<string, UnitInfo> }>();

  const units = (): Map<string, UnitInfo> => {
    const version = source.directoryVersion();
    if (unitsCache?.version !== version) unitsCache = { version, map: new Map(source.units().map((u) => [u.code, u])) };
    return unitsCache.map;
  };
  const unitsAt = (month: string): Map<string, UnitInfo> => {
    const version = source.directoryVersion();
    const held = namesCache.get(month);
    if (held?.version === version) return held.map;
    if (namesCache.size > 48) namesCache.clear();
    const map = new Map(source.unitsAt(monthRange(month).to - 1).map((u) => [u.code, u]));
    namesCache.set(month, { version, map });
    return map;
  };
  const levelOf = (u: UnitInfo): ReportLevel => (u.kind === 'district' ? 'district' : u.districtCode === null ? 'department' : 'unit');

  /**
   * Every unit's month from the stored events: dispatch rounds and surveys counted per unit by the database,
   * joined and turned into rates and composites by groupRates (each unit its own group).
   */
  function unitMonth(month: string, rules: MonthRules): UnitRates[] {
    const { from, to } = monthRange(month);
    const p = rules.rates.perTicketPoints;
    const surveyed: UnitRates[] = source.surveyTallies(from, to).map(({ bothYes, oneNo, bothNo, ...t }) => ({
      ...NO_FIGURES, ...t, dispatched: 0, signedInTime: 0, points: p ? bothYes * p.bothYes + oneNo * p.oneNo + bothNo * p.bothNo : null,
    }));
    const dispatched: UnitRates[] = source.dispatchTallies(from, to)
      .map((t) => ({ ...NO_FIGURES, unitCode: t.unitCode, dispatched: t.dispatched, signedInTime: t.signedInTime, points: p ? 0 : null }));
    const all = [...surveyed, ...dispatched];
    const self = new Map(all.map((u) => [u.unitCode, u.unitCode]));
    return groupRates(all, self, rules.rates).map(({ groupCode, unitCount: _, ...rest }) => ({ unitCode: groupCode, ...rest }));
  }

  function levelFigures(month: string, level: ReportLevel, rules: MonthRules): Array<{ code: string; figures: Figures }> {
    const known = units();
    const perUnit = unitMonth(month, rules);
    if (level === 'district') {
      const districtOf = new Map<string, string>();
      for (const u of known.values()) if (u.districtCode !== null) districtOf.set(u.code, u.districtCode);
      return groupRates(perUnit, districtOf, rules.rates).map(({ groupCode, unitCount: _, ...figures }) => ({ code: groupCode, figures }));
    }
    return perUnit
      .filter((u) => { const info = known.get(u.unitCode); return info !== undefined && levelOf(info) === level; })
      .map(({ unitCode, ...figures }) => ({ code: unitCode, figures }));
  }

  function volumes(month: string, level: ReportLevel, rows: ReadonlyArray<{ code: string; figures: Figures }>, rules: MonthRules): Map<string, number> {
    if (rules.volume === 'dispatched') return new Map(rows.map((r) => [r.code, r.figures.dispatched]));
    const { from, to } = monthRange(month);
    const known = units();
    const out = new Map<string, number>();
    for (const t of source.ticketsByUnit(from, to)) {
      const info = known.get(t.key);
      if (!info) continue;
      const code = level === 'district' ? info.districtCode : levelOf(info) === level ? info.code : null;
      if (code) out.set(code, (out.get(code) ?? 0) + t.count);
    }
    return out;
  }

  function previousComposites(month: string, level: ReportLevel, rules: MonthRules): { basis: 'published' | 'computed'; rows: Array<{ unitCode: string; dispatched: number; composite: number | null }> } {
    const before = addMonths(month, -1);
    if (repo.closedMonth(before)) return { basis: 'published', rows: repo.published(before, level).map((r) => ({ unitCode: r.code, dispatched: r.figures.dispatched, composite: r.figures.composite })) };
    return { basis: 'computed', rows: levelFigures(before, level, rules).map((r) => ({ unitCode: r.code, dispatched: r.figures.dispatched, composite: r.figures.composite })) };
  }

  /** The rules a closed month was published with (missing keys of an older closing read as the defaults). */
  function rulesOf(month: string): MonthRules {
    const stored = repo.closedMonth(month)?.policy as ReportsPolicyInput | undefined;
    if (!stored) return policy;
    const { rates, ranking, volume } = reportsPolicy({ rates: stored.rates, ranking: stored.ranking, volume: stored.volume });
    return { rates, ranking, volume };
  }

  function compute(month: string, level: ReportLevel, closed: boolean, rules: MonthRules = policy): MonthReport {
    const rows = levelFigures(month, level, rules);
    const previous = previousComposites(month, level, rules);
    const figuresOf = new Map(rows.map((r) => [r.code, r.figures]));
    const ranking = monthlyRanking(
      rows.map((r) => ({ unitCode: r.code, dispatched: r.figures.dispatched, composite: r.figures.composite })),
      previous.rows, volumes(month, level, rows, rules), rules.ranking,
    );
    return {
      month, level, basis: 'computed', closed, previousBasis: previous.basis,
      rows: ranking.map((r) => ({
        code: r.unitCode, figures: figuresOf.get(r.unitCode) ?? { ...NO_FIGURES, dispatched: 0, signedInTime: 0, points: null },
        rank: r.rank, gain: r.gain, volume: r.volume, classes: r.classes,
      })),
    };
  }

  function month(month: string, level: ReportLevel, options: { recompute?: boolean } = {}): MonthReport {
    const closed = repo.closedMonth(month) !== undefined;
    if (closed && !options.recompute) {
      const before = repo.closedMonth(addMonths(month, -1));
      return { month, level, basis: 'published', closed, previousBasis: before ? 'published' : 'computed', rows: repo.published(month, level) };
    }
    if (options.recompute) return compute(month, level, closed, closed ? rulesOf(month) : policy);
    const key = `${month}|${level}`;
    const held = cache.get(key);
    if (held && clock.now() - held.at <= policy.openMonthCacheSeconds * 1000) return held.report;
    const report = compute(month, level, closed);
    cache.set(key, { at: clock.now(), report });
    return report;
  }

  function tickets(month: string, count: (from: number, to: number) => Tally[], limit?: number): Tally[] {
    const { from, to } = monthRange(month);
    const rows = count(from, to);
    return limit === undefined ? rows : rows.slice(0, limit);
  }

  return {
    policy,
    currentMonth: () => monthOf(clock.now()),
    month,
    scorecard(code, lastMonth, count) {
      const unit = units().get(code);
      if (!unit) throw hotlineError('ERR_NO_SUCH_UNIT', { code });
      const level = levelOf(unit);
      const months = monthsEnding(lastMonth, count).map((m): ScorecardMonth => {
        const report = month(m, level);
        const row = report.rows.find((r) => r.code === code);
        const ranked = report.rows.filter((r) => r.rank !== null).length;
        return { month: m, closed: report.closed, ranked, ...row?.figures, rank: row?.rank ?? null, gain: row?.gain ?? null, volume: row?.volume ?? 0, classes: row?.classes ?? [] };
      });
      return { unit, level, months };
    },
    closeMonth(m, by, actorId) {
      if (monthRange(m).to > clock.now()) throw hotlineError('ERR_VALIDATION', { fields: [{ field: 'month', message: '该月尚未结束', message_en: 'The month has not ended yet' }] });
      const already = (): never => {
        const c = repo.closedMonth(m);
        throw hotlineError('ERR_CONFLICT', {
          fields: [{ field: 'month', message: '该月已关账，排名已发布', message_en: 'The month is already closed and its ranking published' }],
          month: m, reason: 'already_closed', closedAt: c?.closedAt ?? null, closedBy: c?.closedBy ?? null,
        });
      };
      if (repo.closedMonth(m)) already();
      const levels = new Map(REPORT_LEVELS.map((level) => [level, compute(m, level, true).rows] as const));
      const closing = { at: clock.now(), by, actorId: actorId ?? by ?? 'system', policy: { rates: policy.rates, ranking: policy.ranking, volume: policy.volume } };
      if (!repo.publish(m, closing, levels)) already();
      for (const level of REPORT_LEVELS) cache.delete(`${m}|${level}`);
      for (const level of REPORT_LEVELS) cache.delete(`${addMonths(m, 1)}|${level}`);
      return month(m, 'unit');
    },
    closing(m) {
      const c = repo.closedMonth(m);
      return c && { month: c.month, closedAt: c.closedAt, closedBy: c.closedBy };
    },
    units,
    unitsAt,
    levelOf,
    topCategories: (m) => tickets(m, source.ticketsByCategory, policy.listLength),
    hotspotStreets(m) {
      const known = units();
      return tickets(m, source.ticketsByUnit)
        .filter((t) => { const u = known.get(t.key); return u !== undefined && levelOf(u) === 'unit'; })
        .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
        .slice(0, policy.listLength);
    },
    dailyVolume(m) {
      const counted = new Map(tickets(m, source.ticketsByDay).map((t) => [t.key, t.count]));
      const days = Array.from({ length: 31 }, (_, i) => `${m}-${String(i + 1).padStart(2, '0')}`)
        .filter((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).getUTCMonth() + 1 === Number(m.slice(5)));
      return days.map((key) => ({ key, count: counted.get(key) ?? 0 }));
    },
  };
}
