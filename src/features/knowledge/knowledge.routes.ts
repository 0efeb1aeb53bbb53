import type { FeatureContext, HotlineHttp } from '../../app.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import { createKnowledgeRepo } from './knowledge.repo.ts';
import { createKnowledgeService } from './knowledge.service.ts';
import type { KnowledgeService } from './knowledge.service.ts';
import {
  AnswerBody, AnswerReply, Article, ArticleBody, ArticleList, ArticleListQuery, ArticleParams, ArticleUpdateBody,
  KnowledgeSearchQuery, KnowledgeSearchReply, RateQuery, RateReply,
} from './knowledge.schemas.ts';

const editors = requireRole('supervisor', 'admin');
const readers = requireRole('agent', 'supervisor', 'admin');
const tags = ['knowledge'];

export function registerKnowledgeRoutes(app: HotlineHttp, deps: { knowledge: KnowledgeService }): void {
  const { knowledge } = deps;

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
  }, async (request, reply) => reply.code(201).send(knowledge.create(request.body, sessionOf(request).account)));

  app.put('/api/knowledge/articles/:id', {
    schema: { tags, summary: '修改知识条目（带版本号）', params: ArticleParams, body: ArticleUpdateBody, response: { 200: Article } },
    preHandler: editors,
  }, async (request) => knowledge.update(request.params.id, request.body, sessionOf(request).account));

  app.delete('/api/knowledge/articles/:id', {
    schema: { tags, summary: '停用知识条目', params: ArticleParams },
    preHandler: editors,
  }, async (request, reply) => {
    knowledge.retire(request.params.id, sessionOf(request).account);
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

/** The knowledge base: articles, suggestions for the desktop, direct answers and their rate. */
export function registerKnowledge(ctx: FeatureContext): void {
  const { db, clock, log } = ctx.deps;
  registerKnowledgeRoutes(ctx.app, { knowledge: createKnowledgeService({ repo: createKnowledgeRepo(db), clock, log }) });
}
