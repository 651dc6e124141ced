/**
 * npm run bench:train -- [--json] [--workers N] [--steps N] [--rounds N] [--model modified|original] [--pytorch] [--xnnpack]
 *
 * Headless training throughput on this machine: the modified LeNet-5 at batch
 * 64 on real MNIST with augmentation, through the same data-parallel path as
 * `npm run train`, after a warm-up. Then test-set inference throughput on one
 * thread. Prints figures; asserts nothing.
 *
 * --pytorch then runs the same model in PyTorch (scripts/bench-pytorch.py, on
 * Debian's python3-torch) in the same run and prints the ratio: our yardstick
 * is PyTorch's speed on the same machine. --rounds N alternates the two N
 * times and prints each round's ratio and their median: on a shared machine
 * either side's speed drifts by tens of percent within minutes, so one pair
 * of runs decides little.
 *
 * --xnnpack also times training with our convolutions (src/kernels/winograd.c)
 * off, every convolution on XNNPACK as before they existed, and prints the
 * speed-up.
 *
 * --profile times every wasm kernel on this thread (replica 0) over the timed
 * steps and prints a table: calls, milliseconds and share of a step per
 * kernel, and the rest of the step (tfjs's engine, the optimizer's
 * bookkeeping, the data pipeline, waiting for the other replicas).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { DEFAULT_AUGMENT } from '../src/core/train/types';
import { evaluateModel } from '../src/core/model/evaluate';
import { createModel, MODEL_NAMES } from '../src/core/model/models';
import { DEFAULT_SCHEDULES } from '../src/core/train/schedule';
import type { TrainConfig } from '../src/core/train/types';
import { defaultWorkers, fail, intArg, oneOf, parseCli } from '../src/node/cli';
import * as tf from '../src/core/tf';
import { setWinogradEnabled } from '../src/kernels/wasmKernels';
import { initNodeBackend } from '../src/node/nodeBackend';
import { loadMnistFromDisk } from '../src/node/nodeData';
import { runSession } from '../src/node/session';
import { repoRoot } from '../src/node/paths';

const { values } = parseCli('npm run bench:train -- [--json] [--workers N] [--steps N] [--warmup N] [--batch N] [--rounds N] [--model modified|original] [--pytorch] [--xnnpack] [--profile]', {
  json: { type: 'boolean', default: false },
  workers: { type: 'string' },
  steps: { type: 'string' },
  warmup: { type: 'string' },
  batch: { type: 'string' },
  rounds: { type: 'string' },
  model: { type: 'string' },
  pytorch: { type: 'boolean', default: false },
  xnnpack: { type: 'boolean', default: false },
  profile: { type: 'boolean', default: false },
});
const workers = intArg(values.workers, 'workers', defaultWorkers());
const steps = intArg(values.steps, 'steps', 60);
const warmup = intArg(values.warmup, 'warmup', 10);
const batchSize = intArg(values.batch, 'batch', 64);
const rounds = intArg(values.rounds, 'rounds', 1);
const modelName = oneOf(values.model, 'model', MODEL_NAMES, 'modified');
const log = (s: string) => values.json || console.error(s);
if (values.pytorch && modelName !== 'modified') fail('--pytorch compares the modified model only');
// Debian's python3 (a pyenv or venv python first on PATH usually lacks torch); PYTHON overrides.
const python = process.env.PYTHON ?? '/usr/bin/python3';
if (rounds > 1 && !values.pytorch) fail('--rounds alternates our training with PyTorch\'s: add --pytorch');
if (values.pytorch) checkPytorch();

/** Fails now, not after the tfjs benchmark, when PyTorch is missing. */
function checkPytorch() {
  const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.status !== 0) {
    const why = r.error?.message ?? r.stderr.trim().split('\n').pop();
    fail(`--pytorch needs PyTorch in ${python} (${why}); on Debian: apt-get install -y python3-torch`);
  }
}

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
/** Per kernel name: calls and milliseconds while `on`; wraps every wasm kernel registered now. */
const kernelTimes = new Map<string, { calls: number; ms: number }>();
let profiling = false;
async function installProfiler(): Promise<void> {
  await initNodeBackend('wasm'); // registers our kernels first, so the wrappers wrap them
  for (const config of tf.getKernelsForBackend('wasm')) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({ ...config, kernelFunc: (args) => {
      if (!profiling) return inner(args);
      const t = performance.now();
      const out = inner(args);
      const key = rowName(config.kernelName, args.inputs);
      const e = kernelTimes.get(key) ?? { calls: 0, ms: 0 };
      e.calls++;
      e.ms += performance.now() - t;
      kernelTimes.set(key, e);
      return out;
    } });
  }
}
/** A convolution's row names its input's shape too: the layers differ tenfold in cost. */
function rowName(kernel: string, inputs: tf.NamedTensorInfoMap): string {
  const x = kernel.startsWith('Conv2DBackpropInput') ? inputs.dy : inputs.x;
  return /Conv2D/.test(kernel) && x ? `${kernel} ${x.shape.join('x')}` : kernel;
}
function printProfile(msPerStep: number): void {
  const rows = [...kernelTimes].sort((a, b) => b[1].ms - a[1].ms);
  const inKernels = rows.reduce((s, [, e]) => s + e.ms, 0) / steps;
  const pct = (ms: number) => `${((100 * ms) / msPerStep).toFixed(1)}%`.padStart(6);
  const line = (name: string, calls: string, ms: number) => console.error(`${name.padEnd(34)} ${calls.padStart(6)} ${ms.toFixed(2).padStart(8)} ${pct(ms)}`);
  console.error(`\nper step of replica 0 (${msPerStep.toFixed(1)} ms):\n${'kernel'.padEnd(34)} ${'calls'.padStart(6)} ${'ms'.padStart(8)}  share`);
  for (const [name, e] of rows) if (e.ms / steps >= 0.05) line(name, (e.calls / steps).toFixed(0), e.ms / steps);
  const small = rows.filter(([, e]) => e.ms / steps < 0.05);
  line(`(${small.length} kernels under 0.05 ms)`, (small.reduce((s, [, e]) => s + e.calls, 0) / steps).toFixed(0), small.reduce((s, [, e]) => s + e.ms, 0) / steps);
  line('all kernels', (rows.reduce((s, [, e]) => s + e.calls, 0) / steps).toFixed(0), inKernels);
  line('outside kernels', '', msPerStep - inKernels);
}
if (values.profile) await installProfiler();

