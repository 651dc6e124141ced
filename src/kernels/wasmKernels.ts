/**
 * Training kernels for tfjs's wasm backend.
 *
 * Stock tfjs-backend-wasm has no Conv2DBackpropFilter (so convolutions cannot
 * train) and a naive Conv2DBackpropInput. Both gradients are themselves
 * convolutions, so we express them as forward Conv2D calls and let XNNPACK's
 * fast path do the work:
 *
 *   dW[a,b,ci,co] = sum_{n,i,j} xPad[n,i+a,j+b,ci] * dy[n,i,j,co]
 *     = Conv2D(x as [ci,H,W,n], filter dy as [OH,OW,n,co])  -> [ci,fh,fw,co]
 *   dx = Conv2D(dy padded by (f-1-pad), filter rot180(W) as [fh,fw,co,ci])
 *
 * Only stride 1 and dilation 1 in NHWC are covered (all our models need);
 * anything else throws instead of computing a wrong gradient.
 *
 * Where Winograd applies (3x3 and 5x5 filters, channels in multiples of 4 and
 * 8: every convolution of the modified LeNet-5 but the first), the forward
 * pass and both gradients run on our Winograd module instead (winograd.ts),
 * with 4 to 6.25 times fewer multiplies than a direct convolution. The first layer
 * (one input channel) runs on the module's direct convolution.
 *
 * Two stock kernels are also replaced because they dominate a training step:
 * BatchMatMul with a transposed operand (a dense layer's backward pass) falls
 * off XNNPACK onto a scalar triple loop, so we transpose first and stay on the
 * fast path; MaxPoolGrad is a slow generic loop, so we run it in our module
 * (2x2 windows, the models' pooling) or in JavaScript straight on the wasm
 * heap. Sum and Mean over all axes but the last (BatchNorm's) skip the stock
 * kernels' full transpose, Identity shares
 * its input's data instead of copying it, Adam's update of a variable is
 * one kernel (core/train/adam.ts) instead of a dozen, and a BatchNorm layer in
 * training one kernel each way (batchNorm.ts) instead of about forty.
 */
import * as tf from '../core/tf';
import { ADAM_UPDATE, adamStep, type AdamUpdateAttrs } from '../core/train/adam';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD, batchNormBackward, batchNormForward } from './batchNorm';
import { batchNormSupports, directSupports, winogradSupports, type Shape4, type WinogradConv } from './winograd';

type KernelArgs = {
  inputs: Record<string, tf.TensorInfo>;
  backend: WasmBackendLike;
  attrs: Record<string, unknown>;
};
interface WasmBackendLike {
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}
type KernelImpl = (args: KernelArgs) => tf.TensorInfo;

