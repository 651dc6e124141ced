/**
 * One training run in the page's training worker: rank 0 of a replica pool
 * (one more Web Worker per core on wasm), its events translated for the page
 * (the steps' events gathered into one message every BATCHES_MS, as each
 * message costs the page a render, and the page's cores are the replicas'),
 * the weights streamed to the page's predictor about once a second, a
 * checkpoint saved in IndexedDB after every epoch and, if asked, a test
 * evaluation after each.
 */
import * as tf from '../core/tf';
import type { MnistSet } from '../core/data/mnist';
import type { MnistFiles } from '../core/data/mnistLoader';
import { evaluateModel } from '../core/model/evaluate';
import { encodeModelWeights } from '../core/model/weights';
import type { Checkpoint } from '../core/train/checkpoint';
import { startReplicaPool } from '../core/train/replicaPool';
import { buildRun, yieldEvery } from '../core/train/run';
import type { Trainer, TrainEvent, TrainResult } from '../core/train/trainer';
import type { BatchEvent } from '../core/train/types';
import type { BackendName } from '../kernels/backends';
import { saveCheckpoint } from '../browser/checkpointStore';
import type { FromWorker, TestResult, TrainRequest } from './protocol';
import { launchReplicaWorker, replicaCount } from './replicas';

export type Post = (m: FromWorker, transfer?: Transferable[]) => void;

const BATCHES_MS = 250;

/** Posts a test-set evaluation of `model` to the page. */
export async function postTestEvaluation(post: Post, model: tf.LayersModel, test: MnistSet, epoch: number | null): Promise<void> {
  post({ type: 'testing' });
  const t0 = performance.now();
  const ev = await evaluateModel(model, test);
  const result: TestResult = { ...ev, predictions: ev.predictions!, epoch, seconds: (performance.now() - t0) / 1000 };
  post({ type: 'test', result }, [result.predictions.buffer]);
}

export class TrainingRun {
  /** The last epoch's checkpoint: where a run on another backend picks up. */
  lastCheckpoint: Checkpoint | undefined;
  model: tf.LayersModel | null = null;
  private trainer: Trainer | null = null;
  private evaluating: Promise<void> | null = null;
  /** The checkpoint writes, in order: a run reports finished only once its last one has landed. */
  private saving: Promise<void> = Promise.resolve();
  private lastWeightsPost = 0;
  private steps: BatchEvent[] = [];
  private lastStepsPost = 0;
  private lost = false;
  private onLost: (() => void) | null = null;

  private readonly post: Post;

  constructor(
    private readonly request: TrainRequest,
    private readonly files: MnistFiles,
    private readonly backend: BackendName,
    private readonly send: Post,
  ) {
    this.lastCheckpoint = request.resume;
    // Whatever comes next, the page has seen every step before it.
    this.post = (m, transfer) => {
      this.postSteps();
      send(m, transfer);
    };
  }

  private postSteps(): void {
    if (!this.steps.length) return;
    this.send({ type: 'batches', events: this.steps });
    this.steps = [];
    this.lastStepsPost = performance.now();
  }

  pause = () => this.trainer?.pause();
  resume = () => this.trainer?.resume();
  stop = () => this.trainer?.stop();

  /** The WebGL context is gone: its pending GPU reads would never settle, so the run is abandoned. */
  loseContext(): void {
    this.lost = true;
    this.trainer?.stop();
    this.onLost?.();
  }

  async run(reason: string): Promise<TrainResult> {
    const { request, post } = this;
    const size = replicaCount(this.backend, request.config.batchSize);
    post({ type: 'backend', name: this.backend, reason, workers: size });
    const pool = await startReplicaPool(size, { settings: request, files: this.files, evaluateTest: false }, launchReplicaWorker(this.backend));
    try {
      const breathe = yieldEvery(50);
      const { model, trainer, splits } = buildRun(request, this.files, {
        replica: pool.replica,
        onEvent: (e) => this.onEvent(e, splits.test),
        // Lets pause/stop messages in; a test pass after an epoch finishes before the next step.
        betweenSteps: async () => {
          if (this.evaluating) await this.evaluating;
          this.evaluating = null;
          await breathe();
        },
      });
      this.model = model;
      this.trainer = trainer;
      post({ type: 'started', config: request.config, batchesPerEpoch: trainer.batchesPerEpoch, startEpoch: request.resume?.epochsDone ?? 0, history: request.resume?.history ?? [] });
      const lost = new Promise<never>((_, reject) => (this.onLost = () => reject(new Error('WebGL context lost'))));
      const result = await Promise.race([trainer.run(), lost]);
      if (this.lost) throw new Error('WebGL context lost');
      if (this.evaluating) await this.evaluating;
      await this.saving;
      await this.postWeights(-1);
      return result;
    } finally {
      try {
        this.trainer?.dispose();
      } catch {
        // its backend went with a lost context
      }
      this.onLost = null;
      this.trainer = null;
      pool.close();
    }
  }

  private onEvent(e: TrainEvent, test: MnistSet): void {
    const { post, request } = this;
    if (e.type === 'batch') {
      this.steps.push(e);
      const now = performance.now();
      if (now - this.lastStepsPost > BATCHES_MS) this.postSteps();
      if (now - this.lastWeightsPost > 1000) void this.postWeights(e.step);
    } else if (e.type === 'epoch') {
      const { type: _t, epochs, ...record } = e;
      post({ type: 'epoch', record, epochs, tensors: tf.memory().numTensors });
    } else if (e.type === 'status') {
      post({ type: 'state', state: e.state });
    } else if (e.type === 'checkpoint') {
      this.lastCheckpoint = e.checkpoint;
      const { epochsDone } = e.checkpoint;
      const record = { checkpoint: e.checkpoint, trainLimit: request.trainLimit, validationSize: request.validationSize, savedAt: Date.now() };
      this.saving = this.saving.then(() =>
        saveCheckpoint(record).then(
          () => post({ type: 'saved', epochsDone }),
          (err: Error) => post({ type: 'notice', message: `Could not save the checkpoint in this browser: ${err.message}` }),
        ),
      );
      void this.postWeights(e.checkpoint.globalStep);
      if (request.testEveryEpoch) this.evaluating = postTestEvaluation(post, this.model!, test, epochsDone);
    }
  }

  private async postWeights(step: number): Promise<void> {
    if (!this.model || this.lost) return;
    this.lastWeightsPost = performance.now();
    const weights = await encodeModelWeights(this.model);
    this.post({ type: 'weights', snapshot: { model: this.request.config.model, weights, step } }, [weights.data]);
  }
}
