/**
 * Winograd convolutions (src/kernels/winograd.c) for training on the wasm backend.
 *
 * F(4x4, 3x3) on 6x6 tiles and F(4x4, 5x5) on 8x8 tiles: 4 and 6.25 times
 * fewer multiplies than the direct convolution XNNPACK runs. The module has its own
 * memory; callers pass Float32Array views (of tfjs's wasm heap, say), which are
 * copied in and the result copied out. The binary is embedded as base64, so
 * the page, workers and Node load it the same way with nothing to fetch. The
 * module also has a direct convolution for a single input channel (the first
 * layer), where Winograd gains nothing and XNNPACK's path is slow.
 */

/** The module's builds: SIMD128 everywhere wasm SIMD runs, relaxed SIMD (fused multiply-add) where that also does. */
export type WinogradBuild = 'relaxed' | 'simd128';

/**
 * Whether this engine runs wasm relaxed SIMD: validates a function doing one
 * f32x4.relaxed_madd (Chromium ships it; Node 20 needs
 * --experimental-wasm-relaxed-simd, which src/node/nodeBackend.ts sets).
 */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0,
    65, 0, 253, 17, 65, 0, 253, 17, 65, 0, 253, 17, 253, 133, 2, 11]));
}

interface Exports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  filter_transform(g: number, r: number, C: number, K: number, transposed: number, U: number): void;
  filter_untransform(dU: number, r: number, C: number, K: number, dg: number): void;
  conv_scratch(r: number, tb: number, C: number, K: number): number;
  conv_forward(
    x: number, N: number, H: number, W: number, C: number, U: number, K: number, r: number,
    padT: number, padL: number, OH: number, OW: number, tb: number, scratch: number, bias: number, relu: number, y: number,
  ): void;
  conv_input_grad(
    dy: number, N: number, OH: number, OW: number, K: number, Ut: number, C: number, r: number,
    padT: number, padL: number, H: number, W: number, tb: number, scratch: number, dx: number,
  ): void;
  conv_filter_grad(
    x: number, N: number, H: number, W: number, C: number, dy: number, K: number, r: number,
    padT: number, padL: number, OH: number, OW: number, tb: number, scratch: number, dU: number,
  ): void;
  conv1_forward(
    x: number, N: number, H: number, W: number, f: number, r: number, K: number,
    padT: number, padL: number, OH: number, OW: number, bias: number, relu: number, y: number,
  ): void;
  conv1_filter_grad(
    x: number, N: number, H: number, W: number, dy: number, r: number, K: number,
    padT: number, padL: number, OH: number, OW: number, dw: number,
  ): void;
  sum_rows(x: number, rows: number, C: number, scale: number, out: number): void;
  max_pool2x2_grad(x: number, N: number, H: number, W: number, C: number, dy: number, dx: number): void;
  batch_norm_forward(x: number, rows: number, C: number, gamma: number, beta: number, eps: number,
    y: number, mean: number, variance: number): void;
  batch_norm_backward(dy: number, x: number, rows: number, C: number, gamma: number, mean: number, variance: number,
    dmean: number, dvariance: number, eps: number, dx: number, dgamma: number, dbeta: number): void;
}

/** Channels the module's BatchNorm takes: a multiple of 4, at most 512 (BN_MAX_C in winograd.c). */
export function batchNormSupports(C: number): boolean {
  return C % 4 === 0 && C > 0 && C <= 512;
}

function checkBatchNorm(C: number, length: number): number {
  if (!batchNormSupports(C) || length % C !== 0) throw new Error(`BatchNorm needs a multiple of 4 channels, at most 512, and whole rows; got ${C} channels and ${length} values`);
  return C;
}

function copyOut(heap: Float32Array, outs: [number, Float32Array][]): void {
  for (const [p, out] of outs) out.set(heap.subarray(p >> 2, (p >> 2) + out.length));
}

/** [N, H, W, C] */
export type Shape4 = [number, number, number, number];

/** Input tile size for a filter size; every tile gives 4x4 outputs. */
const TILE: Record<number, number> = { 3: 6, 5: 8 };

/**
 * Whether a stride-1 convolution with an r x r filter from C to K channels
 * runs here (SIMD lanes need C a multiple of 4 and K of 8). The input
 * gradient swaps C and K, the filter gradient needs both.
 */
export function winogradSupports(r: number, C: number, K: number): boolean {
  return r in TILE && C % 4 === 0 && K % 8 === 0;
}

/**
 * Whether the direct single-input-channel convolution (a first layer, where
 * Winograd gains nothing) covers an r x r filter from 1 to K channels.
 */
export function directSupports(r: number, C: number, K: number): boolean {
  return r >= 1 && r <= 7 && C === 1 && K % 8 === 0;
}

/** Tiles per block: the block's transformed input and output stay near 256 KiB. */
function tileBlock(a: number, C: number, K: number): number {
  return Math.max(4, Math.floor(65536 / (a * a * (C + K))) & ~3);
}

