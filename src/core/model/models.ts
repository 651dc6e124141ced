/**
 * The two architectures the app trains, from one factory.
 *
 * Both take raw 28x28x1 pixels in [0, 1] and do their own preprocessing in
 * the graph (zero-pad to 32x32 as in LeCun 1998, then standardize with the
 * MNIST training-set statistics), so a saved model is self-contained: the
 * drawing pad, the CLI and a downloaded model all feed it the same thing.
 */
import * as tf from '../tf';
import { IMAGE_SIZE, NUM_CLASSES } from '../data/mnist';
import { MODEL_NAMES, type ModelName } from '../train/types';

export { MODEL_NAMES, type ModelName };

/** Mean and std of MNIST training pixels scaled to [0, 1] (padding excluded). */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export const INPUT_SHAPE = [IMAGE_SIZE, IMAGE_SIZE, 1] as const;

export interface ModelOptions {
  /** Seed for the initializers; the same seed gives the same initial weights. */
  seed?: number;
  /** BatchNorm moving-average momentum (Keras convention: new = m*old + (1-m)*batch). */
  bnMomentum?: number;
}

function preprocessing(): tf.layers.Layer[] {
  return [
    tf.layers.zeroPadding2d({ padding: 2, inputShape: [...INPUT_SHAPE], name: 'pad_to_32' }),
    tf.layers.rescaling({ scale: 1 / MNIST_STD, offset: -MNIST_MEAN / MNIST_STD, name: 'standardize' }),
  ];
}

/** Seeded Glorot-uniform / zeros initializers so runs can be repeated. */
function initFor(seed: number | undefined, index: number) {
  return seed === undefined ? {} : { kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + index }) };
}

function modifiedLeNet5(opts: ModelOptions): tf.Sequential {
  const { seed } = opts;
  const momentum = opts.bnMomentum ?? 0.9;
  const l2 = () => tf.regularizers.l2({ l2: 5e-4 });
  const bn = (name: string) => tf.layers.batchNormalization({ momentum, epsilon: 1e-3, name });
  const relu = (name: string) => tf.layers.activation({ activation: 'relu', name });
  const layers: tf.layers.Layer[] = [
    ...preprocessing(),
    tf.layers.conv2d({ filters: 32, kernelSize: 5, activation: 'relu', kernelRegularizer: l2(), name: 'conv1', ...initFor(seed, 1) }),
    tf.layers.conv2d({ filters: 32, kernelSize: 5, useBias: false, name: 'conv2', ...initFor(seed, 2) }),
    bn('bn2'), relu('relu2'),
    tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
    tf.layers.dropout({ rate: 0.25, name: 'drop2' }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelRegularizer: l2(), name: 'conv3', ...initFor(seed, 3) }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, useBias: false, name: 'conv4', ...initFor(seed, 4) }),
    bn('bn4'), relu('relu4'),
    tf.layers.maxPooling2d({ poolSize: 2, name: 'pool4' }),
    tf.layers.dropout({ rate: 0.25, name: 'drop4' }),
    tf.layers.flatten({ name: 'flatten' }),
    tf.layers.dense({ units: 256, useBias: false, name: 'fc1', ...initFor(seed, 5) }),
    bn('bn_fc1'), relu('relu_fc1'),
    tf.layers.dense({ units: 128, useBias: false, name: 'fc2', ...initFor(seed, 6) }),
    bn('bn_fc2'), relu('relu_fc2'),
    tf.layers.dense({ units: 84, useBias: false, name: 'fc3', ...initFor(seed, 7) }),
    bn('bn_fc3'), relu('relu_fc3'),
    tf.layers.dropout({ rate: 0.25, name: 'drop_fc3' }),
    tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax', name: 'output', ...initFor(seed, 8) }),
  ];
  return tf.sequential({ name: 'lenet5_modified', layers });
}

function originalLeNet5(opts: ModelOptions): tf.Sequential {
  const { seed } = opts;
  const layers: tf.layers.Layer[] = [
    ...preprocessing(),
    tf.layers.conv2d({ filters: 6, kernelSize: 5, activation: 'relu', name: 'conv1', ...initFor(seed, 1) }),
    tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
    tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', name: 'conv2', ...initFor(seed, 2) }),
    tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
    tf.layers.flatten({ name: 'flatten' }),
    tf.layers.dense({ units: 120, activation: 'relu', name: 'fc1', ...initFor(seed, 3) }),
    tf.layers.dense({ units: 84, activation: 'relu', name: 'fc2', ...initFor(seed, 4) }),
    tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax', name: 'output', ...initFor(seed, 5) }),
  ];
  return tf.sequential({ name: 'lenet5_original', layers });
}

export function createModel(name: ModelName, opts: ModelOptions = {}): tf.Sequential {
  switch (name) {
    case 'modified':
      return modifiedLeNet5(opts);
    case 'original':
      return originalLeNet5(opts);
    default:
      throw new Error(`Unknown model "${String(name)}"; expected one of ${MODEL_NAMES.join(', ')}`);
  }
}

/** Which architecture a loaded model is, judged by its name (set by createModel). */
export function modelNameOf(model: tf.LayersModel): ModelName | undefined {
  if (model.name === 'lenet5_modified') return 'modified';
  if (model.name === 'lenet5_original') return 'original';
  return undefined;
}

export function countParams(model: tf.LayersModel): { trainable: number; total: number } {
  const size = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  return { trainable: size(model.trainableWeights), total: size(model.weights) };
}

/** The ten class probabilities a model gives one 28x28 image (pixels in [0, 1]). */
export async function classify(model: tf.LayersModel, pixels: Float32Array): Promise<Float32Array> {
  const out = tf.tidy(() => model.predict(tf.tensor4d(pixels, [1, ...INPUT_SHAPE])) as tf.Tensor);
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}
