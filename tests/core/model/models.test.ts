import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { countParams, createModel, modelNameOf } from '../../../src/core/model/models';
import { useBackend } from '../../helpers/backend';

beforeAll(() => useBackend('cpu'));

const shapes = (m: tf.LayersModel) => Object.fromEntries(m.layers.map((l) => [l.name, (l.outputShape as number[]).slice(1)]));

describe('modified LeNet-5', () => {
  it('has the reference layer shapes on 32x32 padded input', () => {
    const m = createModel('modified');
    expect(shapes(m)).toEqual({
      pad_to_32: [32, 32, 1],
      standardize: [32, 32, 1],
      conv1: [28, 28, 32],
      conv2: [24, 24, 32],
      bn2: [24, 24, 32],
      relu2: [24, 24, 32],
      pool2: [12, 12, 32],
      drop2: [12, 12, 32],
      conv3: [10, 10, 64],
      conv4: [8, 8, 64],
      bn4: [8, 8, 64],
      relu4: [8, 8, 64],
      pool4: [4, 4, 64],
      drop4: [4, 4, 64],
      flatten: [1024],
      fc1: [256],
      bn_fc1: [256],
      relu_fc1: [256],
      fc2: [128],
      bn_fc2: [128],
      relu_fc2: [128],
      fc3: [84],
      bn_fc3: [84],
      relu_fc3: [84],
      drop_fc3: [84],
      output: [10],
    });
    m.dispose();
  });

  it('has 389,434 trainable parameters (390,562 with BatchNorm statistics)', () => {
    const m = createModel('modified');
    expect(countParams(m)).toEqual({ trainable: 389434, total: 390562 });
    m.dispose();
  });

  it('puts L2 5e-4 on the two ReLU convolutions and no bias where BatchNorm follows', () => {
    const m = createModel('modified');
    const cfg = (name: string) => m.getLayer(name).getConfig() as Record<string, unknown>;
    for (const name of ['conv1', 'conv3']) {
      expect(cfg(name).kernelRegularizer).toMatchObject({ className: 'L1L2', config: { l2: 5e-4 } });
      expect(cfg(name).activation).toBe('relu');
    }
    for (const name of ['conv2', 'conv4', 'fc1', 'fc2', 'fc3']) expect(cfg(name).useBias).toBe(false);
    const losses = m.layers.flatMap((l) => l.calculateLosses());
    expect(losses).toHaveLength(2);
    tf.dispose(losses);
    m.dispose();
  });
});

describe('original LeNet-5', () => {
  it('has the classic shapes and 61,706 parameters', () => {
    const m = createModel('original');
    expect(shapes(m)).toMatchObject({
      conv1: [28, 28, 6],
      pool1: [14, 14, 6],
      conv2: [10, 10, 16],
      pool2: [5, 5, 16],
      flatten: [400],
      fc1: [120],
      fc2: [84],
      output: [10],
    });
    expect(countParams(m)).toEqual({ trainable: 61706, total: 61706 });
    m.dispose();
  });
});

describe('factory', () => {
  it('gives the same initial weights for the same seed and names its models', () => {
    const a = createModel('original', { seed: 3 });
    const b = createModel('original', { seed: 3 });
    const c = createModel('original', { seed: 4 });
    const w = (m: tf.LayersModel) => Array.from(m.getWeights()[0].dataSync().slice(0, 20));
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    expect(modelNameOf(a)).toBe('original');
    expect(modelNameOf(createModel('modified'))).toBe('modified');
    expect(() => createModel('lenet9' as never)).toThrow(/Unknown model "lenet9"/);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('outputs a probability distribution for raw 28x28 pixels', () => {
    const m = createModel('modified', { seed: 1 });
    const p = m.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor;
    expect(p.shape).toEqual([2, 10]);
    const sums = tf.sum(p, 1).dataSync();
    expect(sums[0]).toBeCloseTo(1, 5);
    m.dispose();
  });
});
