/**
 * Adam, one kernel per variable where the backend has one ('AdamUpdate',
 * registered for wasm by src/kernels): tfjs's AdamOptimizer runs about a dozen
 * element-wise kernels per variable, some 260 a step for the modified LeNet-5,
 * each with the engine's bookkeeping. The state is tfjs's own (moments,
 * iteration count), so getWeights, setWeights and checkpoints are unchanged;
 * on a backend without the kernel it is tfjs's AdamOptimizer.
 */
import * as tf from '../tf';

export const ADAM_UPDATE = 'AdamUpdate';

export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - beta^t for this step t (from 1): the bias corrections. */
  correction1: number;
  correction2: number;
}

/**
 * One Adam step on flat arrays, as tfjs's AdamOptimizer computes it:
 * m' = b1 m + (1 - b1) g, v' = b2 v + (1 - b2) g^2,
 * x' = x - lr (m' / c1) / (sqrt(v' / c2) + eps). Outputs may not alias inputs.
 */
export function adamStep(x: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array,
  xOut: Float32Array, mOut: Float32Array, vOut: Float32Array, a: AdamUpdateAttrs): void {
  const { beta1, beta2, epsilon } = a;
  const b1 = 1 - beta1;
  const b2 = 1 - beta2;
  const step = a.learningRate / a.correction1;
  const c2 = 1 / a.correction2;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i];
    const mi = beta1 * m[i] + b1 * gi;
    const vi = beta2 * v[i] + b2 * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    xOut[i] = x[i] - (step * mi) / (Math.sqrt(vi * c2) + epsilon);
  }
}

type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

interface Moment {
  originalName: string;
  variable: tf.Variable;
}

export class FusedAdam extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999) {
    super(learningRate, beta1, beta2);
  }

  override applyGradients(variableGradients: Gradients): void {
    if (!tf.getKernel(ADAM_UPDATE, tf.getBackend())) return super.applyGradients(variableGradients);
    const grads = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor: tensor as tf.Tensor }));
    const self = this as unknown as { accumulatedFirstMoment: Moment[]; accumulatedSecondMoment: Moment[]; accBeta1: tf.Variable; accBeta2: tf.Variable };
    const t = this.iterations + 1;
    const attrs: AdamUpdateAttrs = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      correction1: 1 - this.beta1 ** t,
      correction2: 1 - this.beta2 ** t,
    };
    const zeros = (value: tf.Variable) => tf.tidy(() => tf.zerosLike(value).variable(false));
    grads.forEach(({ name, tensor: g }, i) => {
      const value = tf.engine().registeredVariables[name];
      self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: zeros(value) };
      self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: zeros(value) };
      if (g == null) return;
      const m = self.accumulatedFirstMoment[i].variable;
      const v = self.accumulatedSecondMoment[i].variable;
      const out = tf.engine().runKernel(ADAM_UPDATE, { x: value, m, v, g }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      value.assign(out[0]);
      m.assign(out[1]);
      v.assign(out[2]);
      tf.dispose(out);
    });
    // The stock optimizer's running powers of beta, kept as it keeps them for a later stock step.
    tf.tidy(() => {
      self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
