import type { FeatureContext, HotlineHttp } from '../../app.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import { createSearchRepo } from './search.repo.ts';
import { createTicketSearchService } from './search.service.ts';
import type { TicketSearchService } from './search.service.ts';
import { TicketSearchQuery, TicketSearchReply } from './search.schemas.ts';

export function registerTicketSearchRoutes(app: HotlineHttp, deps: { search: TicketSearchService }): void {
  app.get('/api/tickets/search', {
    schema: {
      tags: ['tickets'],
      summary: '工单检索：全文、编号、来电号码、单位、分类、状态、时间；按受理顺序倒序分页',
      querystring: TicketSearchQuery,
      response: { 200: TicketSearchReply },
    },
    preHandler: requireRole('agent', 'supervisor', 'unit', 'admin'),
  }, async (request) => deps.search.search(request.query, sessionOf(request).account));
}

/** Ticket search over HTTP. */
export function registerTicketSearch(ctx: FeatureContext): void {
  const { db, clock } = ctx.deps;
  registerTicketSearchRoutes(ctx.app, { search: createTicketSearchService({ repo: createSearchRepo(db), clock }) });
}
