/**
 * Messages between the page and the training worker. Data flows one way:
 * the page sends commands, the worker answers with events.
 */
import type { BackendName } from '../core/backends';
import type { Checkpoint } from '../core/checkpoint';
import type { EncodedTensors } from '../core/checkpoint';
import type { ModelName } from '../core/models';
import type { BatchEvent, EpochRecord, StopReason, TrainConfig } from '../core/trainer';

export interface TrainRequest {
  config: TrainConfig;
  /** Training images to use (the first N after the validation hold-out); undefined = all 55,000. */
  trainLimit?: number;
  validationSize: number;
  /** Continue from this checkpoint instead of starting fresh. */
  resumeFrom?: Checkpoint;
  /** Evaluate on the official test set after every epoch. */
  testEveryEpoch: boolean;
  /** A backend the person picked; otherwise the fastest one is chosen. */
  backend?: BackendName;
}

export type ToWorker =
  | { type: 'train'; request: TrainRequest }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Test-set evaluation of the model being trained, or of the given weights. */
  | { type: 'evaluate'; weights?: WeightsSnapshot }
  | { type: 'retryData' };

/** Weights of a model as plain data, in model.weights order. */
export interface WeightsSnapshot {
  model: ModelName;
  weights: EncodedTensors;
  /** Training step these weights are from. */
  step: number;
}

export interface TestResult {
  epoch: number | null;
  accuracy: number;
  loss: number;
  confusion: number[][];
  perClassAccuracy: number[];
  /** Predicted digit for each of the 10,000 test images. */
  predictions: Uint8Array;
  seconds: number;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'data'; state: 'loading' | 'ready' | 'error'; message?: string; trainCount?: number; testCount?: number }
  /** `workers`: data-parallel replicas training together (1 = one worker). */
  | { type: 'backend'; name: BackendName; reason: string; workers: number }
  | { type: 'started'; config: TrainConfig; batchesPerEpoch: number; startEpoch: number; history: EpochRecord[] }
  | { type: 'batch'; event: BatchEvent }
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
  | { type: 'error'; message: string };
