/**
 * Folders replaced as a whole: a process killed at any instant, or a disk
 * that fills up, leaves the old folder or the new one, never neither and
 * never a mix. The new folder is written and flushed beside the old one
 * (DIR.new), then swapped in by two renames; a swap cut between them leaves
 * the old folder as DIR.old, which `settledFolder` reads and the next write
 * puts back first.
 */
import { existsSync } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const newOf = (dir: string) => `${dir}.new`;
const oldOf = (dir: string) => `${dir}.old`;

/** Puts back the old folder a swap cut between its renames left as DIR.old. */
export async function settleFolder(dir: string): Promise<void> {
  if (!existsSync(dir) && existsSync(oldOf(dir))) await rename(oldOf(dir), dir);
}

/** The folder to read from: DIR, or the old one a cut swap left beside it. */
export function settledFolder(dir: string): string {
  return !existsSync(dir) && existsSync(oldOf(dir)) ? oldOf(dir) : dir;
}

async function syncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Hard links, so what the new folder keeps of the old costs no copy and no window. */
async function linkTree(from: string, to: string): Promise<void> {
  if ((await stat(from)).isDirectory()) {
    await mkdir(to);
    for (const name of await readdir(from)) await linkTree(join(from, name), join(to, name));
  } else {
    await link(from, to);
  }
}

/**
 * Replaces folder `dir` with `files` (name -> contents). Entries of the old
 * folder not among `files` are kept unless `keep` says otherwise.
 */
export async function writeFolder(dir: string, files: Record<string, Uint8Array | string>, keep: (name: string) => boolean = () => true): Promise<void> {
  const fresh = newOf(dir);
  const old = oldOf(dir);
  await settleFolder(dir);
  await rm(fresh, { recursive: true, force: true });
  await mkdir(fresh, { recursive: true });
  for (const [name, data] of Object.entries(files)) await writeSynced(join(fresh, name), data);
  if (existsSync(dir)) {
    for (const name of await readdir(dir)) if (!(name in files) && keep(name)) await linkTree(join(dir, name), join(fresh, name));
  }
  await syncPath(fresh);
  await rm(old, { recursive: true, force: true });
  if (existsSync(dir)) await rename(dir, old);
  await rename(fresh, dir);
  await syncPath(dirname(dir));
  await rm(old, { recursive: true, force: true });
}
