/**
 * The ticket categories and types the intake form offers, read from the tree in force (the administrators'
 * current version, src/features/admin/category-versions.ts; stored on a ticket as "<group>/<item>"), with the
 * English labels the desktop shows after the language switch.
 */
import { SEED_TAXONOMY, TICKET_TYPES, findCategory, isRetired, taxonomyInForce, ticketTypeOf } from '../../domain/taxonomy.ts';
import type { Taxonomy, TicketType } from '../../domain/taxonomy.ts';

export { TICKET_TYPES, ticketTypeOf };
export type { TicketType };

export interface TicketCategoryItem { code: string; zh: string; en: string }
export interface TicketCategoryGroup extends TicketCategoryItem { urgency: string; handling: string; items: Array<TicketCategoryItem & { urgency: string; handling: string }> }

/** 电话, 网站, 微信: how the request reached the hotline. */
export const TICKET_CHANNELS = {
  phone: { zh: '电话', en: 'Phone' },
  web: { zh: '网站', en: 'Web' },
  wechat: { zh: '微信', en: 'WeChat' },
} as const;
export type TicketChannel = keyof typeof TICKET_CHANNELS;

export function isTicketChannel(value: unknown): value is TicketChannel {
  return typeof value === 'string' && Object.hasOwn(TICKET_CHANNELS, value);
}

/** The seed tree's English names (a version edited in the console carries its own). */
const GROUP_EN: Readonly<Record<string, string>> = {
  property: 'Property management', sanitation: 'City appearance and sanitation', traffic: 'Traffic',
  'illegal-building': 'Illegal construction', market: 'Market regulation', pollution: 'Environmental pollution',
  construction: 'Construction sites', heating: 'Heating', water: 'Water supply', power: 'Power supply', gas: 'Gas',
  education: 'Education', repairs: 'Repairs', 'social-security': 'Social security', health: 'Health care',
  housing: 'Housing', labour: 'Labour and employment', 'public-safety': 'Public safety',
  'business-environment': 'Business environment', other: 'Other',
};

