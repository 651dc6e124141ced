/** The leaner FusedBatchNorm gradient against autodiff through plain elementwise ops. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../helpers/tf';
import { useBackend } from '../helpers/backend';
import { makeRng } from '../../src/core/train/rng';

beforeAll(() => useBackend('cpu'));

const rand = (shape: number[], seed: number, lo = -1, hi = 1) => {
  const rng = makeRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => lo + (hi - lo) * rng()), shape);
};

describe('FusedBatchNorm gradient', () => {
  for (const shape of [[4, 6, 5, 3], [16, 7]]) {
    it(`matches the textbook formula for input ${JSON.stringify(shape)}`, async () => {
      const c = shape[shape.length - 1];
      const x = rand(shape, 1);
      const gamma = rand([c], 2, 0.5, 1.5);
      const beta = rand([c], 3);
      const r = rand(shape, 4);
      const axes = shape.slice(0, -1).map((_, i) => i);
      const eps = 1e-3;
      // Training-mode batch norm as tfjs-layers computes it (moments, then the FusedBatchNorm kernel).
      const fused = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, axes);
        return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, b, g, eps), r));
      };
      // The same function written with elementwise ops only.
      const plain = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, axes);
        const xhat = tf.mul(tf.sub(a, mean), tf.rsqrt(tf.add(variance, eps)));
        return tf.sum(tf.mul(tf.add(tf.mul(xhat, g), b), r));
      };
      const gf = tf.grads(fused)([x, gamma, beta]);
      const gp = tf.grads(plain)([x, gamma, beta]);
      for (let i = 0; i < 3; i++) {
        const a = await gf[i].data();
        const b = await gp[i].data();
        for (let j = 0; j < a.length; j++) expect(a[j]).toBeCloseTo(b[j], 4);
      }
    });
  }
});
