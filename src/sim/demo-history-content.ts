/**
 * What the demo's month of history is about: the mix of requests a Beijing 12345 centre hears in late autumn
 * (heating, parking, noise, property, wages …), where they come from, the words agents and units write, and the
 * agents' rota.
 * Every choice is drawn from the simulator's seeded generator, so a seed gives the same month.
 */
import type { Prng } from './prng.ts';

type Weighted<T> = ReadonlyArray<readonly [T, number]>;

const MIN = 60_000;
const HOUR = 3_600_000;

/** One kind of request: its category, how often it comes, as which types, and what citizens say. */
export interface RequestKind {
  readonly category: string;
  readonly weight: number;
  readonly types: Weighted<string>;
  readonly says: readonly string[];
}

const complaint: Weighted<string> = [['complaint', 7], ['help', 3]];
const help: Weighted<string> = [['help', 8], ['complaint', 2]];
const question: Weighted<string> = [['consultation', 9], ['help', 1]];
const report: Weighted<string> = [['report', 7], ['complaint', 3]];

export const REQUEST_KINDS: readonly RequestKind[] = [
  { category: 'heating/too-cold', weight: 12, types: complaint, says: ['家中暖气不热，室温只有十五六度', '供暖开始后屋里一直不达标，老人孩子受不了'] },
  { category: 'heating/outage', weight: 3, types: help, says: ['整栋楼突然停暖，没有接到任何通知'] },
  { category: 'heating/leak', weight: 2, types: help, says: ['楼上暖气管道漏水，水流到自家屋顶'] },
  { category: 'property/service', weight: 5, types: complaint, says: ['物业不作为，楼道杂物长期无人清理', '物业保安脱岗，小区外来人员随意进出'] },
  { category: 'property/fees', weight: 3, types: complaint, says: ['物业费上涨未经业主同意，要求说明依据'] },
  { category: 'property/lift', weight: 2, types: help, says: ['单元电梯故障停运三天，高层老人无法下楼'] },
  { category: 'sanitation/rubbish', weight: 5, types: complaint, says: ['小区门口垃圾堆放多日无人清运，气味很大', '垃圾桶满溢，周边环境脏乱'] },
  { category: 'sanitation/street-vending', weight: 2, types: complaint, says: ['路口早晚有商贩占道经营，影响通行'] },
  { category: 'traffic/parking', weight: 6, types: complaint, says: ['小区门口车辆乱停乱放，堵住消防通道', '人行道上长期停放僵尸车'] },
  { category: 'traffic/buses', weight: 4, types: question, says: ['咨询公交线路调整后的首末班时间', '反映公交车到站不停、间隔过长'] },
  { category: 'traffic/taxis', weight: 2, types: complaint, says: ['出租车司机绕路多收费，要求处理'] },
  { category: 'pollution/noise', weight: 5, types: complaint, says: ['楼下商铺夜间音响声音过大，影响休息', '广场舞音响声音太大，晚上十点后仍不停'] },
  { category: 'pollution/cooking-fumes', weight: 3, types: complaint, says: ['楼下餐馆油烟直排，家里无法开窗'] },
  { category: 'construction/night-works', weight: 3, types: complaint, says: ['附近工地夜间施工，噪声扰民到凌晨'] },
  { category: 'construction/dust', weight: 2, types: complaint, says: ['工地渣土未苫盖，扬尘严重'] },
  { category: 'water/outage', weight: 3, types: help, says: ['小区突然停水，没有提前通知，何时恢复'] },
  { category: 'water/pressure', weight: 2, types: help, says: ['高层住户水压不足，早晚用水高峰基本没水'] },
  { category: 'power/outage', weight: 2, types: help, says: ['楼里突然停电，冬天取暖受影响'] },
  { category: 'gas/inspection', weight: 1, types: question, says: ['咨询燃气安全检查的时间和收费'] },
  { category: 'market/consumer', weight: 5, types: complaint, says: ['预付卡商家关门跑路，要求退款', '网购商品质量问题，商家拒绝退换'] },
  { category: 'market/food-safety', weight: 2, types: report, says: ['举报餐馆后厨卫生条件差'] },
  { category: 'labour/unpaid-wages', weight: 4, types: help, says: ['公司拖欠三个月工资，多次讨要未果'] },
  { category: 'social-security/pension', weight: 3, types: question, says: ['咨询养老保险转移接续手续'] },
  { category: 'social-security/medical-insurance', weight: 3, types: question, says: ['咨询异地就医备案和报销比例'] },
  { category: 'social-security/card', weight: 3, types: question, says: ['社保卡丢失，咨询补办流程'] },
  { category: 'housing/rental', weight: 3, types: [['consultation', 5], ['complaint', 5]], says: ['房东不退押金，咨询如何维权'] },
  { category: 'housing/crowded-rentals', weight: 1, types: report, says: ['举报楼内有群租房，人员混杂存在安全隐患'] },
  { category: 'education/admission', weight: 2, types: question, says: ['咨询明年幼升小入学登记的时间和材料'] },
  { category: 'health/service', weight: 2, types: complaint, says: ['医院挂号难，号源总是被抢光'] },
  { category: 'repairs/pipes', weight: 2, types: help, says: ['楼道下水管道堵塞返水'] },
  { category: 'repairs/stair-lights', weight: 2, types: help, says: ['楼道照明灯坏了很久无人维修'] },
  { category: 'public-safety/manholes', weight: 1, types: help, says: ['路边井盖缺失，夜间行人容易跌落'] },
  { category: 'illegal-building/structures', weight: 2, types: report, says: ['举报一层住户私搭乱建，侵占公共绿地'] },
  { category: 'business-environment/government-services', weight: 2, types: question, says: ['咨询个体工商户营业执照办理流程'] },
  { category: 'other/thanks', weight: 1, types: [['praise', 1]], says: ['表扬街道工作人员上门帮助解决了供暖问题'] },
  { category: 'other/suggestions', weight: 1, types: [['suggestion', 1]], says: ['建议在小区附近增设公交站点'] },
];

