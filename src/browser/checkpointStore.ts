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
