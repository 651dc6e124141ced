/**
 * A person's digits and the model tuned to them, in IndexedDB: they stay in
 * this browser and survive a reload. Works in pages and workers.
 */
import type { PersonalDigit } from '../core/data/personalDigits';
import type { EncodedTensors } from '../core/model/weights';
import type { FineTuneScores } from '../core/train/fineTuneRecipe';
import type { ModelName } from '../core/train/types';
import { inStore } from './db';

export interface StoredDigit extends PersonalDigit {
  id: number;
}

/** Keeps digits in one transaction (all or none); resolves with the key of the last. */
export const addDigits = (digits: readonly PersonalDigit[]) =>
  inStore('digits', 'readwrite', (s) => digits.map((d) => s.add(d)).at(-1)!).then((key) => key as number);
export const listDigits = () => inStore('digits', 'readonly', (s) => s.getAll() as IDBRequest<StoredDigit[]>);
export const putDigit = (digit: StoredDigit) => inStore('digits', 'readwrite', (s) => s.put(digit)).then(() => undefined);
export const deleteDigit = (id: number) => inStore('digits', 'readwrite', (s) => s.delete(id)).then(() => undefined);
export const clearDigits = () => inStore('digits', 'readwrite', (s) => s.clear()).then(() => undefined);

export interface StoredTuned {
  model: ModelName;
  weights: EncodedTensors;
  scores: FineTuneScores;
  savedAt: number;
}

const TUNED = 'tuned';
export const saveTuned = (value: StoredTuned) => inStore('models', 'readwrite', (s) => s.put(value, TUNED)).then(() => undefined);
export const loadTuned = () => inStore('models', 'readonly', (s) => s.get(TUNED) as IDBRequest<StoredTuned | undefined>);
