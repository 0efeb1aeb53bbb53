import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../store/database.ts';
import { shanghaiDayStart } from '../search/dates.ts';
import { createKnowledgeRepo } from './knowledge.repo.ts';

export const KNOWLEDGE_SEED_FILE = fileURLToPath(new URL('../../store/seed/knowledge-seed.json', import.meta.url));

export interface SeedArticle { title: string; body: string; category?: string; validFrom?: string; validTo?: string }

export function readKnowledgeSeed(file: string = KNOWLEDGE_SEED_FILE): SeedArticle[] {
  return JSON.parse(readFileSync(file, 'utf8')) as SeedArticle[];
}

function day(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const at = shanghaiDayStart(value);
  if (at === undefined) throw new Error(`knowledge seed: ${name} ${value} is not a yyyy-mm-dd day`);
  return at;
}

/** Loads the seed articles into an empty knowledge base; returns how many were added (0 when it had articles). */
export function seedKnowledge(db: Database, articles: SeedArticle[] = readKnowledgeSeed(), now = Date.now()): number {
  if ((db.prepare('SELECT count(*) AS n FROM kb_articles').get() as { n: number }).n > 0) return 0;
  const repo = createKnowledgeRepo(db);
  db.transaction(() => {
    for (const a of articles) {
      repo.insert({
        title: a.title, body: a.body, category: a.category ?? null,
        validFrom: day(a.validFrom, 'validFrom') ?? 0, validTo: day(a.validTo, 'validTo') ?? null, by: 'seed', now,
      });
    }
  })();
  return articles.length;
}
