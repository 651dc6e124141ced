/** What a training run is asked to do, and what it reports as it goes. */
import type { ModelName } from '../model/models';
import type { AugmentConfig } from './augment';
import type { ScheduleConfig } from './schedule';

export interface TrainConfig {
  model: ModelName;
  epochs: number;
  batchSize: number;
  learningRate: number;
  schedule: ScheduleConfig;
  /** null switches augmentation off. */
  augment: AugmentConfig | null;
  seed: number;
}

export interface BatchEvent {
  type: 'batch';
  epoch: number; // 1-based
  epochs: number;
  batch: number; // 1-based within the epoch
  batches: number;
  step: number; // global, 1-based
  loss: number;
  accuracy: number;
  learningRate: number;
  imagesPerSecond: number;
}

export interface EpochRecord {
  epoch: number; // 1-based
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  learningRate: number;
  seconds: number;
  imagesPerSecond: number;
}

export type StopReason = 'completed' | 'stopped' | 'diverged';
