/**
 * Benchmark worker (bench.html only, built with --mode bench): training
 * throughput on one backend, either through our Trainer or through a bare
 * model.trainOnBatch loop on fixed real batches, for `npm run bench:browser`.
 */
import * as tf from '../core/tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-wasm';
import { fillBatch, IMAGE_SIZE, NUM_CLASSES } from '../core/data/mnist';
import { fetchSource, loadMnist } from '../core/data/mnistLoader';
import { createModel, type ModelName } from '../core/model/models';
import { DEFAULT_AUGMENT } from '../core/train/types';
import { startReplicaPool } from '../core/train/replicaPool';
import { buildRun } from '../core/train/run';
import { launchReplicaWorker } from '../worker/replicas';
import { DEFAULT_SCHEDULES } from '../core/train/schedule';
import { initBackend, type BackendName } from '../kernels/backends';
import { configureWasm, mnistBaseUrl } from '../browser/wasmPaths';

export interface BenchRequest {
  backend: BackendName;
  model: ModelName;
  batchSize: number;
  warmup: number;
  steps: number;
  mode: 'trainer' | 'trainOnBatch';
  /** Trainer mode: data-parallel replicas, as the app runs them (one per core). */
  replicas?: number;
}

configureWasm();

async function bench(req: BenchRequest): Promise<{ imagesPerSecond: number; msPerStep: number }> {
  await initBackend(req.backend);
  const files = await loadMnist(fetchSource(mnistBaseUrl()));
  const settings = {
    config: { model: req.model, epochs: 1, batchSize: req.batchSize, learningRate: 1e-3, schedule: DEFAULT_SCHEDULES.constant, augment: DEFAULT_AUGMENT, seed: 1 },
    validationSize: 0,
    trainLimit: req.batchSize * (req.warmup + req.steps + 1),
  };
  let t0 = 0;
  let t1 = 0;
  let model: tf.LayersModel;
  if (req.mode === 'trainer') {
    const pool = await startReplicaPool(req.replicas ?? 1, { settings, files, evaluateTest: false }, launchReplicaWorker(req.backend));
    const run = buildRun(settings, files, {
      replica: pool.replica,
      onEvent: (e) => {
        if (e.type !== 'batch') return;
        if (e.step === req.warmup) t0 = performance.now();
        if (e.step === req.warmup + req.steps) {
          t1 = performance.now();
          run.trainer.stop();
        }
      },
    });
    model = run.model;
    await run.trainer.run();
    run.trainer.dispose();
    pool.close();
  } else {
    // The bare baseline: Keras's own trainOnBatch on one fixed real batch.
    model = createModel(req.model, { seed: 1 });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const x = new Float32Array(req.batchSize * IMAGE_SIZE * IMAGE_SIZE);
    const y = new Int32Array(req.batchSize);
    fillBatch(files.train, Array.from({ length: req.batchSize }, (_, i) => i), x, y);
    const xs = tf.tensor4d(x, [req.batchSize, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const ys = tf.oneHot(tf.tensor1d(y, 'int32'), NUM_CLASSES);
    for (let i = 0; i < req.warmup + req.steps; i++) {
      if (i === req.warmup) t0 = performance.now();
      await model.trainOnBatch(xs, ys);
    }
    t1 = performance.now();
    tf.dispose([xs, ys]);
  }
  model.dispose();
  const ms = (t1 - t0) / req.steps;
  return { imagesPerSecond: (req.batchSize * 1000) / ms, msPerStep: ms };
}

self.onmessage = (e: MessageEvent<BenchRequest>) => {
  bench(e.data).then(
    (r) => self.postMessage({ ok: true, ...r }),
    (err: Error) => self.postMessage({ ok: false, error: err.message }),
  );
};
