/**
 * A run's training log (training-log.json): what `npm run train` writes
 * beside the model and what the page's "Download the run" saves. Both build
 * it here and one validator checks it, so the two cannot drift apart.
 */
import { NUM_CLASSES, TRAIN_COUNT } from '../data/mnist';
import type { Evaluation } from '../model/evaluate';
import type { ModelName } from '../model/models';
import type { RunSettings } from './run';
import { settingsErrors } from './settings';
import type { EpochRecord, StopReason, TrainConfig } from './types';

export interface TrainingLog {
  model: ModelName;
  config: TrainConfig;
  seed: number;
  /** The model folder a fine-tune started from (Node), else null. */
  init: string | null;
  /** That model's own training log. */
  initLog: unknown;
  /** The models distilled from (Node): their folders and their own training logs. */
  teachers: { dir: string; log: unknown }[];
  validationSize: number;
  trainLimit: number | null;
  trainImages: number;
  /** Data-parallel replicas. */
  workers: number;
  backend: string;
  /** Where it ran: Node's CPUs and host, or the browser's user agent and cores. */
  machine: Record<string, string | number | undefined>;
  /** 'running': downloaded from the page mid-run; 'failed': the page's training worker failed. */
  stopReason: StopReason | 'running' | 'failed';
  message: string | null;
  epochsDone: number;
  epochs: EpochRecord[];
  /** Training images per second over all epochs (each epoch's own is in `epochs`); null before the first epoch. */
  imagesPerSecond: number | null;
  /** The test-set evaluation after the last epoch; all null where none was measured. */
  testAccuracy: number | null;
  testLoss: number | null;
  testCount: number | null;
  perClassAccuracy: number[] | null;
  confusion: number[][] | null;
  wallSeconds: number;
  /** When the log was written. */
  finishedAt: string;
  /** How to make the run again: the command line, or the page's link. */
  command: string;
}

export interface TrainingLogInput {
  settings: Pick<RunSettings, 'config' | 'validationSize' | 'trainLimit'>;
  history: EpochRecord[];
  stopReason: TrainingLog['stopReason'];
  message?: string | null;
  backend: string;
  workers: number;
  machine: TrainingLog['machine'];
  test?: Evaluation | null;
  wallSeconds: number;
  command: string;
  init?: string | null;
  initLog?: unknown;
  teachers?: TrainingLog['teachers'];
  /** Images in the training file, before the hold-out. */
  trainFileCount?: number;
  finishedAt?: Date;
}

export function buildTrainingLog(r: TrainingLogInput): TrainingLog {
  const { config, validationSize, trainLimit } = r.settings;
  const { workers } = r;
  const seconds = r.history.reduce((sum, e) => sum + e.seconds, 0);
  const images = r.history.reduce((sum, e) => sum + e.imagesPerSecond * e.seconds, 0);
  const test = r.test ?? null;
  return {
    model: config.model,
    config,
    seed: config.seed,
    init: r.init ?? null,
    initLog: r.initLog ?? null,
    teachers: r.teachers ?? [],
    validationSize,
    trainLimit: trainLimit ?? null,
    trainImages: Math.min(trainLimit ?? Infinity, (r.trainFileCount ?? TRAIN_COUNT) - validationSize),
    workers,
    backend: `${r.backend} (${workers} replica${workers > 1 ? 's, data-parallel' : ''})`,
    machine: r.machine,
    stopReason: r.stopReason,
    message: r.message ?? null,
    epochsDone: r.history.length,
    epochs: r.history,
    imagesPerSecond: seconds > 0 ? images / seconds : null,
    testAccuracy: test?.accuracy ?? null,
    testLoss: test?.loss ?? null,
    testCount: test?.count ?? null,
    perClassAccuracy: test?.perClassAccuracy ?? null,
    confusion: test?.confusion ?? null,
    wallSeconds: r.wallSeconds,
    finishedAt: (r.finishedAt ?? new Date()).toISOString(),
    command: r.command,
  };
}

/** The file's text, the same from Node and the page (NaN, such as a validation loss without validation, becomes null). */
export function formatTrainingLog(log: TrainingLog): string {
  return `${JSON.stringify(log, null, 1)}\n`;
}

const STOP_REASONS = ['completed', 'stopped', 'diverged', 'running', 'failed'];
const EPOCH_FIELDS = ['trainLoss', 'trainAccuracy', 'learningRate', 'seconds', 'imagesPerSecond'] as const;
/** No validation hold-out: these are NaN, written as null. */
const VALIDATION_FIELDS = ['valLoss', 'valAccuracy'] as const;

