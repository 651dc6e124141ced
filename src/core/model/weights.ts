/** A model's weights as plain data (named by position in model.weights), and back. */
import * as tf from '../tf';

/** Tensors as a manifest plus one buffer: postable between threads, storable in IndexedDB or a file. */
export interface EncodedTensors {
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
}

/** The variables behind a model's trainable weights, which optimizers and gradients are keyed by. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  // LayerVariable keeps its tf.Variable private; tfjs offers no public way to it.
  return model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
}

export async function encodeModelWeights(model: tf.LayersModel): Promise<EncodedTensors> {
  return tf.io.encodeWeights(model.weights.map((w, i) => ({ name: `w${i}`, tensor: w.read() })));
}

/** Loads encoded weights into a model of the same architecture; throws a clear error otherwise. */
export function setWeightsFrom(model: tf.LayersModel, encoded: EncodedTensors): void {
  const named = tf.io.decodeWeights(encoded.data, encoded.specs);
  try {
    const values = model.weights.map((w, i) => {
      const t = named[`w${i}`];
      if (!t) throw new Error(`no value for weight ${i} (${w.originalName}); the weights were made for another model`);
      if (!tf.util.arraysEqual(t.shape, w.shape as number[])) {
        throw new Error(`weight ${w.originalName} has shape [${t.shape}], the model needs [${w.shape}]`);
      }
      return t;
    });
    if (Object.keys(named).length !== model.weights.length) {
      throw new Error(`${Object.keys(named).length} weights given, the model has ${model.weights.length}`);
    }
    model.setWeights(values);
  } finally {
    tf.dispose(Object.values(named));
  }
}
