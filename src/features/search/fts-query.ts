/**
 * Turning what an agent types into SQLite FTS5 queries over a trigram index. Chinese has no spaces, so a
 * query is cut into runs of letters and digits; a run of three or more characters is matched as a substring
 * (a phrase of trigrams), a two-character run through the index's own vocabulary (the trigrams that start
 * with it, the indexed text ending in a newline so that words at the end are found too), and a single
 * character needs a LIKE scan.
 */
import type { Database } from '../../store/database.ts';

/** Trigram tokens of an index starting with a two-character word. */
export type TermExpander = (word: string) => string[];

/** Letters and digits of any script; anything else separates runs. */
const RUN = /[\p{L}\p{N}]+/gu;

export function searchRuns(q: string): string[] {
  const text = q.normalize('NFKC').toLowerCase();
  const runs: string[] = [];
  for (const m of text.matchAll(RUN)) if (!runs.includes(m[0])) runs.push(m[0]);
  return runs;
}

export function quoted(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

function chars(run: string): string[] {
  return Array.from(run);
}

/** The distinct n-character windows of a run. */
export function windows(run: string, n: number): string[] {
  const c = chars(run);
  const out: string[] = [];
  for (let i = 0; i + n <= c.length; i++) {
    const w = c.slice(i, i + n).join('');
    if (!out.includes(w)) out.push(w);
  }
  return out;
}

export function charLength(run: string): number {
  return chars(run).length;
}

/** Reads the trigram vocabulary (an fts5vocab 'row' table) for the tokens a two-character word starts. */
export function vocabularyExpander(db: Database, vocabTable: string, limit = 400): TermExpander {
  const terms = db.prepare(`SELECT term FROM ${vocabTable} WHERE term >= ? AND term < ? LIMIT ${limit}`).pluck();
  return (word) => terms.all(word, `${word}\u{10FFFF}`) as string[];
}

export interface AllTermsQuery {
  /** The MATCH expression; undefined when no run can use the index. */
  match: string | undefined;
  /** Single characters, matched with LIKE. */
  likes: string[];
  /** A two-character run the index has never seen: nothing can match. */
  impossible: boolean;
  runs: string[];
}

/** Every run must occur (ticket search): phrases for long runs, the vocabulary for two characters. */
export function allTermsQuery(q: string, expand: TermExpander): AllTermsQuery {
  const runs = searchRuns(q);
  const parts: string[] = [];
  const likes: string[] = [];
  let impossible = false;
  for (const run of runs) {
    const n = charLength(run);
    if (n >= 3) parts.push(quoted(run));
    else if (n === 2) {
      const tokens = expand(run);
      if (!tokens.length) impossible = true;
      else parts.push(tokens.length === 1 ? quoted(tokens[0]!) : `(${tokens.map(quoted).join(' OR ')})`);
    } else likes.push(run);
  }
  return { match: parts.length ? parts.join(' AND ') : undefined, likes, impossible, runs };
}

export interface AnyTermsQuery {
  match: string | undefined;
  /** What a snippet should highlight. */
  highlight: string[];
  /** Only single characters were typed: the caller scans with LIKE. */
  likes: string[];
}

const MAX_TRIGRAMS = 64;
const MAX_BIGRAMS = 16;
/** Up to this many characters a query is treated as keywords (its pairs are searched too), beyond it as a description. */
const KEYWORD_QUERY_CHARS = 12;

/**
 * Any run may occur (knowledge-base suggestions, ranked by bm25): the trigrams of the query, and for a short
 * query also its character pairs, so that "补办社保" finds "社保卡补办".
 */
export function anyTermsQuery(q: string, expand: TermExpander): AnyTermsQuery {
  const runs = searchRuns(q);
  const total = runs.reduce((n, r) => n + charLength(r), 0);
  const trigrams: string[] = [];
  const pairs: string[] = [];
  for (const run of runs) {
    for (const w of windows(run, 3)) if (trigrams.length < MAX_TRIGRAMS && !trigrams.includes(w)) trigrams.push(w);
    if (total <= KEYWORD_QUERY_CHARS) for (const w of windows(run, 2)) if (pairs.length < MAX_BIGRAMS && !pairs.includes(w)) pairs.push(w);
  }
  const tokens = new Set(trigrams);
  for (const pair of pairs) for (const t of expand(pair)) tokens.add(t);
  const singles = runs.filter((r) => charLength(r) === 1);
  const highlight = [...trigrams, ...pairs];
  if (!tokens.size) return { match: undefined, highlight: singles, likes: singles };
  return { match: [...tokens].map(quoted).join(' OR '), highlight, likes: [] };
}

/** Escapes % _ and \ for `LIKE ? ESCAPE '\'`. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