/** What a forward convolution does to its output on the way out: add a bias (one per output channel), then a ReLU. */
export interface Finish {
  bias?: Float32Array;
  relu?: boolean;
}

function checkBias({ bias }: Finish, K: number): Float32Array {
  if (bias && bias.length !== K) throw new Error(`a convolution to ${K} channels needs ${K} biases; got ${bias.length}`);
  return bias ?? new Float32Array(0);
}

function check(r: number, C: number, K: number): void {
  if (!winogradSupports(r, C, K)) {
    throw new Error(`Winograd covers 3x3 and 5x5 filters from a multiple of 4 channels to a multiple of 8; got ${r}x${r}, ${C} to ${K}`);
  }
}

function checkDirect(r: number, C: number, K: number): void {
  if (!directSupports(r, C, K)) throw new Error(`the direct convolution covers 1 to a multiple of 8 channels; got ${C} to ${K}`);
}

export class WinogradConv {
  private readonly ex: Exports;
  private readonly heapBase: number;

  private constructor(instance: WebAssembly.Instance, readonly build: WinogradBuild) {
    this.ex = instance.exports as unknown as Exports;
    this.heapBase = Number(this.ex.__heap_base.value);
  }

  /** The relaxed-SIMD build where it runs, else the SIMD128 one; rejects without wasm SIMD. */
  static async load(build: WinogradBuild = relaxedSimdSupported() ? 'relaxed' : 'simd128'): Promise<WinogradConv> {
    // Each build is a module of its own, so a page downloads only the one it runs.
    const { WASM_BASE64 } = await (build === 'relaxed' ? import('./winogradWasmRelaxed') : import('./winogradWasmSimd128'));
    const bytes = Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0));
    const { instance } = await WebAssembly.instantiate(bytes);
    return new WinogradConv(instance, build);
  }

  /**
   * Copies arrays into the module's memory above the heap base, then leaves
   * room for buffers of the given float counts, growing memory as needed;
   * returns the addresses of all of them and a view of the memory.
   */
  private place(arrays: Float32Array[], floats: number[]): { ptrs: number[]; heap: Float32Array } {
    const ptrs: number[] = [];
    let at = (this.heapBase + 15) & ~15;
    for (const n of [...arrays.map((a) => a.length), ...floats]) {
      ptrs.push(at);
      at += ((n * 4 + 15) & ~15);
    }
    const mem = this.ex.memory;
    if (at > mem.buffer.byteLength) mem.grow(Math.ceil((at - mem.buffer.byteLength) / 65536));
    const heap = new Float32Array(mem.buffer);
    arrays.forEach((a, i) => heap.set(a, ptrs[i] >> 2));
    return { ptrs, heap };
  }

  /** Places the arrays and the buffers, runs `body` on their addresses, then copies the last buffer's first `outLength` floats into `out`. */
  private call(arrays: Float32Array[], floats: number[], out: Float32Array, outLength: number,
    body: (...ptrs: number[]) => void): void {
    const { ptrs, heap } = this.place(arrays, floats);
    body(...ptrs);
    const pOut = ptrs[ptrs.length - 1] >> 2;
    out.set(heap.subarray(pOut, pOut + outLength));
  }

  /**
   * out [N, OH, OW, K] = x [N, H, W, C] convolved (cross-correlated, as tfjs
   * does) with filter [r, r, C, K] at stride 1, padT/padL zero rows/columns
   * before the image. `finish` adds a bias [K] and applies a ReLU, on the way out.
   */
  conv(x: Float32Array, [N, H, W, C]: Shape4, filter: Float32Array, r: number, K: number,
    padT: number, padL: number, OH: number, OW: number, out: Float32Array, finish: Finish = {}): void {
    check(r, C, K);
    const a = TILE[r];
    const tb = tileBlock(a, C, K);
    const outLength = N * OH * OW * K;
    const bias = checkBias(finish, K);
    this.call([x, filter, bias], [a * a * C * K, this.ex.conv_scratch(r, tb, C, K), outLength], out, outLength, (px, pf, pb, pU, pS, pY) => {
      this.ex.filter_transform(pf, r, C, K, 0, pU);
      this.ex.conv_forward(px, N, H, W, C, pU, K, r, padT, padL, OH, OW, tb, pS, bias.length ? pb : 0, Number(Boolean(finish.relu)), pY);
    });
  }

  /** out [N, H, W, C] = the input gradient of `conv` given dy [N, OH, OW, K] and its filter [r, r, C, K]. */
  inputGrad(dy: Float32Array, [N, OH, OW, K]: Shape4, filter: Float32Array, r: number, padT: number, padL: number,
    [, H, W, C]: Shape4, out: Float32Array): void {
    check(r, K, C);
    const a = TILE[r];
    const tb = tileBlock(a, C, K);
    const outLength = N * H * W * C;
    this.call([dy, filter], [a * a * C * K, this.ex.conv_scratch(r, tb, C, K), outLength], out, outLength, (pd, pf, pU, pS, pX) => {
      this.ex.filter_transform(pf, r, C, K, 1, pU);
      this.ex.conv_input_grad(pd, N, OH, OW, K, pU, C, r, padT, padL, H, W, tb, pS, pX);
    });
  }

  /** out [r, r, C, K] = the filter gradient of `conv` given x and dy [N, OH, OW, K]. */
  filterGrad(x: Float32Array, [N, H, W, C]: Shape4, dy: Float32Array, [, OH, OW, K]: Shape4, r: number,
    padT: number, padL: number, out: Float32Array): void {
    check(r, C, K);
    const a = TILE[r];
    const tb = tileBlock(a, C, K);
    const outLength = r * r * C * K;
    this.call([x, dy], [a * a * C * K, this.ex.conv_scratch(r, tb, C, K), outLength], out, outLength, (px, pd, pU, pS, pG) => {
      this.ex.conv_filter_grad(px, N, H, W, C, pd, K, r, padT, padL, OH, OW, tb, pS, pU);
      this.ex.filter_untransform(pU, r, C, K, pG);
    });
  }

  /** Like `conv` for one input channel, computed directly: filter [r, r, 1, K]. */
  conv1(x: Float32Array, [N, H, W, C]: Shape4, filter: Float32Array, r: number, K: number,
    padT: number, padL: number, OH: number, OW: number, out: Float32Array, finish: Finish = {}): void {
    checkDirect(r, C, K);
    const outLength = N * OH * OW * K;
    const bias = checkBias(finish, K);
    this.call([x, filter, bias], [outLength], out, outLength, (px, pf, pb, pY) =>
      this.ex.conv1_forward(px, N, H, W, pf, r, K, padT, padL, OH, OW, bias.length ? pb : 0, Number(Boolean(finish.relu)), pY));
  }

  /** out [C] = scale times the sums of the rows of x [rows, C] (C a multiple of 4), in float64. */
  sumRows(x: Float32Array, C: number, scale: number, out: Float32Array): void {
    if (C % 4 !== 0 || x.length % C !== 0) throw new Error(`sumRows needs rows of a multiple of 4 floats; got ${C}`);
    this.call([x], [C], out, C, (px, pOut) => this.ex.sum_rows(px, x.length / C, C, scale, pOut));
  }

  /** dx [N, H, W, C] = the gradient of 2x2, stride-2 max pooling of x given dy (C a multiple of 4). */
  maxPool2x2Grad(x: Float32Array, [N, H, W, C]: Shape4, dy: Float32Array, dx: Float32Array): void {
    if (C % 4 !== 0 || x.length !== N * H * W * C) throw new Error(`maxPool2x2Grad needs a multiple of 4 channels; got ${C}`);
    this.call([x, dy], [x.length], dx, x.length, (px, pd, pdx) => this.ex.max_pool2x2_grad(px, N, H, W, C, pd, pdx));
  }

  /** BatchNorm's training forward pass over x [rows, C] (batchNorm.ts's batchNormForward). */
  batchNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number,
    y: Float32Array, mean: Float32Array, variance: Float32Array): void {
    const C = checkBatchNorm(gamma.length, x.length);
    const { ptrs: [px, pg, pb, py, pm, pv], heap } = this.place([x, gamma, beta], [x.length, C, C]);
    this.ex.batch_norm_forward(px, x.length / C, C, pg, pb, eps, py, pm, pv);
    copyOut(heap, [[py, y], [pm, mean], [pv, variance]]);
  }

  /** Its backward pass (batchNorm.ts's batchNormBackward). */
  batchNormBackward(dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array,
    dmean: Float32Array, dvariance: Float32Array, eps: number, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array): void {
    const C = checkBatchNorm(gamma.length, x.length);
    const { ptrs: [pdy, px, pg, pm, pv, pdm, pdv, pdx, pdg, pdb], heap } =
      this.place([dy, x, gamma, mean, variance, dmean, dvariance], [x.length, C, C]);
    this.ex.batch_norm_backward(pdy, px, x.length / C, C, pg, pm, pv, pdm, pdv, eps, pdx, pdg, pdb);
    copyOut(heap, [[pdx, dx], [pdg, dgamma], [pdb, dbeta]]);
  }

  /** The filter gradient [r, r, 1, K] of `conv1`, given x and dy [N, OH, OW, K]. */
  conv1FilterGrad(x: Float32Array, [N, H, W, C]: Shape4, dy: Float32Array, [, OH, OW, K]: Shape4, r: number,
    padT: number, padL: number, out: Float32Array): void {
    checkDirect(r, C, K);
    const outLength = r * r * K;
    this.call([x, dy], [outLength], out, outLength, (px, pd, pG) =>
      this.ex.conv1_filter_grad(px, N, H, W, pd, r, K, padT, padL, OH, OW, pG));
  }
}
