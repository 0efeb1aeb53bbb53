import { describe, expect, it } from 'vitest';
import {
  mergeCandidates, normaliseAddress, normaliseCallerNumber, type MergeableTicket,
} from '../../src/domain/ticket-merge.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 23, 2, 0);
const CHAOYANG_JIANWAI = '110105001';
const CHAOYANG_CBD = '110105002';

const incoming: MergeableTicket = {
  id: 'new', callerNumber: '13800138000', category: 'property/lift', township: CHAOYANG_JIANWAI,
  address: '建国路88号院3号楼', createdAt: NOW,
};

function open(id: string, over: Partial<MergeableTicket>): MergeableTicket {
  return { id, callerNumber: '13911112222', category: 'property/lift', township: CHAOYANG_JIANWAI, address: '光华路1号', createdAt: NOW - HOUR, ...over };
}

describe('merge candidates', () => {
  it.each([
    ['the same caller written with +86 and spaces, ten days ago', open('o1', { callerNumber: '+86 138 0013 8000', createdAt: NOW - 240 * HOUR }), 'same_caller'],
    ['the same caller about another category', open('o1', { callerNumber: '13800138000', category: 'water/outage' }), null],
    ['the same place with full-width digits and spaces, a day ago', open('o1', { address: ' 建国路８８号院 ３号楼 ', createdAt: NOW - 24 * HOUR }), 'same_place_and_category'],
    ['the same place with punctuation', open('o1', { address: '建国路88号院，3号楼。' }), 'same_place_and_category'],
    ['the same place 80 hours ago', open('o1', { address: '建国路88号院3号楼', createdAt: NOW - 80 * HOUR }), null],
    ['the same address in another township', open('o1', { address: '建国路88号院3号楼', township: CHAOYANG_CBD }), null],
    ['the same place about another category', open('o1', { address: '建国路88号院3号楼', category: 'property/fees' }), null],
    ['another building on the same road', open('o1', { address: '建国路88号院5号楼' }), null],
    ['a closed ticket from the same caller', open('o1', { callerNumber: '13800138000', status: 'closed' }), null],
    ['a ticket still being handled by the same caller', open('o1', { callerNumber: '13800138000', status: 'accepted' }), 'same_caller'],
  ])('when an open ticket is %s, then the offer is %s', (_what, candidate, reason) => {
    const found = mergeCandidates(incoming, [candidate], NOW);
    expect(found.map((c) => c.reason)).toEqual(reason === null ? [] : [reason]);
  });

  it('when several tickets match, then they are offered best first', () => {
    const found = mergeCandidates(incoming, [
      open('place-old', { address: '建国路88号院3号楼', createdAt: NOW - 60 * HOUR }),
      open('caller', { callerNumber: '13800138000', createdAt: NOW - 2 * HOUR }),
      open('both', { callerNumber: '138 0013 8000', address: '建国路88号院 3号楼', createdAt: NOW - 30 * HOUR }),
      open('place-new', { address: '建国路88号院3号楼', createdAt: NOW - 3 * HOUR }),
      open('unrelated', {}),
      { ...incoming },
    ], NOW);
    expect(found.map((c) => c.ticketId)).toEqual(['both', 'caller', 'place-new', 'place-old']);
    expect(found[0]).toEqual({ ticketId: 'both', reason: 'same_caller', score: 0.958 });
    expect(found.every((c) => c.score > 0 && c.score <= 1)).toBe(true);
  });

  it('when the window is widened to 100 hours, then an 80-hour-old ticket at the same place is offered', () => {
    const old = open('o1', { address: '建国路88号院3号楼', createdAt: NOW - 80 * HOUR });
    expect(mergeCandidates(incoming, [old], NOW, { windowHours: 100 }).map((c) => c.ticketId)).toEqual(['o1']);
  });

  it('when the new ticket has no address or caller, then nothing is offered', () => {
    const bare = { ...incoming, address: '  ，', callerNumber: null };
    expect(mergeCandidates(bare, [open('o1', { address: '，' }), open('o2', { callerNumber: null })], NOW)).toEqual([]);
  });

  it.each([
    ['朝阳区 建国路８８号院（３号楼）', '朝阳区建国路88号院3号楼'],
    ['ＡＢＣ大厦Ｂ座—１２０１室', 'abc大厦b座1201室'],
    ['海淀区·中关村大街27号!', '海淀区中关村大街27号'],
  ])('when the address %s is normalised, then it reads %s', (raw, normalised) => {
    expect(normaliseAddress(raw)).toBe(normalised);
  });

  it.each([
    ['+86 138-0013-8000', '13800138000'],
    ['008613800138000', '13800138000'],
    ['010-6512 3456', '01065123456'],
  ])('when the caller number %s is normalised, then it reads %s', (raw, normalised) => {
    expect(normaliseCallerNumber(raw)).toBe(normalised);
  });
});
