import Type from 'typebox';

export const AgentLoginBody = Type.Object({
  seat: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.-]{1,64}$' })),
}, { additionalProperties: false });

export const AgentStateBody = Type.Object({
  state: Type.Enum(['ready', 'paused']),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });

export const AgentReply = Type.Object({
  id: Type.String(),
  name: Type.String(),
  seat: Type.String(),
  state: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  since: Type.Number(),
  registered: Type.Boolean(),
  callId: Type.Union([Type.String(), Type.Null()]),
});

export const AgentListReply = Type.Object({ agents: Type.Array(AgentReply) });

export const AgentSkillsBody = Type.Object({
  skills: Type.Record(Type.String({ pattern: '^[a-z0-9_-]{1,32}$' }), Type.Integer({ minimum: 1, maximum: 5 }), { maxProperties: 64 }),
}, { additionalProperties: false });

export const AgentSkillsReply = Type.Object({
  agentId: Type.String(),
  skills: Type.Record(Type.String(), Type.Integer()),
});

export const AgentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
