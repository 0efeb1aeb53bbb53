import { Readable } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import Type from 'typebox';
import type { FeatureContext, HotlineHttp } from '../../app.ts';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import { shanghaiDayOf } from '../search/dates.ts';
import { createSearchRepo } from '../search/search.repo.ts';
import type { TicketFilters, TicketScope } from '../search/search.repo.ts';
import { TicketFilterProperties } from '../search/search.schemas.ts';
import { createTicketSearchService } from '../search/search.service.ts';
import type { TicketSearchService } from '../search/search.service.ts';
import type { Account } from '../auth/auth.service.ts';
import { DEFAULT_EXPORT_COLUMNS, TICKET_EXPORT_COLUMNS, isExportColumn, ticketCsvHeader, ticketCsvRow } from './csv.ts';
import type { TicketExportColumn } from './csv.ts';

/** Rows read from the database per step; the connection is free between steps. */
const CHUNK = 500;

export const TicketExportQuery = Type.Object({
  ...TicketFilterProperties,
  fields: Type.Optional(Type.String({
    maxLength: 400,
    description: `导出的列，逗号分隔：${Object.keys(TICKET_EXPORT_COLUMNS).join(', ')}`,
  })),
}, { additionalProperties: false });

function columnsOf(fields: string | undefined): TicketExportColumn[] {
  if (!fields?.trim()) return [...DEFAULT_EXPORT_COLUMNS];
  const names = fields.split(',').map((f) => f.trim()).filter(Boolean);
  const bad = names.filter((n) => !isExportColumn(n));
  if (bad.length) {
    throw hotlineError('ERR_VALIDATION', { fields: [{ field: 'fields', message: `不支持导出的列：${bad.join('，')}`, message_en: `Unknown columns: ${bad.join(', ')}` }] });
  }
  return [...new Set(names)] as TicketExportColumn[];
}

async function* csvText(search: TicketSearchService, filters: TicketFilters, scope: TicketScope, who: Account, columns: TicketExportColumn[]) {
  yield ticketCsvHeader(columns);
  for (const rows of search.each(filters, scope, who, CHUNK)) {
    yield rows.map((r) => ticketCsvRow(r, columns)).join('');
    await yieldToEventLoop();
  }
}

export function registerTicketExportRoutes(app: HotlineHttp, deps: { search: TicketSearchService; clock: Clock }): void {
  const { search, clock } = deps;
  app.get('/api/tickets/export.csv', {
    schema: {
      tags: ['tickets'],
      summary: '工单导出 CSV（UTF-8 带 BOM，筛选条件同检索，逐批输出）',
      querystring: TicketExportQuery,
      response: { 200: { description: '工单 CSV', content: { 'text/csv': { schema: { type: 'string' } } } } },
    },
    preHandler: requireRole('supervisor', 'unit', 'admin'),
  }, async (request, reply) => {
    const who = sessionOf(request).account;
    const filters = search.filters(request.query, who);
    const scope = search.scope(who);
    const columns = columnsOf(request.query.fields);
    search.audit(who, 'tickets.export', { filters, columns, unit: scope.unitCode ?? null });
    const name = `工单导出-${shanghaiDayOf(clock.now())}.csv`;
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="tickets.csv"; filename*=UTF-8''${encodeURIComponent(name)}`);
    reply.header('cache-control', 'no-store');
    // The schema declares the CSV text; it leaves as a stream, never whole in memory.
    const body: unknown = Readable.from(csvText(search, filters, scope, who, columns), { objectMode: false });
    return reply.send(body as string);
  });
}

/** CSV export of tickets, scoped like search. */
export function registerTicketExport(ctx: FeatureContext): void {
  const { db, clock } = ctx.deps;
  registerTicketExportRoutes(ctx.app, { search: createTicketSearchService({ repo: createSearchRepo(db), clock }), clock });
}
