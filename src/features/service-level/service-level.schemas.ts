import Type from 'typebox';
import { GROUPINGS } from './service-level.service.ts';

export const ServiceLevelQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 40, format: 'instant' })),
  to: Type.Optional(Type.String({ maxLength: 40, format: 'instant' })),
  groupBy: Type.Optional(Type.Enum([...GROUPINGS])),
}, { additionalProperties: false });

const Share = Type.Union([Type.Number(), Type.Null()]);

const FigureFields = {
  offered: Type.Integer(),
  answered: Type.Integer(),
  answeredWithin15s: Type.Integer(),
  rate15: Share,
  answerRate: Share,
  abandoned: Type.Integer(),
  shortAbandoned: Type.Integer(),
  overflowed: Type.Integer({ description: 'overflowed to a message and a callback task (转留言回拨): not answered, not abandoned, in offered' }),
  failed: Type.Integer({ description: 'lost with Asterisk before an agent answered: in offered' }),
  asaSeconds: Share,
  ahtSeconds: Share,
  occupancy: Share,
};

export const ServiceLevelReply = Type.Object({
  from: Type.Number(),
  to: Type.Number(),
  groupBy: Type.Union([Type.Enum([...GROUPINGS]), Type.Null()]),
  options: Type.Object({
    answerWithinSeconds: Type.Number(),
    shortAbandonSeconds: Type.Number(),
    excludeShortAbandons: Type.Boolean(),
    utcOffsetMinutes: Type.Number(),
  }),
  total: Type.Object(FigureFields),
  groups: Type.Array(Type.Object({ key: Type.String(), name: Type.String(), ...FigureFields })),
});

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** Start of the hotline's (Asia/Shanghai) day holding `at`. */
export function dayStartOf(at: number): number {
  return Math.floor((at + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
}

/**
 * An instant in a query: epoch milliseconds, a day `2026-11-25` (Asia/Shanghai; as an end it means
 * the end of that day), or an ISO date-time (Asia/Shanghai when it names no zone).
 */
export function parseInstant(value: string, end = false): number | undefined {
  const text = value.trim();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) {
    const utc = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    if (new Date(utc).toISOString().slice(0, 10) !== text) return undefined;
    return utc - SHANGHAI_OFFSET_MS + (end ? DAY_MS : 0);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.test(text)) return undefined;
  const at = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}+08:00`);
  return Number.isNaN(at) ? undefined : at;
}
