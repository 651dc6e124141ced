/**
 * Messages between the page and the training worker. Data flows one way:
 * the page sends commands, the worker answers with events.
 */
import type { MnistSet } from '../core/data/mnist';
import type { Evaluation } from '../core/model/evaluate';
import type { ModelName } from '../core/model/models';
import type { EncodedTensors } from '../core/model/weights';
import type { FineTuneScores } from '../core/train/fineTune';
import type { RunSettings } from '../core/train/run';
import type { BatchEvent, EpochRecord, StopReason, TrainConfig } from '../core/train/types';
import type { Remembered } from '../core/train/backendTrial';
import type { BackendName } from '../kernels/backends';

export interface TrainRequest extends RunSettings {
  /** Evaluate on the official test set after every epoch. */
  testEveryEpoch: boolean;
  /** A backend the person picked; otherwise the fastest one is chosen. */
  backend?: BackendName;
}

/** Fine-tune a model on a person's digits as planned by planFineTune (core/train/fineTuneRecipe.ts). */
export interface FineTuneRequest {
  model: ModelName;
  weights: EncodedTensors;
  train: MnistSet;
  heldOut: MnistSet;
  folds: { train: MnistSet; heldOut: MnistSet }[];
}

export type ToWorker =
  /** `remembered`: the backend trials this browser keeps (backendMemory.ts), unchecked. */
  | { type: 'train'; request: TrainRequest; remembered?: unknown }
  | { type: 'fineTune'; request: FineTuneRequest }
  /** Times the backends for this run's model and batch size now, without training. */
  | { type: 'measure'; request: TrainRequest; remembered?: unknown }
  /** Stops timing the backends; a run waiting for them starts on the backend the rule picks. */
  | { type: 'cancelTiming' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Test-set evaluation of the model being trained, or of the given weights. */
  | { type: 'evaluate'; weights?: WeightsSnapshot }
  /** Loads the MNIST data (at start and on Retry); a request that receives nothing for `timeoutSeconds` is abandoned. */
  | { type: 'loadData'; timeoutSeconds: number };

/** Weights of a model as plain data, in model.weights order. */
export interface WeightsSnapshot {
  model: ModelName;
  weights: EncodedTensors;
  /** Training step these weights are from. */
  step: number;
}

/** A test-set evaluation, with the predicted digit of each of the 10,000 test images. */
export type TestResult = Evaluation & { epoch: number | null; predictions: Uint8Array; seconds: number };

export type FromWorker =
  | { type: 'ready' }
  /**
   * While loading: bytes received of the four files, and their total once every server has said.
   * Once ready: `test`, the official test set, for the page's gallery of mistakes.
   */
  | { type: 'data'; state: 'loading' | 'ready' | 'error'; message?: string; received?: number; total?: number; test?: MnistSet }
  /** `workers`: data-parallel replicas training together (1 = one worker). */
  | { type: 'backend'; name: BackendName; reason: string; workers: number }
  /** Timing `backend`: `seconds` into its trial, given up on at `budget` seconds. */
  | { type: 'timing'; backend: BackendName; seconds: number; budget: number }
  /** The backends were timed (or the timing cancelled); `remember`: what this browser is to keep from now on. */
  | { type: 'timed'; summary: string; remember?: Remembered }
  | { type: 'started'; config: TrainConfig; batchesPerEpoch: number; startEpoch: number; history: EpochRecord[] }
  /** The steps since the last such message, oldest first: a few a second, so the page renders a few times a second. */
  | { type: 'batches'; events: BatchEvent[] }
  /** `tensors`: tf.memory().numTensors in the worker at the end of the epoch. */
  | { type: 'epoch'; record: EpochRecord; epochs: number; tensors: number }
  | { type: 'state'; state: 'running' | 'paused' }
  | { type: 'weights'; snapshot: WeightsSnapshot }
  /** The checkpoint after `epochsDone` epochs is stored in IndexedDB (a reload brings it back). */
  | { type: 'saved'; epochsDone: number }
  | { type: 'testing' }
  | { type: 'test'; result: TestResult }
  | { type: 'finished'; reason: StopReason; message?: string; epochsDone: number; seconds: number }
  | { type: 'notice'; message: string }
  /**
   * A fine-tune: its progress, its result (weights and scores before and after), or why there is none;
   * `step` of `steps` counts over every run: the cross-validation's folds (`fold` of `folds`), then the model to keep (no `fold`).
   */
  | { type: 'tuning'; step: number; steps: number; phase: 'scoring' | 'training'; fold?: number; folds: number }
  | { type: 'tuned'; model: ModelName; weights: EncodedTensors; scores: FineTuneScores; seconds: number }
  | { type: 'tuneFailed'; message: string }
  /** `evaluation`: an evaluation failed, and a training run, if any, goes on. */
  | { type: 'error'; message: string; evaluation?: true };
