/**
 * Times each candidate backend in a short-lived worker of its own
 * (trialWorker.ts), one after the other so they do not compete for the
 * cores, within TRIAL_BUDGET: a backend whose first step has not ended when
 * its warm-up budget runs out is terminated and given up on.
 */
import { sliceSet } from '../core/data/mnist';
import type { MnistFiles } from '../core/data/mnistLoader';
import { TRIAL_BUDGET, type Trial } from '../core/train/backendTrial';
import type { BackendName } from '../kernels/backends';
import type { TrainRequest } from './protocol';
import type { TrialInit, TrialMessage } from './trialWorker';

/** Steps a trial can time at most: its data is this many batches and one. */
const MAX_TIMED_STEPS = 20;
const TRIAL_LEARNING_RATE = 1e-3;

export interface TrialProgress {
  backend: BackendName;
  seconds: number;
  /** Seconds at which this backend is given up on. */
  budget: number;
}

export class TrialsCancelled extends Error {
  constructor() {
    super('timing the backends was cancelled');
  }
}

function runTrial(init: TrialInit, onProgress: (p: TrialProgress) => void, signal: AbortSignal, budget = TRIAL_BUDGET): Promise<Trial> {
  const { backend } = init;
  const worker = new Worker(new URL('./trialWorker.ts', import.meta.url), { type: 'module', name: `trial-${backend}` });
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  let warmupSeconds: number | undefined;
  // After warm-up a few steps are timed; a backend that cannot finish one in twice the time is given up on too.
  const limit = () => (warmupSeconds === undefined ? budget.warmupSeconds : warmupSeconds + 2 * budget.timedSeconds + 1);
  return new Promise<Trial>((resolve, reject) => {
    const finish = (result: Trial | Error) => {
      clearInterval(ticker);
      signal.removeEventListener('abort', cancel);
      worker.terminate();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const cancel = () => finish(new TrialsCancelled());
    const ticker = setInterval(() => {
      if (seconds() < limit()) return onProgress({ backend, seconds: seconds(), budget: limit() });
      const why = warmupSeconds === undefined ? `warm-up over its ${budget.warmupSeconds} s budget` : `no step within ${limit().toFixed(0)} s`;
      finish({ backend, failed: `gave up (${why})` });
    }, 250);
    signal.addEventListener('abort', cancel);
    worker.onmessage = ({ data: m }: MessageEvent<TrialMessage>) => {
      if (m.type === 'warm') warmupSeconds = seconds();
      else if (m.type === 'timed') finish({ backend, warmupSeconds: warmupSeconds!, imagesPerSecond: m.imagesPerSecond, workers: m.workers });
      else finish({ backend, failed: `failed (${m.message})` });
    };
    worker.onerror = (e) => finish({ backend, failed: `failed (${e.message || 'its worker did not start'})` });
    onProgress({ backend, seconds: 0, budget: limit() });
    worker.postMessage(init);
  });
}

/** Trials of `candidates` for this run's model and batch size, on the first images of its training set; rejects with TrialsCancelled on abort. */
export async function runTrials(candidates: BackendName[], request: TrainRequest, files: MnistFiles, onProgress: (p: TrialProgress) => void, signal: AbortSignal): Promise<Trial[]> {
  const { config } = request;
  const images = config.batchSize * (MAX_TIMED_STEPS + 1);
  const train = sliceSet(files.train, 0, images);
  // Copies, so that posting them leaves the run's data whole.
  const trialFiles = { train: { ...train, images: train.images.slice(), labels: train.labels.slice() }, test: sliceSet(files.test, 0, 0) };
  // Speed does not depend on the learning rate; a rate that diverges would end the trial before its timing.
  const settings = { config: { ...config, epochs: 1, learningRate: TRIAL_LEARNING_RATE }, validationSize: 0 };
  const trials: Trial[] = [];
  for (const backend of candidates) {
    if (signal.aborted) throw new TrialsCancelled();
    trials.push(await runTrial({ backend, settings, files: trialFiles, timedSeconds: TRIAL_BUDGET.timedSeconds }, onProgress, signal));
  }
  return trials;
}
