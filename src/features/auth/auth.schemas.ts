import Type from 'typebox';

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
}, { additionalProperties: false });

export const AccountReply = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  agentId: Type.Union([Type.String(), Type.Null()]),
  /** Signed in with a one-time password: it must be changed (POST /api/me/password) before anything else. */
  mustChangePassword: Type.Optional(Type.Boolean()),
});

export const LoginReply = Type.Object({
  user: AccountReply,
  agent: Type.Union([Type.Object({ id: Type.String() }), Type.Null()]),
  csrfToken: Type.String(),
  token: Type.String(),
  expiresAt: Type.Number(),
});

export const MeReply = Type.Object({
  user: AccountReply,
  agent: Type.Union([Type.Object({ id: Type.String() }), Type.Null()]),
  csrfToken: Type.String(),
  expiresAt: Type.Number(),
});
