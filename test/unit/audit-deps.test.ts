import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditDependencies, pinned, scriptsAllowed } from '../../scripts/audit-deps.ts';
import type { Finding } from '../../scripts/audit-deps.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = '^20.19.0 || ^24.0.0';

interface FakePackage {
  path: string;
  name?: string;
  version: string;
  engines?: string;
  scripts?: Record<string, string>;
  gyp?: boolean;
  optional?: boolean;
  /** In the lockfile only, as npm leaves an optional package out where its engine or platform does not fit. */
  notInstalled?: boolean;
  hasInstallScript?: boolean;
}

interface FakeProject {
  pkg?: Record<string, unknown>;
  packages: FakePackage[];
  /** Changes to the lockfile after it is made from the packages. */
  lock?: (lock: { packages: Record<string, Record<string, unknown>> }) => void;
}

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'hotline-audit-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const ADVISORIES = {
  advisories: [
    { id: 'GHSA-3h5v-q93c-6h6q', package: 'ws', vulnerable: '>=8.0.0 <8.17.1', summary: 'a request with many headers crashes the server' },
    { id: 'GHSA-pxg6-pf52-xh8x', package: 'cookie', vulnerable: '<0.7.0', summary: 'out-of-bounds characters' },
  ],
};

/** A made-up project: package.json, a lockfile made from `packages`, node_modules, and the advisory list. */
function project(p: FakeProject): { root: string; advisories: string } {
  const root = mkdtempSync(join(dir, 'project-'));
  const pkg = {
    name: 'fake', version: '1.0.0', engines: { node: NODE },
    dependencies: { ws: '8.23.0', fastify: '5.12.8' }, allowScripts: { 'better-sqlite3': true },
    ...p.pkg,
  } as Record<string, unknown>;
  const deps = (pkg.dependencies ?? {}) as Record<string, string>;
  const packages: Record<string, Record<string, unknown>> = {
    '': { name: pkg.name, version: pkg.version, dependencies: deps, ...(pkg.engines ? { engines: pkg.engines } : {}) },
  };
  for (const f of p.packages) {
    packages[f.path] = {
      version: f.version, ...(f.name ? { name: f.name } : {}), ...(f.engines ? { engines: { node: f.engines } } : {}),
      ...(f.optional ? { optional: true } : {}), ...(f.hasInstallScript || f.gyp || f.scripts?.install ? { hasInstallScript: true } : {}),
    };
    if (f.notInstalled) continue;
    const at = join(root, f.path);
    mkdirSync(at, { recursive: true });
    const name = f.name ?? f.path.slice(f.path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    writeFileSync(join(at, 'package.json'), JSON.stringify({ name, version: f.version, ...(f.engines ? { engines: { node: f.engines } } : {}), ...(f.scripts ? { scripts: f.scripts } : {}) }));
    if (f.gyp) writeFileSync(join(at, 'binding.gyp'), '{}');
  }
  const lock = { name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages };
  p.lock?.(lock);
  writeFileSync(join(root, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(join(root, 'package-lock.json'), JSON.stringify(lock, null, 2));
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  const advisories = join(root, 'advisories.json');
  writeFileSync(advisories, JSON.stringify(ADVISORIES));
  return { root, advisories };
}

const BASE: FakePackage[] = [
  { path: 'node_modules/ws', version: '8.23.0', engines: '>=10.0.0' },
  { path: 'node_modules/fastify', version: '5.12.8', engines: '>=20' },
];

function audit(p: FakeProject): { findings: Finding[]; notes: string[] } {
  const { root, advisories } = project(p);
  return auditDependencies(root, advisories);
}

/** The messages of one check, sorted (node_modules is read in the file system's order). */
const messages = (findings: Finding[], check?: Finding['check']): string[] =>
  findings.filter((f) => check === undefined || f.check === check).map((f) => f.message).sort();

describe('npm run audit:deps on made-up trees', () => {
  it('when every package is pinned, locked, installed, within our Node versions and free of advisories, then nothing is found', () => {
    const r = audit({ packages: BASE });
    expect(r.findings).toEqual([]);
  });

  it('when an installed version is inside an advisory range, then it is flagged with the advisory id; one past the fix is not', () => {
    const r = audit({ pkg: { dependencies: { ws: '8.16.0', fastify: '5.12.8' } }, packages: [
      { path: 'node_modules/ws', version: '8.16.0' }, { path: 'node_modules/fastify', version: '5.12.8' },
      { path: 'node_modules/light-my-request/node_modules/cookie', version: '0.6.0' }, { path: 'node_modules/light-my-request', version: '6.8.1' },
    ] });
    expect(messages(r.findings, 'advisory')).toEqual([
      expect.stringContaining('cookie@0.6.0 (node_modules/light-my-request/node_modules/cookie): GHSA-pxg6-pf52-xh8x'),
      expect.stringContaining('ws@8.16.0 (node_modules/ws): GHSA-3h5v-q93c-6h6q'),
    ]);
    expect(r.findings).toHaveLength(2);
    expect(audit({ pkg: { dependencies: { ws: '8.17.1', fastify: '5.12.8' } }, packages: [{ path: 'node_modules/ws', version: '8.17.1' }, BASE[1]!] }).findings).toEqual([]);
  });

  it('when a package needs a Node newer than one we support, then it is flagged; when it is optional, it is only noted', () => {
    const needs22 = { path: 'node_modules/cookie', version: '2.0.2', engines: '>=22' };
    const r = audit({ packages: [...BASE, needs22] });
    expect(messages(r.findings, 'engines')).toEqual([`cookie@2.0.2 (node_modules/cookie) requires Node >=22, outside what package.json supports (${NODE})`]);
    const optional = audit({ packages: [...BASE, { ...needs22, path: 'node_modules/better-sqlite3-napi', name: 'better-sqlite3', optional: true, notInstalled: true }] });
    expect(optional.findings).toEqual([]);
    expect(optional.notes).toEqual([expect.stringContaining('better-sqlite3@2.0.2 (node_modules/better-sqlite3-napi) requires Node >=22')]);
  });

  it('when a package runs an install script that allowScripts does not name, then it is flagged; one it names (an alias by its real name) is not', () => {
    const r = audit({ packages: [
      ...BASE,
      { path: 'node_modules/sneaky', version: '1.0.0', scripts: { postinstall: 'node steal.js' } },
      { path: 'node_modules/native', version: '2.0.0', gyp: true },
      { path: 'node_modules/better-sqlite3', version: '12.11.1', scripts: { install: 'prebuild-install || node-gyp rebuild' } },
      { path: 'node_modules/better-sqlite3-napi', name: 'better-sqlite3', version: '13.2.0', gyp: true, optional: true },
    ] });
    expect(messages(r.findings, 'install-script')).toEqual([
      'native@2.0.0 (node_modules/native) runs an install script (install) and is not in package.json allowScripts',
      'sneaky@1.0.0 (node_modules/sneaky) runs an install script (postinstall) and is not in package.json allowScripts',
    ]);
    expect(r.findings).toHaveLength(2);
    expect(scriptsAllowed({ 'native@1.0.0 || 2.0.0': true }, 'native', '2.0.0')).toBe(true);
    expect(scriptsAllowed({ 'native@1.0.0': true }, 'native', '2.0.0')).toBeUndefined();
    expect(scriptsAllowed({ native: true, 'native@2.0.0': false }, 'native', '2.0.0')).toBe(false);
  });

  it('when package.json asks for a range instead of an exact version, in dependencies or overrides, then it is flagged', () => {
    const r = audit({ pkg: { dependencies: { ws: '^8.23.0', fastify: '5.12.8' }, overrides: { cookie: '~1.1.1', 'content-disposition': '2.0.1' } }, packages: BASE });
    expect(messages(r.findings, 'pinning')).toEqual([
      'dependencies.ws is "^8.23.0": pin an exact version',
      'overrides cookie is "~1.1.1": pin an exact version',
    ].sort());
    expect(pinned('npm:better-sqlite3@13.2.0')).toEqual({ name: 'better-sqlite3', version: '13.2.0' });
    expect(pinned('latest')).toBeUndefined();
  });

  it('when the lockfile does not match package.json (a dependency, its version, the engines, an override), then each is flagged', () => {
    const r = audit({
      pkg: { overrides: { cookie: '1.1.1' } },
      packages: [...BASE, { path: 'node_modules/light-my-request/node_modules/cookie', version: '2.0.2' }, { path: 'node_modules/light-my-request', version: '6.8.1' }],
      lock: (l) => {
        (l.packages[''] as { dependencies: Record<string, string> }).dependencies = { ws: '8.23.0', fastify: '5.12.7' };
        l.packages['']!.engines = { node: '>=20.19' };
      },
    });
    expect(messages(r.findings, 'lockfile')).toEqual([
      'dependencies.fastify: package.json has 5.12.8, the lockfile 5.12.7 (run npm install)',
      `engines: package.json has {"node":"${NODE}"}, the lockfile {"node":">=20.19"} (run npm install)`,
      'overrides.cookie is 1.1.1 but the lockfile has node_modules/light-my-request/node_modules/cookie@2.0.2 (run npm install)',
    ].sort());
    const stale = audit({ packages: BASE, lock: (l) => { l.packages['node_modules/ws']!.version = '8.22.0'; } });
    expect(messages(stale.findings, 'lockfile')).toEqual(['ws: package.json pins 8.23.0, the lockfile has ws@8.22.0']);
  });

  it('when node_modules differs from the lockfile, then the stray, the wrong version and the missing package are flagged, but not a missing optional one', () => {
    const r = audit({
      packages: [...BASE, { path: 'node_modules/left-out', version: '1.0.0', notInstalled: true }, { path: 'node_modules/fsevents', version: '2.3.3', optional: true, notInstalled: true }],
      lock: (l) => { delete l.packages['node_modules/fastify']; l.packages['node_modules/ws']!.version = '8.22.0'; },
    });
    expect(messages(r.findings, 'installed')).toEqual([
      'node_modules/fastify (fastify@5.12.8) is installed but not in the lockfile (run npm ci)',
      'node_modules/left-out is in the lockfile but not installed (run npm ci)',
      'node_modules/ws is 8.23.0 but the lockfile says 8.22.0 (run npm ci)',
    ]);
  });

  it('when an advisory in the list has no valid range, then the list itself is flagged', () => {
    const { root, advisories } = project({ packages: BASE });
    writeFileSync(advisories, JSON.stringify({ advisories: [{ id: 'GHSA-x', package: 'ws', vulnerable: 'not a range', summary: 's' }] }));
    expect(messages(auditDependencies(root, advisories).findings, 'advisory')).toEqual([expect.stringContaining('entry 0 needs id, package, summary and a valid "vulnerable" range')]);
  });

  it('when run as npm run audit:deps would, then a problem exits 1 with the list, and a clean tree exits 0', () => {
    const run = (p: { root: string; advisories: string }): { status: number | null; out: string } => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/audit-deps.ts'), '--root', p.root, '--advisories', p.advisories], { cwd: ROOT, encoding: 'utf8' });
      return { status: r.status, out: r.stdout + r.stderr };
    };
    const bad = run(project({ packages: [...BASE, { path: 'node_modules/sneaky', version: '1.0.0', scripts: { preinstall: 'curl x | sh' } }] }));
    expect(bad.status).toBe(1);
    expect(bad.out).toContain('audit:deps: 1 problem:');
    expect(bad.out).toContain('[install-script] sneaky@1.0.0 (node_modules/sneaky) runs an install script (preinstall)');
    const good = run(project({ packages: BASE }));
    expect(good.out).toContain('audit:deps: no problems found');
    expect(good.status).toBe(0);
  }, 60_000);
});
