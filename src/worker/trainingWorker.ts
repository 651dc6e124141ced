/**
 * The training worker: owns the data, the backend and the model being
 * trained, so the page never freezes. Commands in, events out (protocol.ts).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-wasm';
import { chooseBackend, initBackend, probeWebGLRenderer, type BackendName } from '../core/backends';
import type { Checkpoint } from '../core/checkpoint';
import { evaluateModel } from '../core/evaluate';
import { makeSplits, type MnistSet, type MnistSplits } from '../core/mnist';
import { fetchSource, loadMnist } from '../core/mnistLoader';
import { createModel } from '../core/models';
import { Trainer, type TrainEvent } from '../core/trainer';
import { createSharedReduceBuffers, SharedMemoryReplica, singleReplica, type Replica } from '../core/replica';
import { saveCheckpoint } from '../browser/checkpointStore';
import type { ReplicaInit } from './replicaWorker';
import { configureWasm, mnistBaseUrl } from '../browser/wasmPaths';
import { encodeModelWeights, setWeightsFrom } from '../core/weights';
import type { FromWorker, TestResult, ToWorker, TrainRequest, WeightsSnapshot } from './protocol';

interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

configureWasm();
const realCores = navigator.hardwareConcurrency || 1;
let backendReason = '';

let files: Promise<{ train: MnistSet; test: MnistSet }> | null = null;
let trainer: Trainer | null = null;
let model: tf.LayersModel | null = null;
let backend: BackendName | null = null;
let contextLost = false;
/** Rejects the running training when the WebGL context goes: its pending GPU reads would never settle. */
let onContextLost: (() => void) | null = null;
/** Each training run's number; events from an abandoned run are dropped. */
let generation = 0;
let evaluating: Promise<void> | null = null;

function loadData() {
  if (!files) {
    post({ type: 'data', state: 'loading' });
    files = loadMnist(fetchSource(mnistBaseUrl())).then(
      (f) => {
        post({ type: 'data', state: 'ready', trainCount: f.train.count, testCount: f.test.count });
        return f;
      },
      (e: Error) => {
        files = null;
        post({ type: 'data', state: 'error', message: `The MNIST data could not be loaded: ${e.message}` });
        throw e;
      },
    );
  }
  return files;
}

async function startBackend(requested: BackendName | undefined, exclude: BackendName[] = []): Promise<BackendName> {
  const choice = chooseBackend({ renderer: exclude.includes('webgl') ? undefined : probeWebGLRenderer(), wasm: typeof WebAssembly === 'object', override: requested, exclude });
  await initBackend(choice.name);
  if (choice.name === 'webgl') watchContext();
  backend = choice.name;
  backendReason = choice.reason;
  post({ type: 'backend', name: choice.name, reason: choice.reason, workers: 1 });
  return choice.name;
}

function watchContext(): void {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl: WebGL2RenderingContext } }).gpgpu?.gl;
  gl?.canvas.addEventListener('webglcontextlost', () => {
    contextLost = true;
    trainer?.stop();
    onContextLost?.();
  });
  // What a GPU reset does, on demand: the fault-injection test calls this.
  (self as unknown as { loseWebGLContext?: () => void }).loseWebGLContext = () => gl?.getExtension('WEBGL_lose_context')?.loseContext();
}

let lastWeightsPost = 0;
async function postWeights(step: number): Promise<void> {
  if (!model || contextLost) return;
  lastWeightsPost = performance.now();
  const weights = await encodeModelWeights(model);
  post({ type: 'weights', snapshot: { model: trainer!.config.model, weights, step } }, [weights.data]);
}

async function testEvaluation(test: MnistSet, epoch: number | null, subject: tf.LayersModel | null = model): Promise<void> {
  if (!subject) throw new Error('there is no model to evaluate yet');
  post({ type: 'testing' });
  const t0 = performance.now();
  const ev = await evaluateModel(subject, test);
  const result: TestResult = {
    epoch,
    accuracy: ev.accuracy,
    loss: ev.loss,
    confusion: ev.confusion,
    perClassAccuracy: ev.perClassAccuracy,
    predictions: ev.predictions!,
    seconds: (performance.now() - t0) / 1000,
  };
  post({ type: 'test', result }, [result.predictions.buffer]);
}

