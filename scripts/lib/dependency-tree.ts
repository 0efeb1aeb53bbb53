/**
 * What the dependency audit reads: package.json, package-lock.json (lockfile v2 or v3) and the packages
 * installed under node_modules, read from disk without npm (the registry mirror here has no audit endpoint).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Manifest {
  name?: string;
  version?: string;
  engines?: { node?: unknown };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  overrides?: Record<string, unknown>;
  allowScripts?: Record<string, boolean>;
}

export interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  hasInstallScript?: boolean;
  engines?: { node?: unknown } | unknown[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface Lockfile {
  name?: string;
  lockfileVersion?: number;
  packages?: Record<string, LockEntry>;
}

/** A package as installed: where it is (`node_modules/a/node_modules/b`), its real name and version. */
export interface Installed {
  path: string;
  name: string;
  version: string;
  engines: unknown;
  /** The lifecycle scripts npm runs on install (binding.gyp alone means `node-gyp rebuild`). */
  installScripts: string[];
}

export const DEPENDENCY_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/** The scripts npm runs when it installs a package. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The name a lockfile entry installs: its own `name` (an alias such as npm:better-sqlite3@13) or its folder. */
export function lockName(path: string, entry: LockEntry): string {
  if (entry.name) return entry.name;
  const at = path.lastIndexOf('node_modules/');
  return at < 0 ? path : path.slice(at + 'node_modules/'.length);
}

/** Every package under `root`/node_modules, nested ones included; symbolic links and dot folders are skipped. */
export function installedPackages(root: string): Installed[] {
  const found: Installed[] = [];
  const visit = (folder: string, rel: string): void => {
    if (!existsSync(folder)) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || !entry.isDirectory()) continue;
      if (entry.name.startsWith('@')) {
        for (const inner of readdirSync(join(folder, entry.name), { withFileTypes: true })) {
          if (inner.isDirectory()) take(join(folder, entry.name, inner.name), `${rel}/${entry.name}/${inner.name}`);
        }
        continue;
      }
      take(join(folder, entry.name), `${rel}/${entry.name}`);
    }
  };
  const take = (dir: string, path: string): void => {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) return;
    const manifest = readJson<Manifest>(file);
    const scripts = INSTALL_SCRIPTS.filter((s) => typeof manifest.scripts?.[s] === 'string');
    if (scripts.length === 0 && existsSync(join(dir, 'binding.gyp'))) scripts.push('install');
    found.push({ path, name: manifest.name ?? path, version: manifest.version ?? '', engines: manifest.engines?.node, installScripts: scripts });
    visit(join(dir, 'node_modules'), `${path}/node_modules`);
  };
  visit(join(root, 'node_modules'), 'node_modules');
  return found;
}
