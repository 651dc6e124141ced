/** buildRun: the one way a run is put together, from settings to a trainer. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { createModel } from '../../../src/core/model/models';
import { encodeModelWeights } from '../../../src/core/model/weights';
import { buildRun, yieldEvery, type RunSettings } from '../../../src/core/train/run';
import { DEFAULT_SCHEDULES } from '../../../src/core/train/schedule';
import { useBackend } from '../../helpers/backend';
import { loadMnistFromDisk } from '../../../src/node/nodeData';

beforeAll(() => useBackend('wasm'));

const settings: RunSettings = {
  config: { model: 'original', epochs: 1, batchSize: 32, learningRate: 1e-3, schedule: DEFAULT_SCHEDULES.constant, augment: null, seed: 7 },
  validationSize: 500,
  trainLimit: 320,
};

const sameWeights = async (a: tf.LayersModel, b: tf.LayersModel) =>
  Buffer.from((await encodeModelWeights(a)).data).equals(Buffer.from((await encodeModelWeights(b)).data));

describe('buildRun', () => {
  it('splits the data as the settings say and seeds the model', async () => {
    const files = await loadMnistFromDisk();
    const run = buildRun(settings, files);
    expect(run.splits.train.count).toBe(320);
    expect(run.splits.validation.count).toBe(500);
    expect(run.splits.test.count).toBe(10000);
    expect(run.trainer.batchesPerEpoch).toBe(10);
    const twin = createModel('original', { seed: 7 });
    expect(await sameWeights(run.model, twin)).toBe(true);
    run.trainer.dispose();
    run.model.dispose();
    twin.dispose();
  });

  it('starts from given weights, trains and reports the validation split', async () => {
    const files = await loadMnistFromDisk();
    const parent = createModel('original', { seed: 99 });
    const initWeights = await encodeModelWeights(parent);
    const run = buildRun({ ...settings, initWeights }, files);
    expect(await sameWeights(run.model, parent)).toBe(true);
    const result = await run.trainer.run();
    expect(result.reason).toBe('completed');
    expect(Number.isFinite(result.history[0].valLoss)).toBe(true);
    run.trainer.dispose();
    run.model.dispose();
    parent.dispose();
  });

  it('refuses weights of another architecture, leaving nothing behind', async () => {
    const files = await loadMnistFromDisk();
    const other = createModel('modified', { seed: 1 });
    const initWeights = await encodeModelWeights(other);
    const before = tf.memory().numTensors;
    expect(() => buildRun({ ...settings, initWeights }, files)).toThrow(/shape|weights given/);
    expect(tf.memory().numTensors).toBe(before);
    other.dispose();
  });
});

describe('yieldEvery', () => {
  it('lets waiting messages and timers in once its interval has passed, not before', async () => {
    let message = false;
    let timer = false;
    const other = new MessageChannel();
    other.port1.onmessage = () => (message = true);
    other.port2.postMessage(null);
    setTimeout(() => (timer = true), 0);
    await yieldEvery(3_600_000)(); // within the interval: no yield
    expect([message, timer]).toEqual([false, false]);
    for (let i = 0; i < 10_000 && !(message && timer); i++) await yieldEvery(0)(); // each call yields once
    expect([message, timer]).toEqual([true, true]);
    other.port1.close();
  });
});