/** Incidents that bring many calls about one place at once (未诉先办: hotspots). */
const INCIDENT_CATEGORIES: readonly string[] = [
  'heating/too-cold', 'heating/outage', 'water/outage', 'power/outage', 'pollution/noise', 'construction/night-works', 'sanitation/rubbish',
];

/** How much of the city's calls each district brings: the big urban districts most. */
export const DISTRICT_WEIGHTS: Weighted<string> = [
  ['110105', 20], ['110108', 16], ['110106', 10], ['110114', 9], ['110102', 8], ['110112', 8], ['110101', 7], ['110115', 7],
  ['110111', 4], ['110113', 4], ['110107', 3], ['110109', 1], ['110116', 1], ['110117', 1], ['110118', 1], ['110119', 1],
];

const OPENERS = ['市民来电反映：', '来电人称：', '市民反映：', '诉求人来电表示：'];
const CLOSERS = ['希望尽快处理。', '请相关部门核实处理。', '诉求人要求回复处理结果。', '希望有关部门给予解决。'];
const PLACES = ['社区', '小区', '家园', '南里', '北里', '西区'];

export const ANSWERS = [
  '已向市民解答相关政策和办理流程，市民表示清楚。',
  '已告知市民办理渠道、所需材料和咨询电话。',
  '已根据知识库内容答复，市民无其他诉求。',
];

export const REPLIES = [
  '已派工作人员现场核实，问题已处理完毕，并与诉求人沟通。',
  '经核实情况属实，已责令相关方整改，现已整改到位。',
  '已联系诉求人说明情况，并协调相关单位落实解决。',
  '已安排维修人员上门处理，诉求人表示认可。',
];

export const RETURN_REASONS = ['该诉求不属于本单位职责范围，建议转相关职能部门办理。', '诉求地址不在本辖区，请重新派发。'];
export const REWORK_REASONS = ['回复内容过于简单，未说明具体处理措施，请补充。', '诉求人反映问题仍未解决，请重新核实办理。'];

export function pick<T>(prng: Prng, items: readonly T[]): T {
  return items[prng.int(items.length)]!;
}

export function pickWeighted<T>(prng: Prng, items: Weighted<T>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let at = prng.next() * total;
  for (const [item, w] of items) {
    at -= w;
    if (at < 0) return item;
  }
  return items[items.length - 1]![0];
}

/** Beijing heats from mid-November to mid-March: heating is what people call about then, and only then. */
export function heatingSeason(at: number): boolean {
  const month = new Date(at + 8 * HOUR).getUTCMonth() + 1;
  return month >= 11 || month <= 3;
}

