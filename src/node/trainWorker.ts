/** Worker-thread entry: one replica of a data-parallel training run (see parallel.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { SharedMemoryReplica } from '../core/replica';
import { setWinogradEnabled } from '../core/wasmKernels';
import { initNodeBackend } from './nodeBackend';
import { runSession } from './session';
import type { WorkerInit, WorkerMessage } from './parallel';

const init = workerData as WorkerInit;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
const stopFlag = new Int32Array(init.stop);

async function main(): Promise<void> {
  await initNodeBackend(init.backend);
  setWinogradEnabled(init.winograd);
  const replica = new SharedMemoryReplica(init.rank, init.reduce);
  const set = (s: WorkerInit['train']) => ({ images: new Uint8Array(s.images), labels: new Uint8Array(s.labels), count: s.count });
  const outcome = await runSession(
    init.spec,
    { train: set(init.train), test: set(init.test) },
    replica,
    (e) => {
      if (init.rank === 0) post({ type: 'event', event: e });
    },
    () => Atomics.load(stopFlag, 0) !== 0,
  );
  if (init.rank === 0) {
    let artifacts: tf.io.ModelArtifacts | undefined;
    await outcome.model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }));
    const test = outcome.test ? { ...outcome.test, predictions: undefined } : null;
    post({ type: 'done', result: outcome.result, test, artifacts: artifacts!, backend: tf.getBackend() });
  }
}

main().catch((e: Error) => post({ type: 'error', message: e.stack ?? e.message }));
