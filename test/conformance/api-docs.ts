import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { describe, it } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const API_DOCS_DIR = resolve(process.env.ARI_API_DOCS ?? join(REPO_ROOT, '../shared/asterisk-ari-api-docs/22.10.1'));
export const TRACES_DIR = resolve(process.env.ARI_TRACES ?? join(REPO_ROOT, '../shared/asterisk-ari-traces/22.10.1'));

export interface SwaggerParam {
  name: string; paramType: 'query' | 'path' | 'body' | 'header' | 'form'; dataType: string;
  required?: boolean; allowMultiple?: boolean; allowableValues?: { valueType: string; values?: string[] };
}
export interface Operation {
  method: string; path: string; nickname: string; resource: string; responseClass: string;
  params: SwaggerParam[]; segments: string[];
}
interface SwaggerProp { type: string; required?: boolean; allowableValues?: { valueType: string; values?: string[] } }
interface SwaggerModel { id: string; properties?: Record<string, SwaggerProp>; subTypes?: string[]; discriminator?: string }

export interface RouteMatch { op: Operation; pathParams: Record<string, string> }

export interface ApiDocs {
  dir: string;
  operations: Operation[];
  models: Record<string, SwaggerModel>;
  eventTypes: ReadonlySet<string>;
  matchRoute(method: string, path: string): RouteMatch | undefined;
  /** Errors (empty when valid) of `value` against model `name` (plain model, `List[X]`, or primitive). */
  validate(name: string, value: unknown): string[];
  /** A websocket message validated against the model named by its `type`; unknown types are an error. */
  validateMessage(message: unknown): string[];
}

/** ARI's own date format: 2026-11-22T23:05:33.377+0000 */
const ARI_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{4}|Z)$/;
const PRIMITIVES: Record<string, object> = {
  string: { type: 'string' }, int: { type: 'integer' }, long: { type: 'integer' }, double: { type: 'number' },
  boolean: { type: 'boolean' }, object: { type: 'object' }, Date: { type: 'string', format: 'ari-date' },
  void: {}, binary: {},
};

function typeSchema(type: string, models: Record<string, SwaggerModel>): object {
  const list = /^List\[(.+)\]$/.exec(type);
  if (list) return { type: 'array', items: typeSchema(list[1]!, models) };
  const prim = PRIMITIVES[type];
  if (prim) return prim;
  if (!models[type]) throw new Error(`api-docs: unknown type ${type}`);
  return { $ref: `ari#/definitions/${type}` };
}

function ancestors(name: string, models: Record<string, SwaggerModel>): string[] {
  for (const m of Object.values(models)) {
    if (m.subTypes?.includes(name)) return [...ancestors(m.id, models), m.id];
  }
  return [];
}

function modelSchema(name: string, models: Record<string, SwaggerModel>): object {
  const chain = [...ancestors(name, models), name];
  const properties: Record<string, object> = {};
  const required: string[] = [];
  for (const id of chain) {
    for (const [prop, def] of Object.entries(models[id]!.properties ?? {})) {
      let schema = typeSchema(def.type, models);
      const values = def.allowableValues?.valueType === 'LIST' ? def.allowableValues.values : undefined;
      if (values) schema = { ...schema, enum: values };
      properties[prop] = schema;
      if (def.required) required.push(prop);
    }
  }
  const hasDiscriminator = chain.some((id) => models[id]!.discriminator);
  if (hasDiscriminator && chain.length > 1) properties.type = { type: 'string', const: name };
  return { type: 'object', properties, required, additionalProperties: false };
}

function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s.length > 0);
}

export function loadApiDocs(dir: string = API_DOCS_DIR): ApiDocs | undefined {
  if (!existsSync(join(dir, 'channels.json')) || !existsSync(join(dir, 'events.json'))) return undefined;
  const operations: Operation[] = [];
  const models: Record<string, SwaggerModel> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'resources.json')) {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      apis?: Array<{ path: string; operations?: Array<{ httpMethod: string; nickname: string; responseClass: string; parameters?: SwaggerParam[] }> }>;
      models?: Record<string, SwaggerModel>;
    };
    for (const api of doc.apis ?? []) {
      for (const op of api.operations ?? []) {
        operations.push({
          method: op.httpMethod.toUpperCase(), path: api.path, nickname: op.nickname, resource: file.replace(/\.json$/, ''),
          responseClass: op.responseClass, params: op.parameters ?? [], segments: splitPath(api.path),
        });
      }
    }
    Object.assign(models, doc.models ?? {});
  }
  const definitions: Record<string, object> = {};
  for (const name of Object.keys(models)) definitions[name] = modelSchema(name, models);
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('ari-date', ARI_DATE);
  ajv.addSchema({ $id: 'ari', definitions });
  const cache = new Map<string, ValidateFunction>();
  const compiled = (type: string): ValidateFunction => {
    let fn = cache.get(type);
    if (!fn) { fn = ajv.compile(typeSchema(type, models)); cache.set(type, fn); }
    return fn;
  };
  const eventTypes = new Set(Object.keys(models).filter((n) => ancestors(n, models).includes('Event')));

  const validate = (name: string, value: unknown): string[] => {
    const fn = compiled(name);
    if (fn(value)) return [];
    return (fn.errors ?? []).map((e) => `${name}${e.instancePath} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`);
  };
  const validateMessage = (message: unknown): string[] => {
    if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string') {
      return ['message is not an object with a string type'];
    }
    const type = (message as { type: string }).type;
    if (!eventTypes.has(type)) return [`unknown event type ${type}`];
    return validate(type, message);
  };
  const matchRoute = (method: string, path: string): RouteMatch | undefined => {
    const segs = splitPath(path.replace(/^\/ari(?=\/)/, '').split('?')[0]!);
    let best: { m: RouteMatch; literals: number } | undefined;
    for (const op of operations) {
      if (op.method !== method.toUpperCase() || op.segments.length !== segs.length) continue;
      const pathParams: Record<string, string> = {};
      let literals = 0;
      let ok = true;
      op.segments.forEach((tpl, i) => {
        const seg = segs[i]!;
        const param = /^\{(.+)\}$/.exec(tpl);
        if (param) pathParams[param[1]!] = decodeURIComponent(seg);
        else if (tpl === seg) literals++;
        else ok = false;
      });
      if (ok && (!best || literals > best.literals)) best = { m: { op, pathParams }, literals };
    }
    return best?.m;
  };
  return { dir, operations, models, eventTypes, matchRoute, validate, validateMessage };
}

/** Query parameters of a request path that the matched operation does not declare (api_key is ARI's auth, always allowed). */
export function unknownQueryParams(op: Operation, path: string): string[] {
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  const names = [...new URLSearchParams(query).keys()];
  const allowed = new Set(op.params.filter((p) => p.paramType === 'query').map((p) => p.name));
  return names.filter((n) => n !== 'api_key' && !allowed.has(n));
}

export function docsMissingMessage(what: string, path: string): string {
  return `${what} not found at ${path}: conformance tests skipped`;
}

/** A describe block that runs only when the api docs exist; otherwise one skipped test says why (and stderr says it too). */
export function describeWithDocs(title: string, body: (docs: ApiDocs) => void): void {
  const docs = loadApiDocs();
  if (!docs) {
    const msg = docsMissingMessage('ARI api docs', API_DOCS_DIR);
    process.stderr.write(`${msg}\n`);
    describe(title, () => { it.skip(msg, () => undefined); });
    return;
  }
  describe(title, () => body(docs));
}
