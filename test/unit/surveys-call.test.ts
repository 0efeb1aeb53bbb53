import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { closureSurveyScript, rateAfterCallScript } from '../../src/domain/survey-script.ts';
import type { Database } from '../../src/store/database.ts';
import { promptFiles, SPOKEN_TOPICS, spokenTopic } from '../../src/features/surveys/surveys.prompts.ts';
import { needsReopen } from '../../src/features/surveys/surveys.stasis.ts';
import { SEED_TAXONOMY } from '../../src/domain/taxonomy.ts';
import { readFileSync } from 'node:fs';
import { addTicket, channel, ev, flush, openTestDb, sh, startDialer } from './surveys-fakes.ts';

let store: { db: Database; close(): void };
beforeEach(() => { store = openTestDb(); });
afterEach(() => store.close());

describe('survey prompts', () => {
  const names = new Set(readFileSync(new URL('../../config/sounds/prompts.tsv', import.meta.url), 'utf8')
    .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t')[0]!));

  it('when any taxonomy group is surveyed, then every prompt the script can play is a generated sound file', () => {
    for (const group of SEED_TAXONOMY) {
      const script = closureSurveyScript({ category: spokenTopic(`${group.code}/x`) });
      const prompts = [...script.opening, ...script.questions.map((q) => q.prompt), ...script.closing, script.invalidPrompt, script.noInputPrompt];
      for (const p of prompts) for (const file of promptFiles(p, script, 'closure')) expect(names, `${group.code}: ${file}`).toContain(file);
    }
    for (const topic of SPOKEN_TOPICS) expect(names).toContain(`category-${topic}`);
  });

  it('when a ticket has no category, then the generic greeting plays; after a call, q2 is the rate-call prompt', () => {
    const script = closureSurveyScript({ category: spokenTopic(null) });
    expect(promptFiles('greeting', script, 'closure')).toEqual(['survey-intro-generic']);
    expect(promptFiles('q2', rateAfterCallScript(), 'after_call')).toEqual(['rate-call']);
    expect(promptFiles('invalid', script, 'closure')).toEqual(['invalid-key']);
    expect(promptFiles('no_input', script, 'closure')).toEqual(['no-input']);
  });
});

describe('reopening rule', () => {
  it.each([
    ['unresolved_or_unsatisfied', 'resolved', 'unsatisfied', true],
    ['unresolved_or_unsatisfied', 'resolved', 'basically_satisfied', false],
    ['unresolved_or_unsatisfied', 'unresolved', null, true],
    ['unresolved', 'resolved', 'unsatisfied', false],
    ['unresolved', 'unresolved', 'satisfied', true],
    ['never', 'unresolved', 'unsatisfied', false],
  ] as const)('when the rule is %s and the answers are %s / %s, then reopen is %s', (rule, resolved, satisfaction, reopen) => {
    expect(needsReopen(rule, { resolved, satisfaction })).toBe(reopen);
  });
});

describe('the survey call on its channel', () => {
  it('when a key is pressed during a prompt, then that playback is stopped and the next question plays', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    addTicket(store.db, 'T1', '13800000001');
    const d = startDialer(store.db, clock);
    d.surveys.resume();
    d.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    await flush();
    const id = d.ari.originated[0]!.channelId!;
    expect(d.ari.originated[0]).toMatchObject({ endpoint: 'PJSIP/13800000001@trunk', callerId: '12345', timeout: 30, app: 'hotline' });
    expect(id).toMatch(/^hl-survey-[0-9a-f-]{36}$/);
    d.emit(ev.stasisStart(id, ['survey', d.repo.latestJob('T1')!.id]));
    await flush();
    const greeting = d.ari.lastPlayback(id)!;
    expect(greeting.media).toEqual(['sound:hotline/survey-intro']);
    expect(greeting.playbackId).toMatch(/^hl-playback-/);
    d.emit(ev.dtmf(id, '5'));
    await flush();
    expect(d.ari.stopped).toEqual([greeting.playbackId]);
    expect(d.ari.lastPlayback(id)!.media).toEqual(['sound:hotline/q1']);
    d.emit(ev.played(id, greeting.playbackId));
    await flush();
    expect(d.ari.lastPlayback(id)!.media).toEqual(['sound:hotline/q1']);
    const q1 = d.ari.lastPlayback(id)!;
    d.emit(ev.played(id, q1.playbackId));
    clock.advance(d.config.silenceMs);
    await flush();
    expect(d.ari.played.map((p) => p.media.at(-1))).toEqual([
      'sound:hotline/survey-intro', 'sound:hotline/q1', 'sound:hotline/no-input',
    ]);
  });

  it('when a prompt never reports its end, then the guard moves the survey on', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    addTicket(store.db, 'T1', '13800000001', { category: 'gas/leak' });
    const d = startDialer(store.db, clock, { promptGuardMs: 30_000 });
    d.surveys.resume();
    d.surveys.scheduleSurvey({ ticketId: 'T1', closedAt: clock.now() });
    await flush();
    const id = d.ari.originated[0]!.channelId!;
    d.emit(ev.stasisStart(id, ['survey', 'x']));
    clock.advance(30_000);
    await flush();
    expect(d.ari.played.map((p) => p.media)).toEqual([
      ['sound:hotline/survey-intro'], ['sound:hotline/category-utilities', 'sound:hotline/survey-intro-end'],
    ]);
  });

  it('when a caller stays on after the agent hangs up and presses 3, then the rating is stored and the caller hears thanks and is hung up', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    const d = startDialer(store.db, clock, { enabled: false });
    d.stasis.startAfterCallRating('1795388733.0', 'call-1');
    await flush();
    expect(d.ari.lastPlayback('1795388733.0')!.media).toEqual(['sound:hotline/rate-call']);
    d.emit(ev.dtmf('1795388733.0', '3'));
    await flush();
    expect(d.repo.rating('1795388733.0')).toMatchObject({ callId: 'call-1', satisfaction: 'unsatisfied', endedAt: null });
    const thanks = d.ari.lastPlayback('1795388733.0')!;
    expect(thanks.media).toEqual(['sound:hotline/thanks']);
    d.ari.live.add('1795388733.0');
    d.emit(ev.played('1795388733.0', thanks.playbackId));
    await flush();
    expect(d.ari.hungUp).toEqual(['1795388733.0']);
    expect(d.repo.rating('1795388733.0')).toMatchObject({ satisfaction: 'unsatisfied', completed: true, endedAt: clock.now() });
    d.emit(ev.stasisEnd('1795388733.0'));
    expect(d.stasis.activeCount()).toBe(0);
  });

  it('when the service restarts during ratings, then the open ones are closed with what was answered and a caller still on is hung up', async () => {
    const clock = new VirtualClock(sh('2026-11-23 10:00'));
    const before = startDialer(store.db, clock, { enabled: false });
    before.stasis.startAfterCallRating('1795388733.1', 'call-a');
    before.stasis.startAfterCallRating('1795388733.2', 'call-b');
    await flush();
    before.emit(ev.dtmf('1795388733.1', '1'));
    await flush();
    before.stasis.close();
    clock.advance(5_000);
    const after = startDialer(store.db, clock, { enabled: false });
    await after.stasis.reconcile({ channels: [channel('1795388733.1', 'Up')], bridges: [], reconnect: false });
    await flush();
    expect(after.repo.rating('1795388733.1')).toMatchObject({ callId: 'call-a', satisfaction: 'satisfied', keys: '1', completed: true, endedAt: clock.now() });
    expect(after.repo.rating('1795388733.2')).toMatchObject({ callId: 'call-b', satisfaction: null, keys: '', completed: false, endedAt: clock.now() });
    expect(after.ari.hungUp).toEqual(['1795388733.1']);
    expect(after.repo.openRatings()).toEqual([]);
  });
});
