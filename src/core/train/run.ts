/**
 * The one way a training run is put together, whoever runs it (the page's
 * training worker, its replicas, Node, the benchmarks): the splits, the model
 * (fresh, fine-tuned from given weights, or resumed from a checkpoint), the
 * training set (MNIST's, or mixed with a person's digits) and its Trainer.
 */
import type * as tf from '../tf';
import { makeSplits, type MnistSplits } from '../data/mnist';
import type { MnistFiles } from '../data/mnistLoader';
import { createModel } from '../model/models';
import { setWeightsFrom, type EncodedTensors } from '../model/weights';
import type { Checkpoint } from './checkpoint';
import { freezeBatchNorm, mixPersonal, type PersonalMix } from './fineTune';
import { Trainer, type TrainerOptions } from './trainer';
import type { ModelName, TrainConfig } from './types';

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
  /** Fine-tune on a person's digits mixed with the MNIST training images (fineTune.ts); one epoch of `steps` batches. */
  personal?: PersonalMix;
  /** Trained models whose mean prediction the run distills into its own (config.distill). */
  teachers?: { model: ModelName; weights: EncodedTensors }[];
}

export interface Run {
  model: tf.LayersModel;
  trainer: Trainer;
  splits: MnistSplits;
}

export function buildRun(settings: RunSettings, files: MnistFiles, options: Pick<TrainerOptions, 'replica' | 'onEvent' | 'betweenSteps'> = {}): Run {
  const splits = makeSplits(files.train, files.test, settings.validationSize, settings.trainLimit);
  const { personal, config } = settings;
  if (personal) splits.train = mixPersonal(splits.train, personal, config.batchSize, config.seed);
  const model = createModel(config.model, { seed: config.seed });
  const teachers: tf.LayersModel[] = [];
  try {
    if (settings.initWeights && !settings.resume) setWeightsFrom(model, settings.initWeights);
    if (personal) freezeBatchNorm(model);
    for (const t of settings.teachers ?? []) {
      const teacher = createModel(t.model);
      teachers.push(teacher);
      setWeightsFrom(teacher, t.weights);
    }
    const trainer = new Trainer(model, settings.config, splits.train, {
      ...options,
      validation: splits.validation.count ? splits.validation : undefined,
      resumeFrom: settings.resume,
      teachers,
    });
    return { model, trainer, splits };
  } catch (e) {
    [model, ...teachers].forEach((m) => m.dispose());
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
    await nextTask();
    last = performance.now();
  };
}

/**
 * One turn of the event loop. Not setTimeout: a loop that resumes inside a
 * timer's task nests its next timer, and browsers clamp nested timers to
 * 4 ms, which every replica would wait out at the next all-reduce. Node has
 * setImmediate, after its I/O and signals (its MessagePorts can starve them).
 */
function nextTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
