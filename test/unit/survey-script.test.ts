import { describe, expect, it } from 'vitest';
import {
  closureSurveyScript, newSurvey, rateAfterCallScript, stepSurvey, topicPrompt,
  type SurveyAction, type SurveyEvent, type SurveyResult, type SurveyScript, type SurveyState,
} from '../../src/domain/survey-script.ts';

/**
 * A run is written as words: `start`, `done` (the prompt now playing finishes), `stale` (a finish
 * for a prompt no longer playing), `k<digit>`, `silence`, `hangup`. Actions are written back as
 * `play:<prompt>`, `stop:<prompt>`, `timer`, `cancel`, `hang_up`, `<question>=<answer>`, `finished`.
 */
function run(script: SurveyScript, words: string): { trace: string; state: SurveyState; results: SurveyResult[] } {
  let state = newSurvey(script);
  const trace: string[] = [];
  const results: SurveyResult[] = [];
  for (const word of words.split(/\s+/).filter(Boolean)) {
    const step = stepSurvey(state, eventFor(word, state));
    state = step.state;
    trace.push(step.actions.map((a) => describeAction(a, results)).join(',') || '-');
  }
  return { trace: trace.join(' | '), state, results };
}

function eventFor(word: string, state: SurveyState): SurveyEvent {
  if (word === 'start') return { kind: 'started' };
  if (word === 'done') return { kind: 'prompt_finished', promptId: state.playing?.promptId ?? 'nothing' };
  if (word === 'stale') return { kind: 'prompt_finished', promptId: '0:q1' };
  if (word === 'silence') return { kind: 'silence_timeout' };
  if (word === 'hangup') return { kind: 'hangup' };
  if (word.startsWith('k')) return { kind: 'key', digit: word.slice(1) };
  throw new Error(`unknown word ${word}`);
}

function describeAction(action: SurveyAction, results: SurveyResult[]): string {
  switch (action.kind) {
    case 'play': return `play:${action.prompt}`;
    case 'stop_playback': return `stop:${action.promptId.split(':')[1]}`;
    case 'start_silence_timer': return 'timer';
    case 'cancel_silence_timer': return 'cancel';
    case 'hang_up': return 'hang_up';
    case 'record_answer': return `${action.question}=${action.answer}`;
    case 'finished': results.push(action.result); return 'finished';
  }
}

const closure = closureSurveyScript({ category: 'water_supply' });
const greeted = 'start done done'; // greeting, topic_water_supply, then q1 starts

const OPENING = 'play:greeting | play:topic_water_supply | play:q1';

describe('survey script as data', () => {
  it.each([
    ['water_supply', ['greeting', 'topic_water_supply']],
    ['Road Repair', ['greeting', 'topic_road_repair']],
    ['供暖', ['greeting']],
    [null, ['greeting']],
  ])('when the ticket category is %s, then the opening prompts are %j', (category, opening) => {
    expect(closureSurveyScript({ category }).opening).toEqual(opening);
  });

  it('when the closure script is built with defaults, then q1 and q2 map the keys of the standard', () => {
    const s = closureSurveyScript();
    expect(s.questions.map((q) => [q.prompt, q.keys])).toEqual([
      ['q1', { 1: 'resolved', 2: 'unresolved' }],
      ['q2', { 1: 'satisfied', 2: 'basically_satisfied', 3: 'unsatisfied' }],
    ]);
    expect([s.repeats, s.closing, s.invalidPrompt, s.noInputPrompt]).toEqual([2, ['thanks'], 'invalid', 'no_input']);
  });

  it.each([[-1], [1.5]])('when repeats is %s, then the script is refused', (repeats) => {
    expect(() => closureSurveyScript({ repeats })).toThrow(/not valid/);
  });

  it('when a category has no usable letters, then there is no topic prompt', () => {
    expect(topicPrompt('  ')).toBeNull();
  });
});

