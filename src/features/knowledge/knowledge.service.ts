import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import type { Account } from '../auth/auth.service.ts';
import { anyTermsQuery, searchRuns } from '../search/fts-query.ts';
import { DAY_MS, parseInstant, shanghaiDayOf, shanghaiDayStart } from '../search/dates.ts';
import type { ArticleFields, ArticleRow, KnowledgeRepo, ScoredArticle } from './knowledge.repo.ts';
import { highlightAll, snippet } from './snippet.ts';

export interface ArticleInput {
  title: string;
  body: string;
  category?: string | null;
  validFrom?: number | null;
  validTo?: number | null;
}

export interface ArticleHit {
  id: number;
  title: string;
  /** The title, HTML-escaped, matches in <mark>. */
  titleHtml: string;
  /** An excerpt of the body, HTML-escaped, matches in <mark>. */
  snippet: string;
  category: string | null;
  version: number;
  updatedAt: number;
  score: number;
}

export interface DirectAnswerDay { day: string; created: number; answeredDirectly: number; fromKnowledgeBase: number; rate: number | null }

export interface KnowledgeService {
  create(input: ArticleInput, who: Account): ArticleRow;
  update(id: number, input: ArticleInput & { version: number }, who: Account): ArticleRow;
  retire(id: number, who: Account): void;
  get(id: number): ArticleRow;
  list(f: { category?: string; includeRetired?: boolean; limit?: number; offset?: number }): { items: ArticleRow[]; total: number };
  /** Currently valid articles for what the agent typed, best first. */
  search(q: string, limit?: number): ArticleHit[];
  /** Records that a ticket was answered from an article (直接答复). */
  answerFrom(ticketId: string, articleId: number, who: Account): { ticketId: string; articleId: number; articleVersion: number };
  directAnswerRate(from: string, to: string): { from: string; to: string; days: DirectAnswerDay[]; total: Omit<DirectAnswerDay, 'day'> };
}

const MAX_RATE_DAYS = 366;

function field(name: string, zh: string, en: string) {
  return hotlineError('ERR_VALIDATION', { fields: [{ field: name, message: zh, message_en: en }] });
}

function fieldsOf(input: ArticleInput): ArticleFields {
  const title = input.title.trim();
  const body = input.body.trim();
  if (searchRuns(title).join('').length < 2) throw field('title', '标题至少需要 2 个字', 'The title needs at least 2 characters');
  if (!body) throw field('body', '请填写正文', 'The body is required');
  const validFrom = input.validFrom ?? 0;
  const validTo = input.validTo ?? null;
  if (validTo !== null && validTo <= validFrom) throw field('validTo', '失效时间必须晚于生效时间', 'validTo must be after validFrom');
  return { title, body, category: input.category?.trim() || null, validFrom, validTo };
}

function rate(answered: number, created: number): number | null {
  return created ? Math.round((answered / created) * 10_000) / 10_000 : null;
}

