/**
 * The app's IndexedDB database, shared by its stores. Version 1 held the
 * training checkpoint; version 2 adds a person's digits and the model tuned
 * to them. An upgrade only creates the stores that are missing, so what an
 * older version saved stays. Works in pages and workers.
 */
const DB = 'mnist-trainer';
export const DB_VERSION = 2;
const STORES: Record<string, IDBObjectStoreParameters> = {
  checkpoints: {},
  digits: { keyPath: 'id', autoIncrement: true },
  models: {},
};
export type StoreName = keyof typeof STORES;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, DB_VERSION);
    req.onupgradeneeded = () => {
      for (const [name, options] of Object.entries(STORES)) if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name, options);
    };
    req.onsuccess = () => {
      // Another tab's newer version waits for this one to let go.
      req.result.onversionchange = () => req.result.close();
      resolve(req.result);
    };
    req.onerror = () => reject(req.error ?? new Error('IndexedDB is not available'));
    req.onblocked = () => reject(new Error('another tab of this app holds an older version of its storage open; close it and reload'));
  });
}

/** One transaction on one store; resolves with the request's result once it is committed. */
export async function inStore<T>(store: StoreName, mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      let req: IDBRequest<T>;
      try {
        req = f(tx.objectStore(store));
      } catch (e) {
        tx.abort(); // a request that failed to start (a value that cannot be stored) undoes the ones before it
        throw e;
      }
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}
