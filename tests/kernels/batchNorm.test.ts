/**
 * BatchNorm in training as one kernel each way: the maths against tfjs's own
 * autodiff through moments and batchNorm, our module's builds against the
 * JavaScript, and the layer on wasm against the stock layer on cpu.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/node/nodeBackend'; // relaxed SIMD's flag, for that build
import * as tf from '../helpers/tf';
import { useBackend } from '../helpers/backend';
import { expectClose, randomArray } from '../helpers/arrays';
import { batchNormBackward, batchNormForward, BATCH_NORM_TRAINING } from '../../src/kernels/batchNorm';
import { WinogradConv, type WinogradBuild } from '../../src/kernels/winograd';

beforeAll(async () => {
  await useBackend('cpu');
  await useBackend('wasm');
});

const EPS = 1e-3;
const shapes = [[4, 6, 5, 8], [16, 12], [3, 7, 7, 3]];
const sizeOf = (s: number[]) => s.reduce((a, b) => a * b);

/** Inputs with a channel offset, so the centring matters. */
function inputs(shape: number[]) {
  const C = shape[shape.length - 1];
  const x = randomArray(sizeOf(shape), 1).map((v, i) => 3 * v + (i % C));
  const gamma = randomArray(C, 2).map((v) => 1 + 0.5 * v);
  return { C, x, gamma, beta: randomArray(C, 3), dy: randomArray(x.length, 4), dmean: randomArray(C, 5), dvariance: randomArray(C, 6) };
}

/** y, mean, variance and the gradients of sum(y dy) + sum(mean dmean) + sum(variance dvariance), by tfjs autodiff on cpu. */
async function reference(shape: number[]) {
  await tf.setBackend('cpu');
  const v = inputs(shape);
  const axes = shape.slice(0, -1).map((_, i) => i);
  const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, axes);
    const y = tf.batchNorm(x, mean, variance, b, g, EPS);
    return { y, mean, variance, loss: tf.addN([tf.sum(tf.mul(y, tf.tensor(v.dy, shape))), tf.sum(tf.mul(mean, tf.tensor(v.dmean))), tf.sum(tf.mul(variance, tf.tensor(v.dvariance)))]) };
  };
  const args = [tf.tensor(v.x, shape), tf.tensor(v.gamma), tf.tensor(v.beta)] as const;
  const out = f(...args);
  const grads = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => f(x, g, b).loss)([...args]);
  const data = async (t: tf.Tensor) => (await t.data()) as Float32Array;
  return { v, y: await data(out.y), mean: await data(out.mean), variance: await data(out.variance),
    dx: await data(grads[0]), dgamma: await data(grads[1]), dbeta: await data(grads[2]) };
}

type Impl = Pick<WinogradConv, 'batchNormForward' | 'batchNormBackward'>;
const javascript: Impl = { batchNormForward, batchNormBackward };

async function check(impl: Impl, shape: number[]) {
  const want = await reference(shape);
  const { v, C } = { v: want.v, C: want.v.C };
  const [y, mean, variance] = [new Float32Array(v.x.length), new Float32Array(C), new Float32Array(C)];
  impl.batchNormForward(v.x, v.gamma, v.beta, EPS, y, mean, variance);
  const [dx, dgamma, dbeta] = [new Float32Array(v.x.length), new Float32Array(C), new Float32Array(C)];
  impl.batchNormBackward(v.dy, v.x, v.gamma, mean, variance, v.dmean, v.dvariance, EPS, dx, dgamma, dbeta);
  expectClose(y, want.y);
  expectClose(mean, want.mean);
  expectClose(variance, want.variance);
  expectClose(dx, want.dx, 2e-4);
  expectClose(dgamma, want.dgamma);
  expectClose(dbeta, want.dbeta);
}

describe('BatchNorm training maths', () => {
  for (const shape of shapes) {
    it(`in JavaScript matches autodiff through moments and batchNorm, ${JSON.stringify(shape)}`, () => check(javascript, shape));
  }
  for (const build of ['simd128', 'relaxed'] as WinogradBuild[]) {
    for (const shape of shapes.filter((s) => s[s.length - 1] % 4 === 0)) {
      it(`in our module (${build}) matches it too, ${JSON.stringify(shape)}`, async () => check(await WinogradConv.load(build), shape));
    }
  }
  it('the module refuses channels it cannot take', async () => {
    const w = await WinogradConv.load('simd128');
    const c3 = new Float32Array(3);
    expect(() => w.batchNormForward(new Float32Array(9), c3, c3, EPS, new Float32Array(9), c3, c3)).toThrow(/multiple of 4/);
  });
});

describe('a BatchNormalization layer in training on wasm', () => {
  for (const shape of [[4, 6, 5, 8], [16, 12]]) {
    it(`runs one kernel each way and gives the stock layer's output, gradients and moving statistics, ${JSON.stringify(shape)}`, async () => {
      const v = inputs(shape);
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        const layer = tf.layers.batchNormalization({ momentum: 0.9, epsilon: EPS });
        layer.build(shape);
        layer.setWeights([tf.tensor(v.gamma), tf.tensor(v.beta), tf.zeros([v.C]), tf.ones([v.C])]);
        const x = tf.variable(tf.tensor(v.x, shape));
        const dy = tf.tensor(v.dy, shape);
        let y: tf.Tensor | undefined;
        const { grads } = tf.variableGrads(() => {
          y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
          return tf.sum(tf.mul(y, dy));
        }, [x, ...layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val)]);
        const kernels = (await tf.profile(() => tf.grad((a: tf.Tensor) => tf.sum(layer.apply(a, { training: true }) as tf.Tensor))(x))).kernelNames;
        const arrays = await Promise.all([y!, ...Object.values(grads), ...layer.getWeights().slice(2)].map((t) => t.data() as Promise<Float32Array>));
        x.dispose();
        return { arrays, kernels };
      };
      const stock = await run('cpu');
      const ours = await run('wasm');
      expect(ours.kernels).toContain(BATCH_NORM_TRAINING);
      expect(ours.kernels).not.toContain('FusedBatchNorm');
      expect(stock.kernels).toContain('FusedBatchNorm');
      stock.arrays.forEach((want, i) => expectClose(ours.arrays[i], want, 2e-4));
    });
  }
});