export function createKnowledgeService(deps: { repo: KnowledgeRepo; clock: Clock; log: Logger }): KnowledgeService {
  const { repo, clock } = deps;
  const log = deps.log.child({ component: 'knowledge' });

  function get(id: number): ArticleRow {
    const a = repo.article(id);
    if (!a) throw hotlineError('ERR_NOT_FOUND', { articleId: id });
    return a;
  }

  function hits(found: ScoredArticle[], terms: string[]): ArticleHit[] {
    return found.map(({ article: a, score }) => ({
      id: a.id, title: a.title, titleHtml: highlightAll(a.title, terms), snippet: snippet(a.body, terms), category: a.category,
      version: a.version, updatedAt: a.updatedAt, score: Math.round(-score * 1000) / 1000,
    }));
  }

  return {
    create(input, who) {
      const a = repo.insert({ ...fieldsOf(input), by: who.id, now: clock.now() });
      log.info({ articleId: a.id, by: who.id }, 'knowledge article created');
      return a;
    },
    update(id, input, who) {
      get(id);
      const a = repo.update(id, { ...fieldsOf(input), by: who.id, now: clock.now(), expected: input.version });
      if (!a) throw hotlineError('ERR_CONFLICT', { articleId: id, currentVersion: get(id).version });
      log.info({ articleId: id, version: a.version, by: who.id }, 'knowledge article updated');
      return a;
    },
    retire(id, who) {
      get(id);
      if (!repo.retire(id, who.id, clock.now())) throw hotlineError('ERR_CONFLICT', { articleId: id, reason: 'retired' });
      log.info({ articleId: id, by: who.id }, 'knowledge article retired');
    },
    get,
    list: (f) => repo.list({ includeRetired: f.includeRetired ?? false, limit: f.limit ?? 50, offset: f.offset ?? 0, ...(f.category ? { category: f.category } : {}) }),
    search(q, limit = 10) {
      const now = clock.now();
      const query = anyTermsQuery(q, repo.expand);
      if (query.match) return hits(repo.matchValid(query.match, now, limit), query.highlight);
      return hits(repo.likeValid(query.likes, now, limit), query.likes);
    },
    answerFrom(ticketId, articleId, who) {
      const ticket = repo.ticketForAnswer(ticketId);
      if (!ticket) throw hotlineError('ERR_NO_SUCH_TICKET', { id: ticketId });
      if (who.role === 'agent' && ticket.createdBy !== who.id) throw hotlineError('ERR_FORBIDDEN', { id: ticketId });
      const a = repo.article(articleId);
      const now = clock.now();
      if (!a) throw field('articleId', '知识条目不存在', 'No such knowledge article');
      if (a.retiredAt !== null || a.validFrom > now || (a.validTo !== null && a.validTo <= now)) {
        throw field('articleId', '该知识条目不在有效期内', 'The knowledge article is not currently valid');
      }
      repo.linkTicket(ticketId, articleId, who.id, now, a.version);
      return { ticketId, articleId, articleVersion: a.version };
    },
    directAnswerRate(fromText, toText) {
      const from = shanghaiDayStart(fromText) ?? parseInstant(fromText);
      const to = shanghaiDayStart(toText) !== undefined ? shanghaiDayStart(toText)! + DAY_MS : parseInstant(toText, true);
      if (from === undefined) throw field('from', '开始日期格式不正确', 'from is not a date');
      if (to === undefined) throw field('to', '结束日期格式不正确', 'to is not a date');
      if (to <= from) throw field('to', '结束日期不能早于开始日期', 'to must not be before from');
      if (to - from > MAX_RATE_DAYS * DAY_MS) throw field('to', `最多查询 ${MAX_RATE_DAYS} 天`, `At most ${MAX_RATE_DAYS} days`);
      const counted = new Map(repo.directAnswersByDay(from, to).map((d) => [d.day, d]));
      const days: DirectAnswerDay[] = [];
      for (let at = from; at < to; at += DAY_MS) {
        const day = shanghaiDayOf(at);
        const c = counted.get(day) ?? { created: 0, answeredDirectly: 0, fromKnowledgeBase: 0 };
        days.push({ day, created: c.created, answeredDirectly: c.answeredDirectly, fromKnowledgeBase: c.fromKnowledgeBase, rate: rate(c.answeredDirectly, c.created) });
      }
      const sum = (k: 'created' | 'answeredDirectly' | 'fromKnowledgeBase') => days.reduce((n, d) => n + d[k], 0);
      const total = { created: sum('created'), answeredDirectly: sum('answeredDirectly'), fromKnowledgeBase: sum('fromKnowledgeBase'), rate: 0 as number | null };
      total.rate = rate(total.answeredDirectly, total.created);
      return { from: shanghaiDayOf(from), to: shanghaiDayOf(to - 1), days, total };
    },
  };
}
