import { ERRORS, isHotlineError } from './domain/errors.ts';
import type { ErrorCode } from './domain/errors.ts';
import { AriError } from './pbx/ari/client.types.ts';
import { storeFailure } from './store/store-errors.ts';

/** One field that was wrong, in the agent's words and in English. */
export interface FieldDetail { field: string; message: string; message_en?: string }

/** The `error` member of every failed HTTP reply, and the fields of a websocket `error` frame. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;            // Simplified Chinese
  message_en: string;
  details: FieldDetail[];
  context?: Record<string, unknown>;
}

export interface DescribedError { status: number; body: ErrorBody; retryAfterSeconds?: number }

interface SchemaIssue { instancePath?: string; keyword?: string; params?: Record<string, unknown>; message?: string }

const KEYWORD_TEXT: Record<string, { zh: string; en: string }> = {
  required: { zh: '必填', en: 'is required' },
  type: { zh: '类型不正确', en: 'has the wrong type' },
  minLength: { zh: '内容过短', en: 'is too short' },
  maxLength: { zh: '内容过长', en: 'is too long' },
  pattern: { zh: '格式不正确', en: 'has the wrong format' },
  format: { zh: '格式不正确', en: 'has the wrong format' },
  enum: { zh: '取值无效', en: 'is not an allowed value' },
  const: { zh: '取值无效', en: 'is not an allowed value' },
  minimum: { zh: '数值过小', en: 'is too small' },
  maximum: { zh: '数值过大', en: 'is too large' },
  additionalProperties: { zh: '不允许的字段', en: 'is not an allowed field' },
  anyOf: { zh: '取值无效', en: 'is not an allowed value' },
};

function fieldOf(issue: SchemaIssue): string {
  const base = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const extra = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  const name = typeof extra === 'string' ? (base ? `${base}.${extra}` : extra) : base;
  return name || '(body)';
}

export function schemaDetails(issues: SchemaIssue[]): FieldDetail[] {
  const seen = new Set<string>();
  const out: FieldDetail[] = [];
  for (const issue of issues) {
    const field = fieldOf(issue);
    const text = KEYWORD_TEXT[issue.keyword ?? ''] ?? { zh: '取值无效', en: issue.message ?? 'is not valid' };
    const key = `${field}:${text.zh}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message: `${field}：${text.zh}`, message_en: `${field} ${text.en}` });
  }
  return out;
}

function body(code: ErrorCode, details: FieldDetail[] = [], context?: Record<string, unknown>): ErrorBody {
  const b: ErrorBody = { code, message: ERRORS[code].zh, message_en: ERRORS[code].en, details };
  if (context && Object.keys(context).length) b.context = context;
  return b;
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'ERR_UNAUTHENTICATED';
  if (status === 403) return 'ERR_FORBIDDEN';
  if (status === 404) return 'ERR_NOT_FOUND';
  if (status === 409) return 'ERR_CONFLICT';
  if (status === 413) return 'ERR_PAYLOAD_TOO_LARGE';
  if (status === 429) return 'ERR_RATE_LIMITED';
  if (status === 503) return 'ERR_PBX_UNAVAILABLE';
  if (status >= 400 && status < 500) return 'ERR_VALIDATION';
  return 'ERR_INTERNAL';
}

/** Turns anything thrown into the catalog's code, status and a body a desktop can show. */
export function describeError(thrown: unknown): DescribedError {
  const error = storeFailure(thrown) ?? thrown;
  if (isHotlineError(error)) {
    const { fields, ...context } = (error.details ?? {}) as { fields?: unknown } & Record<string, unknown>;
    const details = Array.isArray(fields) ? (fields as FieldDetail[]) : [];
    return { status: error.status, body: body(error.code, details, context) };
  }
  if (error instanceof AriError) {
    const code: ErrorCode = error.notFound ? 'ERR_NOT_FOUND' : 'ERR_PBX_UNAVAILABLE';
    return { status: ERRORS[code].status, body: body(code) };
  }
  const e = (error ?? {}) as { validation?: SchemaIssue[]; statusCode?: number; code?: string };
  if (Array.isArray(e.validation)) return { status: 400, body: body('ERR_VALIDATION', schemaDetails(e.validation)) };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  const code = codeForStatus(status);
  const described: DescribedError = { status: ERRORS[code].status, body: body(code) };
  if (code === 'ERR_RATE_LIMITED') described.retryAfterSeconds = 60;
  return described;
}
