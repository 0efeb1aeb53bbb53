import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const domainDir = join(root, 'src', 'domain');

const SPECIFIER = /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,]+\s+from\s+)?|\bexport\s+(?:type\s+)?[\w*{}\s,]+\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
const FORBIDDEN_CALLS: ReadonlyArray<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/\bnew Date\s*\(\s*\)/, 'new Date()'],
  [/\b(?:setTimeout|setInterval|setImmediate|queueMicrotask)\s*\(/, 'a timer'],
  [/\bprocess\./, 'process'],
  [/\bconsole\./, 'console'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Every reason the given domain source breaks the rules, as "file: problem". */
function purityProblems(file: string, source: string): string[] {
  const problems: string[] = [];
  const name = relative(root, file);
  for (const match of source.matchAll(SPECIFIER)) {
    const spec = match[1]!;
    if (!spec.startsWith('.')) {
      problems.push(`${name}: imports '${spec}' (domain code may import only other src/domain files)`);
      continue;
    }
    const target = resolve(dirname(file), spec);
    if (target !== domainDir && !target.startsWith(domainDir + sep)) {
      problems.push(`${name}: imports '${spec}', which is outside src/domain`);
    }
  }
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  for (const [pattern, what] of FORBIDDEN_CALLS) if (pattern.test(code)) problems.push(`${name}: uses ${what}`);
  return problems;
}

describe('domain purity', () => {
  it('when the domain folder is scanned, then it has files to check', () => {
    expect(walk(domainDir).length).toBeGreaterThan(0);
  });

  it('when every domain file is scanned, then none imports I/O, frameworks or code outside src/domain', () => {
    const problems = walk(domainDir).flatMap((file) => purityProblems(file, readFileSync(file, 'utf8')));
    expect(problems).toEqual([]);
  });

  it.each([
    ["import { readFileSync } from 'node:fs';", "imports 'node:fs'"],
    ["import type { FastifyInstance } from 'fastify';", "imports 'fastify'"],
    ["import pino from 'pino';", "imports 'pino'"],
    ["import { WebSocket } from 'ws';", "imports 'ws'"],
    ["import Database from 'better-sqlite3';", "imports 'better-sqlite3'"],
    ["import { setTimeout } from 'node:timers/promises';", "imports 'node:timers/promises'"],
    ["import { x } from '../store/db.ts';", "imports '../store/db.ts', which is outside src/domain"],
    ["export { y } from '../features/calls/calls.service.ts';", 'outside src/domain'],
    ["const net = await import('node:net');", "imports 'node:net'"],
    ['import \'./side-effect.ts\'; const t = Date.now();', 'uses Date.now()'],
    ['export const later = () => setTimeout(() => 1, 5);', 'uses a timer'],
  ])('when a domain file contains %s, then the check names it', (source, problem) => {
    const problems = purityProblems(join(domainDir, 'sample.ts'), source);
    expect(problems.join('\n')).toContain('src/domain/sample.ts');
    expect(problems.join('\n')).toContain(problem);
  });

  it('when a domain file imports a sibling, then the check accepts it', () => {
    expect(purityProblems(join(domainDir, 'sample.ts'), "import type { AgentState } from './agent-state.ts';\n// Date.now() in a comment")).toEqual([]);
  });
});
