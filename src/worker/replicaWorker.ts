/**
 * A helper replica of a training run in the page (core/train/replicaPool.ts):
 * the training worker (rank 0) starts one per further core.
 */
import '@tensorflow/tfjs-backend-wasm';
import { runReplica, type ReplicaInit } from '../core/train/replicaPool';
import { initBackend, type BackendName } from '../kernels/backends';
import { configureWasm } from '../browser/wasmPaths';

export type ReplicaWorkerInit = ReplicaInit & { backend: BackendName };
export type ReplicaWorkerMessage = { type: 'ready' } | { type: 'error'; message: string };

configureWasm();
const post = (m: ReplicaWorkerMessage) => self.postMessage(m);

self.onmessage = (e: MessageEvent<ReplicaWorkerInit>) => {
  initBackend(e.data.backend)
    .then(() => runReplica(e.data, () => post({ type: 'ready' })))
    .catch((err: Error) => post({ type: 'error', message: err.message }));
};
