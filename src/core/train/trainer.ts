/**
 * The training loop, the same in the page's worker and in Node: epochs of
 * shuffled batches, one optimisation step each, events out through `onEvent`,
 * pause(), resume() and stop() in. Data parallelism wraps the loop rather
 * than forking it: each replica runs this same loop on its slice of every
 * batch, and `allReduceStep` (replica.ts) agrees on the update.
 */
import * as tf from '../tf';
import { fillBatch, IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES, type MnistSet } from '../data/mnist';
import { evaluateModel, type Evaluation } from '../model/evaluate';
import { trainableVariables } from '../model/weights';
import { FusedAdam } from './adam';
import { augmentBatch } from './augment';
import { decodeCheckpointInto, encodeCheckpoint, type Checkpoint } from './checkpoint';
import { allReduceStep, averageVariables, singleReplica, type Replica } from './replica';
import { makeRng, shuffledIndices } from './rng';
import { LearningRateSchedule, type ScheduleState } from './schedule';
import type { BatchEvent, EpochRecord, StopReason, TrainConfig } from './types';

export type TrainEvent =
  | BatchEvent
  | ({ type: 'epoch'; epochs: number } & EpochRecord)
  | { type: 'checkpoint'; checkpoint: Checkpoint }
  | { type: 'status'; state: 'running' | 'paused' };

export interface TrainResult {
  reason: StopReason;
  /** Set when reason is 'diverged'. */
  message?: string;
  history: EpochRecord[];
  epochsDone: number;
  seconds: number;
}

export interface TrainerOptions {
  validation?: MnistSet;
  replica?: Replica;
  onEvent?: (e: TrainEvent) => void;
  /** Resume from this checkpoint (weights, optimizer, schedule, history). */
  resumeFrom?: Checkpoint;
  /** Called between steps; lets a UI breathe (e.g. yield to the event loop). */
  betweenSteps?: () => Promise<void> | void;
  /** Models to distill from (config.distill); the trainer owns them and disposes of them. */
  teachers?: tf.LayersModel[];
}

export class DivergedError extends Error {}

/** Probabilities at temperature T: softmax(log p / T), from a model that ends in a softmax. */
function soften(probs: tf.Tensor2D, temperature: number): tf.Tensor2D {
  return temperature === 1 ? probs : tf.softmax(tf.div(tf.log(tf.clipByValue(probs, 1e-7, 1)), temperature));
}

export class Trainer {
  readonly optimizer: tf.AdamOptimizer;
  readonly schedule: LearningRateSchedule;
  private readonly replica: Replica;
  private readonly vars: tf.Variable[];
  private readonly localBatch: number;
  private readonly xBuf: Float32Array;
  private readonly yBuf: Int32Array;
  private history: EpochRecord[] = [];
  private startEpoch = 0;
  private stopRequested = false;
  private paused = false;
  private wake: (() => void) | null = null;
  private lastGood: Checkpoint | null = null;
  private globalStep = 0;

  constructor(
    readonly model: tf.LayersModel,
    readonly config: TrainConfig,
    readonly train: MnistSet,
    private readonly options: TrainerOptions = {},
  ) {
    this.replica = options.replica ?? singleReplica;
    const { size } = this.replica;
    if (!Number.isInteger(config.batchSize) || config.batchSize < 1) throw new Error(`batch size must be a positive integer, got ${config.batchSize}`);
    if (config.batchSize % size !== 0) throw new Error(`batch size ${config.batchSize} must divide evenly across ${size} replicas`);
    if (!Number.isInteger(config.epochs) || config.epochs < 1) throw new Error(`epochs must be a positive integer, got ${config.epochs}`);
    if (train.count < config.batchSize) throw new Error(`the training set (${train.count} images) is smaller than one batch (${config.batchSize})`);
    if (config.distill && !options.teachers?.length) throw new Error('distillation needs at least one teacher model');
    this.localBatch = config.batchSize / size;
    this.xBuf = new Float32Array(this.localBatch * IMAGE_PIXELS);
    this.yBuf = new Int32Array(this.localBatch);
    this.vars = trainableVariables(model);
    this.optimizer = new FusedAdam(config.learningRate);
    this.schedule = new LearningRateSchedule(config.schedule, config.learningRate, config.epochs, this.batchesPerEpoch);
  }