async function timeTraining(winograd: boolean, profile = false): Promise<{ ips: number; msPerStep: number }> {
  const how = winograd ? '' : ', our convolutions off (all on XNNPACK)';
  log(`training ${modelName}, batch ${batchSize}, ${workers} replica(s)${how}, ${warmup} warm-up + ${steps} timed steps...`);
  let t0 = 0;
  let t1 = 0;
  const outcome = await runSession({ config, validationSize: 100, trainLimit: batchSize * (warmup + steps + 2) }, files, {
    workers,
    winograd,
    evaluateTest: false,
    onEvent: (e) => {
      if (e.type !== 'batch') return;
      if (e.step === warmup) {
        t0 = performance.now();
        profiling = profile;
      }
      if (e.step === warmup + steps) {
        t1 = performance.now();
        profiling = false;
      }
    },
    shouldStop: () => t1 > 0,
  });
  outcome.model.dispose();
  const ips = (steps * batchSize * 1000) / (t1 - t0);
  log(`training: ${ips.toFixed(1)} images/s (${((t1 - t0) / steps).toFixed(1)} ms per step of ${batchSize})`);
  return { ips, msPerStep: (t1 - t0) / steps };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours: { ips: number; msPerStep: number }[] = [];
const theirs: PytorchResult[] = [];
for (let round = 0; round < rounds; round++) {
  ours.push(await timeTraining(true, round === 0 && values.profile));
  if (round === 0 && values.profile) printProfile(ours[0].msPerStep);
  if (values.pytorch) theirs.push(benchPytorch(ours[round].ips));
}
const ratios = theirs.map((t, i) => ours[i].ips / t.imagesPerSecond);
if (rounds > 1) log(`ratios to PyTorch, ${rounds} rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}`);
const trainIps = median(ours.map((o) => o.ips));
const msPerStep = (batchSize * 1000) / trainIps;
let xnnpackIps: number | undefined;
if (values.xnnpack) {
  xnnpackIps = (await timeTraining(false)).ips;
  log(`speed-up from our convolutions: ${(trainIps / xnnpackIps).toFixed(2)}x`);
}

const backend = await initNodeBackend('wasm');
setWinogradEnabled(true);
const model = createModel(modelName, { seed: 1 });
await evaluateModel(model, { ...files.test, count: 500 }, { batchSize: 250 }); // warm-up
const e0 = performance.now();
const ev = await evaluateModel(model, files.test, { batchSize: 250 });
const evalSeconds = (performance.now() - e0) / 1000;
const inferIps = ev.count / evalSeconds;
log(`inference: ${inferIps.toFixed(0)} images/s on one thread (${ev.count} test images in ${evalSeconds.toFixed(2)} s, batch 250)`);
model.dispose();

type PytorchResult = { torch: string; threads: number; imagesPerSecond: number; inferenceImagesPerSecond: number };
function benchPytorch(oursIps: number): PytorchResult {
  log(`PyTorch, same model and batch (${python})...`);
  const script = join(repoRoot, 'scripts', 'bench-pytorch.py');
  const r = spawnSync(python, [script, '--steps', String(steps), '--warmup', String(warmup), '--batch', String(batchSize)], { encoding: 'utf8' });
  if (r.status !== 0) fail(`the PyTorch benchmark failed: ${r.stderr.trim()}`);
  const out = JSON.parse(r.stdout);
  log(`PyTorch ${out.torch}: training ${out.imagesPerSecond.toFixed(1)} images/s, inference ${out.inferenceImagesPerSecond.toFixed(0)} images/s (${out.threads} threads)`);
  log(`tfjs training speed / PyTorch's: ${(oursIps / out.imagesPerSecond).toFixed(2)}`);
  return out;
}
const pytorch = theirs.at(-1);

if (values.json) {
  console.log(JSON.stringify({
    model: modelName,
    batchSize,
    workers,
    backend,
    imagesPerSecond: trainIps,
    msPerStep,
    timedSteps: steps,
    inferenceImagesPerSecond: inferIps,
    testEvalSeconds: evalSeconds,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    ...(xnnpackIps !== undefined && { xnnpackImagesPerSecond: xnnpackIps, winogradSpeedup: trainIps / xnnpackIps }),
    ...(pytorch && {
      pytorchVersion: pytorch.torch,
      pytorchImagesPerSecond: median(theirs.map((t) => t.imagesPerSecond)),
      pytorchInferenceImagesPerSecond: pytorch.inferenceImagesPerSecond,
      ratioToPytorch: median(ratios),
      ...(rounds > 1 && { ratiosToPytorch: ratios }),
    }),
  }));
}
