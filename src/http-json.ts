/**
 * JSON from outside (HTTP bodies, websocket frames) is bounded before anything reads it: at most 32 levels
 * deep and 10,000 values, every number finite, no NUL and no lone surrogate in any text or field name, no
 * `__proto__` or `constructor.prototype` keys. Every check here is a loop over an explicit stack, never a
 * recursion, so hostile nesting cannot overflow the call stack here or in whatever later walks the value
 * (JSON.stringify, ajv, the store).
 */
import type { FastifyInstance } from 'fastify';
import { hotlineError } from './domain/errors.ts';

export interface JsonBounds {
  /** Objects and arrays inside one another, the outermost counting as one. */
  maxDepth: number;
  /** Values of every kind, containers included. */
  maxValues: number;
}

export const JSON_BOUNDS: JsonBounds = { maxDepth: 32, maxValues: 10_000 };

export type JsonProblem = 'malformed' | 'too_deep' | 'too_many_values' | 'not_finite' | 'bad_text' | 'forbidden_key';

export type CheckedJson = { ok: true; value: unknown } | { ok: false; problem: JsonProblem; field: string };

/** NUL, or half of a surrogate pair without its other half: text no field of the hotline may hold. */
const BAD_TEXT = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasBadText(text: string): boolean {
  return BAD_TEXT.test(text);
}

/** The deepest nesting of objects and arrays in JSON text, read without parsing; stops past `limit`. */
export function nestingOf(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;                       // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {       // { [
      if (++depth > deepest) { deepest = depth; if (deepest > limit) return deepest; }
    } else if (c === 0x7d || c === 0x5d) {       // } ]
      depth--;
    }
  }
  return deepest;
}

/** Checks a parsed value against the bounds, without recursion. */
export function checkJsonValue(value: unknown, bounds: JsonBounds = JSON_BOUNDS): { ok: true } | { ok: false; problem: JsonProblem; field: string } {
  const stack: Array<{ v: unknown; depth: number; field: string }> = [{ v: value, depth: 0, field: '' }];
  let values = 0;
  while (stack.length > 0) {
    const { v, depth, field } = stack.pop()!;
    if (++values > bounds.maxValues) return { ok: false, problem: 'too_many_values', field };
    if (typeof v === 'string') {
      if (hasBadText(v)) return { ok: false, problem: 'bad_text', field };
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { ok: false, problem: 'not_finite', field };
    } else if (v !== null && typeof v === 'object') {
      if (depth + 1 > bounds.maxDepth) return { ok: false, problem: 'too_deep', field };
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1, field: `${field}[${i}]` });
        continue;
      }
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const at = field ? `${field}.${key}` : key;
        if (hasBadText(key)) return { ok: false, problem: 'bad_text', field: field || '(body)' };
        const child = (v as Record<string, unknown>)[key];
        if (key === '__proto__' || (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype'))) {
          return { ok: false, problem: 'forbidden_key', field: at };
        }
        stack.push({ v: child, depth: depth + 1, field: at });
      }
    }
  }
  return { ok: true };
}

/** Parses JSON text within the bounds: the nesting is read before the text is parsed, the value checked after. */
export function parseBoundedJson(text: string, bounds: JsonBounds = JSON_BOUNDS): CheckedJson {
  if (nestingOf(text, bounds.maxDepth) > bounds.maxDepth) return { ok: false, problem: 'too_deep', field: '' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'malformed', field: '' };
  }
  const checked = checkJsonValue(value, bounds);
  return checked.ok ? { ok: true, value } : checked;
}

const PROBLEM_TEXT: Record<JsonProblem, { zh: string; en: string }> = {
  malformed: { zh: '不是有效的 JSON', en: 'is not valid JSON' },
  too_deep: { zh: `嵌套层级过深（最多 ${JSON_BOUNDS.maxDepth} 层）`, en: `is nested too deeply (at most ${JSON_BOUNDS.maxDepth} levels)` },
  too_many_values: { zh: `包含的值过多（最多 ${JSON_BOUNDS.maxValues} 个）`, en: `holds too many values (at most ${JSON_BOUNDS.maxValues})` },
  not_finite: { zh: '数值超出范围', en: 'is a number out of range' },
  bad_text: { zh: '含有不允许的字符（空字符或无效的 Unicode 代理项）', en: 'holds a character that is not allowed (NUL or a lone surrogate)' },
  forbidden_key: { zh: '不允许的字段名', en: 'is not an allowed field name' },
};

/** The catalog's ERR_VALIDATION for a problem in a field (or in the whole input when `field` is empty). */
export function jsonProblemError(problem: JsonProblem, field: string): Error {
  const name = field || '(body)';
  const text = PROBLEM_TEXT[problem];
  return hotlineError('ERR_VALIDATION', { fields: [{ field: name, message: `${name}：${text.zh}`, message_en: `${name} ${text.en}` }], reason: problem });
}

/** Replaces fastify's JSON body parser with the bounded one: 400 ERR_VALIDATION for anything out of bounds. */
export function installBoundedJsonParser(app: FastifyInstance, bounds: JsonBounds = JSON_BOUNDS): void {
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const raw = typeof body === 'string' ? body : body.toString('utf8');
    const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;   // a byte order mark, as fastify's own parser allows
    if (text.length === 0) { done(hotlineError('ERR_VALIDATION', { reason: 'empty_body' }) as Error, undefined); return; }
    const parsed = parseBoundedJson(text, bounds);
    if (parsed.ok) done(null, parsed.value);
    else done(jsonProblemError(parsed.problem, parsed.field), undefined);
  });
}