/**
 * What is wrong with a training log as read from its JSON (none: it is
 * valid), one message per problem, each naming the field.
 */
export function checkTrainingLog(x: unknown): string[] {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return ['a training log must be a JSON object'];
  const log = x as Record<string, unknown>;
  const errors: string[] = [];
  const want = (field: string, value: unknown, ok: (v: unknown) => boolean, what: string) => {
    if (!ok(value)) errors.push(`${field} must be ${what}, not ${JSON.stringify(value) ?? 'missing'}`);
  };
  const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const whole = (min: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min;
  const atLeast0 = (v: unknown) => isNumber(v) && v >= 0;
  const fraction = (v: unknown) => isNumber(v) && v >= 0 && v <= 1;
  const orNull = (ok: (v: unknown) => boolean) => (v: unknown) => v === null || ok(v);
  const text = (v: unknown) => typeof v === 'string' && v !== '';

  const config = log.config as TrainConfig | undefined;
  const trainLimit = log.trainLimit === null ? undefined : (log.trainLimit as number);
  for (const e of settingsErrors({ config: config as TrainConfig, validationSize: log.validationSize as number, trainLimit })) errors.push(`settings: ${e}`);
  want('model', log.model, (v) => v === config?.model, `the config's model (${config?.model})`);
  want('seed', log.seed, (v) => v === config?.seed, `the config's seed (${config?.seed})`);
  want('init', log.init, orNull((v) => typeof v === 'string'), 'a folder or null');
  want('trainImages', log.trainImages, whole(1), 'a whole number of at least 1');
  want('workers', log.workers, whole(1), 'a whole number of at least 1');
  want('backend', log.backend, text, 'a name');
  want('machine', log.machine, (v) => typeof v === 'object' && v !== null, 'an object');
  want('stopReason', log.stopReason, (v) => STOP_REASONS.includes(v as string), `one of ${STOP_REASONS.join(', ')}`);
  want('message', log.message, orNull((v) => typeof v === 'string'), 'text or null');

  const epochs = log.epochs;
  want('epochs', epochs, Array.isArray, 'a list of epoch records');
  if (Array.isArray(epochs)) {
    want('epochsDone', log.epochsDone, (v) => v === epochs.length, `the number of epoch records (${epochs.length})`);
    epochs.forEach((e: Record<string, unknown> | null, i) => {
      const at = `epochs[${i}]`;
      if (typeof e !== 'object' || e === null) return want(at, e, () => false, 'an epoch record');
      want(`${at}.epoch`, e.epoch, (v) => v === i + 1, String(i + 1));
      for (const f of EPOCH_FIELDS) want(`${at}.${f}`, e[f], atLeast0, 'a number of at least 0');
      for (const f of VALIDATION_FIELDS) want(`${at}.${f}`, e[f], orNull(isNumber), 'a number or null');
      want(`${at}.trainAccuracy`, e.trainAccuracy, fraction, 'from 0 to 1');
    });
  }
  want('imagesPerSecond', log.imagesPerSecond, orNull((v) => isNumber(v) && v > 0), 'a positive number or null');

  // A test evaluation is all there or not at all.
  if (log.testAccuracy === null) {
    for (const f of ['testLoss', 'testCount', 'perClassAccuracy', 'confusion']) want(f, log[f], (v) => v === null, 'null when testAccuracy is null');
  } else {
    want('testAccuracy', log.testAccuracy, fraction, 'from 0 to 1, or null');
    want('testLoss', log.testLoss, atLeast0, 'a number of at least 0');
    want('testCount', log.testCount, whole(1), 'a whole number of at least 1');
    const tenOf = (ok: (v: unknown) => boolean) => (v: unknown) => Array.isArray(v) && v.length === NUM_CLASSES && v.every(ok);
    // A class absent from the test set has no accuracy (NaN, written as null).
    want('perClassAccuracy', log.perClassAccuracy, tenOf(orNull(fraction)), `${NUM_CLASSES} fractions`);
    const counts = (v: unknown) => tenOf(tenOf(whole(0)))(v) && (v as number[][]).flat().reduce((a, b) => a + b, 0) === log.testCount;
    want('confusion', log.confusion, counts, `${NUM_CLASSES}x${NUM_CLASSES} counts adding up to testCount`);
  }
  want('wallSeconds', log.wallSeconds, atLeast0, 'a number of at least 0');
  want('finishedAt', log.finishedAt, (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)), 'a date');
  want('command', log.command, text, 'the command or link that made the run');
  return errors;
}
