import type { RankingClass } from '../../domain/ranking.ts';

export const CLASS_LABELS: Readonly<Record<RankingClass, { zh: string; en: string }>> = {
  advanced: { zh: '先进', en: 'Advanced' },
  progress: { zh: '进步', en: 'Progress' },
  rectification: { zh: '整改', en: 'Rectification' },
  governance: { zh: '治理', en: 'Governance' },
};

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) gets a
 * leading apostrophe; cells with a comma, quote or line break are quoted. Numbers are written as they are.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/** UTF-8 with a byte order mark (Excel opens it as UTF-8), CRLF line ends. */
export function csvDocument(rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export const percent = (rate: number | null | undefined): number | null => (rate === null || rate === undefined ? null : Math.round(rate * 10_000) / 100);
export const twoDecimals = (v: number | null | undefined): number | null => (v === null || v === undefined ? null : Math.round(v * 100) / 100);
