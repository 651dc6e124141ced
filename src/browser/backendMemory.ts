/**
 * The backend trials this browser remembers (core/train/backendTrial.ts), in
 * localStorage: the training worker, which cannot read it, gets them with
 * each run and checks them itself.
 */
import type { Remembered } from '../core/train/backendTrial';

const KEY = 'mnist-trainer:backend-trials';

/** What is stored, unchecked; undefined when nothing is, it is not JSON, or storage is blocked. */
export function storedTrials(): unknown {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeTrials(all: Remembered): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    // storage blocked or full: the next run measures again
  }
}
