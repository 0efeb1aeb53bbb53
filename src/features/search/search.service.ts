import type { Clock } from '../../clock.ts';
import { hotlineError } from '../../domain/errors.ts';
import { citizenContact, mayFindByNumber } from '../../domain/citizen-privacy.ts';
import type { ViewerRole } from '../../domain/citizen-privacy.ts';
import { TICKET_STATUSES } from '../../domain/ticket-lifecycle.ts';
import type { Account } from '../auth/auth.service.ts';
import { parseInstant } from './dates.ts';
import type { SearchRepo, TicketFilters, TicketScope, TicketSearchRow } from './search.repo.ts';

/** The filters as they come in a query string. */
export interface TicketFilterQuery {
  q?: string;
  number?: string;
  caller?: string;
  unit?: string;
  category?: string;
  status?: string;
  from?: string;
  to?: string;
}

export type TicketHit = Omit<TicketSearchRow, 'key' | 'createdBy'>;

export interface TicketSearchService {
  /** The filters of a query; a unit user may not filter by a citizen's number (it would confirm a masked one). */
  filters(query: TicketFilterQuery, who: Account): TicketFilters;
  scope(who: Account): TicketScope;
  search(query: TicketFilterQuery & { cursor?: string; limit?: number }, who: Account): { items: TicketHit[]; nextCursor: string | null };
  /** Every ticket matching, in pages of `chunk`, newest first, masked for `who`. */
  each(filters: TicketFilters, scope: TicketScope, who: Account, chunk: number): Generator<TicketHit[]>;
  audit(who: Account, action: string, details: Record<string, unknown>): void;
}

function invalid(field: string, zh: string, en: string) {
  return hotlineError('ERR_VALIDATION', { fields: [{ field, message: zh, message_en: en }] });
}

function encodeCursor(key: number): string {
  return Buffer.from(`k${key}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^k(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw invalid('cursor', '翻页标记无效，请重新查询', 'The cursor is not valid');
  return Number(m[1]);
}

/**
 * A ticket as `who` may see it: the citizen's number and name by the one rule (src/domain/citizen-privacy.ts):
 * the centre sees them, a unit sees the numbers masked, and a confidential ticket shows them to nobody but
 * supervisors, admins and the agent who took it.
 */
export function visibleTo(row: TicketSearchRow, who: Account): TicketHit {
  const { key: _key, createdBy, ...hit } = row;
  const viewer = { role: who.role as ViewerRole, own: createdBy !== null && createdBy === who.id };
  return { ...hit, ...citizenContact(row, viewer, row.confidential) };
}

export function createTicketSearchService(deps: { repo: SearchRepo; clock: Clock }): TicketSearchService {
  const { repo, clock } = deps;

  const service: TicketSearchService = {
    filters(query, who) {
      const f: TicketFilters = {};
      const text = (v: string | undefined) => (v ?? '').trim();
      if (text(query.q)) f.q = text(query.q);
      if (text(query.number)) {
        if (!/^\d{1,13}$/.test(text(query.number))) throw invalid('number', '工单编号应为数字', 'number must be digits');
        f.number = text(query.number);
      }
      if (text(query.caller)) {
        if (!mayFindByNumber(who.role)) throw hotlineError('ERR_FORBIDDEN', { reason: 'caller_filter', zh: '承办单位不能按来电号码查询' });
        f.caller = text(query.caller).replace(/[\s-]/g, '');
      }
      if (text(query.unit)) f.unit = text(query.unit);
      if (text(query.category)) f.category = text(query.category);
      if (text(query.status)) {
        const status = text(query.status).split(',').map((s) => s.trim()).filter(Boolean);
        const bad = status.find((s) => !(TICKET_STATUSES as readonly string[]).includes(s));
        if (bad) throw invalid('status', `工单状态无效：${bad}`, `Unknown status ${bad}`);
        f.status = status;
      }
      if (text(query.from)) {
        const at = parseInstant(text(query.from));
        if (at === undefined) throw invalid('from', '开始时间格式不正确', 'from is not a date');
        f.from = at;
      }
      if (text(query.to)) {
        const at = parseInstant(text(query.to), true);
        if (at === undefined) throw invalid('to', '结束时间格式不正确', 'to is not a date');
        f.to = at;
      }
      if (f.from !== undefined && f.to !== undefined && f.to <= f.from) throw invalid('to', '结束时间不能早于开始时间', 'to must be after from');
      return f;
    },
    scope(who) {
      if (who.role === 'unit') {
        const unitCode = repo.unitOfUser(who.id);
        if (!unitCode) throw hotlineError('ERR_FORBIDDEN', { reason: 'no_unit' });
        return { unitCode, confidentialVisibleTo: who.id };
      }
      if (who.role === 'agent') return { confidentialVisibleTo: who.id };
      return {};
    },
    search(query, who) {
      const limit = query.limit ?? 20;
      const rows = repo.page(service.filters(query, who), service.scope(who), query.cursor ? decodeCursor(query.cursor) : undefined, limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { items: page.map((r) => visibleTo(r, who)), nextCursor: rows.length > limit && last ? encodeCursor(last.key) : null };
    },
    *each(filters, scope, who, chunk) {
      let before: number | undefined;
      for (;;) {
        const rows = repo.page(filters, scope, before, chunk);
        if (rows.length) yield rows.map((r) => visibleTo(r, who));
        if (rows.length < chunk) return;
        before = rows[rows.length - 1]!.key;
      }
    },
    audit(who, action, details) {
      repo.audit({ at: clock.now(), actor: who.id, action, details });
    },
  };
  return service;
}