  /** Frees the optimizer's state and the teachers; the model belongs to the caller. */
  dispose(): void {
    this.optimizer.dispose();
    this.options.teachers?.forEach((t) => t.dispose());
  }

  get batchesPerEpoch(): number {
    return Math.floor(this.train.count / this.config.batchSize);
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.emit({ type: 'status', state: 'paused' });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.emit({ type: 'status', state: 'running' });
    this.wake?.();
  }

  /** Stops after the current step; a paused run wakes to stop, without saying it runs again. */
  stop(): void {
    this.stopRequested = true;
    this.paused = false;
    this.wake?.();
  }

  private async waitWhilePaused(): Promise<void> {
    while (this.paused && !this.stopRequested) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  private emit(e: TrainEvent): void {
    this.options.onEvent?.(e);
  }

  async run(): Promise<TrainResult> {
    const t0 = performance.now();
    if (this.options.resumeFrom) await this.restore(this.options.resumeFrom);
    this.lastGood = this.options.resumeFrom ?? (await this.snapshot());
    const { epochs } = this.config;
    let reason: StopReason = 'completed';
    let message: string | undefined;
    try {
      for (let epoch = this.startEpoch; epoch < epochs; epoch++) {
        const record = await this.runEpoch(epoch);
        if (!record) {
          // Stopped mid-epoch, so the epoch-end averaging was skipped; replicas agreed on the step, so all get here.
          await this.averageBatchNormStatistics();
          reason = 'stopped';
          break;
        }
        this.history.push(record);
        this.emit({ type: 'epoch', epochs, ...record });
        this.schedule.endEpoch(record.valLoss);
        this.lastGood = await this.snapshot();
        if (this.replica.rank === 0) this.emit({ type: 'checkpoint', checkpoint: this.lastGood });
        if (this.stopRequested) {
          reason = epoch + 1 < epochs ? 'stopped' : 'completed';
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof DivergedError)) throw e;
      reason = 'diverged';
      message = e.message;
      if (this.lastGood) await this.restore(this.lastGood);
    }
    return {
      reason,
      message,
      history: [...this.history],
      epochsDone: this.history.length,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  private async runEpoch(epoch: number): Promise<EpochRecord | null> {
    const { batchSize, seed } = this.config;
    const { rank } = this.replica;
    const order = shuffledIndices(this.train.count, makeRng(seed, epoch));
    const batches = this.batchesPerEpoch;
    const started = performance.now();
    let lossSum = 0;
    let correctSum = 0;
    let seen = 0;
    let windowStart = started;
    let windowImages = 0;
    let lr = this.schedule.rateAt(epoch, 0);
    for (let b = 0; b < batches; b++) {
      await this.waitWhilePaused();
      await this.options.betweenSteps?.();
      lr = this.schedule.rateAt(epoch, b);
      const start = b * batchSize + rank * this.localBatch;
      const { loss, correct, stop } = await this.step(order.subarray(start, start + this.localBatch), lr);
      if (stop) return null;
      this.globalStep++;
      lossSum += loss * batchSize;
      correctSum += correct;
      seen += batchSize;
      windowImages += batchSize;
      const now = performance.now();
      const ips = (windowImages * 1000) / Math.max(1e-3, now - windowStart);
      if (now - windowStart > 2000) {
        windowStart = now;
        windowImages = 0;
      }
      this.emit({
        type: 'batch',
        epoch: epoch + 1,
        epochs: this.config.epochs,
        batch: b + 1,
        batches,
        step: this.globalStep,
        loss,
        accuracy: correct / batchSize,
        learningRate: lr,
        imagesPerSecond: ips,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    await this.averageBatchNormStatistics();
    const val = this.options.validation ? await this.evaluate(this.options.validation) : null;
    return {
      epoch: epoch + 1,
      trainLoss: lossSum / seen,
      trainAccuracy: correctSum / seen,
      valLoss: val ? val.loss : NaN,
      valAccuracy: val ? val.accuracy : NaN,
      learningRate: lr,
      seconds,
      imagesPerSecond: seen / seconds,
    };
  }

  /** One optimisation step on this replica's slice of a batch. */
  private async step(indices: Int32Array, lr: number): Promise<{ loss: number; correct: number; stop: boolean }> {
    const n = indices.length;
    const { augment, distill } = this.config;
    fillBatch(this.train, indices, this.xBuf, this.yBuf);
    const augRng = makeRng(this.config.seed, this.globalStep, this.replica.rank);
    let ceT: tf.Scalar | undefined;
    let correctT: tf.Scalar | undefined;
    const { grads, value } = tf.tidy(() => {
      const raw = tf.tensor4d(this.xBuf, [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
      const x = augment ? augmentBatch(raw, augment, augRng, this.yBuf) : raw;
      const labels = tf.tensor1d(this.yBuf, 'int32');
      const y = tf.oneHot(labels, NUM_CLASSES);
      const soft = distill ? this.teachersSay(x, distill.temperature) : null;
      return tf.variableGrads(() => {
        const probs = this.model.apply(x, { training: true }) as tf.Tensor2D;
        correctT = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), labels), 'float32')));
        const ce = tf.mean(tf.metrics.categoricalCrossentropy(y, probs)) as tf.Scalar;
        ceT = tf.keep(ce);
        let loss: tf.Scalar = ce;
        if (soft && distill) {
          // Hinton et al.: T^2 keeps the soft targets' gradients on the labels' scale whatever the temperature.
          const match = tf.mean(tf.metrics.categoricalCrossentropy(soft, soften(probs, distill.temperature)));
          loss = tf.add(tf.mul(ce, 1 - distill.weight), tf.mul(match, distill.weight * distill.temperature ** 2));
        }
        // Kernel regularisers (L2); Sequential.calculateLosses() misses them, so ask each layer.
        const reg = this.model.layers.flatMap((l) => l.calculateLosses());
        return reg.length ? (tf.addN([loss, ...reg]) as tf.Scalar) : loss;
      }, this.vars);
    });
    if (value !== ceT) value.dispose();
    try {
      const reduced = await allReduceStep(this.replica, grads, ceT!, correctT!, this.stopRequested);
      try {
        this.checkFinite(reduced.loss, reduced.gradNormSq, lr);
        if (!reduced.stop) this.applyGradients(reduced.grads, lr);
      } finally {
        tf.dispose(reduced.grads);
      }
      return reduced;
    } finally {
      tf.dispose([ceT!, correctT!]);
      tf.dispose(grads);
    }
  }

  /** The teachers' mean prediction at temperature T, their weights as they are (no dropout, BatchNorm's moving statistics). */
  private teachersSay(x: tf.Tensor4D, temperature: number): tf.Tensor2D {
    const teachers = this.options.teachers!;
    return tf.div(tf.addN(teachers.map((t) => soften(t.apply(x, { training: false }) as tf.Tensor2D, temperature))), teachers.length);
  }

  private checkFinite(loss: number, gradNormSq: number, lr: number): void {
    if (Number.isFinite(loss) && Number.isFinite(gradNormSq)) return;
    const what = Number.isFinite(loss) ? 'NaN (its gradients are not finite)' : String(loss);
    throw new DivergedError(
      `Training stopped: the loss became ${what} at step ${this.globalStep + 1} (learning rate ${lr.toPrecision(3)}). ` +
        'The weights from the last completed epoch were kept. Try a smaller learning rate.',
    );
  }

  private applyGradients(grads: tf.NamedTensorMap, lr: number): void {
    (this.optimizer as unknown as { learningRate: number }).learningRate = lr;
    this.optimizer.applyGradients(grads as unknown as Parameters<tf.AdamOptimizer["applyGradients"]>[0]);
  }

  /** Each replica's BatchNorm statistics saw only its slices: average them. */
  private averageBatchNormStatistics(): Promise<void> {
    return averageVariables(this.replica, this.model.weights.filter((w) => !w.trainable));
  }

  /** Loss and accuracy on a set, sharded over replicas. */
  async evaluate(set: MnistSet): Promise<Evaluation> {
    return evaluateModel(this.model, set, { replica: this.replica });
  }

  private async snapshot(): Promise<Checkpoint> {
    return encodeCheckpoint({
      model: this.model,
      optimizer: this.optimizer,
      config: this.config,
      epochsDone: this.startEpoch + this.history.length,
      globalStep: this.globalStep,
      schedule: this.schedule.state,
      history: this.history,
    });
  }

  private async restore(cp: Checkpoint): Promise<void> {
    const restored = await decodeCheckpointInto(cp, this.model, this.optimizer);
    this.startEpoch = restored.epochsDone;
    this.globalStep = restored.globalStep;
    this.history = [...restored.history];
    Object.assign(this.schedule.state, restored.schedule as ScheduleState);
  }
}
