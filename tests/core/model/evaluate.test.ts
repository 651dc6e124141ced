import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { evaluateModel } from '../../../src/core/model/evaluate';
import type { MnistSet } from '../../../src/core/data/mnist';
import { useBackend } from '../../helpers/backend';

beforeAll(() => useBackend('cpu'));

describe('evaluateModel', () => {
  it('counts accuracy, per-class accuracy and the confusion matrix, in batches', async () => {
    // A model that always answers 3, on 5 images labelled 3,3,1,3,7.
    const input = tf.input({ shape: [28, 28, 1] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 10, activation: 'softmax', biasInitializer: 'zeros' }).apply(flat) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    const bias = new Float32Array(10);
    bias[3] = 10;
    m.layers[2].setWeights([tf.zeros([784, 10]), tf.tensor1d(bias)]);
    const set: MnistSet = { images: new Uint8Array(5 * 784), labels: Uint8Array.from([3, 3, 1, 3, 7]), count: 5 };
    let progress = 0;
    const ev = await evaluateModel(m, set, { batchSize: 2, onProgress: (d) => (progress = d) });
    expect(progress).toBe(5);
    expect(ev.correct).toBe(3);
    expect(ev.accuracy).toBeCloseTo(0.6);
    expect(ev.confusion[3][3]).toBe(3);
    expect(ev.confusion[1][3]).toBe(1);
    expect(ev.confusion[7][3]).toBe(1);
    expect(ev.perClassAccuracy[3]).toBe(1);
    expect(ev.perClassAccuracy[1]).toBe(0);
    expect(Number.isNaN(ev.perClassAccuracy[0])).toBe(true);
    expect(Array.from(ev.predictions!)).toEqual([3, 3, 3, 3, 3]);
    expect(ev.loss).toBeGreaterThan(0);
  });
});
