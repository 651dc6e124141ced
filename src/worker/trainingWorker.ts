/**
 * The training worker: owns the data, the backend and the model being
 * trained, so the page never freezes. A router: commands in (protocol.ts),
 * each handed to the training run (trainingRun.ts) or answered here.
 */
import * as tf from '../core/tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-wasm';
import { fetchSource, loadMnist, type MnistFiles } from '../core/data/mnistLoader';
import { createModel } from '../core/model/models';
import { setWeightsFrom } from '../core/model/weights';
import { TRAIN_COUNT } from '../core/data/mnist';
import { decide, describeTrial, recall, remember, trialKey, trialPlan } from '../core/train/backendTrial';
import { chooseBackend, initBackend, isSoftwareRenderer, probeWebGLRenderer, type BackendChoice, type BackendName } from '../kernels/backends';
import { configureWasm, mnistBaseUrl } from '../browser/wasmPaths';
import { version } from '../../package.json';
import { runTrials, TrialsCancelled } from './backendTrials';
import { FineTuneRun } from './fineTuneRun';
import type { FineTuneRequest, ToWorker, TrainRequest, WeightsSnapshot } from './protocol';
import { postTestEvaluation, TrainingRun, type Post } from './trainingRun';

interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post: Post = (m, transfer = []) => scope.postMessage(m, transfer);

configureWasm();

let files: Promise<MnistFiles> | null = null;
/** After a failed load the files are fetched past every cache: a bad copy must not come back on Retry. */
let dataFailed = false;
let backend: BackendChoice | null = null;
/** The current or last training run; its model is what "evaluate" means without weights. */
let run: TrainingRun | null = null;
/** What holds the worker: a training run, a fine-tune or a timing of the backends, one at a time. */
let busy: 'training' | 'tuning' | 'measuring' | null = null;
/** The fine-tune in progress, if any. */
let tune: FineTuneRun | null = null;
/** WebGL after its context was lost: never chosen again in this worker, measured or not. */
let webglLost = false;
/** Aborts the backend trials under way. */
let timing: AbortController | null = null;
/** From the page's 'loadData', which it sends as soon as it starts this worker. */
let dataTimeoutSeconds: number | undefined;

function loadData(): Promise<MnistFiles> {
  if (files) return files;
  post({ type: 'data', state: 'loading' });
  // The other files may still be arriving when one has failed: their progress must not undo the error.
  let settled = false;
  const progress = downloadProgress();
  const onProgress: typeof progress = (...args) => {
    if (!settled) progress(...args);
  };
  const cache = dataFailed ? 'reload' : undefined;
  files = loadMnist(fetchSource(mnistBaseUrl(), { timeoutSeconds: dataTimeoutSeconds, onProgress, cache })).finally(() => (settled = true)).then(
    (f) => {
      const test = { images: f.test.images.slice(), labels: f.test.labels.slice(), count: f.test.count };
      post({ type: 'data', state: 'ready', test }, [test.images.buffer, test.labels.buffer]);
      return f;
    },
    (e: Error) => {
      files = null;
      dataFailed = true;
      post({ type: 'data', state: 'error', message: `The MNIST data could not be loaded: ${e.message}` });
      throw e;
    },
  );
  return files;
}

/** Tells the page how far the download is, at most every 100 ms. */
function downloadProgress() {
  const seen = new Map<string, { received: number; size: number | null }>();
  let last = 0;
  return (file: string, received: number, size: number | null) => {
    seen.set(file, { received, size });
    if (performance.now() - last < 100) return;
    last = performance.now();
    const all = [...seen.values()];
    const total = all.length === 4 && all.every((f) => f.size) ? all.reduce((n, f) => n + f.size!, 0) : undefined;
    post({ type: 'data', state: 'loading', received: all.reduce((n, f) => n + f.received, 0), total });
  };
}

/** Today's rule (backends.ts): for a backend the person picked, after a lost context, or when the timing is cancelled. */
function ruleChoice(requested: BackendName | undefined, exclude: BackendName[] = []): BackendChoice {
  return chooseBackend({ renderer: exclude.includes('webgl') ? undefined : probeWebGLRenderer(), wasm: typeof WebAssembly === 'object', override: requested, exclude });
}

/**
 * The fastest backend for this run: from the trials remembered for this
 * device, model and batch size, or (none, or `again`) from new ones.
 */
async function measuredChoice(request: TrainRequest, remembered: unknown, again = false): Promise<BackendChoice> {
  const renderer = probeWebGLRenderer();
  const { config, trainLimit, validationSize, resume } = request;
  const key = trialKey({ renderer, cores: navigator.hardwareConcurrency, version, model: config.model, batchSize: config.batchSize });
  const images = (config.epochs - (resume?.epochsDone ?? 0)) * (trainLimit ?? TRAIN_COUNT - validationSize);
  const known = again ? undefined : recall(remembered, key);
  const earlier = known && decide(known, images);
  if (earlier) return { name: earlier.name, reason: `fastest when measured earlier on this device: ${earlier.summary}` };
  const { timed, untimed } = trialPlan({ wasm: typeof WebAssembly === 'object', renderer, softwareRenderer: isSoftwareRenderer(renderer) });
  if (!timed.length) {
    const rule = ruleChoice(undefined);
    post({ type: 'timed', summary: `Nothing to time here: ${rule.name} by rule.` });
    return rule;
  }
  timing = new AbortController();
  try {
    const trials = [...(await runTrials(timed, request, await loadData(), (p) => post({ type: 'timing', ...p }), timing.signal)), ...untimed];
    const choice = decide(trials, images);
    if (!choice) {
      const rule = ruleChoice(undefined);
      const summary = `no backend finished its trial (${trials.map(describeTrial).join(', ')})`;
      post({ type: 'timed', summary: `Measured: ${summary}.` });
      return { name: rule.name, reason: `${summary}; ${rule.reason}` };
    }
    post({ type: 'timed', summary: `Measured: ${choice.summary}.`, remember: remember(remembered, key, trials, Date.now()) });
    return { name: choice.name, reason: `fastest measured here: ${choice.summary}` };
  } catch (e) {
    if (!(e instanceof TrialsCancelled)) throw e;
    const rule = ruleChoice(undefined);
    post({ type: 'timed', summary: `Timing cancelled: ${rule.name} by rule.` });
    return { name: rule.name, reason: `timing cancelled; ${rule.reason}` };
  } finally {
    timing = null;
  }
}

