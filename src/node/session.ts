/**
 * One training run in Node, as one replica of `replica.size`: builds the
 * model, trains it, and evaluates it on the official test set (sharded).
 * The same function runs in-process (one replica) or in each worker thread.
 */
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint, EncodedTensors } from '../core/checkpoint';
import { evaluateModel, type Evaluation } from '../core/evaluate';
import { makeSplits, type MnistSet } from '../core/mnist';
import { createModel } from '../core/models';
import type { Replica } from '../core/replica';
import { Trainer, type TrainConfig, type TrainEvent, type TrainResult } from '../core/trainer';
import { setWeightsFrom } from '../core/weights';

export interface SessionSpec {
  config: TrainConfig;
  validationSize: number;
  trainLimit?: number;
  resume?: Checkpoint;
  /** Start from these weights (fine-tuning) instead of a fresh initialisation; a resume overrides it. */
  initWeights?: EncodedTensors;
  /** Evaluate on the official test set afterwards (default true). */
  evaluateTest?: boolean;
}

export interface SessionOutcome {
  result: TrainResult;
  test: Evaluation | null;
  model: tf.LayersModel;
}

export async function runSession(
  spec: SessionSpec,
  files: { train: MnistSet; test: MnistSet },
  replica: Replica,
  onEvent: (e: TrainEvent) => void,
  shouldStop: () => boolean,
): Promise<SessionOutcome> {
  const splits = makeSplits(files.train, files.test, spec.validationSize, spec.trainLimit);
  const model = createModel(spec.config.model, { seed: spec.config.seed });
  if (spec.initWeights && !spec.resume) setWeightsFrom(model, spec.initWeights);
  const trainer: Trainer = new Trainer(model, spec.config, splits.train, {
    validation: splits.validation.count ? splits.validation : undefined,
    replica,
    onEvent,
    resumeFrom: spec.resume,
    betweenSteps: () => {
      if (shouldStop()) trainer.stop();
    },
  });
  const result = await trainer.run();
  trainer.optimizer.dispose();
  const test = spec.evaluateTest === false ? null : await evaluateModel(model, splits.test, { replica });
  return { result, test, model };
}
