/**
 * The command-line tools given bad input, as a person would: every case ends
 * in one `error:` line (and the usage for bad arguments), exit 2 for bad
 * arguments and 1 for failures, before any data is loaded or folder made.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/node/paths';

const dir = mkdtempSync(join(tmpdir(), 'mnist-cli-errors-'));
const original = join(repoRoot, 'public/models/lenet5-original');

function tool(script: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectClean(r: { stderr: string }, message: RegExp) {
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).not.toMatch(/\n\s+at |wasm|node:internal/); // no stack trace, no wasm runtime noise
}

/** A copy of the shipped original model with one of its files changed. */
function brokenModel(name: string, change: (json: Record<string, unknown>, bin: Buffer) => { json?: unknown; bin?: Buffer }) {
  const folder = join(dir, name);
  cpSync(original, folder, { recursive: true });
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
  const out = change(json, readFileSync(join(folder, 'weights.bin')));
  if (out.json !== undefined) writeFileSync(join(folder, 'model.json'), typeof out.json === 'string' ? out.json : JSON.stringify(out.json));
  if (out.bin) writeFileSync(join(folder, 'weights.bin'), out.bin);
  return folder;
}

describe('bad arguments', () => {
  const out = join(dir, 'never-made');
  const cases: [string, string[], RegExp][] = [
    ['a misspelt flag', ['--epoch', '3', '--out', out], /unknown option --epoch \(did you mean --epochs\?\)/],
    ['a negative number', ['--epochs', '-1', '--out', out], /--epochs must be a whole number of at least 1, got "-1"/],
    ['a flag without its value', ['--out'], /--out needs a value/],
    ['an augmentation it does not know', ['--augment', 'elastik', '--out', out], /--augment takes reference, handwriting, styles, elastic or rotation,zoom,shift/],
    ['a distillation without a teacher', ['--distill', '0.5', '--out', out], /--distill and --temperature set how to learn from teachers: name them with --teacher DIR/],
    ['a distillation weight above 1', ['--teacher', 'public/models/lenet5-original', '--distill', '2', '--out', out], /the distillation weight must be more than 0 and at most 1, not 2/],
    ['a validation split as large as the data', ['--validation', '60000', '--out', out], /validation must hold between 0 and 59999/],
    ['a batch larger than the training set', ['--batch', '100000', '--limit', '64', '--out', out], /64 training images are fewer than one batch of 100000/],
    ['a batch the replicas cannot share', ['--batch', '63', '--workers', '2', '--out', out], /--batch 63 must be a multiple of --workers 2/],
    ['digits to fine-tune on without a model', ['--extra', 'digits.json', '--out', out], /--extra fine-tunes a trained model: give it with --init DIR/],
    ['digits with settings of its own', ['--init', original, '--extra', 'x.json', '--lr', '0.1', '--epochs', '3', '--out', out], /--extra trains with the page's fine-tune recipe \(\d+ steps\); drop --epochs, --lr/],
    ['a digits file that is missing', ['--init', original, '--extra', join(dir, 'none.json'), '--out', out], /--extra .*none\.json: cannot read it \(ENOENT\)/],
    ['a digits file that is not one', ['--init', original, '--extra', join(repoRoot, 'package.json'), '--out', out], /--extra .*package\.json: it is JSON, but not a digits file exported here/],
  ];
  for (const [what, args, message] of cases) {
    it(`train: ${what}`, () => {
      const r = tool('train', args);
      expect(r.code).toBe(2);
      expectClean(r, message);
      expect(r.stderr).toMatch(/^usage: npm run train/m);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('no model is overwritten without being asked', () => {
  it('train refuses an --out that holds a model, and says how to proceed', () => {
    const r = tool('train', ['--out', original]);
    expect(r.code).toBe(2);
    expectClean(r, /already holds a model; add --force to replace it/);
  });

  it('train refuses an --out with a checkpoint unless --resume, and --init into itself', () => {
    const folder = join(dir, 'with-checkpoint');
    mkdirSync(join(folder, 'checkpoint'), { recursive: true });
    expectClean(tool('train', ['--out', folder]), /holds a training checkpoint; add --force to replace it, or --resume to continue its training/);
    expectClean(tool('train', ['--init', original, '--out', original, '--force']), /--out .* is also an input/);
  });

  it('soup refuses to write over one of its ingredients', () => {
    const r = tool('soup', ['--out', original, original, join(repoRoot, 'public/models/lenet5-original')]);
    expect(r.code).toBe(2);
    expectClean(r, /is also an input/);
  });

  it('--resume validates the checkpoint and says which options it ignores', () => {
    const folder = join(dir, 'bad-checkpoint');
    mkdirSync(join(folder, 'checkpoint'), { recursive: true });
    writeFileSync(join(folder, 'checkpoint', 'meta.json'), '{}');
    const r = tool('train', ['--out', folder, '--resume']);
    expect(r.code).toBe(1);
    expectClean(r, /meta.json is not a checkpoint this app can continue: its version is undefined/);
  });
});

describe('bad model folders', () => {
  const cases: [string, (json: Record<string, unknown>, bin: Buffer) => { json?: unknown; bin?: Buffer }, RegExp][] = [
    ['a weights file 4 KB too long', (_, bin) => ({ bin: Buffer.concat([bin, Buffer.alloc(4096)]) }), /the weights file has \d+ bytes, .*model.json describes \d+/],
    ['model.json of {}', () => ({ json: '{}' }), /not a TensorFlow.js Layers model/],
    ['model.json of null', () => ({ json: 'null' }), /not a TensorFlow.js Layers model/],
    ['a weights path outside the folder', (json) => ({ json: { ...json, weightsManifest: [{ ...(json.weightsManifest as object[])[0], paths: ['../../x'] }] } }), /names a weights file "..\/..\/x" outside its folder/],
    ['a model with 5 outputs', (json) => {
      const layers = (json.modelTopology as { config: { layers: { config: { units?: number } }[] } }).config.layers;
      layers[layers.length - 1].config.units = 5;
      return { json };
    }, /outputs \[5\], not the 10 digit classes/],
    ['a Dense layer of 2,000,000 units', (json) => {
      const layers = (json.modelTopology as { config: { layers: { config: { units?: number } }[] } }).config.layers;
      layers[layers.length - 2].config.units = 2_000_000;
      return { json };
    }, /more than/],
  ];
  for (const [what, change, message] of cases) {
    it(`eval explains ${what}`, () => {
      const r = tool('eval', ['--model', brokenModel(what.replace(/\W+/g, '-'), change)]);
      expect(r.code).toBe(1);
      expectClean(r, message);
    });
  }
});

describe('missing or bad data', () => {
  it('a missing data folder says to run npm run data, without wasm noise', () => {
    const r = tool('eval', ['--model', original], { MNIST_DIR: join(dir, 'no-data') });
    expect(r.code).toBe(1);
    // The four files load at once: whichever is found missing first is named.
    expectClean(r, /cannot read .*(train|t10k)-(images-idx3|labels-idx1)-ubyte.gz \(ENOENT\); run `npm run data` first/);
  });
});
