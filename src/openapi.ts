/**
 * The OpenAPI 3.1 description of the hotline's HTTP API, generated from the routes' own schemas. Routes are
 * collected with an onRoute hook (`trackRoutes`), which must be installed before the first route is declared
 * to see them all; the document is built once, at the first request for it, when every route is known.
 */
import type { RouteOptions } from 'fastify';
import type { FeatureContext, HotlineHttp } from './app.ts';
import { requireRole, SESSION_COOKIE } from './features/auth/auth.routes.ts';
import { EVERY_ROLE } from './features/auth/route-access.ts';

export interface RouteRecord {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  public: boolean;
  /** The roles that may use the route (empty for a public one). */
  roles: readonly string[];
}

type JsonSchema = Record<string, unknown>;

declare module 'fastify' {
  interface FastifySchema {
    /** OpenAPI grouping and wording of a route. */
    tags?: readonly string[];
    summary?: string;
    description?: string;
  }
}

const catalogs = new WeakMap<object, RouteRecord[]>();

/** Whether a route belongs in the API description (not the static web apps). */
export function isApiRoute(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url === '/health' || url === '/ws';
}

/** Starts recording the app's routes; call it before any route is declared. Idempotent. */
export function trackRoutes(app: HotlineHttp): RouteRecord[] {
  const known = catalogs.get(app);
  if (known) return known;
  const routes: RouteRecord[] = [];
  catalogs.set(app, routes);
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!isApiRoute(route.url)) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = (route.config ?? {}) as { public?: boolean; roles?: readonly string[] };
    for (const method of methods) {
      routes.push({
        method: String(method).toUpperCase(), url: route.url, schema: (route.schema ?? {}) as Record<string, unknown>,
        public: config.public === true, roles: config.public ? [] : [...(config.roles ?? [])],
      });
    }
  });
  return routes;
}

/** A plain JSON copy (TypeBox marks its schemas with symbol keys). */
function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema ?? {})) as JsonSchema;
}

export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}').replace(/\*$/, '{wildcard}');
}

function operationId(method: string, url: string): string {
  const words = openApiPath(url).replace(/[{}]/g, '').split(/[/.\-_]+/).filter(Boolean);
  return [method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}

function parameters(schema: unknown, where: 'path' | 'query'): JsonSchema[] {
  const s = plain(schema);
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(props).map(([name, p]) => {
    const { description, ...rest } = p;
    const param: JsonSchema = { name, in: where, required: where === 'path' || required.has(name), schema: rest };
    if (typeof description === 'string') param.description = description;
    return param;
  });
}

function responses(schema: Record<string, unknown>): JsonSchema {
  const out: JsonSchema = {};
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  for (const [code, raw] of Object.entries(declared)) {
    const r = plain(raw);
    const description = typeof r.description === 'string' ? r.description : '成功';
    if (r.content) out[code] = { description, content: r.content };
    else if (code === '204') out[code] = { description };
    else out[code] = { description, content: { 'application/json': { schema: r } } };
  }
  if (!Object.keys(out).length) out['200'] = { description: '成功' };
  out.default = { description: '错误（见 code）', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorReply' } } } };
  return out;
}

const ERROR_REPLY: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'message_en', 'details'],
      properties: {
        code: { type: 'string', examples: ['ERR_VALIDATION'] },
        message: { type: 'string', description: '简体中文' },
        message_en: { type: 'string' },
        details: {
          type: 'array',
          items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' }, message_en: { type: 'string' } } },
        },
        context: { type: 'object' },
      },
    },
  },
};

export function openApiDocument(routes: readonly RouteRecord[], info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const withGet = new Set(routes.filter((r) => r.method === 'GET').map((r) => r.url));
  for (const route of routes) {
    if (route.method === 'HEAD' && withGet.has(route.url)) continue;
    const s = route.schema;
    const op: JsonSchema = { operationId: operationId(route.method, route.url) };
    const segment = route.url.split('/')[route.url.startsWith('/api/') ? 2 : 1] ?? 'service';
    op.tags = Array.isArray(s.tags) ? s.tags : [segment.replace(/\..*$/, '')];
    if (typeof s.summary === 'string') op.summary = s.summary;
    if (typeof s.description === 'string') op.description = s.description;
    const params = [...(s.params ? parameters(s.params, 'path') : []), ...(s.querystring ? parameters(s.querystring, 'query') : [])];
    const pathNames = [...openApiPath(route.url).matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const name of pathNames) {
      if (!params.some((p) => p.in === 'path' && p.name === name)) params.unshift({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
    if (params.length) op.parameters = params;
    if (s.body) op.requestBody = { required: true, content: { 'application/json': { schema: plain(s.body) } } };
    op.responses = responses(s);
    if (route.public) op.security = [];
    else op['x-roles'] = route.roles;
    (paths[openApiPath(route.url)] ??= {})[route.method.toLowerCase()] = op;
  }
  const sorted = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    info: { ...info, description: '12345 政务服务便民热线服务接口。时间为毫秒时间戳（另有说明除外），错误统一为 ErrorReply。' },
    paths: sorted,
    components: {
      schemas: { ErrorReply: ERROR_REPLY },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: '登录后的会话 Cookie；修改类请求另需 x-csrf-token 请求头' },
        bearer: { type: 'http', scheme: 'bearer', description: '登录返回的 token' },
      },
    },
    security: [{ session: [] }, { bearer: [] }],
  };
}

/** GET /api/openapi.json for any signed-in user. Routes declared before `trackRoutes` ran are missing. */
export function registerOpenApi(ctx: FeatureContext): void {
  const routes = trackRoutes(ctx.app);
  let document: JsonSchema | undefined;
  ctx.app.get('/api/openapi.json', { preHandler: requireRole(...EVERY_ROLE), schema: { tags: ['service'], summary: '本接口的 OpenAPI 3.1 描述' } }, async () => {
    document ??= openApiDocument(routes, { title: 'hotline12345', version: '0.1.0' });
    return document;
  });
}
