/**
 * Fine-tuning a trained model on a person's digits without forgetting MNIST:
 * one pass of a fixed number of steps over a mix of their digits (repeated,
 * augmented differently each time) and MNIST training images, from the
 * model's weights, then the mean of the tuned and the starting weights (a
 * soup of two: the tuned model alone reads MNIST worse). The page's worker, `npm run train -- --extra` and
 * `npm run eval:personal` all run this recipe, through buildRun.
 */
import type * as tf from '../tf';
import { IMAGE_PIXELS, type MnistSet } from '../data/mnist';
import { createModel } from '../model/models';
import { averageWeightsInto } from '../model/soup';
import { setWeightsFrom, type EncodedTensors } from '../model/weights';
import { makeRng } from './rng';
import type { RunSettings } from './run';
import { FINE_TUNE } from './fineTuneRecipe';
import { HANDWRITING_AUGMENT, type ModelName, type TrainConfig } from './types';

export { FINE_TUNE, holdOut, planFineTune, recommendKeeping, type FineTuneScores } from './fineTuneRecipe';

export interface PersonalMix {
  /** The person's digits to train on. */
  set: MnistSet;
  steps: number;
  share: number;
}

export function fineTuneConfig(model: ModelName, seed = 1): TrainConfig {
  return {
    model,
    epochs: 1,
    batchSize: FINE_TUNE.batchSize,
    learningRate: FINE_TUNE.learningRate,
    schedule: { kind: 'cosine', warmupEpochs: 0.1, finalFraction: 0.1 },
    augment: HANDWRITING_AUGMENT,
    seed,
  };
}

export function fineTuneSettings(model: ModelName, initWeights: EncodedTensors, personal: MnistSet, seed = 1, steps: number = FINE_TUNE.steps): RunSettings {
  return {
    config: fineTuneConfig(model, seed),
    validationSize: FINE_TUNE.validationSize,
    initWeights,
    personal: { set: personal, steps, share: FINE_TUNE.personalShare },
  };
}

/**
 * `steps * batchSize` images: `share` of them the person's digits in turn,
 * the rest MNIST images drawn at random (seeded) from `mnist`. The trainer
 * shuffles them, so every batch holds about `share` of the person's digits.
 */
export function mixPersonal(mnist: MnistSet, mix: PersonalMix, batchSize: number, seed: number): MnistSet {
  if (mix.set.count === 0) throw new Error('there are no digits of yours to fine-tune on');
  const count = mix.steps * batchSize;
  const own = Math.round(count * mix.share);
  const images = new Uint8Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  const rng = makeRng(seed, 0x6d1c);
  for (let i = 0; i < count; i++) {
    const [from, j] = i < own ? [mix.set, i % mix.set.count] : [mnist, Math.floor(rng() * mnist.count)];
    images.set(from.images.subarray(j * IMAGE_PIXELS, (j + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS);
    labels[i] = from.labels[j];
  }
  return { images, labels, count };
}

/**
 * Runs every BatchNorm layer as in inference, on the statistics of all MNIST,
 * also while training: a few hundred mixed batches would otherwise replace
 * them, which alone costs MNIST accuracy. Its scale and offset still learn.
 */
export function freezeBatchNorm(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
  }
}

/** The last step of a fine-tune (nothing for other runs): the model becomes the mean of itself and the weights it started from. */
export function finishFineTune(model: tf.LayersModel, settings: RunSettings): void {
  if (!settings.personal || !settings.initWeights) return;
  const parent = createModel(settings.config.model);
  try {
    setWeightsFrom(parent, settings.initWeights);
    averageWeightsInto(model, [model, parent]);
  } finally {
    parent.dispose();
  }
}


