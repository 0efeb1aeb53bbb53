import { afterEach, describe, expect, it } from 'vitest';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp } from '../fixtures/desk-app.ts';
import { registerOpenApi, openApiPath } from '../../src/openapi.ts';
import { registerKnowledge } from '../../src/features/knowledge/knowledge.routes.ts';
import { registerTicketSearch } from '../../src/features/search/search.routes.ts';
import { registerTicketExport } from '../../src/features/exports/exports.routes.ts';
import { request } from './search-helpers.ts';

let desk: DeskApp | undefined;
afterEach(async () => { await desk?.close(); desk = undefined; });

type Operation = { parameters?: Array<{ name: string; in: string; required: boolean }>; requestBody?: { content: Record<string, { schema: { properties?: object } }> }; responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }>; security?: unknown[] };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** Method and path of every route fastify knows, read from its route tree. */
function registeredRoutes(tree: string): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('');
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push({ method, path });
  }
  return out;
}

describe('OpenAPI description', () => {
  it('when fetched, then every /api route registered appears with its method, parameters, body and response schemas', async () => {
    desk = await startDeskApp({ features: [registerOpenApi, registerKnowledge, registerTicketSearch, registerTicketExport] });
    await desk.addUser('unit1', 'unit');
    const unauthenticated = await fetch(`${desk.url}/api/openapi.json`);
    expect(unauthenticated.status).toBe(401);
    const res = await request(desk, await desk.login('unit1'), 'GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json() as Doc;
    expect(doc.openapi).toBe('3.1.0');

    const routes = registeredRoutes(desk.app.app.printRoutes({ commonPrefix: false })).filter((r) => r.path.startsWith('/api/') && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(15);
    const missing = routes.filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);

    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops)) {
        for (const name of [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) {
          expect(op.parameters?.some((p) => p.in === 'path' && p.name === name && p.required), `${path} declares ${name}`).toBe(true);
        }
      }
    }
    const login = doc.paths['/api/login']!.post!;
    expect(Object.keys(login.requestBody!.content['application/json']!.schema.properties!)).toEqual(['username', 'password']);
    expect(login.security).toEqual([]);
    const kb = doc.paths['/api/knowledge/search']!.get!;
    expect(kb.parameters).toContainEqual(expect.objectContaining({ name: 'q', in: 'query', required: true }));
    const edit = doc.paths['/api/knowledge/articles/{id}']!.put!;
    expect(edit.requestBody!.content['application/json']!.schema.properties).toHaveProperty('version');
    const search = doc.paths['/api/tickets/search']!.get!;
    expect(search.responses['200']!.content!['application/json']!.schema.properties).toHaveProperty('nextCursor');
    expect(doc.paths['/api/tickets/export.csv']!.get!.responses['200']!.content).toHaveProperty('text/csv');
    expect(doc.paths['/api/tickets/{id}']!.get!.parameters).toContainEqual(expect.objectContaining({ name: 'id', in: 'path' }));
  });
});
