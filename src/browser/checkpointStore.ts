/**
 * The training checkpoint in IndexedDB, so a reload or a closed tab loses at
 * most one epoch. One record; written by the worker after every epoch, read
 * by the page on load. Works in pages and workers.
 */
import type { Checkpoint } from '../core/train/checkpoint';

const DB = 'mnist-trainer';
const STORE = 'checkpoints';
const KEY = 'latest';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB is not available'));
  });
}

async function run<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = f(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

export interface StoredCheckpoint {
  checkpoint: Checkpoint;
  /** What the run was asked to do, so it can be resumed as it was. */
  trainLimit?: number;
  validationSize: number;
  savedAt: number;
}

export const saveCheckpoint = (value: StoredCheckpoint) => run('readwrite', (s) => s.put(value, KEY)).then(() => undefined);
export const loadCheckpoint = () => run<StoredCheckpoint | undefined>('readonly', (s) => s.get(KEY) as IDBRequest<StoredCheckpoint | undefined>);
export const clearCheckpoint = () => run('readwrite', (s) => s.delete(KEY)).then(() => undefined);

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
