/**
 * The checks on a run's settings, kept apart from run.ts so that the page,
 * which loads no TensorFlow.js, can use them too (the link's settings, the
 * training log's validator).
 */
import { TRAIN_COUNT } from '../data/mnist';
import type { RunSettings } from './run';
import { DEFAULT_SCHEDULES } from './schedule';
import { MODEL_NAMES, type ModelName, type TrainConfig } from './types';

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
  if (c.distill) {
    const { weight, temperature } = c.distill;
    if (!(weight > 0 && weight <= 1)) errors.push(`the distillation weight must be more than 0 and at most 1, not ${String(weight)}`);
    if (!(temperature > 0 && Number.isFinite(temperature))) errors.push(`the distillation temperature must be a positive number, not ${String(temperature)}`);
  }
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
