/**
 * A leaner gradient for FusedBatchNorm, registered for every backend.
 *
 * tfjs-core's stock gradient tiles the per-channel scale up to the full
 * activation shape (a 64x24x24x32 copy per BatchNorm layer per step) and
 * recomputes shared terms; on the wasm backend that Tile alone cost more than
 * a convolution. This version uses broadcasting and computes each reduction
 * once. Same maths: with inv = 1/sqrt(var + eps) and g = scale * inv,
 *   dx = dy * g,  dmean = -sum(dy) * g,  doffset = sum(dy),
 *   dscale = sum(dy * (x - mean)) * inv,
 *   dvar = -0.5 * sum(dy * (x - mean)) * g * inv^2.
 */
import * as tf from '../core/tf';

let registered = false;

export function registerFastGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const dyT = dy as tf.Tensor;
      const [x, mean, variance, scale] = saved;
      const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
      const perChannel = mean.rank === 1 && x.rank > 1;
      const axes = perChannel ? x.shape.slice(0, -1).map((_, i) => i) : [];
      const reduce = (t: tf.Tensor) => (perChannel ? tf.sum(t, axes) : t);
      const inv = tf.rsqrt(tf.add(variance, eps));
      const g = scale == null ? inv : tf.mul(inv, scale);
      const dySum = reduce(dyT);
      const dyXc = reduce(tf.mul(dyT, tf.sub(x, mean)));
      return {
        x: () => tf.mul(dyT, g),
        mean: () => tf.reshape(tf.neg(tf.mul(dySum, g)), mean.shape),
        variance: () => tf.reshape(tf.mul(tf.mul(dyXc, tf.mul(g, tf.square(inv))), -0.5), mean.shape),
        scale: () => tf.reshape(tf.mul(dyXc, inv), mean.shape),
        offset: () => tf.reshape(dySum, mean.shape),
      };
    },
  });
}
