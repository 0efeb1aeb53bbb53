import type { Database } from '../../store/database.ts';
import type { RankingClass } from '../../domain/ranking.ts';
import type { RateCounts, RateFigures } from '../../domain/rates.ts';

export type ReportLevel = 'unit' | 'district' | 'department';
export const REPORT_LEVELS: readonly ReportLevel[] = ['unit', 'district', 'department'];

export type Figures = RateCounts & RateFigures;

/** One unit's (district's, department's) month as published or computed. */
export interface MonthFigures {
  readonly code: string;
  readonly figures: Figures;
  readonly rank: number | null;
  readonly gain: number | null;
  readonly volume: number;
  readonly classes: readonly RankingClass[];
}

export interface ClosedMonth { month: string; closedAt: number; closedBy: string | null; policy: unknown }

export interface ReportsRepo {
  closedMonth(month: string): ClosedMonth | undefined;
  /** Stores a month's figures for every level and the audit entry at once; false (nothing written) when the month was already closed. */
  publish(month: string, closed: Closing, levels: ReadonlyMap<ReportLevel, readonly MonthFigures[]>): boolean;
  published(month: string, level: ReportLevel): MonthFigures[];
}

/** A month's closing; actorId (the account id, for the audit log) defaults to `by`, then 'system'. */
export interface Closing { at: number; by: string | null; actorId?: string; policy: unknown }

interface FigureRow { code: string; figures: string; rank: number | null; gain: number | null; volume: number; classes: string }

export function createReportsRepo(db: Database): ReportsRepo {
  const monthRow = db.prepare('SELECT month, closed_at, closed_by, policy FROM report_months WHERE month = ?');
  const insertMonth = db.prepare('INSERT OR IGNORE INTO report_months (month, closed_at, closed_by, policy) VALUES (?, ?, ?, ?)');
  const insertFigures = db.prepare(`INSERT INTO report_month_figures (month, level, code, figures, composite, rank, gain, volume, classes)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const audit = db.prepare("INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, 'report.month_closed', ?, ?)");
  const figuresOf = db.prepare(`SELECT code, figures, rank, gain, volume, classes FROM report_month_figures
    WHERE month = ? AND level = ? ORDER BY rank IS NULL, rank, code`);

  const publish = db.transaction((month: string, closed: Closing, levels: ReadonlyMap<ReportLevel, readonly MonthFigures[]>) => {
    if (insertMonth.run(month, closed.at, closed.by, JSON.stringify(closed.policy)).changes === 0) return false;
    const units = Object.fromEntries([...levels].map(([level, rows]) => [level, rows.length]));
    audit.run(closed.at, closed.actorId ?? closed.by ?? 'system', `report-month:${month}`, JSON.stringify({ month, by: closed.by, units, policy: closed.policy }));
    for (const [level, rows] of levels) {
      for (const r of rows) {
        insertFigures.run(month, level, r.code, JSON.stringify(r.figures), r.figures.composite, r.rank, r.gain, r.volume, JSON.stringify(r.classes));
      }
    }
    return true;
  });

  return {
    closedMonth(month) {
      const r = monthRow.get(month) as { month: string; closed_at: number; closed_by: string | null; policy: string } | undefined;
      return r && { month: r.month, closedAt: r.closed_at, closedBy: r.closed_by, policy: JSON.parse(r.policy) as unknown };
    },
    publish: (month, closed, levels) => publish(month, closed, levels),
    published(month, level) {
      return (figuresOf.all(month, level) as FigureRow[]).map((r) => ({
        code: r.code, figures: JSON.parse(r.figures) as Figures, rank: r.rank, gain: r.gain, volume: r.volume,
        classes: JSON.parse(r.classes) as RankingClass[],
      }));
    },
  };
}
