/**
 * The category tree as the admin API reads and writes it (every node with its code, Chinese and English
 * names, urgency class, handling kind and whether it is retired; an item's code is '<group>/<item>', and an
 * item without an urgency or handling of its own takes its group's), its checks, and the domain's tree made
 * from it.
 */
import { URGENCY_CLASSES } from '../../domain/deadlines.ts';
import type { UrgencyClass } from '../../domain/deadlines.ts';
import { SEED_TAXONOMY, UNIT_KINDS } from '../../domain/taxonomy.ts';
import type { CategoryGroup, Taxonomy, UnitKind } from '../../domain/taxonomy.ts';
import { categoryTree } from '../tickets/categories.ts';

export interface CategoryItemNode {
  code: string;
  zh: string;
  en: string;
  /** Absent: the group's. */
  urgency?: UrgencyClass;
  handling?: UnitKind;
  retired: boolean;
}

export interface CategoryGroupNode extends CategoryItemNode {
  urgency: UrgencyClass;
  handling: UnitKind;
  items: CategoryItemNode[];
}

/** One version's document. */
export interface CategoryDoc {
  groups: CategoryGroupNode[];
}

/** A node as sent: names and classes still to be checked, `retired` optional (an item's classes too). */
export interface SentNode { code: string; zh: string; en: string; urgency?: string | undefined; handling?: string | undefined; retired?: boolean | undefined }
export interface SentGroup extends SentNode { urgency: string; handling: string; items: SentNode[] }

export interface FieldError { field: string; message: string; message_en: string }

const CODE = /^[a-z0-9-]+$/;

/** The seed tree (src/domain/taxonomy.ts) with its English labels: version 1. */
export function seedCategoryDoc(): CategoryDoc {
  const labels = categoryTree(SEED_TAXONOMY);
  return {
    groups: SEED_TAXONOMY.map((g, gi) => ({
      code: g.code, zh: g.zh, en: labels[gi]!.en, urgency: g.urgency, handling: g.handling, retired: false,
      items: g.items.map((i, ii) => ({
        code: `${g.code}/${i.code}`, zh: i.zh, en: labels[gi]!.items[ii]!.en,
        ...(i.urgency ? { urgency: i.urgency } : {}), ...(i.handling ? { handling: i.handling } : {}), retired: false,
      })),
    })),
  };
}

/** The domain's tree for a document: items keep their own urgency and handling, names and retirement. */
export function taxonomyOf(doc: CategoryDoc): Taxonomy {
  return doc.groups.map((g): CategoryGroup => ({
    code: g.code, zh: g.zh, en: g.en, urgency: g.urgency, handling: g.handling, retired: g.retired,
    items: g.items.map((i) => ({
      code: i.code.slice(g.code.length + 1), zh: i.zh, en: i.en, retired: i.retired,
      ...(i.urgency ? { urgency: i.urgency } : {}), ...(i.handling ? { handling: i.handling } : {}),
    })),
  }));
}

/** Every second-level code of a document. */
export function itemCodes(doc: CategoryDoc): Set<string> {
  return new Set(doc.groups.flatMap((g) => g.items.map((i) => i.code)));
}

/**
 * Every problem with a tree as sent, in Chinese and English, all at once; `removable(code)` says whether a
 * category of an earlier version may be left out (false when tickets are filed under it). The document is
 * returned when there is none.
 */
export function checkCategoryTree(groups: readonly SentGroup[], earlier: ReadonlySet<string>, removable: (code: string) => boolean):
  { doc?: CategoryDoc; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const bad = (field: string, message: string, message_en: string) => errors.push({ field, message, message_en });
  const node = (n: SentNode, at: string, code: string): CategoryItemNode => {
    if (n.zh.trim() === '') bad(`${at}.zh`, '中文名称不能为空', 'The Chinese name must not be empty');
    if (n.en.trim() === '') bad(`${at}.en`, '英文名称不能为空', 'The English name must not be empty');
    if (n.urgency !== undefined && !(URGENCY_CLASSES as readonly string[]).includes(n.urgency)) {
      bad(`${at}.urgency`, `紧急程度“${n.urgency}”无效，可选：${URGENCY_CLASSES.join('、')}`, `Unknown urgency class "${n.urgency}"; one of ${URGENCY_CLASSES.join(', ')}`);
    }
    if (n.handling !== undefined && !(UNIT_KINDS as readonly string[]).includes(n.handling)) {
      bad(`${at}.handling`, `承办类型“${n.handling}”无效，可选：${UNIT_KINDS.join('、')}`, `Unknown handling kind "${n.handling}"; one of ${UNIT_KINDS.join(', ')}`);
    }
    return {
      code, zh: n.zh.trim(), en: n.en.trim(), retired: n.retired ?? false,
      ...(n.urgency !== undefined ? { urgency: n.urgency as UrgencyClass } : {}), ...(n.handling !== undefined ? { handling: n.handling as UnitKind } : {}),
    };
  };
  const groupCodes = new Set<string>();
  const codes = new Set<string>();
  const out: CategoryGroupNode[] = groups.map((g, gi) => {
    const at = `groups[${gi}]`;
    if (!CODE.test(g.code)) bad(`${at}.code`, `分类编码“${g.code}”只能由小写字母、数字和“-”组成`, `The group code "${g.code}" may hold only a-z, 0-9 and "-"`);
    else if (groupCodes.has(g.code)) bad(`${at}.code`, `分类编码“${g.code}”重复`, `The group code "${g.code}" is used twice`);
    groupCodes.add(g.code);
    if (g.items.length === 0) bad(`${at}.items`, `分类“${g.zh}”没有子类`, `The group "${g.en}" has no items`);
    const items = g.items.map((i, ii) => {
      const itemAt = `${at}.items[${ii}]`;
      const [prefix, part, ...rest] = i.code.split('/');
      if (prefix !== g.code || part === undefined || rest.length > 0 || !CODE.test(part)) {
        bad(`${itemAt}.code`, `子类编码“${i.code}”应为“${g.code}/子类”，子类部分只能由小写字母、数字和“-”组成`,
          `The item code "${i.code}" must be "${g.code}/<item>", the item part a-z, 0-9 and "-" only`);
      } else if (codes.has(i.code)) bad(`${itemAt}.code`, `子类编码“${i.code}”重复`, `The item code "${i.code}" is used twice`);
      codes.add(i.code);
      return node(i, itemAt, i.code);
    });
    return { ...node(g, at, g.code), urgency: g.urgency as UrgencyClass, handling: g.handling as UnitKind, items };
  });
  for (const code of earlier) {
    if (codes.has(code) || removable(code)) continue;
    bad('groups', `分类“${code}”已有工单使用，只能停用，不能删除或改编码`, `Tickets are filed under "${code}": it may be retired but not removed or recoded`);
  }
  return errors.length ? { errors } : { doc: { groups: out }, errors };
}
