/**
 * npm run audit:deps — checks the installed dependencies without the registry (the mirror here has no
 * `npm audit` endpoint):
 *   - every package (installed or in the lockfile) against the advisories kept in security/advisories.json;
 *   - no package whose engines.node leaves out a Node version package.json supports (optional ones are noted);
 *   - no install script (preinstall, install, postinstall, binding.gyp) outside package.json allowScripts;
 *   - every dependency and override in package.json pinned to an exact version;
 *   - the lockfile matching package.json, and node_modules matching the lockfile.
 * Exits 1 with the list of problems, 0 when there are none.
 *
 *   npx tsx scripts/audit-deps.ts [--root <project folder>] [--advisories <file>]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { DEPENDENCY_SECTIONS, installedPackages, lockName, readJson } from './lib/dependency-tree.ts';
import type { Installed, LockEntry, Lockfile, Manifest } from './lib/dependency-tree.ts';

export interface Advisory { id: string; package: string; vulnerable: string; summary: string; aliases?: string[]; severity?: string; url?: string }
export type Check = 'advisory' | 'engines' | 'install-script' | 'pinning' | 'lockfile' | 'installed';
export interface Finding { check: Check; message: string }
export interface AuditReport { findings: Finding[]; notes: string[]; packages: number; advisories: number; node: string }

interface Pkg { path: string; name: string; version: string; engines: unknown; scripts: string[]; optional: boolean }

const ALIAS = /^npm:((?:@[^/@]+\/)?[^/@]+)@(.+)$/;

/** The exact version a package.json spec pins (with the aliased name), or undefined for a range or tag. */
export function pinned(spec: string): { name?: string; version: string } | undefined {
  const alias = ALIAS.exec(spec);
  const version = alias ? alias[2]! : spec;
  if (semver.valid(version) !== version) return undefined;
  return alias ? { name: alias[1]!, version } : { version };
}

export function readAdvisories(file: string, findings: Finding[]): Advisory[] {
  const list = readJson<{ advisories?: unknown }>(file).advisories;
  if (!Array.isArray(list)) { findings.push({ check: 'advisory', message: `${file} has no "advisories" list` }); return []; }
  return list.filter((a: Partial<Advisory>, i) => {
    const ok = [a.id, a.package, a.vulnerable, a.summary].every((v) => typeof v === 'string' && v !== '') && semver.validRange(a.vulnerable!) !== null;
    if (!ok) findings.push({ check: 'advisory', message: `${file}: entry ${i} needs id, package, summary and a valid "vulnerable" range` });
    return ok;
  }) as Advisory[];
}

/** Whether package.json allowScripts lets `name@version` run its install scripts: true, false (denied) or undefined. */
export function scriptsAllowed(allow: Record<string, boolean>, name: string, version: string): boolean | undefined {
  let verdict: boolean | undefined;
  for (const [key, value] of Object.entries(allow)) {
    const matches = key === name || (key.startsWith(`${name}@`) && key.slice(name.length + 1).split('||').map((v) => v.trim()).includes(version));
    if (!matches) continue;
    if (value === false) return false;
    verdict = value === true ? true : verdict;
  }
  return verdict;
}

function checkPinning(pkg: Manifest, findings: Finding[]): void {
  for (const section of DEPENDENCY_SECTIONS) {
    for (const [name, spec] of Object.entries(pkg[section] ?? {})) {
      if (!pinned(spec)) findings.push({ check: 'pinning', message: `${section}.${name} is "${spec}": pin an exact version` });
    }
  }
  const walk = (overrides: Record<string, unknown>, at: string): void => {
    for (const [name, value] of Object.entries(overrides)) {
      if (typeof value === 'object' && value !== null) walk(value as Record<string, unknown>, `${at}${name} > `);
      else if (typeof value !== 'string' || (!value.startsWith('$') && !pinned(value))) {
        findings.push({ check: 'pinning', message: `overrides ${at}${name} is "${String(value)}": pin an exact version` });
      }
    }
  };
  walk(pkg.overrides ?? {}, '');
}

