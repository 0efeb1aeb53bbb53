import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ARI_EVENT_TYPES } from '../../src/pbx/ari/models.ts';
import type { AriEvent, AriEventOf, AriEventType, Channel } from '../../src/pbx/ari/models.ts';

const root = resolve(import.meta.dirname, '..', '..');
const docs = process.env.ARI_API_DOCS ?? resolve(root, '..', 'shared', 'asterisk-ari-api-docs', '22.10.1');
const haveDocs = existsSync(join(docs, 'events.json'));

describe('generated ARI models', () => {
  it.skipIf(!haveDocs)('when the generator runs on the api-docs, then it reproduces the committed models.ts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ari-models-'));
    try {
      const out = join(dir, 'models.ts');
      execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'gen-ari-models.ts')], {
        env: { ...process.env, ARI_API_DOCS: docs, ARI_MODELS_OUT: out }, stdio: 'pipe',
      });
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(root, 'src', 'pbx', 'ari', 'models.ts'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!haveDocs)('when events.json is read, then ARI_EVENT_TYPES lists exactly its event subtypes', () => {
    const events = JSON.parse(readFileSync(join(docs, 'events.json'), 'utf8')) as { models: { Event: { subTypes: string[] } } };
    expect([...ARI_EVENT_TYPES].sort()).toEqual([...events.models.Event.subTypes].sort());
    expect(readdirSync(docs).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(5);
  });

  it('when the api-docs are absent, then the checks above say so', () => {
    if (!haveDocs) console.warn(`ARI api-docs not found at ${docs}: model checks skipped`);
    expect(ARI_EVENT_TYPES).toContain('StasisStart');
  });

  it('when an event is narrowed by type, then its fields are typed', () => {
    expectTypeOf<AriEventOf<'StasisStart'>['channel']>().toEqualTypeOf<Channel>();
    expectTypeOf<AriEventOf<'ChannelDtmfReceived'>['digit']>().toEqualTypeOf<string>();
    expectTypeOf<'StasisEnd'>().toExtend<AriEventType>();
    const e = { type: 'ChannelVarset', variable: 'X', value: '1', application: 'hotline', timestamp: 't' } as AriEvent;
    if (e.type === 'ChannelVarset') expect(e.variable).toBe('X');
  });
});
