import type { AuthService } from '../auth/auth.service.ts';
import type { DispatchRepo } from './dispatch.repo.ts';

export interface UnitUser { username: string; displayName: string; unitCode: string }

/** Creates (or re-links) the accounts of a unit's staff: role 'unit', users.unit_id set to their unit. */
export async function ensureUnitUsers(
  auth: AuthService, repo: Pick<DispatchRepo, 'setUserUnit' | 'unit'>, users: readonly UnitUser[], password: string | { hash: string },
): Promise<number> {
  let created = 0;
  for (const u of users) {
    if (!repo.unit(u.unitCode)) throw new Error(`unit ${u.unitCode} of user ${u.username} is not in the units table`);
    let account = auth.findAccountByUsername(u.username);
    if (!account) {
      account = await auth.createUser({ username: u.username, password, role: 'unit', displayName: u.displayName });
      created++;
    }
    repo.setUserUnit(account.id, u.unitCode);
  }
  return created;
}