async function startBackend(choice: BackendChoice): Promise<void> {
  await initBackend(choice.name);
  backend = choice;
  if (choice.name === 'webgl') watchContext();
  post({ type: 'backend', name: choice.name, reason: choice.reason, workers: 1 });
}

function watchContext(): void {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl: WebGL2RenderingContext } }).gpgpu?.gl;
  gl?.canvas.addEventListener('webglcontextlost', () => run?.loseContext());
  // What a GPU reset does, on demand: the fault-injection test calls this.
  (self as unknown as { loseWebGLContext?: () => void }).loseWebGLContext = () => gl?.getExtension('WEBGL_lose_context')?.loseContext();
}

/** `restart`: start the backend again even if it is the one in use (after a lost context). */
async function train(request: TrainRequest, remembered: unknown, restart = false): Promise<void> {
  const data = await loadData();
  const choice = request.backend || webglLost ? ruleChoice(request.backend, webglLost ? ['webgl'] : []) : await measuredChoice(request, remembered);
  if (choice.name !== backend?.name || restart) await startBackend(choice);
  else backend = choice;
  try {
    run?.model?.dispose();
  } catch {
    // its backend went with a lost context
  }
  const current = (run = new TrainingRun(request, data, backend!.name, post));
  try {
    const result = await current.run(backend!.reason);
    post({ type: 'finished', reason: result.reason, message: result.message, epochsDone: result.epochsDone, seconds: result.seconds });
  } catch (e) {
    if (backend!.name !== 'webgl' || !/webgl|context/i.test((e as Error).message)) throw e;
    const from = current.lastCheckpoint;
    post({ type: 'notice', message: `The WebGL context was lost; training continues on the CPU (WebAssembly) from ${from ? `epoch ${from.epochsDone}` : 'the start'}.` });
    webglLost = true;
    return train({ ...request, resume: from, backend: undefined }, undefined, true);
  }
}

async function fineTune(request: FineTuneRequest): Promise<void> {
  const data = await loadData();
  if (!backend) await startBackend(ruleChoice(undefined));
  tune = new FineTuneRun(request, data, backend!.name, post);
  await tune.run();
}

/** Evaluates the given weights, or the model in training. */
async function evaluate(snapshot: WeightsSnapshot | undefined): Promise<void> {
  const { test } = await loadData();
  if (!backend) await startBackend(ruleChoice(undefined));
  if (!snapshot) {
    if (!run?.model) throw new Error('there is no model to evaluate yet');
    return postTestEvaluation(post, run.model, test, null);
  }
  const subject = createModel(snapshot.model);
  try {
    setWeightsFrom(subject, snapshot.weights);
    await postTestEvaluation(post, subject, test, null);
  } finally {
    subject.dispose();
  }
}

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  switch (m.type) {
    case 'train':
      // The page waits in "starting" for an answer: refused for a fine-tune or a timing, it must hear it failed.
      if (busy === 'tuning') return post({ type: 'error', message: 'A fine-tune is running: train once it has finished, or stop it.' });
      if (busy === 'measuring') return post({ type: 'error', message: 'The backends are being timed: train once that has finished.' });
      if (busy) return post({ type: 'notice', message: 'Training is already running.' });
      busy = 'training';
      train(m.request, m.remembered)
        .catch((e: Error) => {
          if (files) post({ type: 'error', message: `Training failed: ${e.message}` }); // else the data error was reported
        })
        .finally(() => (busy = null));
      break;
    case 'fineTune':
      if (busy) return post({ type: 'tuneFailed', message: `${{ training: 'Training is running', tuning: 'A fine-tune is running', measuring: 'The backends are being timed' }[busy]}; fine-tune once that has finished.` });
      busy = 'tuning';
      fineTune(m.request)
        .catch((e: Error) => post({ type: 'tuneFailed', message: `The fine-tune failed: ${e.message}; the model it started from is unchanged.` }))
        .finally(() => {
          busy = null;
          tune = null;
        });
      break;
    case 'measure':
      if (busy) return post({ type: 'timed', summary: 'The backends are timed when no training or fine-tune runs.' });
      busy = 'measuring';
      measuredChoice(m.request, m.remembered, true)
        .catch((e: Error) => {
          if (files) post({ type: 'timed', summary: `Timing the backends failed: ${e.message}` });
        })
        .finally(() => (busy = null));
      break;
    case 'cancelTiming':
      return timing?.abort();
    case 'pause':
      return run?.pause();
    case 'resume':
      return run?.resume();
    case 'stop':
      return (tune ?? run)?.stop();
    case 'evaluate':
      return void evaluate(m.weights).catch((e: Error) => post({ type: 'error', message: `Evaluation failed: ${e.message}`, evaluation: true }));
    case 'loadData':
      dataTimeoutSeconds = m.timeoutSeconds;
      return void loadData().catch(() => undefined);
  }
};

post({ type: 'ready' });