const ITEM_EN: Readonly<Record<string, string>> = {
  'property/service': 'Property services', 'property/fees': 'Property fees', 'property/lift': 'Lift breakdown',
  'property/facilities': 'Shared facilities', 'property/owners-committee': "Owners' committee",
  'sanitation/rubbish': 'Rubbish collection', 'sanitation/street-vending': 'Street vending', 'sanitation/graffiti': 'Fly-posting',
  'sanitation/billboards': 'Outdoor advertising', 'sanitation/toilets': 'Public toilets',
  'traffic/parking': 'Illegal parking', 'traffic/signals': 'Traffic signals', 'traffic/buses': 'Bus services',
  'traffic/taxis': 'Taxi services', 'traffic/congestion': 'Congestion',
  'illegal-building/structures': 'Unauthorised structures', 'illegal-building/extra-floors': 'Illegal extra floors',
  'illegal-building/green-space': 'Building on green space', 'illegal-building/demolition': 'Demolition progress',
  'market/consumer': 'Consumer disputes', 'market/food-safety': 'Food safety', 'market/prices': 'Illegal pricing',
  'market/unlicensed': 'Unlicensed business', 'market/quality': 'Product quality',
  'pollution/noise': 'Noise', 'pollution/air': 'Air pollution', 'pollution/water': 'Water pollution',
  'pollution/cooking-fumes': 'Cooking fumes', 'pollution/industrial': 'Industrial pollution',
  'construction/night-works': 'Night works', 'construction/dust': 'Construction dust',
  'construction/site-safety': 'Site safety', 'construction/road-digging': 'Road excavation',
  'heating/too-cold': 'Rooms too cold', 'heating/outage': 'Heating outage', 'heating/leak': 'Radiator leak', 'heating/fees': 'Heating fees',
  'water/outage': 'Water outage', 'water/quality': 'Water quality', 'water/pressure': 'Low water pressure',
  'water/burst-main': 'Burst main', 'water/fees': 'Water bills',
  'power/outage': 'Power cut', 'power/voltage': 'Unstable voltage', 'power/hazard': 'Line hazard', 'power/fees': 'Electricity bills',
  'gas/leak': 'Gas leak', 'gas/outage': 'Gas outage', 'gas/inspection': 'Gas safety inspection', 'gas/fees': 'Gas bills',
  'education/admission': 'School admission', 'education/tutoring': 'Private tutoring', 'education/fees': 'School fees',
  'education/school-safety': 'School safety', 'education/teacher-conduct': 'Teacher conduct',
  'repairs/roof-leak': 'Leaking roof', 'repairs/pipes': 'Water and drain pipes', 'repairs/stair-lights': 'Stairwell lighting',
  'repairs/facade': 'Falling facade', 'repairs/old-estates': 'Old estate renovation',
  'social-security/pension': 'Pension insurance', 'social-security/medical-insurance': 'Medical insurance',
  'social-security/assistance': 'Minimum living allowance', 'social-security/disability': 'Disability services',
  'social-security/card': 'Social security card',
  'health/service': 'Medical services', 'health/disputes': 'Doctor–patient disputes', 'health/vaccination': 'Vaccination',
  'health/medicines': 'Medicines', 'health/fees': 'Medical fees',
  'housing/rental': 'Renting', 'housing/registration': 'Property registration', 'housing/affordable': 'Affordable housing',
  'housing/developers': 'Property developers', 'housing/crowded-rentals': 'Overcrowded rentals',
  'labour/unpaid-wages': 'Unpaid wages', 'labour/contracts': 'Labour contracts', 'labour/jobs': 'Job services',
  'labour/training': 'Vocational training', 'labour/work-injury': 'Work injury',
  'public-safety/fire': 'Fire hazards', 'public-safety/public-order': 'Public order', 'public-safety/work-safety': 'Work safety',
  'public-safety/chemicals': 'Hazardous chemicals', 'public-safety/manholes': 'Missing manhole covers',
  'business-environment/government-services': 'Government services', 'business-environment/enterprise': 'Business requests',
  'business-environment/approvals': 'Approvals', 'business-environment/support-policies': 'Business support policies',
  'other/suggestions': 'Suggestions', 'other/thanks': 'Praise and thanks', 'other/other': 'Other matters',
};

/** One node of the form's tree: the taxonomy's code and Chinese label, the English one, and the defaults it carries. */
function labelled(code: string, zh: string, en: string | undefined, defaults: { urgency: string; handling: string }) {
  return { code, zh, en: en ?? zh, urgency: defaults.urgency, handling: defaults.handling };
}

/**
 * Every group and item of a tree with its Chinese and English label and its defaults; with `offered`, only
 * what may be chosen for a new ticket (retired groups and items left out).
 */
export function categoryTree(taxonomy: Taxonomy = taxonomyInForce(), opts: { offered?: boolean } = {}): TicketCategoryGroup[] {
  const shown = <T extends { retired?: boolean }>(nodes: readonly T[]): readonly T[] => (opts.offered ? nodes.filter((n) => n.retired !== true) : nodes);
  return shown(taxonomy).map((g) => ({
    ...labelled(g.code, g.zh, g.en ?? GROUP_EN[g.code], g),
    items: shown(g.items).map((i) => labelled(i.code, i.zh, i.en ?? ITEM_EN[`${g.code}/${i.code}`], { urgency: i.urgency ?? g.urgency, handling: i.handling ?? g.handling })),
  }));
}

/** The seed tree with its labels: the first version the administrators start from. */
export const TICKET_CATEGORIES: readonly TicketCategoryGroup[] = categoryTree(SEED_TAXONOMY);

/** The intake form's tree now: the version in force, retired groups and items left out. */
export function ticketCategories(): TicketCategoryGroup[] {
  return categoryTree(taxonomyInForce(), { offered: true });
}

/** A category a new ticket may be filed under: a second-level code, '<group>/<item>', in force and not retired. */
export function isTicketCategory(value: string, taxonomy: Taxonomy = taxonomyInForce()): boolean {
  const match = findCategory(value, taxonomy);
  return match !== undefined && match.item !== null && match.code === value && !isRetired(match);
}
