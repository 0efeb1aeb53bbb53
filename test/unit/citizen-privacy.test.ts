import { describe, expect, it } from 'vitest';
import {
  citizenContact, citizenDisclosure, maskName, mayFindByNumber, shownName, shownNumber, VIEWER_ROLES,
} from '../../src/domain/citizen-privacy.ts';
import type { CitizenSurface, CitizenViewer, Disclosure, ViewerRole } from '../../src/domain/citizen-privacy.ts';

type Row = [role: ViewerRole, own: boolean, confidential: boolean, surface: CitizenSurface, number: Disclosure, name: Disclosure];

/** The whole rule, one line per case: what each viewer sees of a citizen's number and name. */
const RULE: Row[] = [
  // the centre's staff make the calls: full on the records they act on
  ['agent', false, false, 'record', 'full', 'full'],
  ['agent', true, false, 'record', 'full', 'full'],
  ['supervisor', false, false, 'record', 'full', 'full'],
  ['admin', false, false, 'record', 'full', 'full'],
  // a confidential ticket: supervisors, admins and the agent who took it; no other agent
  ['agent', true, true, 'record', 'full', 'full'],
  ['agent', false, true, 'record', 'hidden', 'hidden'],
  ['supervisor', false, true, 'record', 'full', 'full'],
  ['admin', false, true, 'record', 'full', 'full'],
  // a unit never sees a full number; on a confidential ticket it sees nothing
  ['unit', false, false, 'record', 'masked', 'full'],
  ['unit', true, false, 'record', 'masked', 'full'],
  ['unit', false, true, 'record', 'hidden', 'hidden'],
  ['unit', true, true, 'record', 'hidden', 'hidden'],
  // overviews nobody dials from: masked for everyone, never more than the ticket allows
  ['agent', true, false, 'overview', 'masked', 'masked'],
  ['agent', false, false, 'overview', 'masked', 'masked'],
  ['agent', true, true, 'overview', 'masked', 'masked'],
  ['agent', false, true, 'overview', 'hidden', 'hidden'],
  ['supervisor', false, false, 'overview', 'masked', 'masked'],
  ['supervisor', false, true, 'overview', 'masked', 'masked'],
  ['admin', false, false, 'overview', 'masked', 'masked'],
  ['admin', false, true, 'overview', 'masked', 'masked'],
  ['unit', false, false, 'overview', 'masked', 'full'],
  ['unit', false, true, 'overview', 'hidden', 'hidden'],
];

describe('the citizen privacy rule', () => {
  it.each(RULE)('when a %s (own: %s) looks at a ticket (confidential: %s) on a %s, then the number is %s and the name %s',
    (role, own, confidential, surface, number, name) => {
      expect(citizenDisclosure({ role, own }, confidential, surface)).toEqual({ number, name });
    });

  it('when the table is read, then it covers every role, ownership, confidentiality and surface', () => {
    const seen = new Set(RULE.map(([role, own, confidential, surface]) => `${role}|${own}|${confidential}|${surface}`));
    for (const role of VIEWER_ROLES) {
      for (const confidential of [false, true]) {
        for (const surface of ['record', 'overview'] as const) {
          const owns = role === 'agent' ? [false, true] : [false];
          for (const own of owns) expect(seen.has(`${role}|${own}|${confidential}|${surface}`), `${role} ${own} ${confidential} ${surface}`).toBe(true);
        }
      }
    }
  });

  it('when no surface is named, then it is a record', () => {
    expect(citizenDisclosure({ role: 'supervisor' }, false)).toEqual({ number: 'full', name: 'full' });
    expect(citizenDisclosure({ role: 'agent' }, true)).toEqual({ number: 'hidden', name: 'hidden' });
  });

  it('when the viewer has a role the rule does not know, then nothing is shown', () => {
    for (const role of ['system', 'guest', '', 'Admin']) {
      expect(citizenDisclosure({ role } as unknown as CitizenViewer, false)).toEqual({ number: 'hidden', name: 'hidden' });
    }
  });

  it('when a unit is anything but masked or hidden in any case, then the rule is wrong', () => {
    for (const confidential of [false, true]) {
      for (const surface of ['record', 'overview'] as const) {
        for (const own of [false, true]) expect(citizenDisclosure({ role: 'unit', own }, confidential, surface).number).not.toBe('full');
      }
    }
  });
});

describe('showing a number or a name', () => {
  it.each([
    ['13900139000', 'full', '13900139000'],
    ['13900139000', 'masked', '139****9000'],
    ['13900139000', 'hidden', null],
    ['01065001234', 'masked', '010****1234'],
    [null, 'full', null],
    [undefined, 'masked', null],
  ] as const)('when %j is shown %s, then it reads %j', (raw, how, shown) => {
    expect(shownNumber(raw, how)).toBe(shown);
  });

  it.each([
    ['李女士', 'full', '李女士'],
    ['李女士', 'masked', '李**'],
    ['王', 'masked', '王*'],
    ['欧阳娜娜', 'masked', '欧***'],
    ['李女士', 'hidden', null],
    [null, 'full', null],
  ] as const)('when the name %j is shown %s, then it reads %j', (raw, how, shown) => {
    expect(shownName(raw, how)).toBe(shown);
  });

  it('when a name is masked, then no character but the first shows and an empty name stays empty', () => {
    expect(maskName('  张三丰 ')).toBe('张**');
    expect(maskName('')).toBe('');
  });
});

describe('a ticket\'s citizen fields for a viewer', () => {
  const contact = { callerNumber: '13900139000', contactName: '李女士', contactPhone: '13700137000' };

  it.each([
    [{ role: 'supervisor' }, false, contact],
    [{ role: 'unit' }, false, { callerNumber: '139****9000', contactName: '李女士', contactPhone: '137****7000' }],
    [{ role: 'unit' }, true, { callerNumber: null, contactName: null, contactPhone: null }],
    [{ role: 'agent', own: false }, true, { callerNumber: null, contactName: null, contactPhone: null }],
    [{ role: 'agent', own: true }, true, contact],
  ] as Array<[CitizenViewer, boolean, typeof contact]>)('when %j reads a ticket (confidential: %s), then it sees %j', (viewer, confidential, seen) => {
    expect(citizenContact(contact, viewer, confidential)).toEqual(seen);
  });

  it('when a ticket has no contact, then nothing is made up', () => {
    expect(citizenContact({ callerNumber: null, contactName: null, contactPhone: null }, { role: 'unit' }, false))
      .toEqual({ callerNumber: null, contactName: null, contactPhone: null });
  });
});

describe('looking tickets up by a citizen\'s number', () => {
  it.each([['agent', true], ['supervisor', true], ['admin', true], ['unit', false], ['system', false]] as const)('when a %s asks, then it may: %s', (role, may) => {
    expect(mayFindByNumber(role)).toBe(may);
  });
});
