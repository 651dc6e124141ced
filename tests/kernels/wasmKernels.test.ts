/**
 * Our wasm kernels against tfjs's reference cpu backend: the outputs and
 * gradients of every convolution shape the two models use, on the Winograd
 * path and off it, plus the replaced BatchMatMul, MaxPoolGrad, Sum and Mean
 * kernels.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '../helpers/tf';
import { useBackend } from '../helpers/backend';
import { expectClose, randomArray } from '../helpers/arrays';
import { setWinogradEnabled } from '../../src/kernels/wasmKernels';
import { WinogradConv } from '../../src/kernels/winograd';

beforeAll(async () => {
  await useBackend('cpu');
  await useBackend('wasm');
});

type Arrays = Float32Array[];
async function onBackend(name: string, f: () => tf.Tensor[]): Promise<Arrays> {
  await tf.setBackend(name);
  const ts = tf.tidy(f);
  const out = await Promise.all(ts.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(ts);
  return out;
}

const convCases: { name: string; x: [number, number, number, number]; f: [number, number, number, number]; pad: 'valid' | 'same'; path: 'winograd' | 'direct' | 'xnnpack' }[] = [
  { name: 'conv1 5x5 1->32 valid', x: [3, 32, 32, 1], f: [5, 5, 1, 32], pad: 'valid', path: 'direct' },
  { name: '3x3 1->8 same', x: [2, 9, 11, 1], f: [3, 3, 1, 8], pad: 'same', path: 'direct' },
  { name: 'conv2 5x5 32->32 valid', x: [2, 28, 28, 32], f: [5, 5, 32, 32], pad: 'valid', path: 'winograd' },
  { name: 'conv3 3x3 32->64 valid', x: [2, 12, 12, 32], f: [3, 3, 32, 64], pad: 'valid', path: 'winograd' },
  { name: 'conv4 3x3 64->64 valid', x: [2, 10, 10, 64], f: [3, 3, 64, 64], pad: 'valid', path: 'winograd' },
  { name: 'original conv2 5x5 6->16 valid', x: [4, 14, 14, 6], f: [5, 5, 6, 16], pad: 'valid', path: 'xnnpack' },
  { name: '3x3 same padding', x: [2, 9, 7, 5], f: [3, 3, 5, 4], pad: 'same', path: 'xnnpack' },
  { name: '3x3 same padding, Winograd', x: [2, 9, 7, 8], f: [3, 3, 8, 16], pad: 'same', path: 'winograd' },
  { name: '5x5 same padding, Winograd', x: [2, 11, 10, 16], f: [5, 5, 16, 8], pad: 'same', path: 'winograd' },
  { name: 'non-square 2x4 same padding', x: [2, 8, 9, 3], f: [2, 4, 3, 6], pad: 'same', path: 'xnnpack' },
];

const cpuResults = new Map<string, Arrays>();

afterEach(() => {
  setWinogradEnabled(true);
  vi.restoreAllMocks();
});

describe('wasm convolutions and their gradients match the cpu backend', () => {
  for (const c of convCases) {
    for (const enabled of c.path !== 'xnnpack' ? [true, false] : [true]) {
      it(`${c.name}${!enabled ? ' (our module off)' : ''}`, async () => {
        const xv = randomArray(c.x.reduce((a, b) => a * b), 1);
        const fv = randomArray(c.f.reduce((a, b) => a * b), 2);
        const run = () => {
          const x = tf.tensor4d(xv, c.x);
          const f = tf.tensor4d(fv, c.f);
          const y = tf.conv2d(x, f, 1, c.pad);
          const r = tf.tensor(randomArray(y.size, 3), y.shape);
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, c.pad), r)));
          return [y, ...g([x, f])];
        };
        const reference = cpuResults.get(c.name) ?? (await onBackend('cpu', run));
        cpuResults.set(c.name, reference);
        const [cy, cdx, cdw] = reference;
        setWinogradEnabled(enabled);
        const spies = (['conv', 'inputGrad', 'filterGrad', 'conv1', 'conv1FilterGrad'] as const).map((m) => vi.spyOn(WinogradConv.prototype, m));
        const [wy, wdx, wdw] = await onBackend('wasm', run);
        const path = enabled ? c.path : 'xnnpack';
        // Winograd: forward twice (y and inside grads), the input gradient and the filter gradient.
        // Direct (one input channel): forward twice and the filter gradient; the input gradient stays on XNNPACK.
        const calls = { winograd: [2, 1, 1, 0, 0], direct: [0, 0, 0, 2, 1], xnnpack: [0, 0, 0, 0, 0] }[path];
        expect(spies.map((spy) => spy.mock.calls.length)).toEqual(calls);
        expectClose(wy, cy);
        expectClose(wdx, cdx);
        expectClose(wdw, cdw);
      });
    }
  }

  it('fused convolution: ours without bias, with one and with a ReLU (Winograd and direct), the stock kernel with other activations', async () => {
    const xv = randomArray(2 * 10 * 10 * 16, 4);
    const fv = randomArray(3 * 3 * 16 * 8, 5);
    const bv = randomArray(8, 6);
    const run = () => {
      const x = tf.tensor4d(xv, [2, 10, 10, 16]);
      const filter = tf.tensor4d(fv, [3, 3, 16, 8]);
      return [
        tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid' }),
        tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid', bias: tf.tensor1d(bv) }),
        tf.fused.conv2d({ x: tf.slice(x, [0, 0, 0, 0], [2, 10, 10, 1]), filter: tf.slice(filter, [0, 0, 0, 0], [3, 3, 1, 8]), strides: 1, pad: 'same', bias: tf.tensor1d(bv) }),
        tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid', bias: tf.tensor1d(bv), activation: 'relu' }),
        tf.fused.conv2d({ x: tf.slice(x, [0, 0, 0, 0], [2, 10, 10, 1]), filter: tf.slice(filter, [0, 0, 0, 0], [3, 3, 1, 8]), strides: 1, pad: 'valid', activation: 'relu' }),
        tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid', bias: tf.tensor1d(bv), activation: 'leakyrelu', leakyreluAlpha: 0.1 }),
      ];
    };
    const cpu = await onBackend('cpu', run);
    const conv = vi.spyOn(WinogradConv.prototype, 'conv');
    const conv1 = vi.spyOn(WinogradConv.prototype, 'conv1');
    const wasm = await onBackend('wasm', run);
    expect(conv).toHaveBeenCalledTimes(3);
    expect(conv1).toHaveBeenCalledTimes(2);
    wasm.forEach((w, i) => expectClose(w, cpu[i]));
    expect(Math.min(...cpu[3]) === 0 && Math.max(...cpu[3]) > 0).toBe(true); // the ReLU cut some outputs
  });

  it('refuses strides it does not implement instead of returning a wrong gradient', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 8, 8, 2]) as tf.Tensor4D;
    const f = tf.ones([3, 3, 2, 2]) as tf.Tensor4D;
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'valid')));
    expect(() => g([x, f])).toThrow(/stride 1 only, got 2x2/);
    tf.dispose([x, f]);
  });
});

describe('replaced wasm kernels match the cpu backend', () => {
  for (const [ta, tb] of [[false, true], [true, false], [true, true], [false, false]] as const) {
    it(`matMul transposeA=${ta} transposeB=${tb}`, async () => {
      const av = randomArray(37 * 23, 4);
      const bv = randomArray(23 * 11, 5);
      const f = () => {
        const a = tf.tensor2d(av, ta ? [23, 37] : [37, 23]);
        const b = tf.tensor2d(bv, tb ? [11, 23] : [23, 11]);
        return [tf.matMul(a, b, ta, tb)];
      };
      expectClose((await onBackend('wasm', f))[0], (await onBackend('cpu', f))[0], 1e-5);
    });
  }

  it('matMul with a large transposed B (a dense layer\'s input gradient) goes through (B A^T)^T', async () => {
    const av = randomArray(4 * 23, 8);
    const bv = randomArray(64 * 23, 9);
    const f = () => [tf.matMul(tf.tensor2d(av, [4, 23]), tf.tensor2d(bv, [64, 23]), false, true)];
    expectClose((await onBackend('wasm', f))[0], (await onBackend('cpu', f))[0], 1e-5);
  });

  it('identity (a clone) shares its input\'s data, which outlives either tensor alone', async () => {
    await tf.setBackend('wasm');
    const buffers = () => tf.engine().backend.numDataIds();
    const before = buffers();
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(buffers()).toBe(before + 1);
    x.dispose();
    expect(await y.data()).toEqual(new Float32Array([1, 2, 3]));
    y.dispose();
    expect(buffers()).toBe(before);
  });

  it('batched matMul with transposes still works (stock kernel path)', async () => {
    const av = randomArray(3 * 5 * 4, 6);
    const bv = randomArray(3 * 6 * 5, 7);
    const f = () => [tf.matMul(tf.tensor3d(av, [3, 5, 4]), tf.tensor3d(bv, [3, 6, 5]), true, true)];
    expectClose((await onBackend('wasm', f))[0], (await onBackend('cpu', f))[0], 1e-5);
  });

  for (const [shape, axis, keepDims] of [
    [[3, 5, 4, 8], [0, 1, 2], false],
    [[3, 5, 4, 8], [2, 0, 1], true],
    [[6, 7], 0, false],
    [[6, 7], [-2], true],
    [[3, 5, 4, 8], [1, 2], false], // not all outer axes: the stock kernel
    [[3, 5, 4, 8], 3, true], // the last axis: the stock kernel
  ] as [number[], number | number[], boolean][]) {
    it(`sum and mean over axis ${JSON.stringify(axis)} of ${JSON.stringify(shape)}${keepDims ? ', keeping dims' : ''}`, async () => {
      const xv = randomArray(shape.reduce((a, b) => a * b), 10);
      const f = () => {
        const x = tf.tensor(xv, shape);
        return [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims)];
      };
      const [ws, wm] = await onBackend('wasm', f);
      const [cs, cm] = await onBackend('cpu', f);
      expectClose(ws, cs, 1e-6);
      expectClose(wm, cm, 1e-6);
      await tf.setBackend('wasm');
      const shapes = tf.tidy(() => [tf.sum(tf.tensor(xv, shape), axis, keepDims).shape, tf.mean(tf.tensor(xv, shape), axis, keepDims).shape]);
      await tf.setBackend('cpu');
      const want = tf.tidy(() => tf.sum(tf.tensor(xv, shape), axis, keepDims).shape);
      expect(shapes).toEqual([want, want]);
    });
  }

  const pools = [[2, 2, 'valid', 3], [3, 2, 'same', 3], [3, 1, 'valid', 3], [2, 2, 'valid', 8], [2, 2, 'same', 8]] as const;
  for (const [pool, stride, pad, C] of pools) {
    it(`max-pool gradient, ${pool}x${pool} stride ${stride} ${pad}, ${C} channels${C % 4 ? '' : ' (in our module)'}`, async () => {
      // Odd height and width: 'same' pads a last, partial window.
      const shape: [number, number, number, number] = [2, 11, 9, C];
      const xv = randomArray(2 * 11 * 9 * C, 8);
      xv[2] = xv[2 + C] = 5; // a tied maximum in one window: both backends pick the first
      xv.fill(-Infinity, 4 * C, 5 * C); // a window whose first value is -infinity
      const f = () => {
        const x = tf.tensor4d(xv, shape);
        const y = tf.maxPool(x, pool, stride, pad);
        const r = tf.tensor(randomArray(y.size, 9), y.shape);
        return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, pool, stride, pad), r)))(x)];
      };
      const spy = vi.spyOn(WinogradConv.prototype, 'maxPool2x2Grad');
      expectClose((await onBackend('wasm', f))[0], (await onBackend('cpu', f))[0], 1e-6);
      expect(spy.mock.calls.length).toBe(pool === 2 && pad === 'valid' && C === 8 ? 1 : 0);
    });
  }
});
