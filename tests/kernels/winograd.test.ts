/**
 * The Winograd module on its own, against a direct convolution in plain
 * JavaScript (float64 sums): forward, input gradient and filter gradient, for
 * both tile schemes, with padding, ragged edges and more tiles than one block;
 * and its direct convolution of a single input channel. Both builds: relaxed
 * SIMD (fused multiply-add, which Node gets from src/node/nodeBackend.ts's
 * flag) and the SIMD128 fallback.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/node/nodeBackend';
import { directSupports, relaxedSimdSupported, WinogradConv, winogradSupports, type Shape4, type WinogradBuild } from '../../src/kernels/winograd';
import { expectClose, randomArray } from '../helpers/arrays';

it('loads the relaxed-SIMD build where the engine runs it (Node: with the flag nodeBackend.ts sets)', async () => {
  expect(relaxedSimdSupported()).toBe(true);
  expect((await WinogradConv.load()).build).toBe('relaxed');
});

/** y[n,i,j,k] = sum x[n, i+a-padT, j+b-padL, c] f[a,b,c,k], zero outside x. */
function directConv(x: Float32Array, [N, H, W, C]: Shape4, f: Float32Array, r: number, K: number, padT: number, padL: number, OH: number, OW: number) {
  const y = new Float32Array(N * OH * OW * K);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < OH; i++)
      for (let j = 0; j < OW; j++)
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let a = 0; a < r; a++) {
            const yy = i + a - padT;
            if (yy < 0 || yy >= H) continue;
            for (let b = 0; b < r; b++) {
              const xx = j + b - padL;
              if (xx < 0 || xx >= W) continue;
              for (let c = 0; c < C; c++) s += x[((n * H + yy) * W + xx) * C + c] * f[((a * r + b) * C + c) * K + k];
            }
          }
          y[((n * OH + i) * OW + j) * K + k] = s;
        }
  return y;
}

/** dW[a,b,c,k] = sum_{n,i,j} x[n, i+a-padT, j+b-padL, c] dy[n,i,j,k]. */
function directFilterGrad(x: Float32Array, [N, H, W, C]: Shape4, dy: Float32Array, [, OH, OW, K]: Shape4, r: number, padT: number, padL: number) {
  const dw = new Float32Array(r * r * C * K);
  for (let a = 0; a < r; a++)
    for (let b = 0; b < r; b++)
      for (let c = 0; c < C; c++)
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let n = 0; n < N; n++)
            for (let i = 0; i < OH; i++) {
              const yy = i + a - padT;
              if (yy < 0 || yy >= H) continue;
              for (let j = 0; j < OW; j++) {
                const xx = j + b - padL;
                if (xx < 0 || xx >= W) continue;
                s += x[((n * H + yy) * W + xx) * C + c] * dy[((n * OH + i) * OW + j) * K + k];
              }
            }
          dw[((a * r + b) * C + c) * K + k] = s;
        }
  return dw;
}

/** The input-gradient filter: rotated 180 degrees, channels swapped. */
function flipFilter(f: Float32Array, r: number, C: number, K: number) {
  const g = new Float32Array(f.length);
  for (let a = 0; a < r; a++)
    for (let b = 0; b < r; b++)
      for (let c = 0; c < C; c++)
        for (let k = 0; k < K; k++) g[((a * r + b) * K + k) * C + c] = f[(((r - 1 - a) * r + (r - 1 - b)) * C + c) * K + k];
  return g;
}

const cases: { name: string; x: Shape4; r: number; K: number; pad: number }[] = [
  { name: '5x5 valid, like conv2', x: [2, 16, 16, 8], r: 5, K: 8, pad: 0 },
  { name: '5x5 same, odd size (ragged tiles)', x: [1, 11, 9, 8], r: 5, K: 16, pad: 2 },
  { name: '5x5 valid, 32 channels over several blocks, the last one short', x: [2, 23, 23, 32], r: 5, K: 32, pad: 0 },
  { name: '3x3 valid, like conv3 (a partly used tile)', x: [3, 12, 12, 8], r: 3, K: 16, pad: 0 },
  { name: '3x3 same, many tiles over several blocks', x: [4, 21, 17, 16], r: 3, K: 8, pad: 1 },
];

