/**
 * Full-text ticket search over 1,000,000 tickets and knowledge-base search over 10,000 articles, each in a
 * temporary SQLite file built with a seeded generator. Reports build times, index size and p50/p99 per query kind.
 * `npx tsx bench/search.ts [tickets] [articles]` runs it alone.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { migrate, openDatabase } from '../src/store/database.ts';
import type { Database } from '../src/store/database.ts';
import { createLogger } from '../src/log.ts';
import { realClock } from '../src/clock.ts';
import { createSearchRepo } from '../src/features/search/search.repo.ts';
import { createTicketSearchService } from '../src/features/search/search.service.ts';
import { createKnowledgeRepo } from '../src/features/knowledge/knowledge.repo.ts';
import { createKnowledgeService } from '../src/features/knowledge/knowledge.service.ts';
import { readKnowledgeSeed } from '../src/features/knowledge/knowledge.seed.ts';
import type { Account } from '../src/features/auth/auth.service.ts';
import { percentile } from './stats.ts';
import { createPrng } from '../src/sim/prng.ts';

type Figures = Record<string, number | string>;

/** A seeded generator (the simulator's mulberry32), so that runs are comparable. */
const seeded = (seed: number): (() => number) => createPrng(seed).next;

const ROADS = ['建国路', '朝阳门外大街', '光华路', '东三环中路', '望京西路', '中关村大街', '学院路', '西直门外大街', '丰台北路', '南苑路',
  '长安街', '广安门内大街', '双井桥南', '劲松路', '潘家园路', '亦庄文化园路', '回龙观东大街', '天通苑北街', '通州新华大街', '大兴黄村西大街'];
const ESTATES = ['阳光小区', '金台里', '团结湖北区', '和平里七区', '方庄芳古园', '望京花园', '翠微路', '紫竹院南路', '马家堡西里', '万科城市花园',
  '首开常青藤', '远洋山水', '富力城', '华贸公寓', '龙湖滟澜山', '北苑家园', '世纪城', '幸福二村', '新街口外大街', '牡丹园'];
const PROBLEMS: Array<[string, string[]]> = [
  ['噪声扰民', ['工地夜间施工', '楼上装修', '广场舞音响', '商户外放音乐', '空调外机']],
  ['漏水', ['暖气片', '楼上卫生间', '屋顶', '自来水管道', '地下车库']],
  ['违法停车', ['消防通道', '小区门口', '人行道', '公交站台', '盲道']],
  ['暖气不热', ['室温只有十五度', '已经报修三次', '家里有老人孩子', '供热公司不上门', '楼上楼下都不热']],
  ['垃圾无人清运', ['垃圾桶满溢', '装修垃圾堆放', '厨余垃圾发臭', '大件垃圾占道', '垃圾分类不到位']],
  ['电梯故障', ['经常停运', '困人无人救援', '维保单位不作为', '异响', '按键失灵']],
  ['停水', ['没有提前通知', '已经停了一天', '水压不足', '水发黄', '二次供水设备故障']],
  ['物业服务差', ['保洁不到位', '乱收费', '公共收益不公开', '门禁损坏', '绿化无人管理']],
  ['拖欠工资', ['工地拖欠农民工工资', '公司倒闭', '试用期工资', '加班费不给', '年底工资']],
  ['餐饮油烟', ['烧烤店', '楼下饭馆', '油烟管道不达标', '夜市摊位', '火锅店']],
  ['价格违法', ['不明码标价', '超市价格欺诈', '停车场乱收费', '景区商品高价', '药店加价']],
  ['占道经营', ['早市摊贩', '水果摊', '修车摊', '夜市', '外卖电动车']],
];
const PHRASES = ['希望有关部门尽快处理', '已经反映多次没有解决', '严重影响居民休息', '请派人到现场查看', '存在安全隐患', '希望给个说法', '周边居民意见很大'];
const STATUSES = ['intake', 'dispatched', 'accepted', 'replied', 'closed', 'closed', 'closed', 'answered_directly'];

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)]!;
}

function ticketText(rnd: () => number): { description: string; address: string; category: number } {
  const category = Math.floor(rnd() * PROBLEMS.length);
  const [problem, details] = PROBLEMS[category]!;
  const estate = pick(rnd, ESTATES);
  const description = `${estate}${pick(rnd, details)}，${problem}，${pick(rnd, PHRASES)}`;
  const address = `${pick(rnd, ROADS)}${1 + Math.floor(rnd() * 300)}号${estate}${1 + Math.floor(rnd() * 30)}号楼`;
  return { description, address, category };
}

