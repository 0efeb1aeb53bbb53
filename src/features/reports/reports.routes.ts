import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { HotlineHttp } from '../../app.ts';
import { hotlineError } from '../../domain/errors.ts';
import { taxonomyInForce } from '../../domain/taxonomy.ts';
import type { Taxonomy } from '../../domain/taxonomy.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import { categoryTree } from '../tickets/categories.ts';
import { CLASS_LABELS, csvDocument, percent, twoDecimals } from './reports.csv.ts';
import { Month as MonthText, monthRange, parseMonth } from './months.ts';
import type { MonthFigures, ReportLevel } from './reports.repo.ts';
import type { ReportsService } from './reports.service.ts';
import type { UnitInfo } from './reports.source.ts';

const Month = Type.Optional(MonthText);
const Level = Type.Optional(Type.Union([Type.Literal('unit'), Type.Literal('district'), Type.Literal('department')]));
const MonthQuery = Type.Object({ month: Month, level: Level, recompute: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const ScorecardQuery = Type.Object({ month: Month, months: Type.Optional(Type.Integer({ minimum: 1, maximum: 36 })) }, { additionalProperties: false });
const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$' }) });
const MonthParams = Type.Object({ month: MonthText });

const managers = requireRole('supervisor', 'admin');

type Labels = Map<string, { zh: string; en: string }>;
const labelsOfTree = new WeakMap<Taxonomy, Labels>();

/** Every group and item of a tree by code, with its Chinese and English label ('供水 / 停水'). */
function categoryLabels(taxonomy: Taxonomy): Labels {
  let out = labelsOfTree.get(taxonomy);
  if (out) return out;
  out = new Map();
  for (const g of categoryTree(taxonomy)) {
    out.set(g.code, { zh: g.zh, en: g.en });
    for (const i of g.items) out.set(`${g.code}/${i.code}`, { zh: `${g.zh} / ${i.zh}`, en: `${g.en} / ${i.en}` });
  }
  labelsOfTree.set(taxonomy, out);
  return out;
}

export interface ReportsRouteDeps {
  reports: ReportsService;
  /** The unit a unit user acts for. */
  unitOfUser: (userId: string) => string | null;
  /** The category tree that was in force at a time (a past month's names); without it, every month has today's names. */
  categoriesAt?: (at: number) => Taxonomy;
  /** Where echarts.min.js is read from; default: the installed echarts package. */
  echartsFile?: string;
}

export function registerReportRoutes(app: HotlineHttp, deps: ReportsRouteDeps): void {
  const { reports } = deps;
  const echartsFile = deps.echartsFile ?? join(dirname(createRequire(import.meta.url).resolve('echarts')), 'echarts.min.js');
  let echarts: Buffer | undefined;

  const monthOf = (q: { month?: string | undefined }) => (q.month === undefined ? reports.currentMonth() : parseMonth(q.month));
  // Names as they were at the month's end: a past month keeps the names it was ranked under, this month has today's.
  const describe = (code: string, month: string): Pick<UnitInfo, 'name' | 'districtCode'> & { districtName: string | null } => {
    const units = reports.unitsAt(month);
    const u = units.get(code);
    const district = u?.districtCode ? units.get(u.districtCode) : undefined;
    return { name: u?.name ?? code, districtCode: u?.districtCode ?? null, districtName: district?.name ?? null };
  };
  // Category names likewise: a past month's as they were at its end (a category added since has today's), this month's today's.
  const categoryOf = (code: string, month: string): { zh: string; en: string } => {
    const then = deps.categoriesAt && month < reports.currentMonth() ? categoryLabels(deps.categoriesAt(monthRange(month).to - 1)).get(code) : undefined;
    return then ?? categoryLabels(taxonomyInForce()).get(code) ?? { zh: code, en: code };
  };
  const rowView = (month: string) => (r: MonthFigures) => ({ code: r.code, ...describe(r.code, month), rank: r.rank, gain: r.gain, volume: r.volume, classes: r.classes, ...r.figures });
  const monthView = (month: string, level: ReportLevel, recompute: boolean) => {
    const report = reports.month(month, level, { recompute });
    const closing = report.closed ? reports.closing(month) : undefined;
    return {
      month, level, basis: report.basis, closed: report.closed, previousBasis: report.previousBasis,
      closedAt: closing?.closedAt ?? null, closedBy: closing?.closedBy ?? null, rows: report.rows.map(rowView(month)),
    };
  };

  app.get('/reports/echarts.min.js', { config: { public: true } }, async (_request, reply) => {
    echarts ??= readFileSync(echartsFile);
    reply.header('cache-control', 'public, max-age=86400');
    return reply.type('text/javascript; charset=utf-8').send(echarts);
  });

  app.get('/api/reports/policy', { preHandler: requireRole('supervisor', 'admin', 'unit') }, async () => ({
    rates: reports.policy.rates, ranking: reports.policy.ranking, volume: reports.policy.volume, hotspot: reports.policy.hotspot,
  }));

  app.get('/api/reports/me', { preHandler: requireRole('supervisor', 'admin', 'unit') }, async (request) => {
    const { account } = sessionOf(request);
    const unitCode = account.role === 'unit' ? deps.unitOfUser(account.id) : null;
    return { role: account.role, unitCode, currentMonth: reports.currentMonth() };
  });

  app.get('/api/reports/rates', { schema: { querystring: MonthQuery }, preHandler: managers }, async (request) => {
    const q = request.query;
    const view = monthView(monthOf(q), q.level ?? 'unit', q.recompute === true);
    return { ...view, rows: [...view.rows].sort((a, b) => (a.code < b.code ? -1 : 1)) };
  });

  app.get('/api/reports/ranking', { schema: { querystring: MonthQuery }, preHandler: managers }, async (request) =>
    monthView(monthOf(request.query), request.query.level ?? 'unit', request.query.recompute === true));

  app.get('/api/reports/ranking.csv', { schema: { querystring: MonthQuery }, preHandler: managers }, async (request, reply) => {
    const month = monthOf(request.query);
    const level = request.query.level ?? 'unit';
    const view = monthView(month, level, false);
    const header = ['排名', '编码', '名称', '所属区', '派单量', '按时签收', '响应率(%)', '解决率(%)', '满意率(%)', '综合得分', '环比变化', '诉求量', '积分', '类别'];
    const body = view.rows.map((r) => [
      r.rank, r.code, r.name, r.districtName, r.dispatched, r.signedInTime, percent(r.responseRate), percent(r.resolutionRate),
      percent(r.satisfactionRate), twoDecimals(r.composite), twoDecimals(r.gain), r.volume, r.points, r.classes.map((c) => CLASS_LABELS[c].zh).join('；'),
    ]);
    reply.header('content-disposition', `attachment; filename="ranking-${level}-${month}.csv"`);
    reply.header('cache-control', 'private, no-store');
    return reply.type('text/csv; charset=utf-8').send(csvDocument([header, ...body]));
  });

  app.get('/api/reports/units/:code/scorecard', {
    schema: { params: CodeParams, querystring: ScorecardQuery },
    preHandler: requireRole('supervisor', 'admin', 'unit'),
  }, async (request: FastifyRequest<{ Params: { code: string }; Querystring: { month?: string; months?: number } }>) => {
    const { account } = sessionOf(request);
    const code = request.params.code;
    if (account.role === 'unit' && deps.unitOfUser(account.id) !== code) throw hotlineError('ERR_FORBIDDEN', { unit: code });
    const lastMonth = monthOf(request.query);
    const card = reports.scorecard(code, lastMonth, request.query.months ?? 12);
    return { unit: { code, ...describe(code, lastMonth), kind: card.unit.kind }, level: card.level, months: card.months };
  });

  app.get('/api/reports/top-categories', { schema: { querystring: MonthQuery }, preHandler: managers }, async (request) => {
    const month = monthOf(request.query);
    return { month, rows: reports.topCategories(month).map((t) => ({ code: t.key, count: t.count, ...categoryOf(t.key, month) })) };
  });

  app.get('/api/reports/hotspot-streets', { schema: { querystring: MonthQuery }, preHandler: managers }, async (request) => {
    const month = monthOf(request.query);
    return { month, rows: reports.hotspotStreets(month).map((t) => ({ code: t.key, count: t.count, ...describe(t.key, month) })) };
  });

  app.get('/api/reports/daily-volume', { schema: { querystring: MonthQuery }, preHandler: managers }, async (request) => {
    const month = monthOf(request.query);
    return { month, days: reports.dailyVolume(month).map((t) => ({ day: t.key, count: t.count })) };
  });

  /** 关账: publishes the month's figures and ranking; they no longer change (see POLICY.md). A repeat answers 409. */
  app.post('/api/reports/months/:month/close', { schema: { params: MonthParams }, preHandler: managers }, async (request, reply) => {
    const { account } = sessionOf(request);
    const report = reports.closeMonth(request.params.month, account.username, account.id);
    const closing = reports.closing(report.month);
    request.log.info({ month: report.month, by: account.username }, 'report month closed');
    return reply.code(201).send({ month: report.month, closed: true, units: report.rows.length, closedAt: closing?.closedAt ?? null, closedBy: closing?.closedBy ?? null });
  });
}
