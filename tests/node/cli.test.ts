/**
 * The command-line tools as a person runs them: train (with a stop and a
 * resume), eval, eval:robust, soup and predict, on real MNIST.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_PIXELS } from '../../src/core/data/mnist';
import { PAD_CONDITIONS } from '../../src/core/drawing/robustness';
import { digitsToIdxZip, digitsToJson } from '../../src/core/data/personalDigits';
import { FINE_TUNE } from '../../src/core/train/fineTune';
import { loadMnistFromDisk } from '../../src/node/nodeData';
import { repoRoot } from '../../src/node/paths';

const dir = mkdtempSync(join(tmpdir(), 'mnist-cli-'));
const modelDir = join(dir, 'model');
const tunedDir = join(dir, 'tuned');
const fineTune = ['--epochs', '1', '--limit', '640', '--validation', '500', '--lr', '1e-4', '--schedule', 'constant', '--init', modelDir];

function npm(args: string[]) {
  const r = spawnSync('npm', ['run', '--silent', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run train / eval / predict', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    // Train 2 epochs, stopping with Ctrl-C once the first epoch is checkpointed...
    const args = ['--import', 'tsx', 'scripts/train.ts', '--model', 'original', '--epochs', '2', '--limit', '24000', '--validation', '500', '--workers', '2', '--seed', '3', '--out', modelDir];
    // The script itself (npm would die of the Ctrl-C and orphan it), so we can wait for its graceful stop.
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const interrupted = await new Promise<number | null>((resolve) => {
      const poll = setInterval(() => {
        // At once: the epoch's checkpoint may still be being written, and must be there after the stop.
        if (/epoch 1\/2 /.test(stderr)) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 50);
      child.stderr.on('data', (d) => (stderr += String(d)));
      child.on('exit', (code) => {
        clearInterval(poll);
        resolve(code);
      });
    });
    expect(stderr).toMatch(/stopping after this step/);
    expect(interrupted).toBe(0);
    expect(existsSync(join(modelDir, 'checkpoint', 'meta.json'))).toBe(true);
    // ...then resume and finish.
    const resumed = npm(['train', '--', '--out', modelDir, '--resume']);
    expect(resumed.stderr).toMatch(/resuming original from .*: 1 of 2 epochs done/);
    expect(resumed.code).toBe(0);
    // A fine-tune of it, for the --init and soup tests.
    expect(npm(['train', '--', '--model', 'original', ...fineTune, '--out', tunedDir]).code).toBe(0);
  }, 600_000);

  it('train writes the model, a training log and removes the finished checkpoint', () => {
    expect(existsSync(join(modelDir, 'model.json'))).toBe(true);
    expect(existsSync(join(modelDir, 'weights.bin'))).toBe(true);
    expect(existsSync(join(modelDir, 'checkpoint'))).toBe(false);
    const log = JSON.parse(readFileSync(join(modelDir, 'training-log.json'), 'utf8'));
    expect(log.model).toBe('original');
    expect(log.config).toMatchObject({ epochs: 2, batchSize: 64, seed: 3, learningRate: 1e-3 });
    expect(log.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2]);
    expect(log.stopReason).toBe('completed');
    expect(log.testAccuracy).toBeGreaterThan(0.85);
    expect(log.backend).toMatch(/wasm \(2 replicas, data-parallel/);
    expect(log.wallSeconds).toBeGreaterThan(0);
    expect(log.confusion).toHaveLength(10);
  });

  it('eval --json reports the same test accuracy as the training log', () => {
    const r = npm(['eval', '--', '--model', modelDir, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const log = JSON.parse(readFileSync(join(modelDir, 'training-log.json'), 'utf8'));
    expect(out.testAccuracy).toBeCloseTo(log.testAccuracy, 6);
    expect(out.count).toBe(10000);
    expect(out.perClassAccuracy).toHaveLength(10);
    const text = npm(['eval', '--', '--model', modelDir]);
    expect(text.stdout).toMatch(/test accuracy \d+\.\d\d% \(\d+\/10000\)/);
    expect(text.stdout).toMatch(/confusion matrix/);
  });

  it('train --init fine-tunes a trained model, and refuses one of another architecture', () => {
    const log = JSON.parse(readFileSync(join(tunedDir, 'training-log.json'), 'utf8'));
    expect(log.init).toBe(modelDir);
    expect(log.initLog.testAccuracy).toBe(JSON.parse(readFileSync(join(modelDir, 'training-log.json'), 'utf8')).testAccuracy);
    // Ten steps from scratch reach nowhere near this; from the trained weights they keep it.
    expect(log.testAccuracy).toBeGreaterThan(0.85);
    const wrong = npm(['train', '--', '--model', 'modified', ...fineTune, '--out', join(dir, 'wrong')]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/does not fit the modified model/);
    // On every training image there is no validation set, and its epoch line says nothing of one.
    const all = npm(['train', '--', '--model', 'original', ...fineTune.map((a) => (a === '500' ? '0' : a)), '--out', join(dir, 'all')]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toMatch(/epoch 1\/1  loss \S+ acc \S+  lr /);
    expect(all.stderr).not.toMatch(/NaN|val_/);
  }, 600_000);

  it('train --init --extra fine-tunes on a person\'s digits in either export format with the page\'s recipe', async () => {
    const { test } = await loadMnistFromDisk();
    const digit = (i: number) => ({ label: test.labels[i], image: test.images.slice(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), strokes: [], predicted: null, savedAt: 0 });
    const all = Array.from({ length: 200 }, (_, i) => digit(i));
    // As in the page (planFineTune): few digits are all trained on; 4 of each digit, every fourth held out.
    const few = all.slice(0, 20);
    const many = Array.from({ length: 10 }, (_, label) => all.filter((d) => d.label === label).slice(0, 4)).flat();
    const files = { json: join(dir, 'digits.json'), zip: join(dir, 'digits.zip') };
    writeFileSync(files.json, digitsToJson(few));
    writeFileSync(files.zip, digitsToIdxZip(many));
    for (const [kind, file] of Object.entries(files)) {
      const out = join(dir, `extra-${kind}`);
      const r = npm(['train', '--', '--model', 'original', '--init', modelDir, '--extra', file, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      if (kind === 'zip') expect(r.stderr).toMatch(/training on 30 of the 40 digits; like the page, it holds out every fourth of each digit/);
      else expect(r.stderr).not.toMatch(/holds out/);
      const log = JSON.parse(readFileSync(join(out, 'training-log.json'), 'utf8'));
      expect(log.config).toMatchObject({ epochs: 1, batchSize: FINE_TUNE.batchSize, learningRate: FINE_TUNE.learningRate });
      expect(log.epochs[0].imagesPerSecond).toBeGreaterThan(0);
      expect(log.init).toBe(modelDir);
      expect(log.testAccuracy).toBeGreaterThan(0.85);
    }
  }, 600_000);

  it('train --teacher distills trained models into a new one (with every augmentation at once), and its log names them', () => {
    const out = join(dir, 'student');
    const args = ['--model', 'original', '--epochs', '1', '--limit', '640', '--validation', '500', '--augment', '15,0.15,0.12,0.25,0.5,0.3,2,0.3,0.3,0.3', '--distill', '0.25', '--temperature', '2'];
    const r = npm(['train', '--', ...args, '--teacher', modelDir, '--teacher', tunedDir, '--out', out]);
    expect(r.code).toBe(0);
    const log = JSON.parse(readFileSync(join(out, 'training-log.json'), 'utf8'));
    expect(log.config.distill).toEqual({ weight: 0.25, temperature: 2 });
    expect(log.config.augment).toMatchObject({ styles: 0.3, elastic: 2, bases: 0.3, openLoops: 0.3, shortStems: 0.3 });
    expect(log.teachers.map((t: { dir: string }) => t.dir)).toEqual([modelDir, tunedDir]);
    expect(log.teachers[1].log.init).toBe(modelDir);
    const missing = npm(['train', '--', ...args, '--teacher', join(dir, 'nowhere'), '--out', join(dir, 'orphan')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--teacher: .*nowhere/);
  }, 300_000);

  it('soup averages the trained and the fine-tuned model, and refuses a mix of architectures', () => {
    const soup = join(dir, 'soup');
    const r = npm(['soup', '--', '--out', soup, modelDir, tunedDir]);
    expect(r.code).toBe(0);
    const log = JSON.parse(readFileSync(join(soup, 'training-log.json'), 'utf8'));
    expect(log.model).toBe('original');
    expect(log.soupOf.map((s: { dir: string }) => s.dir)).toEqual([modelDir, tunedDir]);
    expect(log.soupOf[1].log.init).toBe(modelDir);
    expect(log.testAccuracy).toBeGreaterThan(0.85);
    const ev = JSON.parse(npm(['eval', '--', '--model', soup, '--json']).stdout);
    expect(ev.testAccuracy).toBeCloseTo(log.testAccuracy, 6);
    const mixed = npm(['soup', '--', '--out', join(dir, 'mixed'), modelDir, join(repoRoot, 'public/models/lenet5-modified')]);
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toMatch(/must share one architecture; got original, modified/);
    const single = npm(['soup', '--', '--out', join(dir, 'single'), modelDir]);
    expect(single.stderr).toMatch(/at least two model folders/);
  }, 300_000);

  it('eval explains a missing model', () => {
    const r = npm(['eval', '--', '--model', join(dir, 'nothing-here')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot read a model from .*model.json/);
  });

  it('eval:drawn --offline checks a model folder; the browser replay only takes the shipped models', () => {
    const r = npm(['eval:drawn', '--', '--offline', '--per-class', '3', '--model', modelDir, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ model: modelDir, mode: 'offline', keepWidth: false, count: 30 });
    expect(out.perClass).toHaveLength(10);
    const kept = npm(['eval:drawn', '--', '--offline', '--keep-width', '--per-class', '3', '--model', modelDir, '--json']);
    expect(JSON.parse(kept.stdout)).toMatchObject({ keepWidth: true, count: 30 });
    const keptInPage = npm(['eval:drawn', '--', '--keep-width']);
    expect(keptInPage.code).not.toBe(0);
    expect(keptInPage.stderr).toMatch(/add --offline/);
    const browser = npm(['eval:drawn', '--', '--model', modelDir]);
    expect(browser.code).not.toBe(0);
    expect(browser.stderr).toMatch(/or a model folder with --offline/);
    const missing = npm(['eval:drawn', '--', '--offline', '--model', join(dir, 'nothing-here')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot read a model from .*model.json/);
  }, 120_000);

  it('eval:robust reads the test set put on the pad under each change, for the shipped models or a folder', () => {
    const r = npm(['eval:robust', '--', '--limit', '40', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.images).toBe(40);
    expect(out.rows.map((row: { condition: string }) => row.condition)).toEqual(['MNIST as is (no pad)', ...PAD_CONDITIONS.map((c) => c.name)]);
    for (const row of out.rows) {
      expect(row.accuracy).toHaveLength(2);
      expect(row.perClass[0]).toHaveLength(10);
    }
    // The shipped modified model reads these 40 as drawn on the pad, and nearly all under the mildest changes.
    expect(out.rows[1].accuracy[0]).toBeGreaterThanOrEqual(0.95);
    expect(Math.min(...out.rows.map((row: { accuracy: number[] }) => row.accuracy[0]))).toBeGreaterThanOrEqual(0.8);
    const folder = npm(['eval:robust', '--', '--limit', '20', '--keep-width', '--model', modelDir]);
    expect(folder.code).toBe(0);
    expect(folder.stdout).toMatch(/20 MNIST test images on the pad, stroke width kept/);
    expect(folder.stdout).toMatch(/\| stroke 40 px \| \d+\.\d\d%/);
    const typo = npm(['eval:robust', '--', '--limt', '20']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown option --limt \(did you mean --limit\?\)/);
  }, 120_000);

  it('predict reads PNGs of any size and polarity the same way, and reports bad files', async () => {
    const { test } = await loadMnistFromDisk();
    const files: string[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 12; i++) {
      const img = test.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
      // As MNIST stores it: 28x28 grey, light ink on black.
      const small = join(dir, `digit${i}-small.png`);
      writeFileSync(small, encode({ width: 28, height: 28, data: Uint8Array.from(img), channels: 1, depth: 8 }));
      // Scanned style: 112x140 RGBA, dark ink on white paper, off-centre.
      const w = 112, h = 140;
      const big = new Uint8Array(w * h * 4).fill(255);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const sx = Math.floor((x - 10) / 3), sy = Math.floor((y - 40) / 3);
        const v = sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? img[sy * 28 + sx] : 0;
        big.fill(255 - v, (y * w + x) * 4, (y * w + x) * 4 + 3);
      }
      const large = join(dir, `digit${i}-large.png`);
      writeFileSync(large, encode({ width: w, height: h, data: big, channels: 4, depth: 8 }));
      files.push(small, large);
      labels.push(test.labels[i]);
    }
    const corrupt = join(dir, 'corrupt.png');
    writeFileSync(corrupt, 'this is not a png');
    const blank = join(dir, 'blank.png');
    writeFileSync(blank, encode({ width: 50, height: 50, data: new Uint8Array(2500).fill(255), channels: 1, depth: 8 }));

    const r = npm(['predict', '--', '--model', modelDir, ...files, corrupt, join(dir, 'missing.png'), blank]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(files.length + 3);
    let right = 0;
    for (let i = 0; i < 12; i++) {
      const [small, large] = [lines[2 * i], lines[2 * i + 1]];
      expect(small.file).toBe(files[2 * i]);
      expect(small.probabilities).toHaveLength(10);
      expect(small.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 3);
      expect(large.digit).toBe(small.digit); // one preprocessing, whatever the size or polarity
      if (small.digit === labels[i]) right++;
    }
    expect(right).toBeGreaterThanOrEqual(10);
    expect(lines[files.length].error).toMatch(/cannot classify/);
    expect(lines[files.length + 1].error).toMatch(/cannot classify: .*ENOENT/);
    expect(lines[files.length + 2]).toMatchObject({ empty: true, digit: null });
  });
});
