/**
 * FusedAdam against tfjs's AdamOptimizer: the same variables and moments
 * after several steps, on wasm (one AdamUpdate kernel per variable) and on
 * cpu (no such kernel: the stock update); its state round-trips through
 * getWeights/setWeights like the stock optimizer's; no tensor is left behind.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { ADAM_UPDATE, FusedAdam } from '../../../src/core/train/adam';
import { useBackend } from '../../helpers/backend';
import { expectClose, randomArray } from '../../helpers/arrays';

beforeAll(async () => {
  await useBackend('cpu');
  await useBackend('wasm');
});

const shapes = [[3, 3, 4, 8], [8], [17, 5]];

/** Runs `steps` steps of `opt` on fresh variables with seeded gradients; returns variables then moments. */
async function run(opt: tf.Optimizer, steps: number, lr?: (step: number) => number): Promise<Float32Array[]> {
  const vars = tf.tidy(() => shapes.map((s, i) => tf.variable(tf.tensor(randomArray(tf.util.sizeFromShape(s), i + 1), s), true, `adamTest${i}_${Math.random()}`)));
  for (let step = 0; step < steps; step++) {
    if (lr) (opt as unknown as { learningRate: number }).learningRate = lr(step);
    const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(randomArray(v.size, 100 * step + i), v.shape)]));
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const [iter, ...moments] = (await opt.getWeights()).map((w) => w.tensor);
  const out = await Promise.all([...vars, ...moments].map((t) => t.data() as Promise<Float32Array>));
  tf.dispose([iter, ...vars]);
  opt.dispose();
  return out;
}

describe('FusedAdam', () => {
  it('is registered as one kernel on wasm, not on cpu', async () => {
    expect(tf.getKernel(ADAM_UPDATE, 'wasm')).toBeTruthy();
    expect(tf.getKernel(ADAM_UPDATE, 'cpu')).toBeFalsy();
  });

  for (const backend of ['wasm', 'cpu']) {
    it(`matches tfjs's Adam over 5 steps with a changing learning rate on ${backend}, leaving no tensor`, async () => {
      await tf.setBackend(backend);
      const lr = (s: number) => 1e-2 / (1 + s);
      const want = await run(tf.train.adam(1e-2), 5, lr);
      const before = tf.memory().numTensors;
      const got = await run(new FusedAdam(1e-2), 5, lr);
      expect(tf.memory().numTensors).toBe(before);
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => expectClose(g, want[i], 1e-5));
    });
  }

  it('restores its state through setWeights and goes on as the stock optimizer does', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(tf.tensor(randomArray(40, 7)), true, `adamRestore_${Math.random()}`);
    const g = () => [{ name: v.name, tensor: tf.tensor(randomArray(40, 8)) }];
    const a = new FusedAdam(1e-3);
    for (let i = 0; i < 3; i++) a.applyGradients(g());
    const state = await a.getWeights();
    const b = new FusedAdam(1e-3);
    await b.setWeights(state.map(({ name, tensor }) => ({ name, tensor: tensor.clone() })));
    expect(b.iterations).toBe(3);
    const start = v.clone();
    a.applyGradients(g());
    const afterA = await v.data();
    v.assign(start);
    b.applyGradients(g());
    expectClose((await v.data()) as Float32Array, afterA as Float32Array, 1e-6);
    tf.dispose([v, start]);
    a.dispose();
    b.dispose();
  });
});
