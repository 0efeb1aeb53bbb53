import Type from 'typebox';
import { CALLBACK_OUTCOMES } from './callbacks.repo.ts';

export const CallbackIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const CallbackListQuery = Type.Object({
  status: Type.Optional(Type.Enum(['pending', 'claimed', 'dialing', 'talking', 'done'])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
}, { additionalProperties: false });

export const CallbackOutcomeBody = Type.Object({
  outcome: Type.Enum([...CALLBACK_OUTCOMES]),
}, { additionalProperties: false });

export const CallbackReply = Type.Object({
  id: Type.String(),
  callerNumber: Type.String(),
  line: Type.String(),
  queueId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  status: Type.String(),
  missedCount: Type.Integer(),
  firstMissedAt: Type.Number(),
  lastMissedAt: Type.Number(),
  claimedBy: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  outcome: Type.Union([Type.String(), Type.Null()]),
  outcomeAt: Type.Union([Type.Number(), Type.Null()]),
});

export const CallbackListReply = Type.Object({ offerable: Type.Boolean(), callbacks: Type.Array(CallbackReply) });
