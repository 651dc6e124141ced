/** The page's helper replicas (core/train/replicaPool.ts): how many, and how one starts. */
import { abandon, type ReplicaInit, type ReplicaThread } from '../core/train/replicaPool';
import type { BackendName } from '../kernels/backends';
import type { ReplicaWorkerInit, ReplicaWorkerMessage } from './replicaWorker';

/**
 * Data parallelism on the CPU: one single-threaded wasm replica per core (up
 * to 4), which scales better than wasm's own thread pool. Needs
 * SharedArrayBuffer, i.e. a cross-origin isolated page.
 */
export function replicaCount(backend: BackendName, batchSize: number): number {
  if (backend !== 'wasm' || !(self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated) return 1;
  for (let n = Math.min(4, navigator.hardwareConcurrency || 1); n > 1; n--) if (batchSize % n === 0) return n;
  return 1;
}

/** The page's way to start a helper replica: a nested Web Worker. */
export function launchReplicaWorker(backend: BackendName): (init: ReplicaInit) => ReplicaThread {
  return (init) => {
    const worker = new Worker(new URL('./replicaWorker.ts', import.meta.url), { type: 'module', name: `replica-${init.rank}` });
    worker.postMessage({ ...init, backend } satisfies ReplicaWorkerInit);
    const ready = new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<ReplicaWorkerMessage>) => (e.data.type === 'ready' ? resolve() : reject(new Error(`a training replica failed: ${e.data.message}`)));
      worker.onerror = (e) => {
        abandon(init);
        reject(new Error(`a training replica failed: ${e.message}`));
      };
    });
    ready.catch(() => undefined); // after `ready`, rank 0 learns of a failure at its next barrier
    return { ready, terminate: () => worker.terminate() };
  };
}