function checkLockfile(pkg: Manifest, lock: Lockfile, findings: Finding[]): void {
  const packages = lock.packages ?? {};
  const root = packages[''] ?? {};
  for (const section of DEPENDENCY_SECTIONS) {
    const want = pkg[section] ?? {};
    const have = (root as Record<string, Record<string, string> | undefined>)[section] ?? {};
    for (const name of new Set([...Object.keys(want), ...Object.keys(have)])) {
      if (want[name] !== have[name]) {
        findings.push({ check: 'lockfile', message: `${section}.${name}: package.json has ${want[name] ?? 'nothing'}, the lockfile ${have[name] ?? 'nothing'} (run npm install)` });
        continue;
      }
      const exact = pinned(want[name]!);
      const entry = packages[`node_modules/${name}`];
      if (!exact) continue;
      if (!entry) findings.push({ check: 'lockfile', message: `${name} is in package.json but the lockfile has no node_modules/${name}` });
      else if (entry.version !== exact.version || (exact.name && lockName(`node_modules/${name}`, entry) !== exact.name)) {
        findings.push({ check: 'lockfile', message: `${name}: package.json pins ${want[name]}, the lockfile has ${lockName(`node_modules/${name}`, entry)}@${String(entry.version)}` });
      }
    }
  }
  if (JSON.stringify((root as Manifest).engines ?? {}) !== JSON.stringify(pkg.engines ?? {})) {
    findings.push({ check: 'lockfile', message: `engines: package.json has ${JSON.stringify(pkg.engines ?? {})}, the lockfile ${JSON.stringify((root as Manifest).engines ?? {})} (run npm install)` });
  }
  for (const [name, value] of Object.entries(pkg.overrides ?? {})) {
    if (typeof value !== 'string' || !pinned(value)) continue;
    for (const [path, entry] of Object.entries(packages)) {
      if (path !== '' && lockName(path, entry) === name && entry.version !== value) {
        findings.push({ check: 'lockfile', message: `overrides.${name} is ${value} but the lockfile has ${path}@${String(entry.version)} (run npm install)` });
      }
    }
  }
}

/** The packages to judge: every lockfile entry and every installed package, by where they are installed. */
function packagesOf(lock: Lockfile, installed: Installed[], findings: Finding[]): Pkg[] {
  const byPath = new Map<string, Pkg>();
  for (const [path, e] of Object.entries(lock.packages ?? {})) {
    if (path === '' || e.link || !path.includes('node_modules/')) continue;
    const engines = Array.isArray(e.engines) ? undefined : (e.engines as { node?: unknown } | undefined)?.node;
    byPath.set(path, { path, name: lockName(path, e), version: e.version ?? '', engines, scripts: e.hasInstallScript ? ['install'] : [], optional: isOptional(e) });
  }
  const lockPaths = new Set(byPath.keys());
  for (const i of installed) {
    const known = byPath.get(i.path);
    if (!known) findings.push({ check: 'installed', message: `${i.path} (${i.name}@${i.version}) is installed but not in the lockfile (run npm ci)` });
    else if (known.version !== i.version) findings.push({ check: 'installed', message: `${i.path} is ${i.version} but the lockfile says ${known.version} (run npm ci)` });
    byPath.set(i.path, { path: i.path, name: i.name, version: i.version, engines: i.engines ?? known?.engines, scripts: i.installScripts, optional: known?.optional ?? false });
    lockPaths.delete(i.path);
  }
  for (const path of lockPaths) {
    if (!byPath.get(path)!.optional) findings.push({ check: 'installed', message: `${path} is in the lockfile but not installed (run npm ci)` });
  }
  return [...byPath.values()];
}

function isOptional(e: LockEntry): boolean { return e.optional === true || e.devOptional === true; }

