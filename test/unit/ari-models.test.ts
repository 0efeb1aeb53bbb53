import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { MODELS_BARREL, MODELS_DIR, generateAriModels } from '../../scripts/gen-ari-models.ts';
import { ARI_EVENT_TYPES } from '../../src/pbx/ari/models.ts';
import type { AriEvent, AriEventOf, AriEventType, Channel } from '../../src/pbx/ari/models.ts';

const root = resolve(import.meta.dirname, '..', '..');
const docs = process.env.ARI_API_DOCS ?? resolve(root, '..', 'shared', 'asterisk-ari-api-docs', '22.10.1');
const haveDocs = existsSync(join(docs, 'events.json'));
const committed = (path: string): string => readFileSync(join(root, path), 'utf8');

describe('generated ARI models', () => {
  it.skipIf(!haveDocs)('when the generator runs on the api-docs, then every committed model file is exactly what it produces', () => {
    const generated = generateAriModels(docs);
    expect(generated.files.map((f) => f.path).sort()).toEqual([MODELS_BARREL, `${MODELS_DIR}/events.ts`, `${MODELS_DIR}/resources.ts`]);
    for (const file of generated.files) expect(committed(file.path), `${file.path} differs from the generator's output: run npm run gen:ari-models`).toBe(file.text);
    const inDir = readdirSync(join(root, MODELS_DIR)).map((f) => `${MODELS_DIR}/${f}`).sort();
    expect(inDir, 'a file in the models folder the generator does not write').toEqual(generated.files.map((f) => f.path).filter((p) => p.startsWith(`${MODELS_DIR}/`)).sort());
  });

  it.skipIf(!haveDocs)('when the model files are generated, then each stays under 600 lines and the barrel only re-exports', () => {
    const generated = generateAriModels(docs);
    for (const file of generated.files) expect(file.text.split('\n').length, file.path).toBeLessThan(600);
    const barrel = generated.files.find((f) => f.path === MODELS_BARREL)!.text;
    expect(barrel.split('\n').filter((l) => l.startsWith('export ')).sort()).toEqual([
      "export * from './models/events.ts';",
      "export * from './models/resources.ts';",
    ]);
    expect(generated).toMatchObject({ models: expect.any(Number), events: ARI_EVENT_TYPES.length });
  });

  it.skipIf(!haveDocs)('when one description in the api-docs changes, then the generated file changes with it (a hand edit cannot pass)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ari-docs-'));
    try {
      cpSync(docs, dir, { recursive: true });
      const channels = JSON.parse(readFileSync(join(dir, 'channels.json'), 'utf8')) as { models: { Channel: { description: string } } };
      channels.models.Channel.description = '通道（测试改动）';
      writeFileSync(join(dir, 'channels.json'), JSON.stringify(channels));
      const changed = generateAriModels(dir).files.find((f) => f.path === `${MODELS_DIR}/resources.ts`)!.text;
      expect(changed).toContain('/** 通道（测试改动） */\nexport interface Channel {');
      expect(changed).not.toBe(committed(`${MODELS_DIR}/resources.ts`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the api-docs folder holds no models, then the generator refuses with the folder named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ari-docs-empty-'));
    try {
      expect(() => generateAriModels(dir)).toThrow(`no api-docs found in ${dir}`);
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
