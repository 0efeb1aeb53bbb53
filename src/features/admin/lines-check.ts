/**
 * The checks on a version of the lines and desks beyond their schema (the config file's Line and Queue):
 * unique numbers and ids, every line's desk exists, overflows go to a desk or to a callback and never round
 * in a circle, greetings are sound: prompts, every skill is one the hotline knows, text within bounds. Every
 * problem at once, in Chinese and English.
 */
import { acdConfigProblems } from '../../domain/acd/queues.ts';
import type { LineConfig, QueueSettings } from '../../config/config.ts';
import { acdConfigFrom } from '../calls/queue-settings.ts';
import type { FieldError } from './category-tree.ts';

/** One version's document: the lines and desks as the config file writes them. */
export interface LinesDoc {
  lines: LineConfig[];
  queues: QueueSettings[];
}

const SOUND = /^sound:[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;
const NAME_MAX = 100;
const GREETING_MAX = 200;

export function checkLines(doc: LinesDoc, knownSkills: ReadonlySet<string>): FieldError[] {
  const errors: FieldError[] = [];
  const bad = (field: string, message: string, message_en: string) => errors.push({ field, message, message_en });
  const ids = new Set<string>();
  doc.queues.forEach((q, i) => {
    if (ids.has(q.id)) bad(`queues[${i}].id`, `坐席组编号“${q.id}”重复`, `The desk id "${q.id}" is used twice`);
    ids.add(q.id);
  });

  const numbers = new Set<string>();
  doc.lines.forEach((l, i) => {
    const at = `lines[${i}]`;
    if (numbers.has(l.number)) bad(`${at}.number`, `线路号码“${l.number}”重复`, `The line number "${l.number}" is used twice`);
    numbers.add(l.number);
    if (l.name.trim() === '' || l.name.length > NAME_MAX) bad(`${at}.name`, `线路名称不能为空且不超过 ${NAME_MAX} 个字`, `The line name must be 1 to ${NAME_MAX} characters`);
    if (l.greeting.length > GREETING_MAX || !SOUND.test(l.greeting)) {
      bad(`${at}.greeting`, '欢迎语须为 sound: 提示音，例如 sound:hotline/greeting', 'The greeting must be a sound: prompt, e.g. sound:hotline/greeting');
    }
    if (l.queue !== undefined && !ids.has(l.queue)) bad(`${at}.queue`, `坐席组“${l.queue}”不存在`, `There is no desk "${l.queue}"`);
  });

  doc.queues.forEach((q, i) => {
    const at = `queues[${i}]`;
    if (q.name !== undefined && (q.name.trim() === '' || q.name.length > NAME_MAX)) {
      bad(`${at}.name`, `坐席组名称不能为空且不超过 ${NAME_MAX} 个字`, `The desk name must be 1 to ${NAME_MAX} characters`);
    }
    if (q.overflowTo !== 'callback' && !ids.has(q.overflowTo)) {
      bad(`${at}.overflowTo`, `溢出去向“${q.overflowTo.slice(0, 40)}”应为 callback 或已有的坐席组`, `Overflow must go to "callback" or an existing desk, not "${q.overflowTo.slice(0, 40)}"`);
    }
    const skills = [...q.target.skills, ...q.overflowRules.flatMap((r) => r.widenTo.skills)];
    for (const skill of new Set(skills)) {
      if (!knownSkills.has(skill)) bad(`${at}.target`, `技能“${skill}”未知：请先给坐席设置该技能`, `Unknown skill "${skill}": give it to agents first`);
    }
  });

  for (const cycle of overflowCycles(doc.queues)) {
    const path = [...cycle, cycle[0]].join(' → ');
    bad(`queues[${doc.queues.findIndex((q) => q.id === cycle[0])}].overflowTo`, `溢出形成循环：${path}`, `Overflows go round in a circle: ${path}`);
  }

  if (errors.length === 0) {
    // The queue engine's own checks, as a last guard: the checks above cover them all.
    for (const problem of acdConfigProblems(acdConfigFrom(doc))) bad('queues', `坐席组配置无效：${problem}`, `The desks are not valid: ${problem}`);
  }
  return errors;
}

/** Each circle of overflows once, from its first desk in the list. */
function overflowCycles(queues: readonly QueueSettings[]): string[][] {
  const next = new Map(queues.map((q) => [q.id, q.overflowTo]));
  const seen = new Set<string>();
  const cycles: string[][] = [];
  for (const q of queues) {
    const path: string[] = [];
    let at: string | undefined = q.id;
    while (at !== undefined && at !== 'callback' && next.has(at) && !seen.has(at) && !path.includes(at)) {
      path.push(at);
      at = next.get(at);
    }
    if (at !== undefined && path.includes(at)) cycles.push(path.slice(path.indexOf(at)));
    for (const id of path) seen.add(id);
  }
  return cycles;
}
