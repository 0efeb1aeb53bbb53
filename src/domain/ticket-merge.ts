import { OPEN_TICKET_STATUSES, type TicketStatus } from './ticket-lifecycle.ts';

/** What merging needs to know about a ticket. */
export interface MergeableTicket {
  readonly id: string;
  readonly callerNumber: string | null;
  /** The stored category, '<group>/<item>'. */
  readonly category: string;
  /** The street or township code of the location. */
  readonly township: string | null;
  readonly address: string | null;
  readonly createdAt: number;
  /** When given, tickets no longer open are never offered. */
  readonly status?: TicketStatus;
}

export interface MergeRules {
  /** How far back a same-place ticket may have been created to be offered. */
  readonly windowHours: number;
}

export const DEFAULT_MERGE_RULES: MergeRules = { windowHours: 72 };

export type MergeReason = 'same_caller' | 'same_place_and_category';

export interface MergeCandidate {
  readonly ticketId: string;
  readonly reason: MergeReason;
  /** 0..1: same caller 0.5, same place 0.4 (both 0.9), plus up to 0.1 for how recent the open ticket is. */
  readonly score: number;
}

/**
 * An address as merging compares it: full-width letters and digits folded to ASCII (NFKC), Latin
 * letters in lower case, whitespace, punctuation and symbols removed.
 */
export function normaliseAddress(address: string): string {
  return address.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '');
}

/** A caller number with separators and the +86 / 0086 country prefix removed. */
export function normaliseCallerNumber(number: string): string {
  const digits = number.replace(/\D/g, '');
  return digits.replace(/^(?:0086|86)(?=1\d{10}$)/, '');
}

const HOUR_MS = 3_600_000;

/** Open tickets the new one may repeat, best match first (newer first on a tie). */
export function mergeCandidates(
  newTicket: MergeableTicket,
  openTickets: readonly MergeableTicket[],
  now: number,
  rules: MergeRules = DEFAULT_MERGE_RULES,
): MergeCandidate[] {
  const windowMs = rules.windowHours * HOUR_MS;
  const caller = newTicket.callerNumber === null ? '' : normaliseCallerNumber(newTicket.callerNumber);
  const address = newTicket.address === null ? '' : normaliseAddress(newTicket.address);
  const found: Array<MergeCandidate & { createdAt: number }> = [];
  for (const open of openTickets) {
    if (open.id === newTicket.id) continue;
    if (open.status !== undefined && !OPEN_TICKET_STATUSES.includes(open.status)) continue;
    if (open.category !== newTicket.category) continue;
    const sameCaller = caller !== '' && open.callerNumber !== null && normaliseCallerNumber(open.callerNumber) === caller;
    const age = now - open.createdAt;
    const inWindow = age <= windowMs;
    const samePlace = inWindow && address !== '' && newTicket.township !== null
      && open.township === newTicket.township && open.address !== null && normaliseAddress(open.address) === address;
    if (!sameCaller && !samePlace) continue;
    const freshness = windowMs > 0 ? Math.min(Math.max(1 - age / windowMs, 0), 1) : 0;
    const score = (sameCaller ? 0.5 : 0) + (samePlace ? 0.4 : 0) + 0.1 * freshness;
    found.push({ ticketId: open.id, reason: sameCaller ? 'same_caller' : 'same_place_and_category', score: Math.round(score * 1000) / 1000, createdAt: open.createdAt });
  }
  found.sort((a, b) => b.score - a.score || b.createdAt - a.createdAt);
  return found.map(({ ticketId, reason, score }) => ({ ticketId, reason, score }));
}
