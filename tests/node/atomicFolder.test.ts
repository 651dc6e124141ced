/** Folders replaced as a whole, checked with real processes killed mid-write and a real file-size limit. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../helpers/tf';
import { createModel } from '../../src/core/model/models';
import { encodeModelWeights } from '../../src/core/model/weights';
import { settledFolder, writeFolder } from '../../src/node/atomicFolder';
import { loadModelFromFolder, saveModelToFolder } from '../../src/node/fsModel';
import { repoRoot } from '../../src/node/paths';

beforeAll(() => tf.setBackend('cpu'));

const scratch = () => mkdtempSync(join(tmpdir(), 'atomic-'));
const fixture = join(repoRoot, 'tests/node/fixtures/save-loop.ts');
const bytesOf = async (m: tf.LayersModel) => Buffer.from((await encodeModelWeights(m)).data);

describe('writeFolder', () => {
  it('replaces the files, keeps what else the folder held unless told not to', async () => {
    const dir = join(scratch(), 'm');
    await writeFolder(dir, { 'a.txt': 'one', 'b.bin': new Uint8Array([1, 2]) });
    mkdirSync(join(dir, 'checkpoint'));
    writeFileSync(join(dir, 'checkpoint', 'meta.json'), '{}');
    await writeFolder(dir, { 'a.txt': 'two' });
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('two');
    expect(readFileSync(join(dir, 'b.bin'))).toEqual(Buffer.from([1, 2]));
    expect(readFileSync(join(dir, 'checkpoint', 'meta.json'), 'utf8')).toBe('{}');
    await writeFolder(dir, { 'a.txt': 'three' }, (name) => name !== 'checkpoint');
    expect(existsSync(join(dir, 'checkpoint'))).toBe(false);
    expect(existsSync(`${dir}.new`) || existsSync(`${dir}.old`)).toBe(false);
  });

  it('reads the old folder after a swap cut between its two renames, and puts it back on the next write', async () => {
    const dir = join(scratch(), 'm');
    await writeFolder(dir, { 'a.txt': 'old' });
    renameSync(dir, `${dir}.old`); // killed right after the first rename
    expect(readFileSync(join(settledFolder(dir), 'a.txt'), 'utf8')).toBe('old');
    await writeFolder(dir, { 'b.txt': 'new' });
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('old');
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('new');
  });
});

describe('saving a model folder', () => {
  it('killed at random instants, always leaves one of the two models, whole', async () => {
    const dir = join(scratch(), 'model');
    const expected = await Promise.all([1, 2].map((seed) => bytesOf(createModel('original', { seed }))));
    const seen = new Set<number>();
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, 'loop', dir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 900)); // a random instant of the save loop
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      if (!existsSync(settledFolder(dir))) continue; // killed before the very first save finished
      const model = await loadModelFromFolder(dir);
      const got = await bytesOf(model);
      const { seed } = model.getUserDefinedMetadata() as { seed: number };
      model.dispose();
      // The weights are one model's, and model.json is that same model's.
      const which = expected.findIndex((e) => e.equals(got));
      expect(which).toBeGreaterThanOrEqual(0);
      expect(seed).toBe(which + 1);
      seen.add(which);
    }
    expect(seen.size).toBeGreaterThan(0);
  }, 120_000);

  it('that runs out of space keeps the old model and says why', async () => {
    const dir = join(scratch(), 'model');
    const old = createModel('original', { seed: 1 });
    await saveModelToFolder(old, dir, {});
    // 100 KiB: the original LeNet-5's weights fit, the modified one's (1.5 MB) do not.
    const r = spawnSync('bash', ['-c', `ulimit -f 100 && exec "${process.execPath}" --import tsx "${fixture}" once "${dir}"`], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/EFBIG|file too large/i);
    const model = await loadModelFromFolder(dir);
    expect((await bytesOf(model)).equals(await bytesOf(old))).toBe(true);
    model.dispose();
    old.dispose();
  }, 60_000);
});
