import Type from 'typebox';
import { EARLIEST_MS, LATEST_MS } from '../../input-bounds.ts';

const Millis = Type.Integer({ minimum: 0, description: 'epoch milliseconds' });
/** An instant a request sets: from 2000 up to 2100. */
const InputMillis = Type.Integer({ minimum: EARLIEST_MS, maximum: LATEST_MS - 1, description: 'epoch milliseconds, 2000-2099' });
const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const ArticleParams = Type.Object({ id: Id });

export const ArticleBody = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.String({ minLength: 1, maxLength: 20_000 }),
  category: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
  validFrom: Type.Optional(Type.Union([InputMillis, Type.Null()])),
  validTo: Type.Optional(Type.Union([InputMillis, Type.Null()])),
}, { additionalProperties: false });

export const ArticleUpdateBody = Type.Object({
  ...ArticleBody.properties,
  version: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
}, { additionalProperties: false });

export const Article = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  validFrom: Millis,
  validTo: Type.Union([Millis, Type.Null()]),
  version: Type.Integer(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Millis,
  updatedAt: Millis,
  retiredAt: Type.Union([Millis, Type.Null()]),
});

export const ArticleListQuery = Type.Object({
  category: Type.Optional(Type.String({ maxLength: 100 })),
  includeRetired: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
}, { additionalProperties: false });

export const ArticleList = Type.Object({ items: Type.Array(Article), total: Type.Integer() });

export const KnowledgeSearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 500, description: 'what the agent typed: keywords or the description so far' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 8 })),
}, { additionalProperties: false });

export const KnowledgeSearchReply = Type.Object({
  items: Type.Array(Type.Object({
    id: Type.Integer(),
    title: Type.String(),
    titleHtml: Type.String({ description: 'HTML-escaped title, matches in <mark>' }),
    snippet: Type.String({ description: 'HTML-escaped excerpt, matches in <mark>' }),
    category: Type.Union([Type.String(), Type.Null()]),
    version: Type.Integer(),
    updatedAt: Millis,
    score: Type.Number(),
  })),
});

export const AnswerBody = Type.Object({
  ticketId: Type.String({ minLength: 1, maxLength: 100 }),
  articleId: Id,
}, { additionalProperties: false });

export const AnswerReply = Type.Object({ ticketId: Type.String(), articleId: Type.Integer(), articleVersion: Type.Integer() });

export const RateQuery = Type.Object({
  from: Type.String({ minLength: 1, maxLength: 40, format: 'instant', description: 'first day, yyyy-mm-dd (Asia/Shanghai)' }),
  to: Type.String({ minLength: 1, maxLength: 40, format: 'instant', description: 'last day, inclusive' }),
}, { additionalProperties: false });

const RateFigures = {
  created: Type.Integer(),
  answeredDirectly: Type.Integer(),
  fromKnowledgeBase: Type.Integer(),
  rate: Type.Union([Type.Number(), Type.Null()]),
};

export const RateReply = Type.Object({
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(Type.Object({ day: Type.String(), ...RateFigures })),
  total: Type.Object(RateFigures),
});
