/**
 * Data-parallel training over Node worker threads: one single-threaded wasm
 * replica per core, gradients summed through shared memory every step. The
 * wasm backend cannot use threads in Node, so this is how Node trains on
 * every core.
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../core/backends';
import type { Evaluation } from '../core/evaluate';
import type { MnistSet } from '../core/mnist';
import { createSharedReduceBuffers, type SharedReduceBuffers } from '../core/replica';
import type { TrainEvent, TrainResult } from '../core/trainer';
import type { SessionSpec } from './session';

interface SharedSet {
  images: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  count: number;
}

export interface WorkerInit {
  rank: number;
  backend: BackendName;
  spec: SessionSpec;
  reduce: SharedReduceBuffers;
  stop: SharedArrayBuffer;
  train: SharedSet;
  test: SharedSet;
  /** false: every convolution on XNNPACK (benchmarks compare the two). */
  winograd: boolean;
}

export type WorkerMessage =
  | { type: 'event'; event: TrainEvent }
  | { type: 'done'; result: TrainResult; test: Evaluation | null; artifacts: tf.io.ModelArtifacts; backend: string }
  | { type: 'error'; message: string };

export interface ParallelOutcome {
  result: TrainResult;
  test: Evaluation | null;
  artifacts: tf.io.ModelArtifacts;
  backend: string;
}

function share(set: MnistSet): SharedSet {
  const images = new SharedArrayBuffer(set.images.byteLength);
  new Uint8Array(images).set(set.images);
  const labels = new SharedArrayBuffer(set.labels.byteLength);
  new Uint8Array(labels).set(set.labels);
  return { images, labels, count: set.count };
}

/** Enough room for the largest model's gradients plus bookkeeping. */
const REDUCE_FLOATS = 400_000;

export class ParallelRun {
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4));
  private readonly workers: Worker[] = [];

  constructor(
    readonly size: number,
    readonly backend: BackendName = 'wasm',
    readonly winograd = true,
  ) {}

  /** Asks every replica to stop after the current step (they agree on which). */
  stop(): void {
    Atomics.store(this.stopFlag, 0, 1);
  }

  async run(spec: SessionSpec, files: { train: MnistSet; test: MnistSet }, onEvent: (e: TrainEvent) => void): Promise<ParallelOutcome> {
    const reduce = createSharedReduceBuffers(this.size, REDUCE_FLOATS);
    const train = share(files.train);
    const test = share(files.test);
    const url = new URL(`./trainWorker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
    // Under tsx the worker must register the TypeScript loader before importing its entry.
    const source = url.pathname.endsWith('.ts')
      ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`
      : undefined;
    return new Promise<ParallelOutcome>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, value?: ParallelOutcome) => {
        if (settled) return;
        settled = true;
        for (const w of this.workers) void w.terminate();
        if (err) reject(err);
        else resolve(value!);
      };
      for (let rank = 0; rank < this.size; rank++) {
        const init: WorkerInit = {
          rank, backend: this.backend, spec, reduce, stop: this.stopFlag.buffer as SharedArrayBuffer, train, test, winograd: this.winograd,
        };
        const worker = source ? new Worker(source, { eval: true, workerData: init }) : new Worker(url, { workerData: init });
        this.workers.push(worker);
        worker.on('message', (m: WorkerMessage) => {
          if (m.type === 'event') onEvent(m.event);
          else if (m.type === 'done') finish(null, m);
          else finish(new Error(`training worker ${rank} failed: ${m.message}`));
        });
        worker.on('error', (e: Error) => finish(new Error(`training worker ${rank} crashed: ${e.message}`)));
        worker.on('exit', (code) => {
          if (code !== 0) finish(new Error(`training worker ${rank} exited with code ${code}`));
        });
      }
    });
  }
}
