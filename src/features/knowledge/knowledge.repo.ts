import type { Database } from '../../store/database.ts';
import { likePattern, vocabularyExpander } from '../search/fts-query.ts';
import type { TermExpander } from '../search/fts-query.ts';

export interface ArticleRow {
  id: number;
  title: string;
  body: string;
  category: string | null;
  validFrom: number;
  validTo: number | null;
  version: number;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: number;
  updatedAt: number;
  retiredAt: number | null;
}

export interface ArticleFields {
  title: string;
  body: string;
  category: string | null;
  validFrom: number;
  validTo: number | null;
}

export interface ScoredArticle { article: ArticleRow; score: number }

export interface DayCount { day: string; created: number; answeredDirectly: number; fromKnowledgeBase: number }

export interface KnowledgeRepo {
  insert(a: ArticleFields & { by: string; now: number }): ArticleRow;
  /** Writes when the stored version is `expected`; undefined on a conflict. */
  update(id: number, a: ArticleFields & { by: string; now: number; expected: number }): ArticleRow | undefined;
  retire(id: number, by: string, now: number): boolean;
  article(id: number): ArticleRow | undefined;
  list(f: { category?: string; includeRetired: boolean; limit: number; offset: number }): { items: ArticleRow[]; total: number };
  /** Articles valid at `now` matching an FTS5 expression, best first (bm25, title weighted). */
  matchValid(match: string, now: number, limit: number): ScoredArticle[];
  /** Articles valid at `now` containing any of the characters (one-character queries). */
  likeValid(chars: string[], now: number, limit: number): ScoredArticle[];
  expand: TermExpander;
  ticketForAnswer(id: string): { id: string; createdBy: string | null; kbArticleId: number | null } | undefined;
  linkTicket(ticketId: string, articleId: number, actor: string, now: number, version: number): void;
  /** Tickets created and answered directly per Asia/Shanghai day, for created_at in [from, to). */
  directAnswersByDay(from: number, to: number): DayCount[];
}

/** Title matches weigh ten times a body match. */
export const TITLE_WEIGHT = 10;

interface ArticleDbRow {
  id: number; title: string; body: string; category: string | null; valid_from: number; valid_to: number | null; version: number;
  created_by: string | null; updated_by: string | null; created_at: number; updated_at: number; retired_at: number | null;
}

function toArticle(r: ArticleDbRow): ArticleRow {
  return {
    id: r.id, title: r.title, body: r.body, category: r.category, validFrom: r.valid_from, validTo: r.valid_to, version: r.version,
    createdBy: r.created_by, updatedBy: r.updated_by, createdAt: r.created_at, updatedAt: r.updated_at, retiredAt: r.retired_at,
  };
}

const VALID = 'a.retired_at IS NULL AND a.valid_from <= @now AND (a.valid_to IS NULL OR a.valid_to > @now)';
const SHANGHAI_OFFSET_S = 8 * 3600;