const inSeason = (category: string, at: number) => !category.startsWith('heating/') || heatingSeason(at);

export function pickKind(prng: Prng, at: number): RequestKind {
  return pickWeighted(prng, REQUEST_KINDS.filter((k) => inSeason(k.category, at)).map((k) => [k, k.weight] as const));
}

export function kindOf(category: string): RequestKind {
  return REQUEST_KINDS.find((k) => k.category === category) ?? REQUEST_KINDS[0]!;
}

export function pickIncident(prng: Prng, at: number): string {
  return pick(prng, INCIDENT_CATEGORIES.filter((c) => inSeason(c, at)));
}

/** The streets and townships of each district, most calls from the first few (a few busy streets bring most of the work). */
export interface Place { districtCode: string; townshipCode: string; townshipName: string }

export function placePicker(townships: ReadonlyArray<{ code: string; name: string; districtCode: string }>) {
  const byDistrict = new Map<string, Array<{ code: string; name: string }>>();
  for (const t of townships) {
    const list = byDistrict.get(t.districtCode) ?? [];
    list.push(t);
    byDistrict.set(t.districtCode, list);
  }
  const districts = DISTRICT_WEIGHTS.filter(([code]) => byDistrict.has(code));
  return (prng: Prng): Place => {
    const districtCode = pickWeighted(prng, districts);
    const list = byDistrict.get(districtCode)!.slice(0, 12);
    const township = pickWeighted(prng, list.map((t, k) => [t, 1 / (k + 1) ** 1.3] as const));
    return { districtCode, townshipCode: township.code, townshipName: township.name };
  };
}

export function addressIn(prng: Prng, place: Place): { community: string; address: string } {
  const base = place.townshipName.replace(/(街道|地区|镇|乡)$/, '');
  const community = `${base}${pick(prng, PLACES)}`;
  return { community: `${community}社区`, address: `${community}${1 + prng.int(30)}号楼${1 + prng.int(6)}单元` };
}

export function describe(prng: Prng, kind: RequestKind, address: string | null): string {
  return `${pick(prng, OPENERS)}${address ? `${address}，` : ''}${pick(prng, kind.says)}，${pick(prng, CLOSERS)}`;
}

/** A day's shifts (hours after midnight): two early, two middle, two late, one night (to the next morning). */
const SHIFTS = [[7, 15.5], [7, 15.5], [9, 17.5], [9, 17.5], [14.5, 23], [14.5, 23], [22.5, 31.5]] as const;

interface Pause { at: number; ms: number; reason: string }
export interface Shift { start: number; end: number; pauses: Pause[] }

/** The rota: each day's shifts go to the agents in turn, with breaks and a meal in each; nobody works two at once. */
export function planShifts(prng: Prng, agents: number, from: number, to: number): Shift[][] {
  const shifts: Shift[][] = Array.from({ length: agents }, () => []);
  let turn = 0;
  for (let day = from; day < to; day += 24 * HOUR) {
    for (const [j, [a, b]] of SHIFTS.entries()) {
      const mine = shifts[turn++ % agents]!;
      const start = day + a * HOUR + prng.int(10) * MIN;
      const end = Math.min(to, day + b * HOUR + prng.int(10) * MIN);
      if (start >= end || (mine.length > 0 && mine[mine.length - 1]!.end > start)) continue;
      const at = (h: number, spread: number) => start + h * HOUR + (prng.next() - 0.5) * spread * MIN;
      // Two on the same shift take their breaks an hour apart.
      const pauses: Pause[] = [
        { at: at(1.5 + (j % 2), 20), ms: (10 + prng.int(10)) * MIN, reason: 'break' },
        { at: at(3.5 + (j % 2), 20), ms: (30 + prng.int(15)) * MIN, reason: 'meal' },
        { at: at(6 + (j % 2), 20), ms: (10 + prng.int(10)) * MIN, reason: 'break' },
      ];
      if (prng.next() < 0.08) pauses.splice(1, 0, { at: at(3, 20), ms: 30 * MIN, reason: prng.next() < 0.5 ? 'training' : 'meeting' });
      mine.push({ start, end, pauses: pauses.sort((x, y) => x.at - y.at) });
    }
  }
  return shifts;
}