async function train(request: TrainRequest, excluded: BackendName[] = []): Promise<void> {
  const data = await loadData();
  const splits: MnistSplits = makeSplits(data.train, data.test, request.validationSize, request.trainLimit);
  if (!backend || excluded.length) await startBackend(request.backend, excluded);
  contextLost = false;
  const run = ++generation;
  try {
    model?.dispose();
  } catch {
    // its backend is gone with the lost context
  }
  model = createModel(request.config.model, { seed: request.config.seed });
  let lastCheckpoint: Checkpoint | undefined = request.resumeFrom;
  let yieldAt = performance.now();
  const { replica, helpers } = await startReplicas(request, backend!);
  const t = new Trainer(model, request.config, splits.train, {
    validation: splits.validation.count ? splits.validation : undefined,
    replica,
    resumeFrom: request.resumeFrom,
    onEvent: (e: TrainEvent) => {
      if (run !== generation) return;
      if (e.type === 'batch') {
        post({ type: 'batch', event: e });
        if (performance.now() - lastWeightsPost > 1000) void postWeights(e.step);
      } else if (e.type === 'epoch') {
        const { type: _t, epochs, ...record } = e;
        post({ type: 'epoch', record, epochs, tensors: tf.memory().numTensors });
      } else if (e.type === 'status') {
        post({ type: 'state', state: e.state });
      } else if (e.type === 'checkpoint') {
        lastCheckpoint = e.checkpoint;
        const { epochsDone } = e.checkpoint;
        void saveCheckpoint({ checkpoint: e.checkpoint, trainLimit: request.trainLimit, validationSize: request.validationSize, savedAt: Date.now() }).then(
          () => post({ type: 'saved', epochsDone }),
          (err: Error) => post({ type: 'notice', message: `Could not save the checkpoint in this browser: ${err.message}` }),
        );
        void postWeights(e.checkpoint.globalStep);
        if (request.testEveryEpoch) evaluating = testEvaluation(splits.test, e.checkpoint.epochsDone);
      }
    },
    // Let pause/stop messages in: wasm work never yields to the event loop on its own.
    betweenSteps: async () => {
      if (evaluating) {
        await evaluating;
        evaluating = null;
      }
      if (performance.now() - yieldAt > 50) {
        await new Promise((r) => setTimeout(r, 0));
        yieldAt = performance.now();
      }
    },
  });
  trainer = t;
  post({ type: 'started', config: request.config, batchesPerEpoch: t.batchesPerEpoch, startEpoch: request.resumeFrom?.epochsDone ?? 0, history: request.resumeFrom?.history ?? [] });
  try {
    const lost = new Promise<never>((_, reject) => (onContextLost = () => reject(new Error('WebGL context lost'))));
    const result = await Promise.race([t.run(), lost]);
    if (contextLost) throw new Error('WebGL context lost');
    if (evaluating) await evaluating;
    await postWeights(-1);
    post({ type: 'finished', reason: result.reason, message: result.message, epochsDone: result.epochsDone, seconds: result.seconds });
  } catch (e) {
    if (backend === 'webgl' && (contextLost || (e as Error).message.match(/webgl|context/i))) {
      const from = lastCheckpoint ? `epoch ${lastCheckpoint.epochsDone}` : 'the start';
      evaluating = null; // a test pass on the lost context will never finish
      post({ type: 'notice', message: `The WebGL context was lost; training continues on the CPU (WebAssembly) from ${from}.` });
      trainer = null;
      return train({ ...request, resumeFrom: lastCheckpoint, backend: undefined }, [...excluded, 'webgl']);
    }
    throw e;
  } finally {
    onContextLost = null;
    helpers.forEach((h) => h.terminate());
    if (trainer === t) trainer = null;
  }
}

/**
 * Data parallelism on the CPU: one single-threaded wasm replica per core (up
 * to 4), which scales better than wasm's own thread pool. Needs
 * SharedArrayBuffer, i.e. a cross-origin isolated page.
 */
async function startReplicas(request: TrainRequest, backendName: BackendName): Promise<{ replica: Replica; helpers: Worker[] }> {
  const cores = Math.min(4, realCores);
  let size = 1;
  if (backendName !== 'webgl' && (self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    for (let n = cores; n > 1; n--) {
      if (request.config.batchSize % n === 0) {
        size = n;
        break;
      }
    }
  }
  post({ type: 'backend', name: backendName, reason: backendReason, workers: size });
  if (size === 1) return { replica: singleReplica, helpers: [] };
  const buffers = createSharedReduceBuffers(size, 400_000);
  const helpers: Worker[] = [];
  const ready = Array.from({ length: size - 1 }, (_, i) => {
    const h = new Worker(new URL('./replicaWorker.ts', import.meta.url), { type: 'module', name: `replica-${i + 1}` });
    helpers.push(h);
    const init: ReplicaInit = { rank: i + 1, buffers, request, backend: backendName };
    h.postMessage(init);
    return new Promise<void>((resolve, reject) => {
      h.onmessage = (e: MessageEvent<{ type: string; message?: string }>) => {
        if (e.data.type === 'ready') resolve();
        if (e.data.type === 'error') reject(new Error(`a training replica failed: ${e.data.message}`));
      };
      h.onerror = (e) => reject(new Error(`a training replica failed to start: ${e.message}`));
    });
  });
  try {
    await Promise.all(ready);
  } catch (e) {
    helpers.forEach((h) => h.terminate());
    throw e;
  }
  return { replica: new SharedMemoryReplica(0, buffers), helpers };
}

/** Evaluates the given weights (or the model in training) on the test set. */
async function evaluateOnDemand(snapshot: WeightsSnapshot | undefined): Promise<void> {
  const data = await loadData();
  if (!backend) await startBackend(undefined);
  if (!snapshot) return testEvaluation(data.test, null);
  const subject = createModel(snapshot.model);
  try {
    setWeightsFrom(subject, snapshot.weights);
    await testEvaluation(data.test, null, subject);
  } finally {
    subject.dispose();
  }
}

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  switch (m.type) {
    case 'train':
      if (trainer) return post({ type: 'error', message: 'Training is already running.' });
      train(m.request).catch((e: Error) => {
        trainer = null;
        if (!files) return; // the data error was reported already
        post({ type: 'error', message: `Training failed: ${e.message}` });
      });
      break;
    case 'pause':
      trainer?.pause();
      break;
    case 'resume':
      trainer?.resume();
      break;
    case 'stop':
      trainer?.stop();
      break;
    case 'evaluate':
      void evaluateOnDemand(m.weights).catch((e: Error) => post({ type: 'error', message: `Evaluation failed: ${e.message}` }));
      break;
    case 'retryData':
      void loadData().catch(() => undefined);
      break;
  }
};

post({ type: 'ready' });
void loadData().catch(() => undefined);
