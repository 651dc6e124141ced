/**
 * The training checkpoint in IndexedDB, so a reload or a closed tab loses at
 * most one epoch. One record; written by the worker after every epoch, read
 * by the page on load. Works in pages and workers.
 */
import type { Checkpoint } from '../core/train/checkpoint';
import { inStore } from './db';

const KEY = 'latest';

export interface StoredCheckpoint {
  checkpoint: Checkpoint;
  /** What the run was asked to do, so it can be resumed as it was. */
  trainLimit?: number;
  validationSize: number;
  savedAt: number;
}

export const saveCheckpoint = (value: StoredCheckpoint) => inStore('checkpoints', 'readwrite', (s) => s.put(value, KEY)).then(() => undefined);
export const loadCheckpoint = () => inStore<StoredCheckpoint | undefined>('checkpoints', 'readonly', (s) => s.get(KEY) as IDBRequest<StoredCheckpoint | undefined>);
export const clearCheckpoint = () => inStore('checkpoints', 'readwrite', (s) => s.delete(KEY)).then(() => undefined);

const numbers = (o: unknown, ...keys: string[]) => keys.every((k) => typeof (o as Record<string, unknown> | undefined)?.[k] === 'number');

/**
 * The stored record if it has the shape this version of the app saves (what
 * the page reads from it); throws otherwise. Whether the weights fit the
 * architecture is found out when they are loaded.
 */
export function checkStored(value: unknown): StoredCheckpoint {
  const cp = (value as Partial<StoredCheckpoint> | undefined)?.checkpoint;
  const ok =
    cp?.version === 1 &&
    numbers(value, 'validationSize') &&
    numbers(cp, 'epochsDone') &&
    typeof cp.config?.model === 'string' &&
    numbers(cp.config, 'epochs') &&
    Array.isArray(cp.history) &&
    cp.history.every((h) => numbers(h, 'epoch', 'trainLoss', 'trainAccuracy', 'valLoss', 'valAccuracy', 'learningRate', 'seconds', 'imagesPerSecond')) &&
    [cp.weights, cp.optimizer].every((t) => t?.data instanceof ArrayBuffer && Array.isArray(t.specs));
  if (!ok) throw new Error('it is not in the format this version of the app saves');
  return value as StoredCheckpoint;
}
