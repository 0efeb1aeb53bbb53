import type { FastifyRequest } from 'fastify';
import type { FeatureContext, HotlineHttp } from '../../app.ts';
import { createAdminAudit } from '../admin/admin-audit.ts';
import type { AdminAudit } from '../admin/admin-audit.ts';
import { actorOf, auditRefusals } from '../admin/reference-data.audit.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import { createKnowledgeRepo } from './knowledge.repo.ts';
import type { ArticleRow } from './knowledge.repo.ts';
import { createKnowledgeService } from './knowledge.service.ts';
import type { KnowledgeService } from './knowledge.service.ts';
import {
  AnswerBody, AnswerReply, Article, ArticleBody, ArticleList, ArticleListQuery, ArticleParams, ArticleUpdateBody,
  KnowledgeSearchQuery, KnowledgeSearchReply, RateQuery, RateReply,
} from './knowledge.schemas.ts';

const editors = requireRole('supervisor', 'admin');
const readers = requireRole('agent', 'supervisor', 'admin');
const tags = ['knowledge'];

/** The admin audit's action of each article write. */
const ACTIONS = {
  'POST /api/knowledge/articles': 'knowledge.create',
  'PUT /api/knowledge/articles/:id': 'knowledge.update',
  'DELETE /api/knowledge/articles/:id': 'knowledge.retire',
} as const;

/** Texts the admin audit keeps of an article: the first 200 characters. */
const KEPT_CHARACTERS = 200;

function clip(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const chars = [...value];
  return chars.length > KEPT_CHARACTERS ? `${chars.slice(0, KEPT_CHARACTERS).join('')}…` : value;
}

/** A request body as the audit keeps it: each long text cut to its first 200 characters. */
function clipped(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return clip(body);
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, clip(v)]));
}

/** The article's state as the console shows it: retired, not yet valid, expired or valid. */
function statusOf(a: ArticleRow, now: number): 'retired' | 'pending' | 'expired' | 'active' {
  if (a.retiredAt !== null) return 'retired';
  if (a.validFrom > now) return 'pending';
  return a.validTo !== null && a.validTo <= now ? 'expired' : 'active';
}

/** An article in the admin audit: title, state and validity, the body's first 200 characters. */
export function auditedArticle(a: ArticleRow, now: number) {
  return {
    id: a.id, title: a.title, status: statusOf(a, now), category: a.category, validFrom: a.validFrom, validTo: a.validTo,
    version: a.version, body: clip(a.body), bodyLength: a.body.length,
  };
}

export interface KnowledgeRouteDeps {
  knowledge: KnowledgeService;
  /** Every article write, and every one refused to a signed-in user. */
  audit: AdminAudit;
  now: () => number;
}

export function registerKnowledgeRoutes(app: HotlineHttp, deps: KnowledgeRouteDeps): void {
  const { knowledge, audit, now } = deps;
  const target = (request: FastifyRequest): string | null => {
    const id = (request.params as { id?: unknown } | undefined)?.id;
    return id === undefined ? null : String(id);
  };
  auditRefusals(app, audit, ACTIONS, { target, body: clipped });
  const audited = (request: FastifyRequest, action: string, before: ArticleRow | null, after: ArticleRow) => {
    const at = now();
    audit.record({
      actor: actorOf(request), action, target: String(after.id), outcome: 'ok',
      before: before && auditedArticle(before, at), after: auditedArticle(after, at),
    });
  };

  app.get('/api/knowledge/search', {
    schema: { tags, summary: '知识库检索（坐席直接答复）', querystring: KnowledgeSearchQuery, response: { 200: KnowledgeSearchReply } },
    preHandler: readers,
  }, async (request) => ({ items: knowledge.search(request.query.q, request.query.limit ?? 8) }));

  app.get('/api/knowledge/articles', {
    schema: { tags, summary: '知识条目列表', querystring: ArticleListQuery, response: { 200: ArticleList } },
    preHandler: editors,
  }, async (request) => knowledge.list(request.query));

  app.get('/api/knowledge/articles/:id', {
    schema: { tags, summary: '知识条目详情', params: ArticleParams, response: { 200: Article } },
    preHandler: readers,
  }, async (request) => knowledge.get(request.params.id));

  app.post('/api/knowledge/articles', {
    schema: { tags, summary: '新建知识条目', body: ArticleBody, response: { 201: Article } },
    preHandler: editors,
  }, async (request, reply) => {
    const created = knowledge.create(request.body, sessionOf(request).account);
    audited(request, ACTIONS['POST /api/knowledge/articles'], null, created);
    return reply.code(201).send(created);
  });

  app.put('/api/knowledge/articles/:id', {
    schema: { tags, summary: '修改知识条目（带版本号）', params: ArticleParams, body: ArticleUpdateBody, response: { 200: Article } },
    preHandler: editors,
  }, async (request) => {
    const before = knowledge.get(request.params.id);
    const updated = knowledge.update(request.params.id, request.body, sessionOf(request).account);
    audited(request, ACTIONS['PUT /api/knowledge/articles/:id'], before, updated);
    return updated;
  });

  app.delete('/api/knowledge/articles/:id', {
    schema: { tags, summary: '停用知识条目', params: ArticleParams },
    preHandler: editors,
  }, async (request, reply) => {
    const before = knowledge.get(request.params.id);
    knowledge.retire(request.params.id, sessionOf(request).account);
    audited(request, ACTIONS['DELETE /api/knowledge/articles/:id'], before, knowledge.get(request.params.id));
    return reply.code(204).send();
  });

  app.post('/api/knowledge/answers', {
    schema: { tags, summary: '记录工单依据知识条目直接答复', body: AnswerBody, response: { 200: AnswerReply } },
    preHandler: readers,
  }, async (request) => knowledge.answerFrom(request.body.ticketId, request.body.articleId, sessionOf(request).account));

  app.get('/api/knowledge/direct-answer-rate', {
    schema: { tags, summary: '直接答复率（按日）', querystring: RateQuery, response: { 200: RateReply } },
    preHandler: editors,
  }, async (request) => knowledge.directAnswerRate(request.query.from, request.query.to));
}

/** The knowledge base: articles, suggestions for the desktop, direct answers and their rate; its writes in the admin audit. */
export async function registerKnowledge(ctx: FeatureContext): Promise<void> {
  const { db, clock, log } = ctx.deps;
  const knowledge = createKnowledgeService({ repo: createKnowledgeRepo(db), clock, log });
  const audit = createAdminAudit(db, () => clock.now());
  // In a scope of their own: the refusal audit sees these routes only.
  await ctx.app.register(async (scope: HotlineHttp) => { registerKnowledgeRoutes(scope, { knowledge, audit, now: () => clock.now() }); });
}
