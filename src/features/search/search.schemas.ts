import Type from 'typebox';

/** The filters shared by search and export. */
export const TicketFilterProperties = {
  q: Type.Optional(Type.String({ maxLength: 200, description: '描述或地址中的文字；多个词以空格分隔，须全部出现' })),
  number: Type.Optional(Type.String({ maxLength: 13, description: '工单编号，或其开头（如日期 20261122）' })),
  caller: Type.Optional(Type.String({ maxLength: 32, description: '来电号码或联系电话' })),
  unit: Type.Optional(Type.String({ maxLength: 32, description: '所在街道乡镇或承办单位代码' })),
  category: Type.Optional(Type.String({ maxLength: 100, description: '分类（property/lift）或大类（property）' })),
  status: Type.Optional(Type.String({ maxLength: 200, description: '状态，逗号分隔' })),
  from: Type.Optional(Type.String({ maxLength: 40, format: 'instant', description: '受理时间起：yyyy-mm-dd（北京时间）、ISO 时间或毫秒，2000 年至 2099 年' })),
  to: Type.Optional(Type.String({ maxLength: 40, format: 'instant', description: '受理时间止（日期含当天）' })),
};

export const TicketSearchQuery = Type.Object({
  ...TicketFilterProperties,
  cursor: Type.Optional(Type.String({ maxLength: 40, description: '上一页返回的 nextCursor' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
}, { additionalProperties: false });

const Text = Type.Union([Type.String(), Type.Null()]);

export const TicketHit = Type.Object({
  id: Type.String(),
  number: Type.String(),
  channel: Type.String(),
  type: Type.String(),
  category: Text,
  description: Type.String(),
  districtCode: Text,
  townshipCode: Text,
  community: Text,
  address: Text,
  urgency: Type.String(),
  callerNumber: Text,
  contactName: Text,
  contactPhone: Text,
  confidential: Type.Boolean(),
  status: Type.String(),
  leadUnit: Text,
  kbArticleId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.Integer(),
  closedAt: Type.Union([Type.Integer(), Type.Null()]),
});

export const TicketSearchReply = Type.Object({
  items: Type.Array(TicketHit),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