export function createKnowledgeRepo(db: Database): KnowledgeRepo {
  const insert = db.prepare(`INSERT INTO kb_articles (title, body, category, valid_from, valid_to, created_by, updated_by, created_at, updated_at)
    VALUES (@title, @body, @category, @validFrom, @validTo, @by, @by, @now, @now)`);
  const update = db.prepare(`UPDATE kb_articles SET title = @title, body = @body, category = @category, valid_from = @validFrom,
    valid_to = @validTo, updated_by = @by, updated_at = @now, version = version + 1
    WHERE id = @id AND version = @expected AND retired_at IS NULL`);
  const retire = db.prepare('UPDATE kb_articles SET retired_at = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE id = ? AND retired_at IS NULL');
  const byId = db.prepare('SELECT * FROM kb_articles WHERE id = ?');
  const match = db.prepare(`SELECT a.*, bm25(kb_articles_fts, ${TITLE_WEIGHT}.0, 1.0) AS score
    FROM kb_articles_fts JOIN kb_articles a ON a.id = kb_articles_fts.rowid
    WHERE kb_articles_fts MATCH @match AND ${VALID} ORDER BY score, a.id LIMIT @limit`);
  const ticket = db.prepare('SELECT id, created_by, kb_article_id FROM tickets WHERE id = ?');
  const link = db.prepare('UPDATE tickets SET kb_article_id = ?, updated_at = ? WHERE id = ?');
  const audit = db.prepare(`INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, 'ticket.kb_answer', ?, ?)`);
  const day = `strftime('%Y-%m-%d', created_at / 1000 + ${SHANGHAI_OFFSET_S}, 'unixepoch')`;
  const byDay = db.prepare(`SELECT ${day} AS day, count(*) AS created,
      sum(status = 'answered_directly' OR (kb_article_id IS NOT NULL AND dispatch_round = 0 AND status = 'closed')) AS answered,
      sum(kb_article_id IS NOT NULL AND (status = 'answered_directly' OR (dispatch_round = 0 AND status = 'closed'))) AS from_kb
    FROM tickets WHERE created_at >= ? AND created_at < ? GROUP BY day ORDER BY day`);

  return {
    insert(a) {
      const id = Number(insert.run(a).lastInsertRowid);
      return toArticle(byId.get(id) as ArticleDbRow);
    },
    update(id, a) {
      if (update.run({ ...a, id }).changes !== 1) return undefined;
      return toArticle(byId.get(id) as ArticleDbRow);
    },
    retire: (id, by, now) => retire.run(now, by, now, id).changes === 1,
    article(id) {
      const r = byId.get(id) as ArticleDbRow | undefined;
      return r ? toArticle(r) : undefined;
    },
    list({ category, includeRetired, limit, offset }) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (category) { where.push('(category = ? OR category LIKE ?)'); args.push(category, `${category}/%`); }
      if (!includeRetired) where.push('retired_at IS NULL');
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (db.prepare(`SELECT count(*) AS n FROM kb_articles ${w}`).get(...args) as { n: number }).n;
      const rows = db.prepare(`SELECT * FROM kb_articles ${w} ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`).all(...args, limit, offset) as ArticleDbRow[];
      return { items: rows.map(toArticle), total };
    },
    matchValid(m, now, limit) {
      return (match.all({ match: m, now, limit }) as Array<ArticleDbRow & { score: number }>).map((r) => ({ article: toArticle(r), score: r.score }));
    },
    likeValid(chars, now, limit) {
      if (!chars.length) return [];
      const title = chars.map(() => "a.title LIKE ? ESCAPE '\\'").join(' OR ');
      const body = chars.map(() => "a.body LIKE ? ESCAPE '\\'").join(' OR ');
      const patterns = chars.map(likePattern);
      const rows = db.prepare(`SELECT a.*, CASE WHEN ${title} THEN -${TITLE_WEIGHT} ELSE -1 END AS score FROM kb_articles a
        WHERE ${VALID.replaceAll('@now', '?')} AND (${title} OR ${body}) ORDER BY score, a.updated_at DESC, a.id LIMIT ?`)
        .all(...patterns, now, now, ...patterns, ...patterns, limit) as Array<ArticleDbRow & { score: number }>;
      return rows.map((r) => ({ article: toArticle(r), score: r.score }));
    },
    expand: vocabularyExpander(db, 'kb_articles_terms', 200),
    ticketForAnswer(id) {
      const r = ticket.get(id) as { id: string; created_by: string | null; kb_article_id: number | null } | undefined;
      return r ? { id: r.id, createdBy: r.created_by, kbArticleId: r.kb_article_id } : undefined;
    },
    linkTicket: db.transaction((ticketId: string, articleId: number, actor: string, now: number, version: number) => {
      link.run(articleId, now, ticketId);
      audit.run(now, actor, ticketId, JSON.stringify({ articleId, articleVersion: version }));
    }),
    directAnswersByDay(from, to) {
      return (byDay.all(from, to) as Array<{ day: string; created: number; answered: number; from_kb: number }>)
        .map((r) => ({ day: r.day, created: r.created, answeredDirectly: r.answered ?? 0, fromKnowledgeBase: r.from_kb ?? 0 }));
    },
  };
}
