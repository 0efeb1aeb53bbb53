/**
 * The reference data the administrators edit live (issue 15): the category tree and the lines and desks,
 * their routes under /api/admin, and the admin audit of every change and every refused attempt.
 */
import type { FeatureRegistration } from '../../app.ts';
import { createAdminAudit } from './admin-audit.ts';
import { registerCategoryRoutes } from './categories.routes.ts';
import { openCategoryVersions } from './category-versions.ts';
import type { CategoryVersions } from './category-versions.ts';
import type { LineVersions } from './line-versions.ts';
import { registerLineRoutes } from './lines.routes.ts';
import { auditRefusals } from './reference-data.audit.ts';

const ACTIONS = {
  'GET /api/admin/categories': 'categories.read',
  'PUT /api/admin/categories': 'categories.update',
  'GET /api/admin/lines': 'lines.read',
  'PUT /api/admin/lines': 'lines.update',
};

/**
 * Registers both; `lines` is opened before the calls service is built (it starts with the version in force),
 * the category tree here, where it becomes the tree in force until the app closes.
 */
export function referenceDataFeature(deps: { lines: LineVersions; onReady?: (parts: { categories: CategoryVersions }) => void }): FeatureRegistration {
  return async (ctx) => {
    const { db, clock, log } = ctx.deps;
    const audit = createAdminAudit(db, () => clock.now());
    const categories = openCategoryVersions({ db, clock, log, audit });
    ctx.app.addHook('onClose', async () => { categories.close(); });
    await ctx.app.register(async (scope) => {
      auditRefusals(scope, audit, ACTIONS);
      registerCategoryRoutes(scope, { categories });
      registerLineRoutes(scope, { lines: deps.lines });
    });
    deps.onReady?.({ categories });
  };
}
