/**
 * A "model soup": the element-wise mean of the weights of models fine-tuned
 * from one parent (Wortsman et al., 2022). Such models sit in one basin of the
 * loss, so their mean is a model too, and usually a better and more robust one
 * than each of them. BatchNorm moving statistics are averaged like the rest.
 */
import * as tf from '../tf';

/** Sets `into` to the mean of the models' weights; all must share its architecture. */
export function averageWeightsInto(into: tf.LayersModel, models: tf.LayersModel[]): void {
  if (models.length === 0) throw new Error('a soup needs at least one model');
  const target = into.weights;
  models.forEach((m, k) => {
    if (m.weights.length !== target.length) {
      throw new Error(`model ${k + 1} has ${m.weights.length} weight tensors, the soup's architecture ${target.length}`);
    }
    m.weights.forEach((w, i) => {
      if (!tf.util.arraysEqual(w.shape as number[], target[i].shape as number[])) {
        throw new Error(`weight ${target[i].originalName} of model ${k + 1} has shape [${w.shape}], the soup's architecture [${target[i].shape}]`);
      }
    });
  });
  const means = target.map((_, i) => tf.tidy(() => tf.div(tf.addN(models.map((m) => m.weights[i].read())), models.length)));
  into.setWeights(means);
  tf.dispose(means);
}
