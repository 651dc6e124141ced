/**
 * One backend's trial (worker/backendTrials.ts), in a worker of its own so
 * that a backend stuck compiling shaders can be abandoned by terminating it:
 * trains the run's model on the run's backend as the run will (with its
 * replicas on wasm) and reports its first step, then its speed.
 */
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-wasm';
import type { MnistFiles } from '../core/data/mnistLoader';
import { startReplicaPool } from '../core/train/replicaPool';
import { buildRun, type RunSettings } from '../core/train/run';
import { initBackend, type BackendName } from '../kernels/backends';
import { configureWasm } from '../browser/wasmPaths';
import { launchReplicaWorker, replicaCount } from './replicas';

export interface TrialInit {
  backend: BackendName;
  settings: RunSettings;
  files: MnistFiles;
  timedSeconds: number;
}
export type TrialMessage = { type: 'warm' } | { type: 'timed'; imagesPerSecond: number; workers: number } | { type: 'error'; message: string };

configureWasm();
const post = (m: TrialMessage) => self.postMessage(m);

async function trial({ backend, settings, files, timedSeconds }: TrialInit): Promise<void> {
  await initBackend(backend);
  const workers = replicaCount(backend, settings.config.batchSize);
  const pool = await startReplicaPool(workers, { settings, files, evaluateTest: false }, launchReplicaWorker(backend));
  let t0 = 0;
  let done = false;
  const timed = (steps: number) => {
    done = true;
    post({ type: 'timed', imagesPerSecond: (steps * settings.config.batchSize * 1000) / (performance.now() - t0), workers });
  };
  const { trainer } = buildRun(settings, files, {
    replica: pool.replica,
    onEvent: (e) => {
      if (e.type !== 'batch' || done) return;
      if (e.step === 1) {
        t0 = performance.now();
        post({ type: 'warm' });
      } else if (performance.now() - t0 >= timedSeconds * 1000 || e.batch === e.batches) timed(e.step - 1);
    },
  });
  // The worker is terminated once it has reported: nothing to clean up.
  const result = await trainer.run();
  if (!done) post({ type: 'error', message: result.message ?? `the run ended (${result.reason}) before a step could be timed` });
}

self.onmessage = (e: MessageEvent<TrialInit>) => void trial(e.data).catch((err: Error) => post({ type: 'error', message: err.message }));
