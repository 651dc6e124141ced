/** Worker-thread entry: a helper replica of a Node training run (session.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { runReplica } from '../core/train/replicaPool';
import { setWinogradEnabled } from '../kernels/wasmKernels';
import { initNodeBackend } from './nodeBackend';
import type { NodeReplicaInit } from './session';

const init = workerData as NodeReplicaInit;
const post = (m: { type: 'ready' } | { type: 'error'; message: string }) => parentPort!.postMessage(m);

try {
  await initNodeBackend(init.backend);
  setWinogradEnabled(init.winograd);
  await runReplica(init, () => post({ type: 'ready' }));
} catch (e) {
  post({ type: 'error', message: (e as Error).message });
}