function buildTickets(db: Database, count: number, seed: number): { wallMs: number; cpuMs: number } {
  const rnd = seeded(seed);
  const insert = db.prepare(`INSERT INTO tickets (id, number, caller_number, type, category, description, district_code, unit_code, address,
    confidential, status, created_at, updated_at) VALUES (?, ?, ?, 'complaint', ?, ?, '110105', ?, ?, ?, ?, ?, ?)`);
  const start = Date.parse('2025-01-01T00:00:00+08:00');
  const step = Math.floor((365 * 86_400_000) / count);
  const began = performance.now();
  const cpu = process.cpuUsage();
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const { description, address, category } = ticketText(rnd);
      const at = start + i * step;
      const day = new Date(at + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
      insert.run(`tkt-${i}`, `${day}${String(i % 100_000).padStart(5, '0')}`, `13${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}`,
        `cat-${category}`, description, `110105${String(1 + Math.floor(rnd() * 40)).padStart(3, '0')}`, address, rnd() < 0.05 ? 1 : 0,
        pick(rnd, STATUSES), at, at);
    }
  });
  for (let i = 0; i < count; i += 20_000) batch(i, Math.min(count, i + 20_000));
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - began, cpuMs: (used.user + used.system) / 1000 };
}

function timed(runs: number, fn: (i: number) => void): { p50: number; p99: number } {
  for (let i = 0; i < 10; i++) fn(i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn(i);
    samples.push(performance.now() - t);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/**
 * Page cache of the bench's connection; SQLite's default (2 MB) makes a million-row build disk-bound. The bulk
 * build also runs without a journal (a throwaway file); queries run in WAL mode as the service does.
 */
const CACHE_MB = 256;

const supervisor: Account = { id: 'bench', username: 'bench', displayName: 'bench', role: 'supervisor', agentId: null };

async function benchTickets(dir: string, count: number): Promise<Figures> {
  const file = join(dir, 'tickets.sqlite');
  const db = openDatabase(file);
  db.pragma(`cache_size = -${CACHE_MB * 1024}`);
  migrate(db);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  const build = buildTickets(db, count, 12345);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const search = createTicketSearchService({ repo: createSearchRepo(db), clock: realClock });
  const rnd = seeded(7);
  const long = ['夜间施工', '暖气不热', '消防通道', '电梯故障', '垃圾无人清运', '拖欠工资', '建国路', '望京花园', '二次供水设备', '乱收费', '困人无人救援'];
  const short = ['噪声', '漏水', '停车', '油烟', '物业', '停水', '摊贩', '工资'];
  const q3 = timed(300, () => search.search({ q: pick(rnd, long) }, supervisor));
  const q2 = timed(300, () => search.search({ q: pick(rnd, short) }, supervisor));
  const qAnd = timed(200, () => search.search({ q: `${pick(rnd, ROADS)} ${pick(rnd, short)}` }, supervisor));
  const qStatus = timed(200, () => search.search({ q: pick(rnd, long), status: 'dispatched,accepted' }, supervisor));
  const qMonth = timed(200, () => search.search({ q: pick(rnd, long), from: '2025-06-01', to: '2025-06-30' }, supervisor));
  const qFiltered = timed(200, () => search.search({ q: pick(rnd, long), status: 'dispatched,accepted', from: '2025-06-01', to: '2025-06-30' }, supervisor));
  const qAddress = timed(200, () => search.search({ q: `${pick(rnd, ROADS)}${1 + Math.floor(rnd() * 300)}号` }, supervisor));
  const callers = db.prepare('SELECT caller_number FROM tickets ORDER BY random() LIMIT 200').pluck().all() as string[];
  const byCaller = timed(200, (i) => search.search({ caller: callers[i % callers.length]! }, supervisor));
  const byUnit = timed(200, () => search.search({ unit: `110105${String(1 + Math.floor(rnd() * 40)).padStart(3, '0')}`, status: 'dispatched' }, supervisor));
  // A township's own user: its work list (dispatched), a search in it, and all its tickets newest first.
  db.prepare("INSERT OR IGNORE INTO units (code, name, district_code, kind) VALUES ('110105007', '街道', '110105', 'township')").run();
  db.prepare("INSERT INTO users (id, username, display_name, role, password_hash, unit_id, created_at) VALUES ('bench-unit', 'bench-unit', '街道', 'unit', '-', '110105007', 0)").run();
  const township: Account = { id: 'bench-unit', username: 'bench-unit', displayName: '街道', role: 'unit', agentId: null };
  const unitList = timed(200, () => search.search({ status: 'dispatched' }, township));
  const unitText = timed(200, () => search.search({ q: pick(rnd, long), status: 'dispatched' }, township));
  const unitAll = timed(200, () => search.search({}, township));
  const page2 = timed(100, () => {
    const first = search.search({ q: pick(rnd, long) }, supervisor);
    if (first.nextCursor) search.search({ q: pick(rnd, long), cursor: first.nextCursor }, supervisor);
  });
  db.close();
  return {
    'tickets': count,
    'page cache, MB': CACHE_MB,
    'ticket build (insert + index), s': build.wallMs / 1000,
    'ticket build CPU time, s': build.cpuMs / 1000,
    'ticket build rate, tickets/s': Math.round(count / (build.wallMs / 1000)),
    'database file, MB': Math.round(statSync(file).size / 1e6),
    'search 3+ chars p50, ms': q3.p50, 'search 3+ chars p99, ms': q3.p99,
    'search 2 chars p50, ms': q2.p50, 'search 2 chars p99, ms': q2.p99,
    'search road + word p50, ms': qAnd.p50, 'search road + word p99, ms': qAnd.p99,
    'search road + number p99, ms': qAddress.p99,
    'search text + status p50, ms': qStatus.p50, 'search text + status p99, ms': qStatus.p99,
    'search text + month p50, ms': qMonth.p50, 'search text + month p99, ms': qMonth.p99,
    'search text + status + month p50, ms': qFiltered.p50, 'search text + status + month p99, ms': qFiltered.p99,
    'search two pages p99, ms': page2.p99,
    'filter by caller p50, ms': byCaller.p50, 'filter by caller p99, ms': byCaller.p99,
    'filter by unit + status p50, ms': byUnit.p50, 'filter by unit + status p99, ms': byUnit.p99,
    'unit user, dispatched p50, ms': unitList.p50, 'unit user, dispatched p99, ms': unitList.p99,
    'unit user, text + dispatched p50, ms': unitText.p50, 'unit user, text + dispatched p99, ms': unitText.p99,
    'unit user, all p50, ms': unitAll.p50, 'unit user, all p99, ms': unitAll.p99,
  };
}

async function benchKnowledge(dir: string, count: number): Promise<Figures> {
  const db = openDatabase(join(dir, 'knowledge.sqlite'));
  migrate(db);
  const seed = readKnowledgeSeed();
  const rnd = seeded(99);
  const repo = createKnowledgeRepo(db);
  const began = performance.now();
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const base = seed[i % seed.length]!;
      const area = pick(rnd, ROADS);
      const title = i < seed.length ? base.title : `${base.title}（${area}片区第${i}号）`;
      const body = `${base.body}${area}${pick(rnd, ESTATES)}${pick(rnd, PHRASES)}。`;
      repo.insert({ title, body, category: base.category ?? null, validFrom: 0, validTo: rnd() < 0.1 ? 1 : null, by: 'bench', now: 0 });
    }
  })();
  const buildMs = performance.now() - began;
  const knowledge = createKnowledgeService({ repo, clock: realClock, log: createLogger({ level: 'silent' }) });
  const keywords = ['补办社保', '社保卡', '公积金提取', '居住证', '供暖', '停水', '垃圾分类', '违法停车', '价格投诉', '物业纠纷', '电梯困人', '燃气泄漏'];
  const sentences = ['我的社保卡丢了想问一下怎么补办', '家里暖气一点都不热，室温只有十五度，已经找过物业了', '小区门口总有人违法停车堵住消防通道',
    '楼下饭馆的油烟太大了，窗户都不敢开', '公司拖欠了我三个月工资，老板联系不上'];
  const kw = timed(400, () => knowledge.search(pick(rnd, keywords), 8));
  const two = timed(200, () => knowledge.search(pick(rnd, ['停水', '暖气', '举报', '物业', '工资']), 8));
  const one = timed(100, () => knowledge.search(pick(rnd, ['水', '电', '暖']), 8));
  const typed = timed(200, () => knowledge.search(pick(rnd, sentences), 8));
  db.close();
  return {
    'articles': count,
    'knowledge build, s': buildMs / 1000,
    'kb keywords p50, ms': kw.p50, 'kb keywords p99, ms': kw.p99,
    'kb 2 chars p99, ms': two.p99,
    'kb 1 char (LIKE) p99, ms': one.p99,
    'kb typed sentence p50, ms': typed.p50, 'kb typed sentence p99, ms': typed.p99,
  };
}

export async function benchSearch(tickets = 1_000_000, articles = 10_000): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-bench-search-'));
  try {
    return { ...(await benchKnowledge(dir, articles)), ...(await benchTickets(dir, tickets)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [tickets, articles] = process.argv.slice(2).map(Number);
  const figures = await benchSearch(tickets || undefined, articles || undefined);
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(40)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}`);
}
