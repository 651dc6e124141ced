/** The leaner FusedBatchNorm gradient against autodiff through plain elementwise ops; Sum's and Mean's against their formulas. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../helpers/backend';
import { makeRng } from '../../src/core/train/rng';

beforeAll(() => useBackend('cpu'));

const rand = (shape: number[], seed: number, lo = -1, hi = 1) => {
  const rng = makeRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * rng()), shape);
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

describe('Sum and Mean gradients', () => {
  for (const [op, axis, keepDims] of [['sum', [0, 1, 2], false], ['mean', [0, 1, 2], true], ['mean', 1, false], ['sum', undefined, false]] as const) {
    it(`${op} over ${JSON.stringify(axis)}${keepDims ? ', dims kept' : ''}: each input gets its output's weight${op === 'mean' ? ' over the count' : ''}`, async () => {
      const shape = [3, 4, 2, 5];
      const x = rand(shape, 5);
      const f = (a: tf.Tensor) => tf[op](a, axis as number[] | undefined, keepDims);
      const w = rand(f(x).shape, 6);
      const [dx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(f(a), w)))([x]);
      const axes = axis === undefined ? [0, 1, 2, 3] : ([] as number[]).concat(axis);
      const count = axes.reduce((n, a) => n * shape[a], 1);
      const want = tf.broadcastTo(tf.reshape(w, shape.map((d, i) => (axes.includes(i) ? 1 : d))), shape);
      const got = await dx.data();
      const expected = await want.data();
      expect(dx.shape).toEqual(shape);
      for (let j = 0; j < got.length; j++) expect(got[j]).toBeCloseTo(expected[j] / (op === 'mean' ? count : 1), 6);
    });
  }
});
