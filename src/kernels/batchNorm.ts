/**
 * BatchNorm in training as one kernel forward and one backward, on backends
 * that have them (wasm: registered by wasmKernels.ts).
 *
 * tfjs-layers builds a training-mode BatchNorm from ops: moments (mean,
 * squared difference, mean), the FusedBatchNorm kernel, then autodiff back
 * through each, about 40 kernels a layer a step, every one with the engine's
 * bookkeeping and a clone of each tensor its gradient keeps. Here the layer's
 * training call is one kernel that returns the output and the batch's mean and
 * variance, and its gradient is one kernel. Same maths, per channel over its M
 * values, with xc = x - mean and inv = 1/sqrt(variance + eps):
 *   y = gamma * inv * xc + beta
 *   dbeta = sum(dy),  dgamma = inv * sum(dy * xc)
 *   dx = gamma * inv * (dy - dbeta / M - inv * xc * dgamma / M) + (dmean + 2 * dvariance * xc) / M
 * where dmean and dvariance are the gradients reaching the mean and variance
 * outputs (zero in a layer: only the moving averages read them).
 */
import * as tf from '../core/tf';

export const BATCH_NORM_TRAINING = 'BatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'BatchNormTrainingGrad';

/** The forward pass over x as [rows, C]: writes y, and the batch's mean and (biased) variance. */
export function batchNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number,
  y: Float32Array, mean: Float32Array, variance: Float32Array): void {
  const C = gamma.length;
  const M = x.length / C;
  const sum = new Float64Array(C);
  for (let i = 0; i < x.length; i += C) {
    for (let c = 0; c < C; c++) sum[c] += x[i + c];
  }
  for (let c = 0; c < C; c++) mean[c] = sum[c] / M;
  const sq = new Float64Array(C);
  for (let i = 0; i < x.length; i += C) {
    for (let c = 0; c < C; c++) sq[c] += (x[i + c] - mean[c]) ** 2;
  }
  const scale = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    variance[c] = sq[c] / M;
    scale[c] = gamma[c] / Math.sqrt(variance[c] + eps);
  }
  for (let i = 0; i < x.length; i += C) {
    for (let c = 0; c < C; c++) y[i + c] = (x[i + c] - mean[c]) * scale[c] + beta[c];
  }
}

/** The backward pass: dx, dgamma and dbeta from dy and the gradients reaching mean and variance. */
export function batchNormBackward(dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array,
  variance: Float32Array, dmean: Float32Array, dvariance: Float32Array, eps: number,
  dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array): void {
  const C = gamma.length;
  const M = x.length / C;
  const sumDy = new Float64Array(C);
  const sumDyXc = new Float64Array(C);
  for (let i = 0; i < x.length; i += C) {
    for (let c = 0; c < C; c++) {
      sumDy[c] += dy[i + c];
      sumDyXc[c] += dy[i + c] * (x[i + c] - mean[c]);
    }
  }
  // dx = a * dy + b * xc + d, per channel
  const a = new Float64Array(C);
  const b = new Float64Array(C);
  const d = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const inv = 1 / Math.sqrt(variance[c] + eps);
    dbeta[c] = sumDy[c];
    dgamma[c] = inv * sumDyXc[c];
    a[c] = gamma[c] * inv;
    b[c] = (2 * dvariance[c] - a[c] * inv * dgamma[c]) / M;
    d[c] = (dmean[c] - a[c] * dbeta[c]) / M;
  }
  for (let i = 0; i < x.length; i += C) {
    for (let c = 0; c < C; c++) dx[i + c] = a[c] * dy[i + c] + b[c] * (x[i + c] - mean[c]) + d[c];
  }
}

type Kwargs = Record<string, unknown>;
interface BatchNormLayer {
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[];
  axis: number;
  epsilon: number;
  momentum: number;
  gamma?: tf.LayerVariable;
  beta?: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

let registered = false;

/**
 * Registers the kernels' gradient and routes tfjs-layers' BatchNormalization
 * training call through them where the current backend has the forward kernel
 * (any other case, inference included, runs the layer's own code).
 */
export function registerBatchNormTraining(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAINING,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dmean, dvariance] = dys as tf.Tensor[];
      const [x, gamma, mean, variance] = saved;
      const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD,
        { dy, x, gamma, mean, variance, dmean, dvariance }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
  const proto = Object.getPrototypeOf(tf.layers.batchNormalization({})) as BatchNormLayer;
  const layerCall = proto.call;
  proto.call = function (this: BatchNormLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const { gamma, beta } = this;
    const fused = kwargs.training === true && gamma && beta && x.dtype === 'float32' && x.rank >= 2
      && (this.axis === -1 || this.axis === x.rank - 1) && tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) != null;
    if (!fused) return layerCall.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING,
        { x, gamma: gamma.read(), beta: beta.read() }, { varianceEpsilon: this.epsilon }) as tf.Tensor[];
      // The moving averages exactly as the layer updates them.
      for (const [v, batch] of [[this.movingMean, mean], [this.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const old = v.read();
          v.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - this.momentum)));
        });
      }
      return y;
    });
  };
}
