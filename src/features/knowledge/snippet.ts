/**
 * Highlighted excerpts of a knowledge article for the agent's suggestion list: HTML-escaped text with the
 * matched words in <mark>, cut around the densest cluster of matches.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

type Range = [start: number, end: number];

/** Where any of the terms occurs (case-insensitive), overlapping hits merged; positions in UTF-16 units. */
export function matchRanges(text: string, terms: readonly string[]): Range[] {
  const folded = text.toLowerCase();
  const hits: Range[] = [];
  for (const term of terms) {
    if (!term) continue;
    let at = folded.indexOf(term);
    while (at >= 0) {
      hits.push([at, at + term.length]);
      at = folded.indexOf(term, at + 1);
    }
  }
  hits.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Range[] = [];
  for (const h of hits) {
    const last = merged[merged.length - 1];
    if (last && h[0] <= last[1]) last[1] = Math.max(last[1], h[1]);
    else merged.push([h[0], h[1]]);
  }
  return merged;
}

function marked(text: string, ranges: readonly Range[], from: number, to: number): string {
  let out = '';
  let at = from;
  for (const [s, e] of ranges) {
    if (e <= from || s >= to) continue;
    const start = Math.max(s, from);
    const end = Math.min(e, to);
    out += escapeHtml(text.slice(at, start)) + '<mark>' + escapeHtml(text.slice(start, end)) + '</mark>';
    at = end;
  }
  return out + escapeHtml(text.slice(at, to));
}

/** The whole text with its matches marked (titles). */
export function highlightAll(text: string, terms: readonly string[]): string {
  return marked(text, matchRanges(text, terms), 0, text.length);
}

/** About `width` characters of the text around the window with the most matched characters. */
export function snippet(text: string, terms: readonly string[], width = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const ranges = matchRanges(flat, terms);
  if (flat.length <= width) return marked(flat, ranges, 0, flat.length);
  let bestStart = 0;
  let bestScore = -1;
  for (const [s] of ranges) {
    const start = Math.max(0, Math.min(s - Math.floor(width / 4), flat.length - width));
    let score = 0;
    for (const [a, b] of ranges) score += Math.max(0, Math.min(b, start + width) - Math.max(a, start));
    if (score > bestScore) { bestScore = score; bestStart = start; }
  }
  const end = Math.min(flat.length, bestStart + width);
  return (bestStart > 0 ? '…' : '') + marked(flat, ranges, bestStart, end) + (end < flat.length ? '…' : '');
}
