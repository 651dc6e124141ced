/**
 * A helper replica of a data-parallel training run: the training worker
 * (rank 0) starts one per extra core. It trains the same model on its slice
 * of every batch and sums gradients with the others through shared memory;
 * rank 0 does everything else (events, checkpoints, tests).
 */
import '@tensorflow/tfjs-backend-wasm';
import { initBackend, type BackendName } from '../core/backends';
import { makeSplits } from '../core/mnist';
import { fetchSource, loadMnist } from '../core/mnistLoader';
import { createModel } from '../core/models';
import { SharedMemoryReplica, type SharedReduceBuffers } from '../core/replica';
import { Trainer } from '../core/trainer';
import { configureWasm, mnistBaseUrl } from '../browser/wasmPaths';
import type { TrainRequest } from './protocol';

export interface ReplicaInit {
  rank: number;
  buffers: SharedReduceBuffers;
  request: TrainRequest;
  backend: BackendName;
}

configureWasm();

self.onmessage = async (e: MessageEvent<ReplicaInit>) => {
  const { rank, buffers, request, backend } = e.data;
  const replica = new SharedMemoryReplica(rank, buffers);
  try {
    await initBackend(backend);
    const files = await loadMnist(fetchSource(mnistBaseUrl()));
    const splits = makeSplits(files.train, files.test, request.validationSize, request.trainLimit);
    const model = createModel(request.config.model, { seed: request.config.seed });
    const trainer = new Trainer(model, request.config, splits.train, {
      validation: splits.validation.count ? splits.validation : undefined,
      resumeFrom: request.resumeFrom,
      replica,
    });
    // Rank 0 waits for this before its first barrier: a nested worker cannot
    // even load while its parent's thread is blocked in Atomics.wait.
    self.postMessage({ type: 'ready' });
    await trainer.run();
    self.postMessage({ type: 'done' });
  } catch (err) {
    replica.abort();
    self.postMessage({ type: 'error', message: (err as Error).message });
  }
};
