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
import { chooseBackend, initBackend, probeWebGLRenderer, type BackendName } from '../kernels/backends';
import { configureWasm, mnistBaseUrl } from '../browser/wasmPaths';
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
let backend: { name: BackendName; reason: string } | null = null;
/** The current or last training run; its model is what "evaluate" means without weights. */
let run: TrainingRun | null = null;
/** What holds the worker: a training run or a fine-tune, one at a time. */
let busy: 'training' | 'tuning' | null = null;
/** The fine-tune in progress, if any. */
let tune: FineTuneRun | null = null;
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

async function startBackend(requested: BackendName | undefined, exclude: BackendName[] = []): Promise<void> {
  const choice = chooseBackend({ renderer: exclude.includes('webgl') ? undefined : probeWebGLRenderer(), wasm: typeof WebAssembly === 'object', override: requested, exclude });
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

async function train(request: TrainRequest, excluded: BackendName[] = []): Promise<void> {
  const data = await loadData();
  if (!backend || excluded.length || (request.backend && request.backend !== backend.name)) await startBackend(request.backend, excluded);
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
    return train({ ...request, resume: from, backend: undefined }, [...excluded, 'webgl']);
  }
}

async function fineTune(request: FineTuneRequest): Promise<void> {
  const data = await loadData();
  if (!backend) await startBackend(undefined);
  tune = new FineTuneRun(request, data, backend!.name, post);
  await tune.run();
}

/** Evaluates the given weights, or the model in training. */
async function evaluate(snapshot: WeightsSnapshot | undefined): Promise<void> {
  const { test } = await loadData();
  if (!backend) await startBackend(undefined);
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
      // The page waits in "starting" for an answer: refused for a fine-tune, it must hear it failed.
      if (busy === 'tuning') return post({ type: 'error', message: 'A fine-tune is running: train once it has finished, or stop it.' });
      if (busy) return post({ type: 'notice', message: 'Training is already running.' });
      busy = 'training';
      train(m.request)
        .catch((e: Error) => {
          if (files) post({ type: 'error', message: `Training failed: ${e.message}` }); // else the data error was reported
        })
        .finally(() => (busy = null));
      break;
    case 'fineTune':
      if (busy) return post({ type: 'tuneFailed', message: `${busy === 'training' ? 'Training' : 'A fine-tune'} is running; fine-tune once it has finished.` });
      busy = 'tuning';
      fineTune(m.request)
        .catch((e: Error) => post({ type: 'tuneFailed', message: `The fine-tune failed: ${e.message}; the model it started from is unchanged.` }))
        .finally(() => {
          busy = null;
          tune = null;
        });
      break;
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
