import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import type { Database } from '../../src/store/database.ts';
import { addTicket, channel, ev, flush, openTestDb, sh, startDialer } from './surveys-fakes.ts';
import type { Dialer } from './surveys-fakes.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
let store: { db: Database; close(): void };
let db: Database;

beforeEach(() => { store = openTestDb(); db = store.db; });
afterEach(() => store.close());

function busy(d: Dialer, id: string): void {
  d.emit(ev.hangupRequest(id, 17));
  d.emit(ev.dial(id, 'BUSY'));
  d.emit(ev.destroyed(id, 17));
}

/** The citizen answers and presses 1 for every question; the thanks prompt plays out; Asterisk hangs up. */
async function answersAll(d: Dialer, id: string): Promise<void> {
  d.emit(ev.stasisStart(id, ['survey', 'x']));
  for (let i = 0; i < 3; i++) { d.emit(ev.dtmf(id, '1')); await flush(); }
  d.emit(ev.played(id, d.ari.lastPlayback(id)!.playbackId));
  await flush();
  d.emit(ev.stasisEnd(id));
  d.emit(ev.destroyed(id, 16));
}

const job = (d: Dialer, ticketId: string) => d.repo.latestJob(ticketId)!;

describe('survey dialer', () => {
  it('when a job falls due at 19:59:59 Shanghai, then it is dialled; one due at 20:00 waits for 09:00 the next day', async () => {
    const clock = new VirtualClock(sh('2026-11-23 19:00'));
    addTicket(db, 'T1', '13800000001');
    addTicket(db, 'T2', '13800000002');
    const d = startDialer(db, clock);
    d.surveys.resume();
    d.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: sh('2026-11-23 19:59:59') });
    d.surveys.scheduleSurvey({ ticketId: 'T2', closedAt: sh('2026-11-23 20:00') });
    clock.runUntil(sh('2026-11-23 19:59:59'));
    await flush();
    expect(d.ari.originated.map((o) => o.appArgs)).toEqual([`survey,${job(d, 'T1').id}`]);
    clock.runUntil(sh('2026-11-24 08:59:59'));
    await flush();
    expect(d.ari.originated).toHaveLength(1);
    expect(d.surveys.stats().nextWakeAt).toBe(sh('2026-11-24 09:00'));
    expect(clock.pending()).toBe(1);
    clock.runUntil(sh('2026-11-24 09:00'));
    await flush();
    expect(d.ari.originated.map((o) => o.appArgs)).toEqual([`survey,${job(d, 'T1').id}`, `survey,${job(d, 'T2').id}`]);
  });

  it('when the citizen is busy, then the next attempt waits the spacing, and after three attempts the job gives up', async () => {
    const clock = new VirtualClock(sh('2026-11-23 09:00'));
    addTicket(db, 'T1', '13800000001');
    const d = startDialer(db, clock, { policy: { spacingMinutes: 120, maxAttempts: 3 } });
    d.surveys.resume();
    d.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    await flush();
    expect(d.ari.originated).toHaveLength(1);
    busy(d, d.ari.originated[0]!.channelId!);
    expect(job(d, 'T1')).toMatchObject({ status: 'pending', attempts: 1, lastOutcome: 'busy', notBefore: sh('2026-11-23 11:00') });
    clock.advance(120 * MINUTE - 1);
    await flush();
    expect(d.ari.originated).toHaveLength(1);
    clock.advance(1);
    await flush();
    expect(d.ari.originated).toHaveLength(2);
    d.emit(ev.destroyed(d.ari.originated[1]!.channelId!, 19));
    expect(job(d, 'T1')).toMatchObject({ attempts: 2, lastOutcome: 'no_answer' });
    clock.advance(2 * HOUR);
    await flush();
    busy(d, d.ari.originated[2]!.channelId!);
    expect(job(d, 'T1')).toMatchObject({ status: 'gave_up', attempts: 3, notBefore: null });
    clock.advance(24 * HOUR);
    await flush();
    expect(d.ari.originated).toHaveLength(3);
  });

  it('when the number is on the do-not-call list or the ticket is confidential, then nobody is dialled', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    addTicket(db, 'T1', '13800000001');
    addTicket(db, 'T2', '13800000002', { confidential: true });
    const d = startDialer(db, clock);
    d.repo.addDoNotCall('13800000001', 'asked not to be called', 'sup', clock.now());
    d.surveys.resume();
    d.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    d.surveys.scheduleSurvey({ ticketId: 'T2', closedAt: clock.now() });
    await flush();
    expect(d.ari.originated).toHaveLength(0);
    expect(job(d, 'T1')).toMatchObject({ status: 'skipped', skipReason: 'do_not_call' });
    expect(job(d, 'T2')).toMatchObject({ status: 'skipped', skipReason: 'confidential' });
  });

  it('when confidential tickets are configured to be surveyed, then the confidential ticket is dialled', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    addTicket(db, 'T2', '13800000002', { confidential: true });
    const d = startDialer(db, clock, { policy: { surveyConfidential: true } });
    d.surveys.resume();
    d.surveys.scheduleSurvey({ ticketId: 'T2', closedAt: clock.now() });
    await flush();
    expect(d.ari.originated).toHaveLength(1);
  });

  it('when one citizen has two closed tickets, then the second survey waits for the next day', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    addTicket(db, 'T1', '13800000001');
    addTicket(db, 'T2', '13800000001');
    const d = startDialer(db, clock);
    d.surveys.resume();
    d.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    d.surveys.scheduleSurvey({ ticketId: 'T2', closedAt: clock.now() });
    clock.advance(1000);
    await flush();
    expect(d.ari.originated).toHaveLength(1);
    await answersAll(d, d.ari.originated[0]!.channelId!);
    expect(job(d, 'T1')).toMatchObject({ status: 'done', lastOutcome: 'answered_completed' });
    clock.runUntil(sh('2026-11-23 19:59'));
    await flush();
    expect(d.ari.originated).toHaveLength(1);
    clock.runUntil(sh('2026-11-24 09:00'));
    await flush();
    expect(d.ari.originated).toHaveLength(2);
    expect(d.ari.originated[1]!.appArgs).toBe(`survey,${job(d, 'T2').id}`);
  });

  it('when ten jobs are due, then at most maxConcurrent channels run, started at the paced rate', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    for (let i = 0; i < 10; i++) addTicket(db, `T${i}`, `1380000010${i}`);
    const d = startDialer(db, clock, { policy: { maxConcurrent: 3, pacingPerSecond: 2 } });
    d.surveys.resume();
    for (let i = 0; i < 10; i++) d.surveys.scheduleSurvey({ ticketId: `T${i}`, closedAt: clock.now() });
    await flush();
    expect(d.ari.originated).toHaveLength(1);
    clock.advance(499);
    expect(d.ari.originated).toHaveLength(1);
    clock.advance(1);
    await flush();
    expect(d.ari.originated).toHaveLength(2);
    clock.advance(10_000);
    await flush();
    expect(d.ari.originated).toHaveLength(3);
    expect(d.stasis.activeCount()).toBe(3);
    d.emit(ev.destroyed(d.ari.originated[0]!.channelId!, 19));
    await flush();
    expect(d.ari.originated).toHaveLength(4);
  });

  it('when the endpoint cannot be allocated, then the attempt counts as failed and is retried after the spacing', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    addTicket(db, 'T1', '13800000001');
    const d = startDialer(db, clock);
    d.ari.refuse = { status: 500, message: 'Allocation failed' };
    d.surveys.resume();
    d.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    await flush();
    expect(job(d, 'T1')).toMatchObject({ status: 'pending', attempts: 1, lastOutcome: 'failed', notBefore: sh('2026-11-23 12:00') });
    expect(d.stasis.activeCount()).toBe(0);
  });

  it('when a ticket closure is reported twice, then one job exists; a later closure gets a second round', () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    addTicket(db, 'T1', '138-0000-0001');
    const d = startDialer(db, clock, { enabled: false });
    const first = d.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    const again = d.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    expect(first.scheduled).toBe(true);
    expect(again).toMatchObject({ scheduled: false, reason: 'already_scheduled' });
    expect(d.repo.jobsOfTicket('T1')).toHaveLength(1);
    expect(job(d, 'T1').phoneNumber).toBe('13800000001');
    d.repo.saveJob({ ...job(d, 'T1'), status: 'done', notBefore: null });
    expect(d.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() + HOUR }).scheduled).toBe(true);
    expect(d.repo.jobsOfTicket('T1').map((j) => j.round)).toEqual([1, 2]);
  });

  it('when ARI is not connected, then nothing is dialled until it is', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    addTicket(db, 'T1', '13800000001');
    const d = startDialer(db, clock);
    d.ari.connection = 'disconnected';
    d.surveys.resume();
    d.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    clock.advance(HOUR);
    await flush();
    expect(d.ari.originated).toHaveLength(0);
    d.ari.connection = 'connected';
    d.surveys.pump();
    await flush();
    expect(d.ari.originated).toHaveLength(1);
  });
});