describe('survey script steps', () => {
  it.each([
    {
      name: 'the citizen listens to every prompt and presses 1 then 1',
      words: `${greeted} done k1 done k1 done`,
      trace: `${OPENING} | timer | cancel,resolved=resolved,play:q2 | timer | cancel,satisfaction=satisfied,play:thanks | hang_up,finished`,
      result: { resolved: 'resolved', satisfaction: 'satisfied', completed: true, keys: ['1', '1'] },
    },
    {
      name: 'keys are pressed while q1 and q2 still play',
      words: `${greeted} k2 k3 done`,
      trace: `${OPENING} | stop:q1,resolved=unresolved,play:q2 | stop:q2,satisfaction=unsatisfied,play:thanks | hang_up,finished`,
      result: { resolved: 'unresolved', satisfaction: 'unsatisfied', completed: true, keys: ['2', '3'] },
    },
    {
      name: 'a key is pressed during the greeting',
      words: 'start k5 k1 k2 done',
      trace: 'play:greeting | stop:greeting,play:q1 | stop:q1,resolved=resolved,play:q2 | stop:q2,satisfaction=basically_satisfied,play:thanks | hang_up,finished',
      result: { resolved: 'resolved', satisfaction: 'basically_satisfied', completed: true, keys: ['5', '1', '2'] },
    },
    {
      name: 'q1 meets silence once, then 1',
      words: `${greeted} done silence done done k1 k1 done`,
      trace: `${OPENING} | timer | play:no_input | play:q1 | timer | cancel,resolved=resolved,play:q2 | stop:q2,satisfaction=satisfied,play:thanks | hang_up,finished`,
      result: { resolved: 'resolved', satisfaction: 'satisfied', completed: true, keys: ['1', '1'] },
    },
    {
      name: 'q1 gets a wrong key during the prompt, then 2 during the invalid prompt',
      words: `${greeted} k9 k2 k1 done`,
      trace: `${OPENING} | stop:q1,play:invalid | stop:invalid,resolved=unresolved,play:q2 | stop:q2,satisfaction=satisfied,play:thanks | hang_up,finished`,
      result: { resolved: 'unresolved', satisfaction: 'satisfied', completed: true, keys: ['9', '2', '1'] },
    },
    {
      name: 'q1 gets three wrong keys (asked, repeated twice), then the survey moves on to q2',
      words: `${greeted} done k7 done done k# done done k0 k3 done`,
      trace: `${OPENING} | timer | cancel,play:invalid | play:q1 | timer | cancel,play:invalid | play:q1 | timer | cancel,play:q2 | stop:q2,satisfaction=unsatisfied,play:thanks | hang_up,finished`,
      result: { resolved: null, satisfaction: 'unsatisfied', completed: false, keys: ['7', '#', '0', '3'] },
    },
    {
      name: 'q2 meets silence three times, then the survey thanks and hangs up',
      words: `${greeted} k1 done silence done done silence done done silence done`,
      trace: `${OPENING} | stop:q1,resolved=resolved,play:q2 | timer | play:no_input | play:q2 | timer | play:no_input | play:q2 | timer | play:thanks | hang_up,finished`,
      result: { resolved: 'resolved', satisfaction: null, completed: false, keys: ['1'] },
    },
    {
      name: 'q1 gets silence then a wrong key then silence, each path counts toward the same limit',
      words: `${greeted} done silence done done k4 done done silence`,
      trace: `${OPENING} | timer | play:no_input | play:q1 | timer | cancel,play:invalid | play:q1 | timer | play:q2`,
      result: null,
    },
  ])('when $name, then the actions and result follow the script', ({ words, trace, result }) => {
    const r = run(closure, words);
    expect(r.trace).toBe(trace);
    if (result === null) expect(r.results).toEqual([]);
    else expect(r.results).toEqual([result]);
  });

  it.each([
    { repeats: 0, words: `${greeted} done k9`, trace: `${OPENING} | timer | cancel,play:q2` },
    { repeats: 1, words: `${greeted} k9 done done k9`, trace: `${OPENING} | stop:q1,play:invalid | play:q1 | timer | cancel,play:q2` },
    { repeats: 1, words: `${greeted} done silence done done silence`, trace: `${OPENING} | timer | play:no_input | play:q1 | timer | play:q2` },
  ])('when repeats is $repeats and the citizen fails every time, then q1 is asked $repeats more time(s) before q2', ({ repeats, words, trace }) => {
    expect(run(closureSurveyScript({ category: 'water_supply', repeats }), words).trace).toBe(trace);
  });

  it.each([
    { at: 'before the start', words: 'hangup', actions: 'finished', result: [null, null, false, []] },
    { at: 'during the greeting', words: 'start hangup', actions: 'finished', result: [null, null, false, []] },
    { at: 'while q1 plays', words: `${greeted} hangup`, actions: 'finished', result: [null, null, false, []] },
    { at: 'while waiting for q1', words: `${greeted} done hangup`, actions: 'cancel,finished', result: [null, null, false, []] },
    { at: 'during the invalid prompt of q1', words: `${greeted} k8 hangup`, actions: 'finished', result: [null, null, false, ['8']] },
    { at: 'while q2 plays', words: `${greeted} k2 hangup`, actions: 'finished', result: ['unresolved', null, false, ['2']] },
    { at: 'while waiting for q2', words: `${greeted} k1 done hangup`, actions: 'cancel,finished', result: ['resolved', null, false, ['1']] },
    { at: 'during the no-input prompt of q2', words: `${greeted} k1 done silence hangup`, actions: 'finished', result: ['resolved', null, false, ['1']] },
    { at: 'during the thanks', words: `${greeted} k1 k2 hangup`, actions: 'finished', result: ['resolved', 'basically_satisfied', true, ['1', '2']] },
  ])('when the citizen hangs up $at, then the answers so far are kept', ({ words, actions, result }) => {
    const r = run(closure, words);
    expect(r.trace.split(' | ').at(-1)).toBe(actions);
    const [resolved, satisfaction, completed, keys] = result;
    expect(r.results).toEqual([{ resolved, satisfaction, completed, keys }]);
    expect(r.state.phase).toBe('ended');
  });

  it.each([
    { name: 'a finish arrives for a prompt no longer playing', words: `${greeted} k9 stale`, last: '-' },
    { name: 'silence is reported while a prompt still plays', words: `${greeted} silence`, last: '-' },
    { name: 'a key arrives before the call started', words: 'k1', last: '-' },
    { name: 'a key is pressed during the thanks', words: `${greeted} k1 k1 k3`, last: '-' },
    { name: 'events arrive after the end', words: `${greeted} k1 k1 done hangup k1 silence done`, last: '-' },
    { name: 'started arrives twice', words: 'start start', last: '-' },
  ])('when $name, then nothing happens', ({ words, last }) => {
    const r = run(closure, words);
    expect(r.trace.split(' | ').at(-1)).toBe(last);
    expect(r.results.length).toBeLessThanOrEqual(1);
  });

  it('when the service hangs up after the thanks and the hangup event follows, then finished is reported once', () => {
    const r = run(closure, `${greeted} k1 k1 done hangup`);
    expect(r.results).toHaveLength(1);
  });

  it('when a prompt is played twice, then each playing has its own prompt id', () => {
    const ids: string[] = [];
    let state = newSurvey(closure);
    for (const e of [{ kind: 'started' }, { kind: 'key', digit: '1' }, { kind: 'key', digit: '9' }, { kind: 'key', digit: '9' }] as SurveyEvent[]) {
      const step = stepSurvey(state, e);
      state = step.state;
      for (const a of step.actions) if (a.kind === 'play') ids.push(a.promptId);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('rating right after the call (一次一评)', () => {
  const afterCall = rateAfterCallScript();

  it.each([
    { words: 'start k1 done', trace: 'play:q2 | stop:q2,satisfaction=satisfied,play:thanks | hang_up,finished', satisfaction: 'satisfied', completed: true },
    { words: 'start done k2 done', trace: 'play:q2 | timer | cancel,satisfaction=basically_satisfied,play:thanks | hang_up,finished', satisfaction: 'basically_satisfied', completed: true },
    { words: 'start k4 done done silence done done silence', trace: 'play:q2 | stop:q2,play:invalid | play:q2 | timer | play:no_input | play:q2 | timer | play:thanks', satisfaction: null, completed: false },
    { words: 'start hangup', trace: 'play:q2 | finished', satisfaction: null, completed: false },
  ])('when the caller does "$words", then only satisfaction is asked', ({ words, trace, satisfaction, completed }) => {
    const r = run(afterCall, words);
    expect(r.trace).toBe(trace);
    if (r.results.length > 0) expect(r.results[0]).toMatchObject({ resolved: null, satisfaction, completed });
  });
});
