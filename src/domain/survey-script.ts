import { HotlineError } from './errors.ts';

export type ResolvedAnswer = 'resolved' | 'unresolved';
export type SatisfactionAnswer = 'satisfied' | 'basically_satisfied' | 'unsatisfied';

/** One keypress question: the prompt that asks it and what each accepted key means. */
export type SurveyQuestion =
  | { readonly id: 'resolved'; readonly prompt: string; readonly keys: Readonly<Record<string, ResolvedAnswer>> }
  | { readonly id: 'satisfaction'; readonly prompt: string; readonly keys: Readonly<Record<string, SatisfactionAnswer>> };

export type SurveyQuestionId = SurveyQuestion['id'];

/** The survey as data: prompts are names of sound files, played in order. */
export interface SurveyScript {
  readonly opening: readonly string[];
  readonly questions: readonly SurveyQuestion[];
  readonly closing: readonly string[];
  readonly invalidPrompt: string;
  readonly noInputPrompt: string;
  /** How many times a question is asked again after silence or a wrong key (the first asking not counted). */
  readonly repeats: number;
  /** How long to wait for a key once a question has been played. */
  readonly silenceMs: number;
}

export interface SurveyScriptOptions {
  readonly category?: string | null;
  readonly repeats?: number;
  readonly silenceMs?: number;
}

export const DEFAULT_SURVEY_REPEATS = 2;
export const DEFAULT_SURVEY_SILENCE_MS = 6_000;

export const RESOLVED_QUESTION: SurveyQuestion = {
  id: 'resolved', prompt: 'q1', keys: { '1': 'resolved', '2': 'unresolved' },
};

export const SATISFACTION_QUESTION: SurveyQuestion = {
  id: 'satisfaction', prompt: 'q2', keys: { '1': 'satisfied', '2': 'basically_satisfied', '3': 'unsatisfied' },
};

/** The prompt naming a ticket's topic: `topic_<category>` with the category folded to [a-z0-9_]. */
export function topicPrompt(category: string | null | undefined): string | null {
  if (category == null) return null;
  const folded = category.trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return folded === '' ? null : `topic_${folded}`;
}

/** 一事一评: after a ticket's closure, greeting naming the topic, resolved?, satisfied?, thanks. */
export function closureSurveyScript(options: SurveyScriptOptions = {}): SurveyScript {
  const topic = topicPrompt(options.category);
  return script(topic === null ? ['greeting'] : ['greeting', topic], [RESOLVED_QUESTION, SATISFACTION_QUESTION], options);
}

/** 一次一评: the caller stays on after the agent hangs up and answers one question, satisfaction only. */
export function rateAfterCallScript(options: SurveyScriptOptions = {}): SurveyScript {
  return script([], [SATISFACTION_QUESTION], options);
}

function script(opening: string[], questions: SurveyQuestion[], options: SurveyScriptOptions): SurveyScript {
  const repeats = options.repeats ?? DEFAULT_SURVEY_REPEATS;
  const silenceMs = options.silenceMs ?? DEFAULT_SURVEY_SILENCE_MS;
  if (!Number.isInteger(repeats) || repeats < 0) throw new HotlineError('ERR_VALIDATION', { field: 'repeats', value: repeats });
  if (!Number.isFinite(silenceMs) || silenceMs <= 0) throw new HotlineError('ERR_VALIDATION', { field: 'silenceMs', value: silenceMs });
  return {
    opening, questions, closing: ['thanks'], invalidPrompt: 'invalid', noInputPrompt: 'no_input', repeats, silenceMs,
  };
}

export type SurveyPhase = 'ready' | 'greeting' | 'asking' | 'listening' | 'thanking' | 'ended';

export interface SurveyResult {
  readonly resolved: ResolvedAnswer | null;
  readonly satisfaction: SatisfactionAnswer | null;
  /** Every question of the script got an accepted answer. */
  readonly completed: boolean;
  /** Every key the citizen pressed, in order. */
  readonly keys: readonly string[];
}

export interface SurveyState {
  readonly script: SurveyScript;
  readonly phase: SurveyPhase;
  readonly question: number;
  /** Silences and wrong keys on the current question. */
  readonly failures: number;
  readonly playing: { readonly promptId: string; readonly prompt: string } | null;
  readonly queue: readonly string[];
  readonly cues: number;
  readonly resolved: ResolvedAnswer | null;
  readonly satisfaction: SatisfactionAnswer | null;
  readonly keys: readonly string[];
}

export type SurveyEvent =
  | { readonly kind: 'started' }
  | { readonly kind: 'prompt_finished'; readonly promptId: string }
  | { readonly kind: 'key'; readonly digit: string }
  | { readonly kind: 'silence_timeout' }
  | { readonly kind: 'hangup' };

/** `promptId` is the survey's own name for one playing of a prompt; the service maps it to a playback. */
export type SurveyAction =
  | { readonly kind: 'play'; readonly prompt: string; readonly promptId: string }
  | { readonly kind: 'stop_playback'; readonly promptId: string }
  | { readonly kind: 'start_silence_timer'; readonly ms: number }
  | { readonly kind: 'cancel_silence_timer' }
  | { readonly kind: 'hang_up' }
  | { readonly kind: 'record_answer'; readonly question: 'resolved'; readonly answer: ResolvedAnswer }
  | { readonly kind: 'record_answer'; readonly question: 'satisfaction'; readonly answer: SatisfactionAnswer }
  | { readonly kind: 'finished'; readonly result: SurveyResult };

export interface SurveyStep {
  readonly state: SurveyState;
  readonly actions: SurveyAction[];
}

