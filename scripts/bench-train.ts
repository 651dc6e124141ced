/**
 * npm run bench:train -- [--json] [--workers N] [--steps N] [--model modified|original]
 *
 * Headless training throughput on this machine: the modified LeNet-5 at batch
 * 64 on real MNIST with augmentation, through the same data-parallel path as
 * `npm run train`, after a warm-up. Then test-set inference throughput on one
 * thread. Prints figures; asserts nothing.
 */
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { DEFAULT_AUGMENT } from '../src/core/augment';
import { evaluateModel } from '../src/core/evaluate';
import { createModel, MODEL_NAMES } from '../src/core/models';
import { DEFAULT_SCHEDULES } from '../src/core/schedule';
import type { TrainConfig } from '../src/core/trainer';
import { defaultWorkers, intArg, oneOf } from '../src/node/cli';
import { initNodeBackend } from '../src/node/nodeBackend';
import { loadMnistFromDisk } from '../src/node/nodeData';
import { ParallelRun } from '../src/node/parallel';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    workers: { type: 'string' },
    steps: { type: 'string' },
    warmup: { type: 'string' },
    batch: { type: 'string' },
    model: { type: 'string' },
  },
});
const workers = intArg(values.workers, 'workers', defaultWorkers());
const steps = intArg(values.steps, 'steps', 60);
const warmup = intArg(values.warmup, 'warmup', 10);
const batchSize = intArg(values.batch, 'batch', 64);
const modelName = oneOf(values.model, 'model', MODEL_NAMES, 'modified');
const log = (s: string) => values.json || console.error(s);

const files = await loadMnistFromDisk();
const config: TrainConfig = {
  model: modelName,
  epochs: 1,
  batchSize,
  learningRate: 1e-3,
  schedule: DEFAULT_SCHEDULES.constant,
  augment: DEFAULT_AUGMENT,
  seed: 1,
};
log(`training ${modelName}, batch ${batchSize}, ${workers} worker thread(s), ${warmup} warm-up + ${steps} timed steps...`);
const run = new ParallelRun(workers);
let t0 = 0;
let t1 = 0;
await run.run(
  { config, validationSize: 100, trainLimit: batchSize * (warmup + steps + 2), evaluateTest: false },
  files,
  (e) => {
    if (e.type !== 'batch') return;
    if (e.step === warmup) t0 = performance.now();
    if (e.step === warmup + steps) {
      t1 = performance.now();
      run.stop();
    }
  },
);
const trainIps = (steps * batchSize * 1000) / (t1 - t0);
log(`training: ${trainIps.toFixed(1)} images/s (${((t1 - t0) / steps).toFixed(1)} ms per step of ${batchSize})`);

const backend = await initNodeBackend('wasm');
const model = createModel(modelName, { seed: 1 });
await evaluateModel(model, { ...files.test, count: 500 }, { batchSize: 250 }); // warm-up
const e0 = performance.now();
const ev = await evaluateModel(model, files.test, { batchSize: 250 });
const evalSeconds = (performance.now() - e0) / 1000;
const inferIps = ev.count / evalSeconds;
log(`inference: ${inferIps.toFixed(0)} images/s on one thread (${ev.count} test images in ${evalSeconds.toFixed(2)} s, batch 250)`);
model.dispose();

if (values.json) {
  console.log(JSON.stringify({
    model: modelName,
    batchSize,
    workers,
    backend,
    imagesPerSecond: trainIps,
    msPerStep: (t1 - t0) / steps,
    timedSteps: steps,
    inferenceImagesPerSecond: inferIps,
    testEvalSeconds: evalSeconds,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
  }));
}
