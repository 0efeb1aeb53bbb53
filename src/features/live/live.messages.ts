import type { ScreenPop } from '../../bus.ts';
import { checkJsonValue } from '../../http-json.ts';
import type { JsonProblem } from '../../http-json.ts';
import type { Role } from '../auth/auth.service.ts';

/** Who is on the other end of a desktop socket, as the session says. */
export interface LivePrincipal {
  userId: string;
  username: string;
  role: Role;
  displayName: string;
  agentId: string | null;
}

export interface AgentStateView {
  state: string;
  reason?: string;
  since: number;
}

/** Frames the service sends to a desktop. */
export type LiveOutbound =
  | { type: 'hello'; user: { id: string; username: string; role: string; displayName: string }; agent: ({ id: string } & AgentStateView) | null; pop: ScreenPop | null; serverTime: number }
  | { type: 'pop'; pop: ScreenPop }
  | { type: 'agent.state'; agentId: string; state: string; reason?: string; since: number }
  | { type: 'call.ended'; callId: string; endedAt: number }
  | { type: 'pong'; ref?: string; serverTime: number }
  | { type: 'error'; code: string; message: string; message_en: string; ref?: string; details?: Array<{ field: string; message: string }> }
  | { type: string; ref?: string; [key: string]: unknown };

/** A frame a desktop sent, after the envelope checks. */
export interface LiveInbound {
  type: string;
  ref?: string;
  [key: string]: unknown;
}

export type ParsedInbound =
  | { ok: true; message: LiveInbound }
  | { ok: false; reason: 'oversized' | 'not_an_object' | 'no_type' | JsonProblem; ref?: string };

const TYPE_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Checks the envelope of an inbound frame: size, JSON within the bounds of src/http-json.ts (depth, values,
 * finite numbers, no NUL or lone surrogate, no prototype keys), an object with a short `type`. Never throws.
 */
export function parseInbound(raw: unknown, isBinary: boolean, maxBytes: number): ParsedInbound {
  if (isBinary) return { ok: false, reason: 'malformed' };
  const size = rawSize(raw);
  if (size > maxBytes) return { ok: false, reason: 'oversized' };
  const text = rawText(raw);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'not_an_object' };
  const record = value as Record<string, unknown>;
  const ref = typeof record.ref === 'string' && record.ref.length <= 64 && checkJsonValue(record.ref).ok ? record.ref : undefined;
  // JSON.parse itself does not recurse; nothing after this point walks a value that is out of bounds.
  const checked = checkJsonValue(value);
  if (!checked.ok) return ref === undefined ? { ok: false, reason: checked.problem } : { ok: false, reason: checked.problem, ref };
  if (typeof record.type !== 'string' || !TYPE_PATTERN.test(record.type)) {
    return ref === undefined ? { ok: false, reason: 'no_type' } : { ok: false, reason: 'no_type', ref };
  }
  const message: LiveInbound = { ...record, type: record.type };
  if (ref === undefined) delete message.ref; else message.ref = ref;
  return { ok: true, message };
}

function rawSize(raw: unknown): number {
  if (typeof raw === 'string') return Buffer.byteLength(raw);
  if (Buffer.isBuffer(raw)) return raw.length;
  if (Array.isArray(raw)) return raw.reduce((n: number, b: Buffer) => n + b.length, 0);
  if (raw instanceof ArrayBuffer) return raw.byteLength;
  return 0;
}

function rawText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (Array.isArray(raw)) return Buffer.concat(raw as Buffer[]).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return '';
}

const BAD_MESSAGE_TEXT: Record<string, { zh: string; en: string }> = {
  oversized: { zh: '消息过大', en: 'Message too large' },
  malformed: { zh: '消息不是有效的 JSON', en: 'Message is not valid JSON' },
  not_an_object: { zh: '消息必须是 JSON 对象', en: 'Message must be a JSON object' },
  no_type: { zh: '消息缺少有效的 type 字段', en: 'Message has no valid type' },
  unknown_type: { zh: '不支持的消息类型', en: 'Unknown message type' },
  too_fast: { zh: '消息发送过于频繁', en: 'Too many messages' },
  too_deep: { zh: '消息嵌套层级过深', en: 'Message is nested too deeply' },
  too_many_values: { zh: '消息包含的值过多', en: 'Message holds too many values' },
  not_finite: { zh: '消息中的数值超出范围', en: 'Message holds a number out of range' },
  bad_text: { zh: '消息含有不允许的字符（空字符或无效的 Unicode 代理项）', en: 'Message holds a character that is not allowed (NUL or a lone surrogate)' },
  forbidden_key: { zh: '消息含有不允许的字段名', en: 'Message holds a field name that is not allowed' },
};

export function badMessage(reason: keyof typeof BAD_MESSAGE_TEXT | string, ref?: string): LiveOutbound {
  const text = BAD_MESSAGE_TEXT[reason] ?? { zh: '无效消息', en: 'Bad message' };
  const frame: LiveOutbound = { type: 'error', code: 'ERR_BAD_MESSAGE', message: text.zh, message_en: text.en };
  if (ref !== undefined) frame.ref = ref;
  return frame;
}
