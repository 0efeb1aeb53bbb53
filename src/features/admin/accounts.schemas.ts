import Type from 'typebox';
import { ROLES } from '../auth/auth.service.ts';

const closed = { additionalProperties: false } as const;
const nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

const Username = Type.String({ minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$' });
const DisplayName = Type.String({ minLength: 1, maxLength: 64 });
const Seat = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$' });
const QueueId = Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9_-]{1,32}$' });
const UnitCode = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]{1,32}$' });
const Skills = Type.Record(Type.String({ pattern: '^[a-z0-9_-]{1,32}$' }), Type.Integer({ minimum: 1, maximum: 5 }), { maxProperties: 32 });
const Role = Type.Enum([...ROLES]);
const Offset = Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 });
const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 50 });
const Time = Type.Integer({ minimum: 0, maximum: 10_000_000_000_000 });

export const UserIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]{1,64}$' }) }, closed);

export const UserListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 64 })),
  role: Type.Optional(Role),
  unit: Type.Optional(UnitCode),
  desk: Type.Optional(QueueId),
  state: Type.Optional(Type.Enum(['active', 'disabled', 'must_change'])),
  offset: Type.Optional(Offset),
  limit: Type.Optional(Limit),
}, closed);

export const CreateUserBody = Type.Object({
  username: Username,
  displayName: DisplayName,
  role: Role,
  seat: Type.Optional(Seat),
  skills: Type.Optional(Skills),
  desk: Type.Optional(QueueId),
  unitCode: Type.Optional(UnitCode),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
}, closed);

export const PatchUserBody = Type.Object({
  displayName: Type.Optional(DisplayName),
  seat: Type.Optional(Seat),
  skills: Type.Optional(Skills),
  desk: Type.Optional(nullable(QueueId)),
  unitCode: Type.Optional(UnitCode),
}, { ...closed, minProperties: 1 });

export const ImportQuery = Type.Object({ dryRun: Type.Optional(Type.Boolean({ default: false })) }, closed);
export const ImportBody = Type.String({ maxLength: 5 * 1024 * 1024 });

export const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z_.]{1,40}$' })),
  from: Type.Optional(Time),
  to: Type.Optional(Time),
  offset: Type.Optional(Offset),
  limit: Type.Optional(Limit),
}, closed);

export const UserReply = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  seat: nullable(Type.String()),
  skills: nullable(Type.Record(Type.String(), Type.Integer())),
  desk: nullable(Type.String()),
  unitCode: nullable(Type.String()),
  unitName: nullable(Type.String()),
  disabled: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  createdAt: Type.Number(),
  lastLoginAt: nullable(Type.Number()),
});

export const UserListReply = Type.Object({ total: Type.Integer(), users: Type.Array(UserReply) });
export const OneUserReply = Type.Object({ user: UserReply });
export const CreatedUserReply = Type.Object({ user: UserReply, initialPassword: Type.Optional(Type.String()) });
export const ResetPasswordReply = Type.Object({ initialPassword: Type.String(), user: UserReply });

const ImportErrorReply = Type.Object({ row: Type.Integer(), column: Type.String(), reason: Type.String(), reason_en: Type.String() });
export const ImportCheckReply = Type.Object({ ok: Type.Boolean(), rows: Type.Integer(), errors: Type.Array(ImportErrorReply) });
export const ImportDoneReply = Type.Object({ created: Type.Integer(), passwords: Type.String() });

export const AuditListReply = Type.Object({
  total: Type.Integer(),
  entries: Type.Array(Type.Object({
    id: Type.Integer(), at: Type.Number(), actorId: nullable(Type.String()), actor: Type.String(), client: nullable(Type.String()),
    action: Type.String(), target: nullable(Type.String()), before: Type.Unknown(), after: Type.Unknown(),
    outcome: Type.String(), reason: nullable(Type.String()),
  })),
});

export const CsvReply = { description: 'CSV (UTF-8 with BOM)', content: { 'text/csv': { schema: { type: 'string' } } } };
