import { chmod, lstat, mkdir, open, readdir, rename } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Recordings are the citizens' voices: readable by the service's user only. Files are 0600 and folders
 * 0700 whatever the process umask, so every mode is set explicitly after the file or folder is made.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_FOLDER = 0o700;

/** Bits that let anyone but the owner in. */
const OPEN_TO_OTHERS = 0o077;

/** Makes `folder` and the folders between `root` and it (root included) that are missing, each 0700. */
export async function makePrivateFolders(root: string, folder: string): Promise<void> {
  if ((await mkdir(root, { recursive: true, mode: PRIVATE_FOLDER })) !== undefined) await chmod(root, PRIVATE_FOLDER);
  const rel = relative(root, folder);
  let at = root;
  for (const next of rel === '' ? [] : rel.split(sep)) {
    at = join(at, next);
    try {
      await mkdir(at, { mode: PRIVATE_FOLDER });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await chmod(at, PRIVATE_FOLDER);
  }
}

/**
 * Writes `bytes` to `path` as a private file (0600), fsynced, through a `.part` file renamed into place,
 * then fsyncs the folder. Its folders are made 0700 from `root` down.
 */
export async function writePrivateFile(root: string, path: string, bytes: Uint8Array): Promise<void> {
  await makePrivateFolders(root, dirname(path));
  const partial = `${path}.part`;
  const file = await open(partial, 'w', PRIVATE_FILE);
  try {
    // A .part left by a crash keeps its old mode when opened again: set it before any byte is written.
    await file.chmod(PRIVATE_FILE);
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(partial, path);
  const folder = await open(dirname(path), 'r');
  try { await folder.sync(); } catch { /* not every file system syncs folders */ } finally { await folder.close(); }
}

export interface Tightened {
  files: number;
  folders: number;
  /** Files and folders whose mode could not be changed (owned by another user, say). */
  failed: number;
}

/**
 * Walks the recordings folder and takes away what others may do: files more open than 0600 become 0600,
 * folders more open than 0700 become 0700 (the folder itself included). Symbolic links are neither
 * followed nor changed. `stopped()` ends the walk early (the service is closing).
 */
export async function tightenTree(root: string, stopped: () => boolean = () => false): Promise<Tightened> {
  const done: Tightened = { files: 0, folders: 0, failed: 0 };
  const restrict = async (path: string, mode: number, kind: 'files' | 'folders'): Promise<void> => {
    try { await chmod(path, mode); done[kind]++; } catch { done.failed++; }
  };
  const pending = [root];
  while (pending.length > 0 && !stopped()) {
    const folder = pending.pop()!;
    const info = await lstat(folder).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    if ((info.mode & OPEN_TO_OTHERS) !== 0) await restrict(folder, PRIVATE_FOLDER, 'folders');
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (stopped()) break;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) { pending.push(path); continue; }
      if (!entry.isFile()) continue;
      const file = await lstat(path).catch(() => undefined);
      if (file?.isFile() && (file.mode & OPEN_TO_OTHERS) !== 0) await restrict(path, PRIVATE_FILE, 'files');
    }
  }
  return done;
}
