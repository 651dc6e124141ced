/** Test/validation metrics: loss, accuracy, per-class accuracy and the confusion matrix. */
import * as tf from '../tf';
import { fillBatch, IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES, sliceSet, type MnistSet } from '../data/mnist';
import { singleReplica, type Replica } from '../train/replica';

export interface Evaluation {
  count: number;
  correct: number;
  accuracy: number;
  /** Mean categorical cross-entropy. */
  loss: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  perClassAccuracy: number[];
  /** Predicted digit per image (only when one replica evaluated the whole set). */
  predictions?: Uint8Array;
}

export interface EvaluateOptions {
  batchSize?: number;
  replica?: Replica;
  onProgress?: (done: number, total: number) => void;
}

export async function evaluateModel(model: tf.LayersModel, set: MnistSet, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const replica = opts.replica ?? singleReplica;
  const batchSize = opts.batchSize ?? 500;
  const lo = Math.floor((set.count * replica.rank) / replica.size);
  const hi = Math.floor((set.count * (replica.rank + 1)) / replica.size);
  const shard = sliceSet(set, lo, hi);
  // [lossSum, correct, confusion(100)]
  const sums = new Float32Array(2 + NUM_CLASSES * NUM_CLASSES);
  const predictions = replica.size === 1 ? new Uint8Array(set.count) : undefined;
  const x = new Float32Array(batchSize * IMAGE_PIXELS);
  const y = new Int32Array(batchSize);
  const idx = new Int32Array(batchSize);
  for (let start = 0; start < shard.count; start += batchSize) {
    const n = Math.min(batchSize, shard.count - start);
    for (let i = 0; i < n; i++) idx[i] = start + i;
    fillBatch(shard, idx.subarray(0, n), x, y);
    const [lossT, predT] = tf.tidy(() => {
      const probs = model.predict(tf.tensor4d(x.subarray(0, n * IMAGE_PIXELS), [n, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor2D;
      const labels = tf.oneHot(tf.tensor1d(y.subarray(0, n), 'int32'), NUM_CLASSES);
      return [tf.sum(tf.metrics.categoricalCrossentropy(labels, probs)), tf.argMax(probs, 1)];
    });
    const [lossSum, preds] = await Promise.all([lossT.data(), predT.data()]);
    tf.dispose([lossT, predT]);
    sums[0] += lossSum[0];
    for (let i = 0; i < n; i++) {
      const p = preds[i];
      if (p === y[i]) sums[1]++;
      sums[2 + y[i] * NUM_CLASSES + p]++;
      if (predictions) predictions[start + i] = p;
    }
    opts.onProgress?.(start + n, shard.count);
  }
  await replica.allReduceSum(sums);
  const confusion = Array.from({ length: NUM_CLASSES }, (_, t) => Array.from(sums.subarray(2 + t * NUM_CLASSES, 2 + (t + 1) * NUM_CLASSES)));
  const perClassAccuracy = confusion.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total ? row[t] / total : NaN;
  });
  return {
    count: set.count,
    correct: sums[1],
    accuracy: set.count ? sums[1] / set.count : NaN,
    loss: set.count ? sums[0] / set.count : NaN,
    confusion,
    perClassAccuracy,
    predictions,
  };
}
