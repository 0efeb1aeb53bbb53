import Type from 'typebox';
import { isUrgencyClass, type UrgencyClass } from '../../domain/deadlines.ts';
import { suggestUrgency } from '../../domain/taxonomy.ts';
import { isTicketCategory, isTicketChannel, ticketTypeOf } from './categories.ts';
import type { TicketChannel, TicketType } from './categories.ts';

export const CallParams = Type.Object({ callId: Type.String({ minLength: 1, maxLength: 100 }) });
export const TicketParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const MAX_DRAFT_BYTES = 32 * 1024;

export const DraftBody = Type.Object({
  data: Type.Record(Type.String(), Type.Unknown(), { maxProperties: 200 }),
  version: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
}, { additionalProperties: false });

/** The intake form. Every field is optional here; what is required is decided by validateTicketForm, in words an agent reads. */
export const TicketBody = Type.Object({
  callId: Type.Optional(Type.String({ maxLength: 100 })),
  fromDraft: Type.Optional(Type.Boolean()),
  callerNumber: Type.Optional(Type.String({ maxLength: 32 })),
  channel: Type.Optional(Type.String({ maxLength: 16 })),
  type: Type.Optional(Type.String({ maxLength: 32 })),
  category: Type.Optional(Type.String({ maxLength: 100 })),
  description: Type.Optional(Type.String({ maxLength: 8000 })),
  districtCode: Type.Optional(Type.String({ maxLength: 32 })),
  townshipCode: Type.Optional(Type.String({ maxLength: 32 })),
  community: Type.Optional(Type.String({ maxLength: 200 })),
  address: Type.Optional(Type.String({ maxLength: 400 })),
  urgency: Type.Optional(Type.String({ maxLength: 32 })),
  contactName: Type.Optional(Type.String({ maxLength: 100 })),
  contactPhone: Type.Optional(Type.String({ maxLength: 40 })),
  confidential: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

/** What the desktop sends to look for an open ticket the request repeats, before the ticket is saved. */
export const MergeOffersQuery = Type.Object({
  callId: Type.Optional(Type.String({ maxLength: 100 })),
  callerNumber: Type.Optional(Type.String({ maxLength: 32 })),
  category: Type.String({ minLength: 1, maxLength: 100 }),
  townshipCode: Type.Optional(Type.String({ maxLength: 32 })),
  address: Type.Optional(Type.String({ maxLength: 400 })),
}, { additionalProperties: false });

export type TicketBodyType = Type.Static<typeof TicketBody>;

export interface FieldError { field: string; message: string; message_en: string }

export interface TicketForm {
  channel: TicketChannel;
  type: TicketType;
  category: string;
  description: string;
  districtCode: string | null;
  townshipCode: string | null;
  community: string | null;
  address: string | null;
  /** Suggested from the category unless the agent chose one. */
  urgency: UrgencyClass;
  contactName: string | null;
  contactPhone: string | null;
  confidential: boolean;
}

/** What the validator needs to know about a unit code. */
export type UnitLookup = (code: string) => { kind: string; districtCode: string | null } | undefined;

/** Types that go to a handling unit need a place; a question or a compliment may come without one. */
const NEEDS_PLACE: ReadonlySet<TicketType> = new Set(['help', 'complaint', 'report']);

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

export function validateTicketForm(input: Record<string, unknown>, unitOf: UnitLookup): { form?: TicketForm; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string, message_en: string) => { errors.push({ field, message, message_en }); };

  const rawChannel = text(input.channel);
  if (rawChannel && !isTicketChannel(rawChannel)) fail('channel', '受理渠道无效，应为电话、网站或微信', 'Unknown channel');

  const rawType = text(input.type);
  const type = ticketTypeOf(rawType);
  if (!rawType) fail('type', '请选择诉求类型', 'Choose the type of request');
  else if (!type) fail('type', '诉求类型无效，应为咨询、求助、投诉、举报、建议或表扬', 'Unknown type of request');

  const category = text(input.category);
  if (!category) fail('category', '请选择分类', 'Choose a category');
  else if (!isTicketCategory(category)) fail('category', '请选择有效的二级分类', 'Choose a valid subcategory');

  const description = text(input.description);
  if (!description) fail('description', '请填写诉求内容', 'Describe the request');
  else if ([...description].length < 5) fail('description', '诉求内容至少需要 5 个字', 'The description needs at least 5 characters');
  else if ([...description].length > 4000) fail('description', '诉求内容不能超过 4000 个字', 'The description is limited to 4000 characters');

  const needsPlace = type !== undefined && NEEDS_PLACE.has(type);
  const districtCode = text(input.districtCode);
  const townshipCode = text(input.townshipCode);
  const district = districtCode ? unitOf(districtCode) : undefined;
  if (!districtCode) {
    if (needsPlace) fail('districtCode', '请选择所属区', 'Choose the district');
  } else if (!district || district.kind !== 'district') {
    fail('districtCode', '所属区无效', 'Unknown district');
  }
  const township = townshipCode ? unitOf(townshipCode) : undefined;
  if (!townshipCode) {
    if (needsPlace || districtCode) fail('townshipCode', '请选择街道/乡镇', 'Choose the street or township');
  } else if (!township || township.kind === 'district') {
    fail('townshipCode', '街道/乡镇无效', 'Unknown street or township');
  } else if (districtCode && township.districtCode !== districtCode) {
    fail('townshipCode', '所选街道/乡镇不属于该区', 'The street or township is not in the chosen district');
  } else if (!districtCode) {
    fail('districtCode', '请选择所属区', 'Choose the district');
  }

  const community = text(input.community);
  if ([...community].length > 100) fail('community', '社区（村）不能超过 100 个字', 'The community is limited to 100 characters');

  const rawUrgency = text(input.urgency);
  if (rawUrgency && !isUrgencyClass(rawUrgency)) fail('urgency', '紧急程度无效', 'Unknown urgency class');

  const address = text(input.address);
  if (!address && needsPlace) fail('address', '请填写详细地址', 'Enter the address');
  else if ([...address].length > 200) fail('address', '详细地址不能超过 200 个字', 'The address is limited to 200 characters');

  const contactName = text(input.contactName);
  if ([...contactName].length > 50) fail('contactName', '联系人不能超过 50 个字', 'The contact name is limited to 50 characters');
  const contactPhone = text(input.contactPhone);
  if (contactPhone && !/^\+?[0-9][0-9-]{2,19}$/.test(contactPhone)) fail('contactPhone', '联系电话格式不正确', 'The contact phone is not a phone number');

  if (input.confidential !== undefined && typeof input.confidential !== 'boolean') fail('confidential', '请选择是否保密', 'Choose whether the ticket is confidential');

  if (errors.length || !type) return { errors };
  return {
    errors,
    form: {
      channel: isTicketChannel(rawChannel) ? rawChannel : 'phone',
      type,
      category,
      description,
      districtCode: districtCode || null,
      townshipCode: townshipCode || null,
      community: community || null,
      address: address || null,
      urgency: isUrgencyClass(rawUrgency) ? rawUrgency : suggestUrgency(category),
      contactName: contactName || null,
      contactPhone: contactPhone || null,
      confidential: input.confidential === true,
    },
  };
}
