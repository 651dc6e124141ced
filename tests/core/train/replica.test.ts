/** The shared-memory all-reduce across real worker threads. */
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { useBackend } from '../../helpers/backend';
import { allReduceStep, averageVariables, createSharedReduceBuffers, SharedMemoryReplica, singleReplica } from '../../../src/core/train/replica';

// A worker that contributes rank-dependent values to three reductions and reports what it got.
const workerSource = (replicaUrl: string) => `
const { workerData, parentPort } = require('node:worker_threads');
import(${JSON.stringify(replicaUrl)}).then(async ({ SharedMemoryReplica }) => {
  const r = new SharedMemoryReplica(workerData.rank, workerData.buffers);
  const results = [];
  for (let round = 0; round < 3; round++) {
    const data = new Float32Array(1000 + round).map((_, i) => (workerData.rank + 1) * (i + round) + 0.1);
    await r.allReduceSum(data);
    results.push(Array.from(data.slice(0, 3)).concat([data[data.length - 1]]));
  }
  parentPort.postMessage(results);
});`;

describe('SharedMemoryReplica', () => {
  it('sums over three threads, identically on each', async () => {
    const size = 3;
    const buffers = createSharedReduceBuffers(size, 2000);
    // vitest transpiles TypeScript; worker threads get the compiled module through tsx.
    const tsx = import.meta.resolve('tsx/esm/api');
    const url = new URL('../../../src/core/train/replica.ts', import.meta.url).href;
    const src = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); ${workerSource(url).replace(/^\n/, '')} });`;
    const results = await Promise.all(
      Array.from({ length: size }, (_, rank) =>
        new Promise<number[][]>((resolve, reject) => {
          const w = new Worker(src, { eval: true, workerData: { rank, buffers } });
          w.once('message', (m) => {
            resolve(m);
            void w.terminate();
          });
          w.once('error', reject);
        }),
      ),
    );
    for (let round = 0; round < 3; round++) {
      const n = 1000 + round;
      const expected = [0, 1, 2, n - 1].map((i) => [1, 2, 3].reduce((s, k) => s + Math.fround(k * (i + round) + 0.1), 0));
      for (const r of results) r[round].forEach((v, j) => expect(v).toBeCloseTo(expected[j], 3));
      expect(results[1][round]).toEqual(results[0][round]);
      expect(results[2][round]).toEqual(results[0][round]);
    }
  });

  it('refuses data larger than the shared buffer and ranks out of range', async () => {
    const buffers = createSharedReduceBuffers(1, 4);
    expect(() => new SharedMemoryReplica(1, buffers)).toThrow(/rank 1 outside 0..0/);
    await expect(new SharedMemoryReplica(0, buffers).allReduceSum(new Float32Array(5))).rejects.toThrow(/exceeds the shared buffer/);
  });
});

describe('SharedMemoryReplica abort', () => {
  it('releases the others with an error when a replica gives up', async () => {
    const buffers = createSharedReduceBuffers(2, 8);
    const tsx = import.meta.resolve('tsx/esm/api');
    const url = new URL('../../../src/core/train/replica.ts', import.meta.url).href;
    const src = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); const { workerData, parentPort } = require('node:worker_threads');
      return import(${JSON.stringify(url)}).then(async ({ SharedMemoryReplica }) => {
        const r = new SharedMemoryReplica(0, workerData);
        try { await r.allReduceSum(new Float32Array(4)); parentPort.postMessage('returned'); }
        catch (e) { parentPort.postMessage(e.message); }
      }); });`;
    const w = new Worker(src, { eval: true, workerData: buffers });
    const answer = new Promise((resolve) => w.once('message', resolve));
    await new Promise((r) => setTimeout(r, 200)); // rank 0 is now waiting for rank 1
    new SharedMemoryReplica(1, buffers).abort();
    expect(await answer).toBe('another training replica failed');
    await w.terminate();
  });
});

describe('allReduceStep and averageVariables', () => {
  beforeAll(() => useBackend('wasm'));
  // Stands in for two replicas that computed the same values: every sum doubles.
  const twin = { rank: 0, size: 2, allReduceSum: async (d: Float32Array) => d.forEach((v, i) => (d[i] = 2 * v)) };

  it('averages gradients, sums hits, means the loss, and agrees on stopping', async () => {
    const grads = { a: tf.tensor1d([1, -2]), b: tf.tensor2d([[3]]) };
    const [loss, correct] = [tf.scalar(0.5), tf.scalar(7)];
    const r = await allReduceStep(twin, grads, loss, correct, true);
    expect(Array.from(await r.grads.a.data())).toEqual([1, -2]);
    expect(r.grads.b.shape).toEqual([1, 1]);
    expect(r).toMatchObject({ gradNormSq: 14, loss: 0.5, correct: 14, stop: true });
    tf.dispose([grads.a, grads.b, loss, correct, r.grads.a, r.grads.b]);
  });

  it('keeps one replica\'s gradients on the backend and reads back only its figures', async () => {
    const grads = { a: tf.tensor1d([3, 4]) };
    const [loss, correct] = [tf.scalar(1.5), tf.scalar(2)];
    const before = tf.memory().numTensors;
    const r = await allReduceStep(singleReplica, grads, loss, correct, false);
    expect(r.grads).toBe(grads);
    expect(r).toMatchObject({ gradNormSq: 25, loss: 1.5, correct: 2, stop: false });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([grads.a, loss, correct]);
  });

  it('averages variables in place, and leaves them alone for one replica', async () => {
    const v = tf.variable(tf.tensor1d([2, 4]));
    const layerVar = { read: () => v, write: (t: tf.Tensor1D) => v.assign(t), shape: [2] } as unknown as tf.LayerVariable;
    const other = [4, 8];
    const pair = { ...twin, allReduceSum: async (d: Float32Array) => d.forEach((x, i) => (d[i] = x + other[i])) };
    await averageVariables(singleReplica, [layerVar]);
    expect(Array.from(await v.data())).toEqual([2, 4]);
    await averageVariables(pair, [layerVar]);
    expect(Array.from(await v.data())).toEqual([3, 6]);
    v.dispose();
  });
});