function kernel(name: string): KernelImpl {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm kernel ${name} is not registered; import @tensorflow/tfjs-backend-wasm first`);
  return config.kernelFunc as unknown as KernelImpl;
}

function convInfoFor(
  op: string,
  xShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
): tf.backend_util.Conv2DInfo {
  const dataFormat = tf.backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC' | 'NCHW') ?? 'NHWC');
  if (dataFormat !== 'channelsLast') throw new Error(`${op} on wasm supports NHWC only, got ${String(attrs.dataFormat)}`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as 'valid' | 'same' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    dataFormat,
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1) {
    throw new Error(`${op} on wasm supports stride 1 only, got ${info.strideHeight}x${info.strideWidth}`);
  }
  return info;
}

let winograd: WinogradConv | null = null;
let winogradEnabled = true;

/** Switches our convolutions (Winograd, one-channel direct) off or on: benchmarks compare the two in one run. */
export function setWinogradEnabled(on: boolean): void {
  winogradEnabled = on;
}

/** How our module runs a stride-1 convolution from C to K channels, if it does. */
function ourPath(info: tf.backend_util.Conv2DInfo, C: number, K: number): { w: WinogradConv; direct: boolean } | null {
  const square = info.filterHeight === info.filterWidth;
  const dilated = info.dilationHeight !== 1 || info.dilationWidth !== 1;
  if (!winograd || !winogradEnabled || !square || dilated) return null;
  if (winogradSupports(info.filterHeight, C, K)) return { w: winograd, direct: false };
  if (directSupports(info.filterHeight, C, K)) return { w: winograd, direct: true };
  return null;
}

function explicitPad(top: number, bottom: number, left: number, right: number) {
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

/**
 * Conv2D, and FusedConv2D with at most a bias and a ReLU (tfjs-layers'
 * convolutions with a ReLU), on our module where it applies.
 */
function conv2dVia(stock: KernelImpl): KernelImpl {
  return ({ inputs, backend, attrs }) => {
    const { x, filter, bias, preluActivationWeights } = inputs;
    const activation = attrs.activation ?? 'linear';
    const relu = activation === 'relu';
    const plain = !preluActivationWeights && (relu || activation === 'linear') && (!bias || bias.shape.length <= 1);
    const dilations = attrs.dilations ?? 1;
    const simple = plain && (attrs.dataFormat ?? 'NHWC') === 'NHWC' && (dilations === 1 || String(dilations) === '1,1');
    const info = simple
      ? tf.backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, attrs.strides as number | [number, number], 1,
        attrs.pad as 'valid' | 'same' | number, attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined)
      : null;
    const path = info && info.strideHeight === 1 && info.strideWidth === 1 ? ourPath(info, info.inChannels, info.outChannels) : null;
    if (!path || !info) return stock({ inputs, backend, attrs });
    const out = backend.makeOutput(info.outShape, 'float32');
    const r = info.filterHeight;
    const [xs, fs, ys] = [backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(filter), backend.typedArrayFromHeap(out)];
    const K = info.outChannels;
    const b = bias && backend.typedArrayFromHeap(bias);
    const finish = { bias: b && b.length === 1 ? new Float32Array(K).fill(b[0]) : b, relu };
    const { top, left } = info.padInfo;
    if (path.direct) path.w.conv1(xs, x.shape as Shape4, fs, r, K, top, left, info.outHeight, info.outWidth, ys, finish);
    else path.w.conv(xs, x.shape as Shape4, fs, r, K, top, left, info.outHeight, info.outWidth, ys, finish);
    return out;
  };
}

function conv2dBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs;
  const info = convInfoFor('Conv2DBackpropFilter', x.shape, attrs.filterShape as number[], attrs);
  const path = ourPath(info, info.inChannels, info.outChannels);
  if (path) {
    const out = backend.makeOutput(attrs.filterShape as number[], 'float32');
    const [xs, dys, dws] = [backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(dy), backend.typedArrayFromHeap(out)];
    const { top, left } = info.padInfo;
    if (path.direct) path.w.conv1FilterGrad(xs, x.shape as Shape4, dys, dy.shape as Shape4, info.filterHeight, top, left, dws);
    else path.w.filterGrad(xs, x.shape as Shape4, dys, dy.shape as Shape4, info.filterHeight, top, left, dws);
    return out;
  }
  const transpose = kernel('Transpose');
  const conv2d = kernel('Conv2D');
  const { top, bottom, left, right } = info.padInfo;
  const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
  const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
  const out = conv2d({
    inputs: { x: xT, filter: dyT },
    backend,
    attrs: { strides: 1, pad: explicitPad(top, bottom, left, right), dataFormat: 'NHWC', dilations: 1 },
  });
  const dW = transpose({ inputs: { x: out }, backend, attrs: { perm: [1, 2, 0, 3] } });
  for (const t of [xT, dyT, out]) backend.disposeData(t.dataId);
  return dW;
}

function conv2dBackpropInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs;
  const info = convInfoFor('Conv2DBackpropInput', attrs.inputShape as number[], filter.shape, attrs);
  const { top, bottom, left, right } = info.padInfo;
  const fh = info.filterHeight;
  const fw = info.filterWidth;
  // The input gradient takes dy (outChannels) back to inChannels.
  const path = ourPath(info, info.outChannels, info.inChannels);
  const w = path && !path.direct ? path.w : null;
  if (w) {
    const out = backend.makeOutput(info.inShape, 'float32');
    w.inputGrad(backend.typedArrayFromHeap(dy), dy.shape as Shape4, backend.typedArrayFromHeap(filter), fh, top, left,
      info.inShape as Shape4, backend.typedArrayFromHeap(out));
    return out;
  }
  const flipped = kernel('Reverse')({ inputs: { x: filter }, backend, attrs: { dims: [0, 1] } });
  const swapped = kernel('Transpose')({ inputs: { x: flipped }, backend, attrs: { perm: [0, 1, 3, 2] } });
  const dx = kernel('Conv2D')({
    inputs: { x: dy, filter: swapped },
    backend,
    attrs: {
      strides: 1,
      pad: explicitPad(fh - 1 - top, fh - 1 - bottom, fw - 1 - left, fw - 1 - right),
      dataFormat: 'NHWC',
      dilations: 1,
    },
  });
  backend.disposeData(flipped.dataId);
  backend.disposeData(swapped.dataId);
  return dx;
}

function batchMatMulVia(stock: KernelImpl): KernelImpl {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs;
    const transposeA = Boolean(attrs.transposeA);
    const transposeB = Boolean(attrs.transposeB);
    const batch = (s: number[]) => s.slice(0, -2).reduce((n, d) => n * d, 1);
    if ((!transposeA && !transposeB) || batch(a.shape) !== 1 || batch(b.shape) !== 1) {
      return stock({ inputs, backend, attrs });
    }
    const swapLast = (t: tf.TensorInfo) => {
      const perm = t.shape.map((_, i) => i);
      perm.splice(-2, 2, t.shape.length - 1, t.shape.length - 2);
      return kernel('Transpose')({ inputs: { x: t }, backend, attrs: { perm } });
    };
    const product = (x: tf.TensorInfo, y: tf.TensorInfo) => stock({ inputs: { a: x, b: y }, backend, attrs: { transposeA: false, transposeB: false } });
    const [M, K] = a.shape.slice(-2);
    const N = b.shape[b.shape.length - 2];
    if (!transposeA && M * (K + N) < N * K) {
      // A B^T = (B A^T)^T: transposes A and the product instead of a large B (a dense layer's input gradient).
      const aT = swapLast(a);
      const outT = product(b, aT);
      const out = swapLast(outT);
      backend.disposeData(aT.dataId);
      backend.disposeData(outT.dataId);
      return out;
    }
    const aT = transposeA ? swapLast(a) : a;
    const bT = transposeB ? swapLast(b) : b;
    const out = product(aT, bT);
    if (aT !== a) backend.disposeData(aT.dataId);
    if (bT !== b) backend.disposeData(bT.dataId);
    return out;
  };
}

/** Gradient of max pooling: each output's gradient goes to the first maximum of its window. */
function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, input } = inputs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize as number | [number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as 'valid' | 'same' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const out = backend.makeOutput(input.shape, 'float32');
  // Views are taken after makeOutput: an allocation can grow (and detach) the heap.
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(out);
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const rowStride = inWidth * C;
  // 2x2 windows at stride 2 that all lie inside the image (not 'same' padding of an odd size).
  const pairs = filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 && padTop === 0 &&
    padLeft === 0 && 2 * outHeight <= inHeight && 2 * outWidth <= inWidth;
  if (pairs && winograd && C % 4 === 0) {
    winograd.maxPool2x2Grad(x, input.shape as Shape4, g, dx);
    return out;
  }
  dx.fill(0);
  if (pairs) {
    maxPool2x2Grad(x, g, dx, batchSize, inHeight, rowStride, C, outHeight, outWidth);
    return out;
  }
  const best = new Float32Array(C);
  const bestAt = new Int32Array(C);
  let gi = 0;
  for (let n = 0; n < batchSize; n++) {
    const base = n * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = Math.max(0, oh * strideHeight - padTop);
      const h1 = Math.min(inHeight, oh * strideHeight - padTop + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = Math.max(0, ow * strideWidth - padLeft);
        const w1 = Math.min(inWidth, ow * strideWidth - padLeft + filterWidth);
        best.fill(-Infinity);
        bestAt.fill(-1);
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const p = base + h * rowStride + w * C;
            for (let c = 0; c < C; c++) {
              const v = x[p + c];
              if (v > best[c]) {
                best[c] = v;
                bestAt[c] = p + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++, gi++) {
          if (bestAt[c] >= 0) dx[bestAt[c]] += g[gi];
        }
      }
    }
  }
  return out;
}

/** maxPoolGrad's fast path for the 2x2, stride-2 pooling both models use: same choice of maximum. */
function maxPool2x2Grad(x: Float32Array, g: Float32Array, dx: Float32Array, batch: number, inHeight: number,
  rowStride: number, C: number, outHeight: number, outWidth: number): void {
  let gi = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const row = (n * inHeight + 2 * oh) * rowStride;
      for (let ow = 0; ow < outWidth; ow++) {
        const p00 = row + 2 * ow * C;
        for (let c = 0; c < C; c++, gi++) {
          // The first maximum in row-major order, as the general loop picks; none if all are NaN.
          const p = p00 + c;
          let at = x[p] > -Infinity ? p : -1;
          let best = at >= 0 ? x[p] : -Infinity;
          if (x[p + C] > best) best = x[(at = p + C)];
          if (x[p + rowStride] > best) best = x[(at = p + rowStride)];
          if (x[p + rowStride + C] > best) at = p + rowStride + C;
          if (at >= 0) dx[at] += g[gi];
        }
      }
    }
  }
}

/**
 * Sum and Mean over every axis but the last (BatchNorm's per-channel
 * statistics and gradients): the stock kernels transpose the whole tensor
 * first to make the reduced axes innermost; this sums rows in place (in our
 * module, with SIMD, where it loaded and the rows are a multiple of 4 long).
 */
function reduceOuterVia(stock: KernelImpl, mean: boolean): KernelImpl {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape).sort((a, b) => a - b);
    const outer = rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
    if (!outer || x.dtype !== 'float32') return stock({ inputs, backend, attrs });
    const C = x.shape[rank - 1];
    const shape = attrs.keepDims ? [...x.shape.slice(0, -1).map(() => 1), C] : [C];
    const out = backend.makeOutput(shape, 'float32');
    const v = backend.typedArrayFromHeap(x);
    const rows = v.length / C;
    if (winograd && C % 4 === 0) {
      winograd.sumRows(v, C, mean ? 1 / rows : 1, backend.typedArrayFromHeap(out));
      return out;
    }
    const acc = new Float64Array(C);
    for (let i = 0; i < v.length; i += C) {
      for (let c = 0; c < C; c++) acc[c] += v[i + c];
    }
    const o = backend.typedArrayFromHeap(out);
    for (let c = 0; c < C; c++) o[c] = mean ? acc[c] / rows : acc[c];
    return out;
  };
}

/**
 * Identity shares its input's data, as the cpu and webgl backends' do; the
 * stock wasm kernel copies it, and a training step runs about 230 of them
 * (the optimizer's and the layers' clones). No wasm kernel writes into its inputs.
 */
function identityVia(stock: KernelImpl): KernelImpl {
  return (args) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return stock(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** One Adam step of a variable (core/train/adam.ts): x, m, v and g in, the new x, m and v out. */
function adamUpdate({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { x, m, v, g } = inputs;
  const outs = [x, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  // Views are taken after makeOutput: an allocation can grow (and detach) the heap.
  const [xs, ms, vs, gs, xo, mo, vo] = [x, m, v, g, ...outs].map((t) => backend.typedArrayFromHeap(t));
  adamStep(xs, ms, vs, gs, xo, mo, vo, attrs as unknown as AdamUpdateAttrs);
  return outs;
}

/** BatchNorm's passes for C channels: our module's where it loaded and takes them, else the JavaScript ones. */
function batchNormOn(C: number): Pick<WinogradConv, 'batchNormForward' | 'batchNormBackward'> {
  return winograd && batchNormSupports(C) ? winograd : { batchNormForward, batchNormBackward };
}

/** BatchNorm in training (batchNorm.ts; in our module where it loaded): x, gamma, beta in; y and the batch's mean and variance out. */
function batchNormTraining({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { x, gamma, beta } = inputs;
  const outs = [x.shape, gamma.shape, gamma.shape].map((shape) => backend.makeOutput(shape, 'float32'));
  const [xs, gs, bs, y, mean, variance] = [x, gamma, beta, ...outs].map((t) => backend.typedArrayFromHeap(t));
  batchNormOn(gamma.shape[0]).batchNormForward(xs, gs, bs, attrs.varianceEpsilon as number, y, mean, variance);
  return outs;
}

/** Its gradient: dy, the saved x, gamma, mean and variance, and the gradients of mean and variance in; dx, dgamma, dbeta out. */
function batchNormTrainingGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { dy, x, gamma, mean, variance, dmean, dvariance } = inputs;
  const outs = [x.shape, gamma.shape, gamma.shape].map((shape) => backend.makeOutput(shape, 'float32'));
  const [dys, xs, gs, ms, vs, dms, dvs, dx, dgamma, dbeta] = [dy, x, gamma, mean, variance, dmean, dvariance, ...outs]
    .map((t) => backend.typedArrayFromHeap(t));
  batchNormOn(gamma.shape[0]).batchNormBackward(dys, xs, gs, ms, vs, dms, dvs, attrs.varianceEpsilon as number, dx, dgamma, dbeta);
  return outs;
}

let registered = false;

/**
 * Registers (once) the wasm training kernels. Call before the wasm backend is
 * first used: a replaced stock kernel keeps its setup function, which the
 * engine runs when the backend initializes. Without a Winograd module every
 * convolution takes the XNNPACK path.
 */
export function registerWasmTrainingKernels(winogradModule: WinogradConv | null): void {
  if (registered) return;
  registered = true;
  winograd = winogradModule;
  const stockBatchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  const stockConv2D = tf.getKernel('Conv2D', 'wasm');
  const stockFused = tf.getKernel('FusedConv2D', 'wasm');
  const stockSum = tf.getKernel('Sum', 'wasm');
  const stockMean = tf.getKernel('Mean', 'wasm');
  const stockIdentity = tf.getKernel('Identity', 'wasm');
  if (!stockBatchMatMul || !stockConv2D || !stockFused || !stockSum || !stockMean || !stockIdentity) {
    throw new Error('import @tensorflow/tfjs-backend-wasm before registering its training kernels');
  }
  const configs: [string, KernelImpl, tf.KernelConfig['setupFunc']?][] = [
    ['Conv2D', conv2dVia(stockConv2D.kernelFunc as unknown as KernelImpl), stockConv2D.setupFunc],
    ['FusedConv2D', conv2dVia(stockFused.kernelFunc as unknown as KernelImpl), stockFused.setupFunc],
    ['Conv2DBackpropFilter', conv2dBackpropFilter],
    ['Conv2DBackpropInput', conv2dBackpropInput],
    ['BatchMatMul', batchMatMulVia(stockBatchMatMul.kernelFunc as unknown as KernelImpl), stockBatchMatMul.setupFunc],
    ['MaxPoolGrad', maxPoolGrad],
    ['Sum', reduceOuterVia(stockSum.kernelFunc as unknown as KernelImpl, false), stockSum.setupFunc],
    ['Mean', reduceOuterVia(stockMean.kernelFunc as unknown as KernelImpl, true), stockMean.setupFunc],
    ['Identity', identityVia(stockIdentity.kernelFunc as unknown as KernelImpl)],
    [ADAM_UPDATE, adamUpdate as unknown as KernelImpl],
    [BATCH_NORM_TRAINING, batchNormTraining as unknown as KernelImpl],
    [BATCH_NORM_TRAINING_GRAD, batchNormTrainingGrad as unknown as KernelImpl],
  ];
  for (const [kernelName, impl, setupFunc] of configs) {
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: impl as unknown as tf.KernelFunc, setupFunc });
  }
}
