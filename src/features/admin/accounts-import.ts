/**
 * Bulk accounts: the CSV import, all or nothing, and the export. The import checks every row first (a dry
 * run stops there: no hashing, seconds for thousands of rows), hashes the passwords on the thread pool a few
 * at a time (progress in the log every 10 %), then creates every account in one transaction after checking
 * the file again inside it. Generated passwords come back once, as CSV; they are never stored in clear nor logged.
 */
import { generatePassword, hashMany } from '../auth/passwords.ts';
import { checkImport, formatSkills, writeCsv } from './accounts-csv.ts';
import type { ImportError } from './accounts-csv.ts';
import type { AccountsCore } from './accounts-core.ts';
import type { AuditActor } from './admin-audit.ts';

export interface ImportOptions {
  /** Every imported password must be changed at the first sign-in (default). */
  oneTime?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export function createAccountsImport(core: AccountsCore) {
  const { repo, audit, log, clock } = core;

  return {
    /** Checks an import file without creating anything. */
    checkImport: (text: string) => checkImport(text, core.checks()),

    /** Creates every account of the file, or none: any error refuses the whole file with every error (422). */
    async importCsv(actor: AuditActor, text: string, opts: ImportOptions = {}): Promise<{ created: number; passwords: string }> {
      const checked = checkImport(text, core.checks());
      const refused = (errors: ImportError[]) => core.refuse(actor, 'users.import', null, 'ERR_IMPORT_INVALID',
        { fields: core.fields(errors).slice(0, 200), rows: checked.rows, errors }, { rows: checked.rows, errors: errors.length });
      if (checked.errors.length) throw refused(checked.errors);
      const generated = checked.accounts.map((a) => (a.password === null ? generatePassword(a.username) : null));
      const started = clock.now();
      let lastTenth = 0;
      const hashes = await hashMany(checked.accounts.map((a, i) => ({ password: a.password ?? generated[i]!, generated: a.password === null })), {
        onProgress(done, total) {
          opts.onProgress?.(done, total);
          const tenth = Math.floor((done * 10) / total);
          if (tenth > lastTenth) { lastTenth = tenth; log.info({ done, total, percent: tenth * 10 }, 'accounts import: passwords hashed'); }
        },
      });
      const done = repo.transaction((): { errors?: ImportError[]; ids?: string[] } => {
        // Checked again inside the transaction: accounts may have been added while the passwords were hashed.
        const again = checkImport(text, core.checks());
        if (again.errors.length) return { errors: again.errors };
        return { ids: checked.accounts.map((a, i) => repo.insert({ ...a, passwordHash: hashes[i]!, mustChangePassword: opts.oneTime ?? true }, clock.now())) };
      });
      if (done.errors) throw refused(done.errors);
      const created = done.ids?.length ?? 0;
      const passwords = writeCsv(['username', 'initial_password'],
        checked.accounts.flatMap((a, i) => (generated[i] ? [[a.username, generated[i]]] : [])));
      const byRole: Record<string, number> = {};
      for (const a of checked.accounts) byRole[a.role] = (byRole[a.role] ?? 0) + 1;
      audit.record({ actor, action: 'users.import', after: { created, byRole }, outcome: 'ok' });
      log.info({ created, byRole, ms: clock.now() - started, by: actor.username }, 'accounts imported');
      return { created, passwords };
    },

    /** Every account in the import's columns, without passwords, with a BOM for Excel. */
    exportCsv(): string {
      const rows: Array<Array<string | null>> = [];
      for (const r of repo.all()) rows.push([r.username, r.displayName, r.role, r.seat, r.agentId ? formatSkills(core.skillsOf(r)) : '', r.desk, r.unitCode]);
      return writeCsv(['username', 'display_name', 'role', 'seat', 'skills', 'desk', 'unit_code'], rows, true);
    },
  };
}