for (const build of ['relaxed', 'simd128'] as WinogradBuild[]) describe(`Winograd convolution (${build}) matches a direct one`, () => {
  let w: WinogradConv;
  beforeAll(async () => {
    w = await WinogradConv.load(build);
  });

  for (const c of cases) {
    it(c.name, () => {
      const [N, H, W, C] = c.x;
      const { r, K, pad } = c;
      const OH = H + 2 * pad - r + 1;
      const OW = W + 2 * pad - r + 1;
      const x = randomArray(N * H * W * C, 1);
      const f = randomArray(r * r * C * K, 2);
      const dy = randomArray(N * OH * OW * K, 3);

      const y = new Float32Array(N * OH * OW * K);
      w.conv(x, c.x, f, r, K, pad, pad, OH, OW, y);
      expectClose(y, directConv(x, c.x, f, r, K, pad, pad, OH, OW), 1e-5);

      // Input gradient: as a direct convolution, dy convolved with the flipped filter, padded by r-1-pad.
      const dx = new Float32Array(x.length);
      w.inputGrad(dy, [N, OH, OW, K], f, r, pad, pad, c.x, dx);
      const dxWant = directConv(dy, [N, OH, OW, K], flipFilter(f, r, C, K), r, C, r - 1 - pad, r - 1 - pad, H, W);
      expectClose(dx, dxWant, 1e-5);

      const dw = new Float32Array(f.length);
      w.filterGrad(x, c.x, dy, [N, OH, OW, K], r, pad, pad, dw);
      expectClose(dw, directFilterGrad(x, c.x, dy, [N, OH, OW, K], r, pad, pad), 1e-5);
    });
  }

  for (const [r, K, pad] of [[5, 32, 0], [3, 8, 1], [5, 16, 2], [5, 40, 2]] as const) {
    it(`direct convolution of one input channel, ${r}x${r} to ${K}, padding ${pad}`, () => {
      const shape: Shape4 = [3, 13, 11, 1];
      const [N, H, W] = shape;
      const OH = H + 2 * pad - r + 1;
      const OW = W + 2 * pad - r + 1;
      const x = randomArray(N * H * W, 10);
      const f = randomArray(r * r * K, 11);
      const dy = randomArray(N * OH * OW * K, 12);
      const y = new Float32Array(N * OH * OW * K);
      w.conv1(x, shape, f, r, K, pad, pad, OH, OW, y);
      expectClose(y, directConv(x, shape, f, r, K, pad, pad, OH, OW), 1e-5);
      const dw = new Float32Array(f.length);
      w.conv1FilterGrad(x, shape, dy, [N, OH, OW, K], r, pad, pad, dw);
      expectClose(dw, directFilterGrad(x, shape, dy, [N, OH, OW, K], r, pad, pad), 1e-5);
    });
  }

  it('gives the same answer when called again with other shapes in between (memory reuse)', () => {
    const x = randomArray(2 * 10 * 10 * 8, 4);
    const f = randomArray(3 * 3 * 8 * 8, 5);
    const first = new Float32Array(2 * 8 * 8 * 8);
    w.conv(x, [2, 10, 10, 8], f, 3, 8, 0, 0, 8, 8, first);
    const big = randomArray(8 * 28 * 28 * 32, 6);
    w.conv(big, [8, 28, 28, 32], randomArray(5 * 5 * 32 * 32, 7), 5, 32, 0, 0, 24, 24, new Float32Array(8 * 24 * 24 * 32));
    const again = new Float32Array(first.length);
    w.conv(x, [2, 10, 10, 8], f, 3, 8, 0, 0, 8, 8, again);
    expect(again).toEqual(first);
  });

  it('refuses shapes it does not cover instead of computing garbage', () => {
    const x = randomArray(1 * 6 * 6 * 12, 8);
    expect(() => w.conv(x, [1, 6, 6, 12], randomArray(9 * 12 * 4, 9), 3, 4, 0, 0, 4, 4, new Float32Array(64))).toThrow(
      /Winograd covers 3x3 and 5x5 filters from a multiple of 4 channels to a multiple of 8; got 3x3, 12 to 4/,
    );
  });

  it('says which convolutions it covers', () => {
    expect(winogradSupports(5, 32, 32)).toBe(true);
    expect(winogradSupports(3, 64, 64)).toBe(true);
    expect(winogradSupports(5, 1, 32)).toBe(false); // the first layer's single input channel
    expect(winogradSupports(3, 32, 12)).toBe(false); // output channels not a multiple of 8
    expect(winogradSupports(4, 32, 32)).toBe(false); // no tile scheme for 4x4
    expect(directSupports(5, 1, 32)).toBe(true);
    expect(directSupports(5, 1, 6)).toBe(false); // the original LeNet-5's first layer stays on XNNPACK
    expect(directSupports(5, 2, 32)).toBe(false);
  });
});