describe('survey dialer across a restart', () => {
  it('when the service stops mid-call and its channel is gone, then a new instance counts a failed attempt and does not redial at once', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    addTicket(db, 'T1', '13800000001');
    const a = startDialer(db, clock);
    a.surveys.resume();
    a.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    await flush();
    const channelId = a.ari.originated[0]!.channelId!;
    expect(job(a, 'T1')).toMatchObject({ status: 'dialing', channelId });
    a.surveys.close();

    clock.advance(5 * MINUTE);
    const b = startDialer(db, clock);
    await b.stasis.reconcile({ channels: [], bridges: [], reconnect: false });
    b.surveys.resume();
    await flush();
    expect(b.ari.originated).toHaveLength(0);
    expect(job(b, 'T1')).toMatchObject({ status: 'pending', attempts: 1, lastOutcome: 'failed', channelId: null });
    expect(job(b, 'T1').notBefore).toBe(sh('2026-11-23 12:05'));
    clock.runUntil(sh('2026-11-23 12:04'));
    await flush();
    expect(b.ari.originated).toHaveLength(0);
    clock.runUntil(sh('2026-11-23 12:05'));
    await flush();
    expect(b.ari.originated).toHaveLength(1);
  });

  it('when the service stops while the citizen is still ringing, then the new instance adopts the channel and runs the survey on answer', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    addTicket(db, 'T1', '13800000001');
    const a = startDialer(db, clock);
    a.surveys.resume();
    a.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    await flush();
    const channelId = a.ari.originated[0]!.channelId!;
    a.surveys.close();

    const b = startDialer(db, clock);
    await b.stasis.reconcile({ channels: [channel(channelId, 'Ringing')], bridges: [], reconnect: false });
    b.surveys.resume();
    await flush();
    expect(b.ari.originated).toHaveLength(0);
    expect(b.stasis.owns(channelId)).toBe(true);
    b.ari.live.add(channelId);
    await answersAll(b, channelId);
    expect(job(b, 'T1')).toMatchObject({ status: 'done', attempts: 1, lastOutcome: 'answered_completed' });
    expect(b.repo.result(job(b, 'T1').id)).toMatchObject({ resolved: 'resolved', satisfaction: 'satisfied', completed: true });
  });

  it('when the service stops after the citizen answered the first question, then the answer is kept and the job is not dialled again', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    addTicket(db, 'T1', '13800000001');
    const a = startDialer(db, clock);
    a.surveys.resume();
    a.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    await flush();
    const channelId = a.ari.originated[0]!.channelId!;
    a.emit(ev.stasisStart(channelId, ['survey', job(a, 'T1').id]));
    a.emit(ev.dtmf(channelId, '2'));
    a.emit(ev.dtmf(channelId, '2'));
    a.surveys.close();

    const b = startDialer(db, clock);
    await b.stasis.reconcile({ channels: [], bridges: [], reconnect: false });
    b.surveys.resume();
    clock.advance(24 * HOUR);
    await flush();
    expect(b.ari.originated).toHaveLength(0);
    expect(job(b, 'T1')).toMatchObject({ status: 'done', lastOutcome: 'answered_partial' });
    expect(b.repo.result(job(b, 'T1').id)).toMatchObject({ resolved: 'unresolved', satisfaction: null, completed: false, reopen: true });
    expect(b.unresolved).toEqual([expect.objectContaining({ ticketId: 'T1' })]);
  });
});
