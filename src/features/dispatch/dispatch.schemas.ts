import Type from 'typebox';

/** The most an extension may ask for, in the completion clock's unit (working days, hours): 90. */
export const MAX_EXTENSION = 90;

export const TicketIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

const Text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const Units = Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10 }));
const Urgency = Type.Optional(Type.Union([Type.Literal('life_safety'), Type.Literal('utilities'), Type.Literal('general'), Type.Literal('complex')]));

/** Bodies stay lenient on presence: a missing reason or result is refused by the lifecycle with a Chinese field message. */
export const DispatchBody = Type.Object({ leadUnit: Text(64), cooperatingUnits: Units, urgency: Urgency }, { additionalProperties: false });
export const AnswerBody = Type.Object({ answer: Text(4000) }, { additionalProperties: false });
export const ReasonBody = Type.Object({ reason: Text(1000) }, { additionalProperties: false });
export const OptionalNoteBody = Type.Object({ note: Text(1000) }, { additionalProperties: false });
export const ReplyBody = Type.Object({ result: Text(4000), actions: Text(4000) }, { additionalProperties: false });
export const MergeBody = Type.Object({ masterId: Text(100) }, { additionalProperties: false });
export const NoteBody = Type.Object({ note: Text(2000), callId: Text(100) }, { additionalProperties: false });
export const ExtensionBody = Type.Object({
  amount: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_EXTENSION, description: '延期时长，按办结时限的单位（工作日或小时），至多 90' })),
  reason: Text(1000),
}, { additionalProperties: false });
export const ReopenBody = Type.Object({ reason: Text(1000), leadUnit: Text(64) }, { additionalProperties: false });
export const EmptyBody = Type.Optional(Type.Object({}, { additionalProperties: false }));

export const InboxQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 32 })),
  overdue: Type.Optional(Type.Boolean()),
  scope: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('all')])),
  unit: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
}, { additionalProperties: false });

/** A list of notices (a unit's, or the centre's): the unread ones only, or the most recent. */
export const NoticesQuery = Type.Object({
  unread: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
}, { additionalProperties: false });

/** Notices to mark read: these, or all. */
export const ReadBody = Type.Object({
  ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), { maxItems: 200 })),
  all: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
