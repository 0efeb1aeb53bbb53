import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { announcementMedia } from '../../src/features/calls/queue-settings.ts';

/**
 * Every sound the service or the dialplan plays must be a prompt scripts/make-prompts.sh builds from
 * config/sounds/prompts.tsv: a missing one is silence on a real Asterisk (the playback fails), not an error.
 */
const root = resolve(import.meta.dirname, '../..');

const listed = new Set(readFileSync(join(root, 'config/sounds/prompts.tsv'), 'utf8')
  .split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split('\t')[0]!));

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, ext);
    return ext.test(name) ? [path] : [];
  });
}

/** `sound:hotline/<name>` written out in full (a prefix followed by a variable is not a name). */
function namedSounds(text: string): string[] {
  return [...text.matchAll(/sound:hotline\/([a-z0-9][a-z0-9-]*)(?![a-z0-9$-])/g)].map((m) => m[1]!);
}

const soundName = (media: string): string => media.replace(/^sound:hotline\//, '');

describe('the prompts list covers every sound played', () => {
  it('when the source names a hotline sound, then prompts.tsv lists it', () => {
    const seen = new Map<string, string>();
    for (const file of filesUnder(join(root, 'src'), /\.(ts|js)$/)) {
      for (const name of namedSounds(readFileSync(file, 'utf8'))) seen.set(name, file.slice(root.length + 1));
    }
    expect(seen.has('callback-later')).toBe(true);
    expect(seen.has('greeting')).toBe(true);
    const missing = [...seen].filter(([name]) => !listed.has(name)).map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
  });

  it('when the dialplan plays a hotline sound, then prompts.tsv lists it', () => {
    const dialplan = filesUnder(join(root, 'dialplan'), /\.conf$/).map((f) => readFileSync(f, 'utf8')).join('\n');
    const names = [...dialplan.matchAll(/Playback\(hotline\/([a-z0-9-]+)\)/g)].map((m) => m[1]!);
    expect(names).toContain('unavailable');
    for (const name of names) expect(listed, name).toContain(name);
  });

  it('when the default and example configurations name sounds, then prompts.tsv lists them', () => {
    const defaults = loadConfig({ env: {} });
    const example = loadConfig({ file: join(root, 'config/hotline.example.json'), env: { ASTERISK_ARI_PASSWORD: 'a', ASTERISK_AMI_PASSWORD: 'b' } });
    for (const c of [defaults, example]) {
      const media = [...c.lines.map((l) => l.greeting), c.callbacks.message];
      expect(media).toContain('sound:hotline/callback-later');
      for (const m of media) {
        expect(m, m).toMatch(/^sound:hotline\//);
        expect(listed, m).toContain(soundName(m));
      }
    }
  });

  it('when a queue announces any position or wait, then every number and word of it is a listed prompt', () => {
    const media = new Set<string>();
    for (let n = 1; n <= 10_000; n += n < 200 ? 1 : 37) {
      for (const m of announcementMedia([{ kind: 'position', position: n }, { kind: 'wait', minutes: n }])) media.add(soundName(m));
    }
    expect(media).toContain('num-1000');
    for (const name of media) expect(listed, name).toContain(name);
  });
});