export function auditDependencies(rootDir: string, advisoriesFile: string): AuditReport {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const pkg = readJson<Manifest>(join(rootDir, 'package.json'));
  const lockFile = join(rootDir, 'package-lock.json');
  const lock: Lockfile = existsSync(lockFile) ? readJson<Lockfile>(lockFile) : {};
  if (!existsSync(lockFile)) findings.push({ check: 'lockfile', message: 'package-lock.json is missing (run npm install and commit it)' });
  else if ((lock.lockfileVersion ?? 1) < 2 || !lock.packages) findings.push({ check: 'lockfile', message: `package-lock.json is lockfile version ${String(lock.lockfileVersion)}: 2 or 3 is needed` });
  if (!existsSync(join(rootDir, 'node_modules'))) findings.push({ check: 'installed', message: 'node_modules is missing (run npm ci)' });

  checkPinning(pkg, findings);
  checkLockfile(pkg, lock, findings);
  const all = packagesOf(lock, installedPackages(rootDir), findings);
  const advisories = readAdvisories(advisoriesFile, findings);

  const node = typeof pkg.engines?.node === 'string' ? pkg.engines.node : '';
  if (semver.validRange(node) === null) findings.push({ check: 'engines', message: `package.json engines.node "${node}" is not a version range` });
  const allow = pkg.allowScripts ?? {};
  for (const p of all) {
    const id = `${p.name}@${p.version} (${p.path})`;
    for (const a of advisories) {
      if (a.package === p.name && semver.valid(p.version) && semver.satisfies(p.version, a.vulnerable, { includePrerelease: true })) {
        findings.push({ check: 'advisory', message: `${id}: ${a.id}${a.severity ? ` [${a.severity}]` : ''} ${a.summary} (vulnerable: ${a.vulnerable})` });
      }
    }
    if (typeof p.engines === 'string' && semver.validRange(node) !== null) {
      if (semver.validRange(p.engines) === null) notes.push(`${id} has an unreadable engines.node "${p.engines}"`);
      else if (!semver.subset(node, p.engines)) {
        const text = `${id} requires Node ${p.engines}, outside what package.json supports (${node})`;
        if (p.optional) notes.push(`${text}; optional: npm leaves it out on a Node it does not support`);
        else findings.push({ check: 'engines', message: text });
      }
    }
    if (p.scripts.length > 0) {
      const verdict = scriptsAllowed(allow, p.name, p.version);
      if (verdict === undefined) findings.push({ check: 'install-script', message: `${id} runs an install script (${p.scripts.join(', ')}) and is not in package.json allowScripts` });
      else if (verdict === false) notes.push(`${id} has install scripts, denied by allowScripts`);
    }
  }
  return { findings, notes, packages: all.length, advisories: advisories.length, node };
}

export function formatReport(r: AuditReport, advisoriesFile: string): string {
  const lines = [`audit:deps: ${r.packages} packages, ${r.advisories} advisories from ${advisoriesFile}, Node ${r.node || '(none declared)'}`];
  for (const note of r.notes) lines.push(`  note: ${note}`);
  if (r.findings.length === 0) lines.push('audit:deps: no problems found');
  else {
    lines.push(`audit:deps: ${r.findings.length} problem${r.findings.length === 1 ? '' : 's'}:`);
    for (const f of r.findings) lines.push(`  [${f.check}] ${f.message}`);
  }
  return lines.join('\n') + '\n';
}

function main(argv: string[]): number {
  const arg = (flag: string): string | undefined => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  const root = resolve(arg('--root') ?? fileURLToPath(new URL('..', import.meta.url)));
  const advisories = resolve(arg('--advisories') ?? join(root, 'security', 'advisories.json'));
  const report = auditDependencies(root, advisories);
  process.stdout.write(formatReport(report, advisories));
  return report.findings.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try { process.exitCode = main(process.argv.slice(2)); } catch (error) {
    process.stderr.write(`audit:deps: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
