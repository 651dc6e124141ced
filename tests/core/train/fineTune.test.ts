/** The fine-tune recipe: a person's digits mixed into every batch of MNIST, held-out digits never trained on. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import type { MnistSet } from '../../../src/core/data/mnist';
import { FINE_TUNE, finishFineTune, fineTuneSettings, holdOut, mixPersonal, planFineTune, recommendKeeping } from '../../../src/core/train/fineTune';
import { buildRun } from '../../../src/core/train/run';
import { loadMnistFromDisk } from '../../../src/node/nodeData';
import { createModel } from '../../../src/core/model/models';
import { encodeModelWeights } from '../../../src/core/model/weights';
import { useBackend } from '../../helpers/backend';

beforeAll(() => useBackend('wasm'));

/** n images whose every pixel is `value`, all labelled `label`. */
const uniformSet = (n: number, value: number, label: number): MnistSet => ({ images: new Uint8Array(n * 784).fill(value), labels: new Uint8Array(n).fill(label), count: n });

describe('mixPersonal', () => {
  it('gives the person a fixed share of steps x batch images, each of theirs in turn, the rest MNIST', () => {
    const mnist: MnistSet = { images: Uint8Array.from({ length: 100 * 784 }, (_, p) => Math.floor(p / 784)), labels: Uint8Array.from({ length: 100 }, (_, i) => i % 10), count: 100 };
    const mine = uniformSet(3, 255, 7);
    const mixed = mixPersonal(mnist, { set: mine, steps: 10, share: 0.25 }, 16, 1);
    expect(mixed.count).toBe(160);
    const isMine = Array.from({ length: 160 }, (_, i) => mixed.images[i * 784] === 255);
    expect(isMine.filter(Boolean).length).toBe(40);
    expect(Array.from(mixed.labels.subarray(0, 40)).every((l) => l === 7)).toBe(true);
    // The MNIST part: real images with their own labels, spread over the set.
    const fromMnist = Array.from({ length: 120 }, (_, k) => mixed.images[(40 + k) * 784]);
    expect(fromMnist.every((v, k) => mixed.labels[40 + k] === v % 10)).toBe(true);
    expect(new Set(fromMnist).size).toBeGreaterThan(50);
    expect(mixPersonal(mnist, { set: mine, steps: 10, share: 0.25 }, 16, 1)).toEqual(mixed);
    expect(() => mixPersonal(mnist, { set: uniformSet(0, 0, 0), steps: 1, share: 0.5 }, 16, 1)).toThrow(/no digits of yours/);
  });

  it('is what buildRun trains on: one epoch of exactly the recipe\'s steps, validated on MNIST\'s held-out split', async () => {
    const files = await loadMnistFromDisk();
    const parent = createModel('original', { seed: 3 });
    const settings = fineTuneSettings('original', await encodeModelWeights(parent), uniformSet(5, 200, 4), 1, 12);
    const run = buildRun(settings, files);
    expect(run.trainer.batchesPerEpoch).toBe(12);
    expect(run.splits.train.count).toBe(12 * FINE_TUNE.batchSize);
    expect(run.splits.validation.count).toBe(FINE_TUNE.validationSize);
    expect(settings.config.augment).not.toBeNull();
    run.trainer.dispose();
    run.model.dispose();
    parent.dispose();
  });
});

describe('a fine-tune', () => {
  it('trains, soups with its start, keeps BatchNorm statistics and leaves no tensors behind', async () => {
    const files = await loadMnistFromDisk();
    const start = createModel('modified', { seed: 3 });
    const initWeights = await encodeModelWeights(start);
    const before = tf.memory().numTensors;
    const settings = fineTuneSettings('modified', initWeights, uniformSet(5, 200, 4), 1, 3);
    const run = buildRun(settings, files);
    const result = await run.trainer.run();
    run.trainer.dispose();
    finishFineTune(run.model, settings);
    expect(result.reason).toBe('completed');
    const stats = (m: tf.LayersModel) => m.weights.filter((w) => w.name.includes('moving')).map((w) => w.read().dataSync()[0]);
    expect(stats(run.model)).toEqual(stats(start));
    run.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    start.dispose();
  }, 60_000);
});

