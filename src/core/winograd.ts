/**
 * Winograd convolutions (src/wasm/winograd.c) for training on the wasm backend.
 *
 * F(4x4, 3x3) on 6x6 tiles and F(4x4, 5x5) on 8x8 tiles: 4 and 6.25 times
 * fewer multiplies than the direct convolution XNNPACK runs. The module has its own
 * memory; callers pass Float32Array views (of tfjs's wasm heap, say), which are
 * copied in and the result copied out. The binary is embedded as base64, so
 * the page, workers and Node load it the same way with nothing to fetch. The
 * module also has a direct convolution for a single input channel (the first
 * layer), where Winograd gains nothing and XNNPACK's path is slow.
 */
import { WINOGRAD_WASM_BASE64 } from './winogradWasm';

interface Exports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  filter_transform(g: number, r: number, C: number, K: number, flip: number, U: number): void;
  filter_untransform(dU: number, r: number, C: number, K: number, dg: number): void;
  conv_forward(
    x: number, N: number, H: number, W: number, C: number, U: number, K: number, r: number,
    padT: number, padL: number, OH: number, OW: number, tb: number, scratch: number, y: number,
  ): void;
  conv_filter_grad(
    x: number, N: number, H: number, W: number, C: number, dy: number, K: number, r: number,
    padT: number, padL: number, OH: number, OW: number, tb: number, scratch: number, dU: number,
  ): void;
  conv1_forward(
    x: number, N: number, H: number, W: number, f: number, r: number, K: number,
    padT: number, padL: number, OH: number, OW: number, y: number,
  ): void;
  conv1_filter_grad(
    x: number, N: number, H: number, W: number, dy: number, r: number, K: number,
    padT: number, padL: number, OH: number, OW: number, dw: number,
  ): void;
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

function check(r: number, C: number, K: number): void {
  if (!winogradSupports(r, C, K)) {
    throw new Error(`Winograd covers 3x3 and 5x5 filters from a multiple of 4 channels to a multiple of 8; got ${r}x${r}, ${C} to ${K}`);
  }
}

export class WinogradConv {
  private readonly ex: Exports;
  private readonly heapBase: number;

  private constructor(instance: WebAssembly.Instance) {
    this.ex = instance.exports as unknown as Exports;
    this.heapBase = Number(this.ex.__heap_base.value);
  }

  static async load(): Promise<WinogradConv> {
    const bytes = Uint8Array.from(atob(WINOGRAD_WASM_BASE64), (c) => c.charCodeAt(0));
    const { instance } = await WebAssembly.instantiate(bytes);
    return new WinogradConv(instance);
  }

  /** Lays out buffers of the given float counts above the heap base, growing memory as needed. */
  private alloc(...floats: number[]): { ptrs: number[]; heap: Float32Array } {
    const ptrs: number[] = [];
    let at = (this.heapBase + 15) & ~15;
    for (const n of floats) {
      ptrs.push(at);
      at += ((n * 4 + 15) & ~15);
    }
    const mem = this.ex.memory;
    if (at > mem.buffer.byteLength) mem.grow(Math.ceil((at - mem.buffer.byteLength) / 65536));
    return { ptrs, heap: new Float32Array(mem.buffer) };
  }

  /**
   * out [N, OH, OW, K] = x [N, H, W, C] convolved (cross-correlated, as tfjs
   * does) with filter [r, r, C, K] at stride 1, padT/padL zero rows/columns
   * before the image. With flip it uses the input-gradient filter instead:
   * the filter given is [r, r, K, C], rotated 180 degrees and transposed.
   */
  conv(x: Float32Array, [N, H, W, C]: Shape4, filter: Float32Array, r: number, K: number, flip: boolean,
    padT: number, padL: number, OH: number, OW: number, out: Float32Array): void {
    check(r, C, K);
    const a = TILE[r];
    const tb = tileBlock(a, C, K);
    const { ptrs: [px, pf, pU, pS, pY], heap } = this.alloc(x.length, filter.length, a * a * C * K, a * a * tb * (C + K), N * OH * OW * K);
    heap.set(x, px >> 2);
    heap.set(filter, pf >> 2);
    // filter_transform(g, r, C, K) reads g as [r, r, C, K]; flipped, g is [r, r, K, C] and U comes out [36][C][K].
    if (flip) this.ex.filter_transform(pf, r, K, C, 1, pU);
    else this.ex.filter_transform(pf, r, C, K, 0, pU);
    this.ex.conv_forward(px, N, H, W, C, pU, K, r, padT, padL, OH, OW, tb, pS, pY);
    out.set(heap.subarray(pY >> 2, (pY >> 2) + N * OH * OW * K));
  }

  /** Like `conv` (not flipped) for one input channel, computed directly: filter [r, r, 1, K]. */
  conv1(x: Float32Array, [N, H, W, C]: Shape4, filter: Float32Array, r: number, K: number,
    padT: number, padL: number, OH: number, OW: number, out: Float32Array): void {
    if (!directSupports(r, C, K)) throw new Error(`the direct convolution covers 1 to a multiple of 8 channels; got ${C} to ${K}`);
    const { ptrs: [px, pf, pY], heap } = this.alloc(x.length, filter.length, N * OH * OW * K);
    heap.set(x, px >> 2);
    heap.set(filter, pf >> 2);
    this.ex.conv1_forward(px, N, H, W, pf, r, K, padT, padL, OH, OW, pY);
    out.set(heap.subarray(pY >> 2, (pY >> 2) + N * OH * OW * K));
  }

  /** The filter gradient [r, r, 1, K] of `conv1`, given x and dy [N, OH, OW, K]. */
  conv1FilterGrad(x: Float32Array, [N, H, W, C]: Shape4, dy: Float32Array, [, OH, OW, K]: Shape4, r: number,
    padT: number, padL: number, out: Float32Array): void {
    if (!directSupports(r, C, K)) throw new Error(`the direct convolution covers 1 to a multiple of 8 channels; got ${C} to ${K}`);
    const { ptrs: [px, pd, pG], heap } = this.alloc(x.length, dy.length, r * r * K);
    heap.set(x, px >> 2);
    heap.set(dy, pd >> 2);
    this.ex.conv1_filter_grad(px, N, H, W, pd, r, K, padT, padL, OH, OW, pG);
    out.set(heap.subarray(pG >> 2, (pG >> 2) + r * r * K));
  }

  /** out [r, r, C, K] = the filter gradient of `conv` (not flipped) given x and dy [N, OH, OW, K]. */
  filterGrad(x: Float32Array, [N, H, W, C]: Shape4, dy: Float32Array, [, OH, OW, K]: Shape4, r: number,
    padT: number, padL: number, out: Float32Array): void {
    check(r, C, K);
    const a = TILE[r];
    const tb = tileBlock(a, C, K);
    const { ptrs: [px, pd, pU, pS, pG], heap } = this.alloc(x.length, dy.length, a * a * C * K, a * a * tb * (C + K), r * r * C * K);
    heap.set(x, px >> 2);
    heap.set(dy, pd >> 2);
    this.ex.conv_filter_grad(px, N, H, W, C, pd, K, r, padT, padL, OH, OW, tb, pS, pU);
    this.ex.filter_untransform(pU, r, C, K, pG);
    out.set(heap.subarray(pG >> 2, (pG >> 2) + r * r * C * K));
  }
}
