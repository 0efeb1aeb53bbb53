/**
 * Who sees a citizen's number and name: one rule for every page, list, export and socket that shows them.
 *
 * It is decided by the viewer's role, whether the ticket is confidential (保密: the caller asked for it at
 * intake), and where the citizen is shown:
 *
 * - The centre's staff make the calls to citizens (clarification, missed-call callbacks, 回访), so agents,
 *   supervisors and admins see full numbers and names on the records they act on: the ticket, search,
 *   export, the callback list, the pop of their own call.
 * - A handling unit contacts the citizen only through the centre (a three-way call placed by an agent, the
 *   centre's callback): a unit user never sees a full number, only a masked one (maskPhone: 139****9000),
 *   and the contact's name so the unit knows whom the request is from. No ticket field lets a unit see more.
 * - A confidential ticket shows its citizen only to the centre's supervisors and admins and to the agent who
 *   took it: a unit, and any other agent, see no number and no name at all (null).
 * - Overviews nobody dials from (the supervisors' agent grid, the recordings and survey lists) show numbers
 *   and names masked to everyone, however much the viewer could see on the ticket.
 *
 * A unit may not look tickets up by a citizen's number either: with 7 of 11 digits shown, the four hidden
 * ones could be found by trying them.
 */
import { maskPhone } from './phone.ts';

export const VIEWER_ROLES = ['agent', 'supervisor', 'unit', 'admin'] as const;
export type ViewerRole = (typeof VIEWER_ROLES)[number];

export interface CitizenViewer {
  role: ViewerRole;
  /**
   * The citizen is this agent's own: the agent took the ticket, is on the call, or holds the callback.
   * Matters only for agents, and only on confidential tickets.
   */
  own?: boolean;
}

/** A record staff act on (ticket, search, export, callback list, pop), or an overview nobody dials from. */
export type CitizenSurface = 'record' | 'overview';

/** How much of a number or a name is shown: all of it, masked, or nothing (null). */
export type Disclosure = 'full' | 'masked' | 'hidden';

export interface CitizenDisclosure { number: Disclosure; name: Disclosure }

const FULL: CitizenDisclosure = Object.freeze({ number: 'full', name: 'full' });
const MASKED: CitizenDisclosure = Object.freeze({ number: 'masked', name: 'masked' });
const HIDDEN: CitizenDisclosure = Object.freeze({ number: 'hidden', name: 'hidden' });
const FOR_UNITS: CitizenDisclosure = Object.freeze({ number: 'masked', name: 'full' });

const CENTRE: ReadonlySet<string> = new Set(['agent', 'supervisor', 'admin']);

/** The rule: what this viewer sees of a citizen, on a ticket that is or is not confidential, on this surface. */
export function citizenDisclosure(viewer: CitizenViewer, confidential: boolean, surface: CitizenSurface = 'record'): CitizenDisclosure {
  // A role the rule does not know (a new one, or a typo) sees nothing until it is given a line here.
  if (viewer.role !== 'unit' && !CENTRE.has(viewer.role)) return HIDDEN;
  if (confidential && (viewer.role === 'unit' || (viewer.role === 'agent' && viewer.own !== true))) return HIDDEN;
  if (viewer.role === 'unit') return FOR_UNITS;
  return surface === 'overview' ? MASKED : FULL;
}

/** A name with all but its first character masked (李女士 → 李**); at least one '*' so a one-character name is not shown whole. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/** A number as the disclosure allows: itself, masked, or null. No number stays null. */
export function shownNumber(raw: string | null | undefined, how: Disclosure): string | null {
  if (raw === null || raw === undefined || how === 'hidden') return null;
  return how === 'full' ? raw : maskPhone(raw);
}

/** A name as the disclosure allows: itself, masked, or null. No name stays null. */
export function shownName(raw: string | null | undefined, how: Disclosure): string | null {
  if (raw === null || raw === undefined || how === 'hidden') return null;
  return how === 'full' ? raw : maskName(raw);
}

/** The citizen's fields a ticket carries. */
export interface CitizenContact {
  callerNumber: string | null;
  contactName: string | null;
  contactPhone: string | null;
}

/** A ticket's citizen fields as this viewer may see them. */
export function citizenContact(
  contact: CitizenContact, viewer: CitizenViewer, confidential: boolean, surface: CitizenSurface = 'record',
): CitizenContact {
  const how = citizenDisclosure(viewer, confidential, surface);
  return {
    callerNumber: shownNumber(contact.callerNumber, how.number),
    contactName: shownName(contact.contactName, how.name),
    contactPhone: shownNumber(contact.contactPhone, how.number),
  };
}

/**
 * Whether this viewer may look tickets up by a citizen's number. A unit may not: it would confirm a number
 * it sees masked. (An agent's search by number still leaves out confidential tickets the agent did not take.)
 */
export function mayFindByNumber(role: string): boolean {
  return CENTRE.has(role);
}