describe('finishFineTune', () => {
  it('makes a fine-tuned model the mean of itself and its start, and leaves other runs alone', async () => {
    const start = createModel('original', { seed: 1 });
    const tuned = createModel('original', { seed: 2 });
    const expected = tuned.getWeights().map((w, i) => tf.div(tf.add(w, start.getWeights()[i]), 2));
    const settings = fineTuneSettings('original', await encodeModelWeights(start), uniformSet(1, 0, 0));
    finishFineTune(tuned, { ...settings, personal: undefined });
    expect(tf.max(tf.abs(tf.sub(tuned.getWeights()[0], expected[0]))).dataSync()[0]).toBeGreaterThan(1e-3);
    finishFineTune(tuned, settings);
    tuned.getWeights().forEach((w, i) => expect(tf.max(tf.abs(tf.sub(w, expected[i]))).dataSync()[0]).toBeLessThan(1e-6));
    [start, tuned].forEach((m) => m.dispose());
  });
});

describe('holdOut', () => {
  it('holds out every fourth of each digit, and never trains on those', () => {
    const digits = [...Array(9).fill(1), ...Array(3).fill(2), ...Array(4).fill(5)].map((label, id) => ({ label, id }));
    const { train, heldOut } = holdOut(digits);
    expect(heldOut.map((d) => d.label)).toEqual([1, 1, 5]);
    expect(train.length + heldOut.length).toBe(digits.length);
    expect(train.some((d) => heldOut.includes(d))).toBe(false);
  });
});

describe('planFineTune', () => {
  const labelled = (labels: number[]) => labels.map((label, id) => ({ label, id }));

  it('holds out every fourth of each digit when that scores enough of them, and the kept model trains on the rest', () => {
    const digits = labelled(Array.from({ length: 44 }, (_, i) => i % 10));
    const plan = planFineTune(digits);
    expect(plan.folds).toEqual([]);
    expect(plan.heldOut.length).toBe(10);
    expect(plan.heldOut.length).toBeGreaterThanOrEqual(FINE_TUNE.minHeldOut);
    expect(plan.train.length + plan.heldOut.length).toBe(44);
    expect(plan.train.some((d) => plan.heldOut.includes(d))).toBe(false);
  });

  it('cross-validates few digits: each scored once, by a fold that did not train on it; the kept model trains on all', () => {
    for (const labels of [[3, 3], [1, 7, 7], [1, 1, 1, 1, 1, 2, 2, 9], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 4, 4, 4, 4, 4]]) {
      const digits = labelled(labels);
      const plan = planFineTune(digits);
      expect(plan.train).toEqual(digits);
      expect(plan.heldOut).toEqual([]);
      expect(plan.folds.length).toBe(Math.min(FINE_TUNE.folds, digits.length));
      expect(plan.folds.flatMap((f) => f.heldOut).map((d) => d.id).sort((a, b) => a - b)).toEqual(digits.map((d) => d.id));
      for (const f of plan.folds) {
        expect(f.train.length).toBeGreaterThan(0);
        expect(f.train.length + f.heldOut.length).toBe(digits.length);
        expect(f.train.some((d) => f.heldOut.includes(d))).toBe(false);
      }
    }
  });

  it('spreads the digits of a label over the folds', () => {
    const plan = planFineTune(labelled([1, 1, 1, 1, 1, 1, 2, 2, 2]));
    for (const f of plan.folds) expect(f.heldOut.map((d) => d.label)).toEqual([1, 1, 2]);
  });

  it('does not score a single digit', () => {
    const digits = labelled([5]);
    expect(planFineTune(digits)).toEqual({ train: digits, heldOut: [], folds: [] });
  });
});

describe('recommendKeeping', () => {
  const scores = (before: number, after: number) => ({ personal: null, test: null, validation: { before, after, count: 5000 } });
  it('recommends keeping unless MNIST validation accuracy falls by more than 0.1 point', () => {
    expect(recommendKeeping(scores(0.995, 0.994))).toBe(true);
    expect(recommendKeeping(scores(0.995, 0.9938))).toBe(false);
    expect(recommendKeeping(scores(0.99, 0.995))).toBe(true);
  });
});
