/**
 * The ticket category tree as data: seeded from the domain's tree on the first start, then changed by the
 * administrators one version at a time, each taking effect at its time. While the service runs, the tree in
 * force is what intake validation, the form's tree, the suggested urgency (so the deadlines) and the dispatch
 * suggestion read (src/domain/taxonomy.ts `readTaxonomyFrom`): a change applies to the next request, no restart.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import { readTaxonomyFrom } from '../../domain/taxonomy.ts';
import type { Taxonomy } from '../../domain/taxonomy.ts';
import type { Database } from '../../store/database.ts';
import type { AdminAudit, AuditActor } from './admin-audit.ts';
import { checkCategoryTree, itemCodes, seedCategoryDoc, taxonomyOf } from './category-tree.ts';
import type { CategoryDoc, CategoryGroupNode, SentGroup } from './category-tree.ts';
import { createReferenceVersions, effectiveTime } from './reference-data.repo.ts';
import type { ReferenceVersion } from './reference-data.repo.ts';

export interface CategoriesView {
  version: number;
  effectiveAt: number;
  groups: CategoryGroupNode[];
  scheduled: Array<{ version: number; effectiveAt: number }>;
}

export interface CategoriesChange {
  groups: SentGroup[];
  effectiveAt?: number | undefined;
}

export type CategoryVersions = ReturnType<typeof openCategoryVersions>;

export function openCategoryVersions(deps: { db: Database; clock: Clock; log: Logger; audit: AdminAudit }) {
  const { db, clock, audit } = deps;
  const log = deps.log.child({ component: 'categories' });
  const store = createReferenceVersions<CategoryDoc>(db, 'categories');
  if (store.all().length === 0) {
    const now = clock.now();
    store.add({ effectiveAt: now, createdAt: now, authorId: null, author: 'system', body: seedCategoryDoc() });
  }
  const filedUnder = db.prepare('SELECT 1 FROM tickets WHERE category = ? LIMIT 1').pluck();
  const trees = new Map<number, Taxonomy>();

  /** The version in force; before the first version's time (a clock set back), the first one. */
  const inForce = (): ReferenceVersion<CategoryDoc> => store.inForce(clock.now()) ?? store.all()[0]!;
  const treeOf = (v: ReferenceVersion<CategoryDoc>): Taxonomy => {
    let tree = trees.get(v.version);
    if (tree === undefined) trees.set(v.version, tree = taxonomyOf(v.body));
    return tree;
  };
  const stopReading = readTaxonomyFrom(() => treeOf(inForce()));

  function view(v: ReferenceVersion<CategoryDoc>): CategoriesView {
    return {
      version: v.version, effectiveAt: v.effectiveAt, groups: v.body.groups,
      scheduled: store.scheduled(clock.now()).map((s) => ({ version: s.version, effectiveAt: s.effectiveAt })),
    };
  }

  return {
    /** The version in force, and the versions scheduled after it. */
    get: (): CategoriesView => view(inForce()),
    /** The tree in force, for the domain's functions. */
    tree: (): Taxonomy => treeOf(inForce()),
    /** The tree that was in force at `at` (a past month's names); the first version before any. */
    treeAt: (at: number): Taxonomy => treeOf(store.inForce(at) ?? store.all()[0]!),

    /** A new version; every problem at once as ERR_VALIDATION (the routes audit the refusal). */
    put(actor: AuditActor, change: CategoriesChange): CategoriesView {
      const now = clock.now();
      const when = effectiveTime(change.effectiveAt, now);
      const earlier = new Set(store.all().flatMap((v) => [...itemCodes(v.body)]));
      const checked = checkCategoryTree(change.groups, earlier, (code) => filedUnder.get(code) === undefined);
      const errors = [...checked.errors, ...(when.error ? [when.error] : [])];
      if (!checked.doc || when.at === undefined) throw hotlineError('ERR_VALIDATION', { fields: errors });
      const before = inForce();
      const added = store.add({ effectiveAt: when.at, createdAt: now, authorId: actor.id, author: actor.username, body: checked.doc });
      audit.record({
        actor, action: 'categories.update', target: `v${added.version}`, outcome: 'ok',
        before: { version: before.version, effectiveAt: before.effectiveAt, groups: before.body.groups },
        after: { version: added.version, effectiveAt: added.effectiveAt, groups: added.body.groups },
      });
      log.info({ version: added.version, effectiveAt: added.effectiveAt, scheduled: added.effectiveAt > now, by: actor.username }, 'category tree version added');
      return view(added);
    },

    close(): void { stopReading(); },
  };
}
