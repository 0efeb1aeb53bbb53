import type { UrgencyClass } from './deadlines.ts';

/** Who usually handles a category: the street or township where it happens (属地), or a department or utility. */
export const UNIT_KINDS = ['township', 'department'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

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

export interface CategoryItem {
  readonly code: string;
  readonly zh: string;
  /** The English name; the seed's come from the form's labels (src/features/tickets/categories.ts). */
  readonly en?: string;
  /** Overrides the group's urgency or handling where this item differs (燃气泄漏 is life safety). */
  readonly urgency?: UrgencyClass;
  readonly handling?: UnitKind;
  /** No longer offered for new tickets; kept so that the tickets filed under it keep their meaning. */
  readonly retired?: boolean;
}

export interface CategoryGroup {
  readonly code: string;
  readonly zh: string;
  readonly en?: string;
  readonly urgency: UrgencyClass;
  readonly handling: UnitKind;
  /** Retires every item of the group for new tickets. */
  readonly retired?: boolean;
  readonly items: readonly CategoryItem[];
}

export type Taxonomy = readonly CategoryGroup[];

function group(code: string, zh: string, urgency: UrgencyClass, handling: UnitKind, items: CategoryItem[]): CategoryGroup {
  return { code, zh, urgency, handling, items };
}

/** The seed two-level tree, the first version of the tree the administrators edit (src/features/admin/). */
export const SEED_TAXONOMY: Taxonomy = [
  group('property', '物业管理', 'general', 'township', [
    { code: 'service', zh: '物业服务' }, { code: 'fees', zh: '物业收费' },
    { code: 'lift', zh: '电梯故障', urgency: 'life_safety' }, { code: 'facilities', zh: '公共设施维护' },
    { code: 'owners-committee', zh: '业主委员会' },
  ]),
  group('sanitation', '市容环卫', 'general', 'township', [
    { code: 'rubbish', zh: '垃圾清运' }, { code: 'street-vending', zh: '占道经营' },
    { code: 'graffiti', zh: '乱贴乱画' }, { code: 'billboards', zh: '户外广告' }, { code: 'toilets', zh: '公厕管理' },
  ]),
  group('traffic', '交通管理', 'general', 'department', [
    { code: 'parking', zh: '违章停车', handling: 'township' }, { code: 'signals', zh: '交通信号' },
    { code: 'buses', zh: '公交运营' }, { code: 'taxis', zh: '出租车服务' }, { code: 'congestion', zh: '道路拥堵' },
  ]),
  group('illegal-building', '违法建设', 'complex', 'township', [
    { code: 'structures', zh: '私搭乱建' }, { code: 'extra-floors', zh: '违法加层' },
    { code: 'green-space', zh: '占用绿地' }, { code: 'demolition', zh: '拆除进度' },
  ]),
  group('market', '市场管理', 'general', 'department', [
    { code: 'consumer', zh: '消费纠纷' }, { code: 'food-safety', zh: '食品安全' }, { code: 'prices', zh: '价格违法' },
    { code: 'unlicensed', zh: '无证经营', handling: 'township' }, { code: 'quality', zh: '产品质量' },
  ]),
  group('pollution', '环境污染', 'general', 'department', [
    { code: 'noise', zh: '噪声扰民', handling: 'township' }, { code: 'air', zh: '大气污染' },
    { code: 'water', zh: '水污染' }, { code: 'cooking-fumes', zh: '餐饮油烟', handling: 'township' },
    { code: 'industrial', zh: '工业污染' },
  ]),
  group('construction', '施工管理', 'general', 'department', [
    { code: 'night-works', zh: '夜间施工', handling: 'township' }, { code: 'dust', zh: '施工扬尘' },
    { code: 'site-safety', zh: '施工安全', urgency: 'life_safety' }, { code: 'road-digging', zh: '道路挖掘' },
  ]),
  group('heating', '供暖', 'utilities', 'department', [
    { code: 'too-cold', zh: '室温不达标' }, { code: 'outage', zh: '停暖' },
    { code: 'leak', zh: '暖气漏水' }, { code: 'fees', zh: '供暖收费', urgency: 'general' },
  ]),
  group('water', '供水', 'utilities', 'department', [
    { code: 'outage', zh: '停水' }, { code: 'quality', zh: '水质问题' }, { code: 'pressure', zh: '水压不足' },
    { code: 'burst-main', zh: '管道爆裂' }, { code: 'fees', zh: '水费', urgency: 'general' },
  ]),
  group('power', '供电', 'utilities', 'department', [
    { code: 'outage', zh: '停电' }, { code: 'voltage', zh: '电压不稳' },
    { code: 'hazard', zh: '线路隐患', urgency: 'life_safety' }, { code: 'fees', zh: '电费', urgency: 'general' },
  ]),
  group('gas', '燃气', 'utilities', 'department', [
    { code: 'leak', zh: '燃气泄漏', urgency: 'life_safety' }, { code: 'outage', zh: '停气' },
    { code: 'inspection', zh: '燃气安全检查', urgency: 'general' }, { code: 'fees', zh: '燃气收费', urgency: 'general' },
  ]),
  group('education', '教育', 'general', 'department', [
    { code: 'admission', zh: '入学入园' }, { code: 'tutoring', zh: '校外培训' }, { code: 'fees', zh: '教育收费' },
    { code: 'school-safety', zh: '校园安全' }, { code: 'teacher-conduct', zh: '教师师德' },
  ]),
  group('repairs', '修缮', 'general', 'township', [
    { code: 'roof-leak', zh: '房屋漏雨' }, { code: 'pipes', zh: '上下水管道' }, { code: 'stair-lights', zh: '楼道照明' },
    { code: 'facade', zh: '外墙脱落', urgency: 'life_safety' }, { code: 'old-estates', zh: '老旧小区改造', urgency: 'complex' },
  ]),
  group('social-security', '社会保障', 'general', 'department', [
    { code: 'pension', zh: '养老保险' }, { code: 'medical-insurance', zh: '医疗保险' },
    { code: 'assistance', zh: '低保救助', handling: 'township' }, { code: 'disability', zh: '残疾人服务' },
    { code: 'card', zh: '社保卡' },
  ]),
  group('health', '医疗卫生', 'general', 'department', [
    { code: 'service', zh: '医疗服务' }, { code: 'disputes', zh: '医患纠纷', urgency: 'complex' },
    { code: 'vaccination', zh: '疫苗接种' }, { code: 'medicines', zh: '药品管理' }, { code: 'fees', zh: '医疗收费' },
  ]),
  group('housing', '房屋管理', 'general', 'department', [
    { code: 'rental', zh: '房屋租赁' }, { code: 'registration', zh: '不动产登记' },
    { code: 'affordable', zh: '保障性住房' }, { code: 'developers', zh: '房地产开发', urgency: 'complex' },
    { code: 'crowded-rentals', zh: '群租房', handling: 'township' },
  ]),
  group('labour', '劳动就业', 'general', 'department', [
    { code: 'unpaid-wages', zh: '拖欠工资' }, { code: 'contracts', zh: '劳动合同' }, { code: 'jobs', zh: '就业服务' },
    { code: 'training', zh: '职业培训' }, { code: 'work-injury', zh: '工伤认定', urgency: 'complex' },
  ]),
  group('public-safety', '公共安全', 'general', 'township', [
    { code: 'fire', zh: '消防隐患', urgency: 'life_safety' }, { code: 'public-order', zh: '社会治安' },
    { code: 'work-safety', zh: '安全生产', handling: 'department' },
    { code: 'chemicals', zh: '危险化学品', urgency: 'life_safety', handling: 'department' },
    { code: 'manholes', zh: '井盖缺失', urgency: 'life_safety' },
  ]),
  group('business-environment', '营商环境', 'general', 'department', [
    { code: 'government-services', zh: '政务服务' }, { code: 'enterprise', zh: '企业诉求' },
    { code: 'approvals', zh: '审批办理' }, { code: 'support-policies', zh: '惠企政策' },
  ]),
  group('other', '其他', 'general', 'township', [
    { code: 'suggestions', zh: '意见建议' }, { code: 'thanks', zh: '表扬感谢' }, { code: 'other', zh: '其他事项' },
  ]),
];

/**
 * Where the tree in force is read from: the service registers the administrators' current version at start
 * (src/features/admin/category-versions.ts); the seed when none is registered (tools, unit tests). The
 * functions below read it whenever they are not given a tree, so a new version applies to the next call.
 */
const sources: Array<() => Taxonomy> = [];

/** The tree in force now. */
export function taxonomyInForce(): Taxonomy {
  const source = sources[sources.length - 1];
  return source ? source() : SEED_TAXONOMY;
}

/** Reads the tree in force from `source` until the returned function is called. */
export function readTaxonomyFrom(source: () => Taxonomy): () => void {
  sources.push(source);
  return () => {
    const i = sources.lastIndexOf(source);
    if (i >= 0) sources.splice(i, 1);
  };
}

export interface CategoryMatch {
  readonly group: CategoryGroup;
  readonly item: CategoryItem | null;
  /** The stored form, '<group>/<item>' or '<group>'. */
  readonly code: string;
}

/** A category by its code ('water/outage', 'water') or its Chinese path ('供水/停水', '供水'). */
export function findCategory(category: string, taxonomy: Taxonomy = taxonomyInForce()): CategoryMatch | undefined {
  const [groupKey, itemKey, ...rest] = category.split('/').map((part) => part.trim());
  if (rest.length > 0 || groupKey === undefined) return undefined;
  const found = taxonomy.find((g) => g.code === groupKey || g.zh === groupKey);
  if (found === undefined) return undefined;
  if (itemKey === undefined) return { group: found, item: null, code: found.code };
  const item = found.items.find((i) => i.code === itemKey || i.zh === itemKey);
  return item === undefined ? undefined : { group: found, item, code: `${found.code}/${item.code}` };
}

/** A category that may be chosen for a new ticket: known and not retired (neither it nor its group). */
export function isCategory(category: string, taxonomy: Taxonomy = taxonomyInForce()): boolean {
  const match = findCategory(category, taxonomy);
  return match !== undefined && !isRetired(match);
}

export function isRetired(match: CategoryMatch): boolean {
  return match.group.retired === true || match.item?.retired === true;
}

/** '供水 / 停水' for 'water/outage'; the input itself when unknown. */
export function categoryLabel(category: string, taxonomy: Taxonomy = taxonomyInForce()): string {
  const match = findCategory(category, taxonomy);
  if (match === undefined) return category;
  return match.item === null ? match.group.zh : `${match.group.zh} / ${match.item.zh}`;
}

/** The urgency class a category suggests; 'general' for a category the tree does not know. */
export function suggestUrgency(category: string, taxonomy: Taxonomy = taxonomyInForce()): UrgencyClass {
  const match = findCategory(category, taxonomy);
  return match?.item?.urgency ?? match?.group.urgency ?? 'general';
}

/** The kind of unit a category is usually dispatched to; the township where it happens when unknown. */
export function suggestUnitKind(category: string, taxonomy: Taxonomy = taxonomyInForce()): UnitKind {
  const match = findCategory(category, taxonomy);
  return match?.item?.handling ?? match?.group.handling ?? 'township';
}

/** Every problem with a configured tree, in Chinese; empty when the tree is usable. */
export function taxonomyProblems(taxonomy: Taxonomy): string[] {
  const problems: string[] = [];
  const groupCodes = new Set<string>();
  for (const g of taxonomy) {
    if (!/^[a-z0-9-]+$/.test(g.code)) problems.push(`分类编码格式不正确：${g.code}`);
    if (groupCodes.has(g.code)) problems.push(`分类编码重复：${g.code}`);
    groupCodes.add(g.code);
    if (g.items.length === 0) problems.push(`分类没有子类：${g.zh}`);
    const itemCodes = new Set<string>();
    for (const i of g.items) {
      if (!/^[a-z0-9-]+$/.test(i.code)) problems.push(`子类编码格式不正确：${g.code}/${i.code}`);
      if (itemCodes.has(i.code)) problems.push(`子类编码重复：${g.code}/${i.code}`);
      itemCodes.add(i.code);
    }
  }
  return problems;
}
