/** The ticket categories the intake form offers: a short two-level list, stored as "<group>/<item>". */
export interface TicketCategoryItem { code: string; zh: string; en: string }
export interface TicketCategoryGroup extends TicketCategoryItem { items: TicketCategoryItem[] }

export const TICKET_CATEGORIES: readonly TicketCategoryGroup[] = [
  { code: 'urban', zh: '城市管理', en: 'City management', items: [
    { code: 'street-vending', zh: '占道经营', en: 'Street vending' },
    { code: 'illegal-building', zh: '违法建设', en: 'Illegal construction' },
    { code: 'sanitation', zh: '环境卫生', en: 'Sanitation' },
    { code: 'greenery', zh: '园林绿化', en: 'Parks and greenery' },
  ] },
  { code: 'utilities', zh: '公用事业', en: 'Public utilities', items: [
    { code: 'water', zh: '供水', en: 'Water supply' },
    { code: 'power', zh: '供电', en: 'Power supply' },
    { code: 'gas', zh: '燃气', en: 'Gas' },
    { code: 'heating', zh: '供暖', en: 'Heating' },
  ] },
  { code: 'transport', zh: '交通出行', en: 'Transport', items: [
    { code: 'public-transit', zh: '公共交通', en: 'Public transit' },
    { code: 'roads', zh: '道路设施', en: 'Roads' },
    { code: 'parking', zh: '停车管理', en: 'Parking' },
    { code: 'taxi', zh: '出租汽车', en: 'Taxis' },
  ] },
  { code: 'housing', zh: '住房物业', en: 'Housing', items: [
    { code: 'property-management', zh: '物业管理', en: 'Property management' },
    { code: 'repairs', zh: '房屋修缮', en: 'Repairs' },
    { code: 'rental', zh: '房屋租赁', en: 'Rental' },
  ] },
  { code: 'environment', zh: '生态环境', en: 'Environment', items: [
    { code: 'noise', zh: '噪声扰民', en: 'Noise' },
    { code: 'air', zh: '大气污染', en: 'Air pollution' },
    { code: 'water-pollution', zh: '水污染', en: 'Water pollution' },
  ] },
  { code: 'social', zh: '社会保障', en: 'Social security', items: [
    { code: 'pension', zh: '养老保险', en: 'Pensions' },
    { code: 'medical', zh: '医疗保障', en: 'Medical insurance' },
    { code: 'employment', zh: '就业服务', en: 'Employment' },
  ] },
  { code: 'market', zh: '市场监管', en: 'Market regulation', items: [
    { code: 'consumer', zh: '消费维权', en: 'Consumer rights' },
    { code: 'food-safety', zh: '食品安全', en: 'Food safety' },
    { code: 'prices', zh: '价格监管', en: 'Prices' },
  ] },
  { code: 'safety', zh: '公共安全', en: 'Public safety', items: [
    { code: 'fire', zh: '消防隐患', en: 'Fire hazards' },
    { code: 'public-order', zh: '社会治安', en: 'Public order' },
  ] },
  { code: 'other', zh: '其他', en: 'Other', items: [
    { code: 'other', zh: '其他事项', en: 'Other matters' },
  ] },
];

const KNOWN = new Set(TICKET_CATEGORIES.flatMap((g) => g.items.map((i) => `${g.code}/${i.code}`)));

export function isTicketCategory(value: string): boolean {
  return KNOWN.has(value);
}

/** 咨询/求助/投诉/举报/建议/表扬 and how they are stored. */
export const TICKET_TYPES = {
  consultation: { zh: '咨询', en: 'Consultation' },
  help: { zh: '求助', en: 'Request for help' },
  complaint: { zh: '投诉', en: 'Complaint' },
  report: { zh: '举报', en: 'Report' },
  suggestion: { zh: '建议', en: 'Suggestion' },
  praise: { zh: '表扬', en: 'Praise' },
} as const;

export type TicketType = keyof typeof TICKET_TYPES;

/** Accepts the stored code or the Chinese word. */
export function ticketTypeOf(value: unknown): TicketType | undefined {
  if (typeof value !== 'string') return undefined;
  if (Object.hasOwn(TICKET_TYPES, value)) return value as TicketType;
  for (const [code, label] of Object.entries(TICKET_TYPES)) if (label.zh === value) return code as TicketType;
  return undefined;
}
