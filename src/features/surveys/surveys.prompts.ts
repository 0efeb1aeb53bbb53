import type { SurveyScript } from '../../domain/survey-script.ts';

/**
 * The one place where the survey script's prompt names meet the sound files of config/sounds/prompts.tsv
 * (`sound:hotline/<name>`). The script names a topic `topic_<group>`; the files group the ticket
 * categories into a few spoken topics (`category-<topic>`).
 */

export type SurveyKind = 'closure' | 'after_call';

/** The spoken topics of prompts.tsv, by taxonomy group (a ticket's category is stored as "<group>/<item>"). */
const TOPIC_OF_GROUP: Readonly<Record<string, string>> = {
  property: 'housing', housing: 'housing', repairs: 'housing',
  sanitation: 'urban', 'illegal-building': 'urban', construction: 'urban',
  traffic: 'transport',
  heating: 'utilities', water: 'utilities', power: 'utilities', gas: 'utilities',
  pollution: 'environment',
  'social-security': 'social', health: 'social', education: 'social', labour: 'social',
  market: 'market', 'business-environment': 'market',
  'public-safety': 'safety',
  other: 'other',
};

export const SPOKEN_TOPICS = ['urban', 'utilities', 'transport', 'housing', 'environment', 'social', 'market', 'safety', 'other'] as const;

/** The spoken topic for a ticket category; null (the generic greeting) when the ticket has none. */
export function spokenTopic(category: string | null | undefined): string | null {
  if (!category) return null;
  const group = category.split('/')[0] ?? '';
  return TOPIC_OF_GROUP[group] ?? 'other';
}

const FIXED: Readonly<Record<string, string>> = {
  q1: 'q1', q2: 'q2', thanks: 'thanks', invalid: 'invalid-key', no_input: 'no-input',
};

/** The sound files one prompt of the script plays, in order. */
export function promptFiles(prompt: string, script: SurveyScript, kind: SurveyKind): string[] {
  if (prompt === 'greeting') return [script.opening.some((p) => p.startsWith('topic_')) ? 'survey-intro' : 'survey-intro-generic'];
  if (prompt.startsWith('topic_')) return [`category-${prompt.slice('topic_'.length).replaceAll('_', '-')}`, 'survey-intro-end'];
  if (prompt === 'q2' && kind === 'after_call') return ['rate-call'];
  return [FIXED[prompt] ?? prompt];
}

export function promptMedia(prompt: string, script: SurveyScript, kind: SurveyKind): string[] {
  return promptFiles(prompt, script, kind).map((name) => `sound:hotline/${name}`);
}
