/**
 * A training run in Node: rank 0 on this thread and one helper replica per
 * further core in worker threads (the wasm backend is single-threaded in
 * Node), then the official test set, its evaluation sharded the same way.
 */
import { Worker } from 'node:worker_threads';
import type * as tf from '../core/tf';
import type { MnistFiles } from '../core/data/mnistLoader';
import { evaluateModel, type Evaluation } from '../core/model/evaluate';
import { abandon, startReplicaPool, type ReplicaInit, type ReplicaThread } from '../core/train/replicaPool';
import { buildRun, yieldEvery, type RunSettings } from '../core/train/run';
import { finishFineTune } from '../core/train/fineTune';
import type { TrainEvent, TrainResult } from '../core/train/trainer';
import { setWinogradEnabled } from '../kernels/wasmKernels';
import { initNodeBackend, type NodeBackend } from './nodeBackend';

export interface SessionOptions {
  /** Replicas, one per core: this thread and workers - 1 worker threads. */
  workers: number;
  backend?: NodeBackend;
  /** false: every convolution on XNNPACK (benchmarks compare the two). */
  winograd?: boolean;
  /** Evaluate on the official test set afterwards (default true). */
  evaluateTest?: boolean;
  onEvent?: (e: TrainEvent) => void;
  /** Checked between steps; true stops the run after the current step. */
  shouldStop?: () => boolean;
}

export interface SessionOutcome {
  result: TrainResult;
  test: Evaluation | null;
  model: tf.LayersModel;
  backend: string;
}

/** What a helper thread gets besides the run (replicaThread.ts). */
export interface NodeReplicaInit extends ReplicaInit {
  backend: NodeBackend;
  winograd: boolean;
}

export async function runSession(settings: RunSettings, files: MnistFiles, options: SessionOptions): Promise<SessionOutcome> {
  const { backend: backendName = 'wasm', winograd = true, evaluateTest = true } = options;
  const backend = await initNodeBackend(backendName);
  setWinogradEnabled(winograd);
  const pool = await startReplicaPool(options.workers, { settings, files, evaluateTest }, (init) => startThread({ ...init, backend: backendName, winograd }));
  try {
    const breathe = yieldEvery(250);
    const { model, trainer, splits } = buildRun(settings, files, {
      replica: pool.replica,
      onEvent: options.onEvent,
      betweenSteps: () => {
        if (options.shouldStop?.()) trainer.stop();
        return breathe();
      },
    });
    const result = await trainer.run();
    trainer.dispose();
    finishFineTune(model, settings);
    const test = evaluateTest ? await evaluateModel(model, splits.test, { replica: pool.replica }) : null;
    return { result, test, model, backend };
  } finally {
    pool.close();
  }
}

function startThread(init: NodeReplicaInit): ReplicaThread {
  const url = new URL(`./replicaThread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  // Under tsx the thread must register the TypeScript loader before importing its entry.
  const worker = url.pathname.endsWith('.ts')
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true, workerData: init })
    : new Worker(url, { workerData: init });
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: { type: 'ready' } | { type: 'error'; message: string }) => {
      if (m.type === 'ready') return resolve();
      // After `ready`, rank 0 learns of the failure at its next barrier; this says why.
      console.error(`training replica ${init.rank} failed: ${m.message}`);
      reject(new Error(`training replica ${init.rank} failed: ${m.message}`));
    });
    worker.on('error', (e: Error) => {
      abandon(init);
      reject(new Error(`training replica ${init.rank} crashed: ${e.message}`));
    });
    worker.on('exit', (code) => {
      if (code !== 0) abandon(init);
      reject(new Error(`training replica ${init.rank} exited with code ${code}`));
    });
  });
  ready.catch(() => undefined); // a late failure is reported above, not as an unhandled rejection
  return { ready, terminate: () => void worker.terminate() };
}
