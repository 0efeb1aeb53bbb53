/**
 * The category tree over HTTP, for the admin console: administrators and supervisors read the version in
 * force and what is scheduled; administrators add a version (now, or at a later time).
 */
import Type from 'typebox';
import type { HotlineHttp } from '../../app.ts';
import { EARLIEST_MS, LATEST_MS } from '../../input-bounds.ts';
import { requireRole } from '../auth/auth.routes.ts';
import type { CategoryVersions } from './category-versions.ts';
import { actorOf } from './reference-data.audit.ts';

const closed = { additionalProperties: false } as const;

/** Codes, names and classes are bounded here and checked in full by the service (every problem at once). */
const Class = Type.String({ maxLength: 32 });
const nodeFields = {
  code: Type.String({ maxLength: 81 }),
  zh: Type.String({ maxLength: 100 }),
  en: Type.String({ maxLength: 200 }),
  retired: Type.Optional(Type.Boolean()),
};
/** An item without an urgency or handling of its own takes its group's. */
const Item = Type.Object({ ...nodeFields, urgency: Type.Optional(Class), handling: Type.Optional(Class) }, closed);
const Group = Type.Object({ ...nodeFields, urgency: Class, handling: Class, items: Type.Array(Item, { maxItems: 300 }) }, closed);

/** When a version takes effect: epoch milliseconds; now when left out. */
export const EffectiveAt = Type.Integer({ minimum: EARLIEST_MS, maximum: LATEST_MS - 1 });

export const CategoriesBody = Type.Object({
  groups: Type.Array(Group, { maxItems: 300 }),
  effectiveAt: Type.Optional(EffectiveAt),
}, closed);

export function registerCategoryRoutes(app: HotlineHttp, deps: { categories: CategoryVersions }): void {
  const { categories } = deps;

  app.get('/api/admin/categories', { preHandler: requireRole('admin', 'supervisor') }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return categories.get();
  });

  app.put('/api/admin/categories', { schema: { body: CategoriesBody }, preHandler: requireRole('admin') }, async (request) =>
    categories.put(actorOf(request), request.body));
}
