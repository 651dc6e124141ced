/**
 * The one way a training run is put together, whoever runs it (the page's
 * training worker, its replicas, Node, the benchmarks): the splits, the model
 * (fresh, fine-tuned from given weights, or resumed from a checkpoint) and
 * its Trainer.
 */
import type * as tf from '../tf';
import { makeSplits, TRAIN_COUNT, type MnistSplits } from '../data/mnist';
import type { MnistFiles } from '../data/mnistLoader';
import { createModel, MODEL_NAMES, type ModelName } from '../model/models';
import { setWeightsFrom, type EncodedTensors } from '../model/weights';
import type { Checkpoint } from './checkpoint';
import { DEFAULT_SCHEDULES } from './schedule';
import { Trainer, type TrainerOptions } from './trainer';
import type { TrainConfig } from './types';

export interface RunSettings {
  config: TrainConfig;
  /** Held out of the end of the training file for validation; 0 trains on all 60,000. */
  validationSize: number;
  /** Only the first N training images after the hold-out (quick runs); undefined = all. */
  trainLimit?: number;
  /** Continue from this checkpoint (weights, optimizer, schedule, history). */
  resume?: Checkpoint;
  /** Start from these weights (fine-tuning) instead of a fresh initialisation; a resume overrides it. */
  initWeights?: EncodedTensors;
}

/**
 * What is wrong with settings, as messages (none: fine), checked before any
 * data is loaded or anything is written. `trainFileCount`: images in the
 * training file.
 */
export function settingsErrors(s: RunSettings, trainFileCount = TRAIN_COUNT): string[] {
  const errors: string[] = [];
  const c = (s.config ?? {}) as Partial<TrainConfig>;
  const whole = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
  if (!MODEL_NAMES.includes(c.model as ModelName)) errors.push(`model must be one of ${MODEL_NAMES.join(', ')}, not ${String(c.model)}`);
  if (!whole(c.epochs, 1)) errors.push(`epochs must be a whole number of at least 1, not ${String(c.epochs)}`);
  if (!whole(c.batchSize, 1)) errors.push(`batch size must be a whole number of at least 1, not ${String(c.batchSize)}`);
  if (!(typeof c.learningRate === 'number' && c.learningRate > 0 && Number.isFinite(c.learningRate))) errors.push(`learning rate must be a positive number, not ${String(c.learningRate)}`);
  if (!whole(c.seed, 0)) errors.push(`seed must be a whole number, not ${String(c.seed)}`);
  if (!c.schedule || !Object.hasOwn(DEFAULT_SCHEDULES, c.schedule.kind)) errors.push(`schedule must be one of ${Object.keys(DEFAULT_SCHEDULES).join(', ')}`);
  if (c.augment !== null && typeof c.augment !== 'object') errors.push('augmentation must be settings or none');
  if (!whole(s.validationSize, 0) || s.validationSize >= trainFileCount) {
    errors.push(`validation must hold between 0 and ${trainFileCount - 1} of the ${trainFileCount} training images, not ${String(s.validationSize)}`);
  } else if (s.trainLimit !== undefined && !whole(s.trainLimit, 1)) {
    errors.push(`the training-set limit must be a whole number of at least 1, not ${String(s.trainLimit)}`);
  } else if (whole(c.batchSize, 1)) {
    const images = Math.min(s.trainLimit ?? Infinity, trainFileCount - s.validationSize);
    if (images < c.batchSize!) errors.push(`${images} training images are fewer than one batch of ${c.batchSize}`);
  }
  return errors;
}

export interface Run {
  model: tf.LayersModel;
  trainer: Trainer;
  splits: MnistSplits;
}

export function buildRun(settings: RunSettings, files: MnistFiles, options: Pick<TrainerOptions, 'replica' | 'onEvent' | 'betweenSteps'> = {}): Run {
  const splits = makeSplits(files.train, files.test, settings.validationSize, settings.trainLimit);
  const model = createModel(settings.config.model, { seed: settings.config.seed });
  try {
    if (settings.initWeights && !settings.resume) setWeightsFrom(model, settings.initWeights);
    const trainer = new Trainer(model, settings.config, splits.train, {
      ...options,
      validation: splits.validation.count ? splits.validation : undefined,
      resumeFrom: settings.resume,
    });
    return { model, trainer, splits };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * For `betweenSteps`: a training loop on wasm never yields to the event loop
 * by itself, so messages (pause, stop, Ctrl-C) would wait for the whole run.
 */
export function yieldEvery(ms: number): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < ms) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    last = performance.now();
  };
}