export function newSurvey(script: SurveyScript): SurveyState {
  return {
    script, phase: 'ready', question: 0, failures: 0, playing: null, queue: [], cues: 0,
    resolved: null, satisfaction: null, keys: [],
  };
}

export function surveyResult(state: SurveyState): SurveyResult {
  const completed = state.script.questions.every((q) => (q.id === 'resolved' ? state.resolved : state.satisfaction) !== null);
  return { resolved: state.resolved, satisfaction: state.satisfaction, completed, keys: state.keys };
}

/** The survey's next state and what the service must do, for one event. Events that do not apply change nothing. */
export function stepSurvey(state: SurveyState, event: SurveyEvent): SurveyStep {
  if (state.phase === 'ended') return { state, actions: [] };
  switch (event.kind) {
    case 'started':
      return state.phase === 'ready' ? open(state) : { state, actions: [] };
    case 'prompt_finished':
      if (state.playing === null || state.playing.promptId !== event.promptId) return { state, actions: [] };
      return promptDone({ ...state, playing: null });
    case 'key':
      return keyPressed(state, event.digit);
    case 'silence_timeout':
      return state.phase === 'listening' ? failed(state, [], state.script.noInputPrompt) : { state, actions: [] };
    case 'hangup': {
      const actions: SurveyAction[] = state.phase === 'listening' ? [{ kind: 'cancel_silence_timer' }] : [];
      return finish(state, actions);
    }
  }
}

function open(state: SurveyState): SurveyStep {
  if (state.script.opening.length === 0) return ask(state, 0, [], []);
  return playAll({ ...state, phase: 'greeting' }, state.script.opening, []);
}

function promptDone(state: SurveyState): SurveyStep {
  const [next, ...rest] = state.queue;
  if (next !== undefined) return play({ ...state, queue: rest }, next, []);
  switch (state.phase) {
    case 'greeting':
      return ask(state, 0, [], []);
    case 'asking':
      return { state: { ...state, phase: 'listening' }, actions: [{ kind: 'start_silence_timer', ms: state.script.silenceMs }] };
    case 'thanking':
      return finish(state, [{ kind: 'hang_up' }]);
    default:
      return { state, actions: [] };
  }
}

function keyPressed(state: SurveyState, digit: string): SurveyStep {
  if (state.phase === 'ready') return { state, actions: [] };
  const pressed = { ...state, keys: [...state.keys, digit] };
  if (state.phase === 'thanking') return { state: pressed, actions: [] };
  const interrupt = interruption(pressed);
  const quiet: SurveyState = { ...pressed, playing: null, queue: [] };
  if (state.phase === 'greeting') return ask(quiet, 0, [], interrupt);
  const question = state.script.questions[state.question];
  if (question === undefined) return { state: pressed, actions: [] };
  const answered = answerOf(quiet, question, digit);
  if (answered === null) return failed(quiet, interrupt, state.script.invalidPrompt);
  return next(answered.state, state.question + 1, [...interrupt, answered.action]);
}

function interruption(state: SurveyState): SurveyAction[] {
  if (state.phase === 'listening') return [{ kind: 'cancel_silence_timer' }];
  return state.playing === null ? [] : [{ kind: 'stop_playback', promptId: state.playing.promptId }];
}

function answerOf(state: SurveyState, question: SurveyQuestion, digit: string): { state: SurveyState; action: SurveyAction } | null {
  if (!Object.hasOwn(question.keys, digit)) return null;
  if (question.id === 'resolved') {
    const answer = question.keys[digit]!;
    return { state: { ...state, resolved: answer }, action: { kind: 'record_answer', question: 'resolved', answer } };
  }
  const answer = question.keys[digit]!;
  return { state: { ...state, satisfaction: answer }, action: { kind: 'record_answer', question: 'satisfaction', answer } };
}

function failed(state: SurveyState, actions: SurveyAction[], prompt: string): SurveyStep {
  const failures = state.failures + 1;
  if (failures > state.script.repeats) return next(state, state.question + 1, actions);
  return ask({ ...state, failures }, state.question, [prompt], actions);
}

function next(state: SurveyState, question: number, actions: SurveyAction[]): SurveyStep {
  if (question < state.script.questions.length) return ask(state, question, [], actions);
  if (state.script.closing.length === 0) return finish(state, [...actions, { kind: 'hang_up' }]);
  return playAll({ ...state, phase: 'thanking', question }, state.script.closing, actions);
}

function ask(state: SurveyState, question: number, before: readonly string[], actions: SurveyAction[]): SurveyStep {
  const q = state.script.questions[question];
  if (q === undefined) return next(state, question, actions);
  const failures = question === state.question ? state.failures : 0;
  return playAll({ ...state, phase: 'asking', question, failures }, [...before, q.prompt], actions);
}

function playAll(state: SurveyState, prompts: readonly string[], actions: SurveyAction[]): SurveyStep {
  const [first, ...rest] = prompts;
  if (first === undefined) return promptDone({ ...state, queue: [] });
  return play({ ...state, queue: rest }, first, actions);
}

function play(state: SurveyState, prompt: string, actions: SurveyAction[]): SurveyStep {
  const cues = state.cues + 1;
  const promptId = `${cues}:${prompt}`;
  return { state: { ...state, cues, playing: { promptId, prompt } }, actions: [...actions, { kind: 'play', prompt, promptId }] };
}

function finish(state: SurveyState, actions: SurveyAction[]): SurveyStep {
  const ended: SurveyState = { ...state, phase: 'ended', playing: null, queue: [] };
  return { state: ended, actions: [...actions, { kind: 'finished', result: surveyResult(ended) }] };
}
