/**
 * The training loop shared by the browser worker and Node.
 *
 * Events go out through `onEvent`; commands come in through pause(), resume()
 * and stop(). Several replicas (Node worker threads, one per core) can run the
 * same loop in lockstep: each takes its slice of every batch and a Replica
 * sums gradients across them, so all replicas apply the same update and keep
 * identical weights (data parallelism without a parameter server).
 */
import * as tf from '@tensorflow/tfjs';
import { augmentBatch, type AugmentConfig } from './augment';
import { fillBatch, IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES, type MnistSet } from './mnist';
import { type ModelName } from './models';
import { makeRng, shuffledIndices } from './rng';
import { LearningRateSchedule, type ScheduleConfig, type ScheduleState } from './schedule';
import { evaluateModel, type Evaluation } from './evaluate';
import { decodeCheckpointInto, encodeCheckpoint, type Checkpoint } from './checkpoint';
import { singleReplica, type Replica } from './replica';

export interface TrainConfig {
  model: ModelName;
  epochs: number;
  batchSize: number;
  learningRate: number;
  schedule: ScheduleConfig;
  /** null switches augmentation off. */
  augment: AugmentConfig | null;
  seed: number;
}

export interface BatchEvent {
  type: 'batch';
  epoch: number; // 1-based
  epochs: number;
  batch: number; // 1-based within the epoch
  batches: number;
  step: number; // global, 1-based
  loss: number;
  accuracy: number;
  learningRate: number;
  imagesPerSecond: number;
}

export interface EpochRecord {
  epoch: number; // 1-based
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  learningRate: number;
  seconds: number;
  imagesPerSecond: number;
}

export type TrainEvent =
  | BatchEvent
  | ({ type: 'epoch'; epochs: number } & EpochRecord)
  | { type: 'checkpoint'; checkpoint: Checkpoint }
  | { type: 'status'; state: 'running' | 'paused' };

export type StopReason = 'completed' | 'stopped' | 'diverged';

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
}

export class DivergedError extends Error {}

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
    this.localBatch = config.batchSize / size;
    this.xBuf = new Float32Array(this.localBatch * IMAGE_PIXELS);
    this.yBuf = new Int32Array(this.localBatch);
    this.vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    this.optimizer = tf.train.adam(config.learningRate);
    this.schedule = new LearningRateSchedule(config.schedule, config.learningRate, config.epochs, this.batchesPerEpoch);
  }

  get batchesPerEpoch(): number {
    return Math.floor(this.train.count / this.config.batchSize);
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.options.onEvent?.({ type: 'status', state: 'paused' });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.options.onEvent?.({ type: 'status', state: 'running' });
    this.wake?.();
  }

  stop(): void {
    this.stopRequested = true;
    this.resume();
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
      // A stop mid-epoch skipped the epoch-end averaging; replicas agreed on the step, so all get here.
      if (reason === 'stopped') await this.syncBatchNormStatistics();
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
    const { batchSize, seed, augment } = this.config;
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
      const { loss, correct, stop } = await this.step(order.subarray(start, start + this.localBatch), lr, augment);
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
    await this.syncBatchNormStatistics();
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
  private async step(indices: Int32Array, lr: number, augment: AugmentConfig | null): Promise<{ loss: number; correct: number; stop: boolean }> {
    const n = indices.length;
    fillBatch(this.train, indices, this.xBuf, this.yBuf);
    const augRng = makeRng(this.config.seed, this.globalStep, this.replica.rank);
    let ceT: tf.Scalar | undefined;
    let correctT: tf.Scalar | undefined;
    const { grads, value } = tf.tidy(() => {
      const raw = tf.tensor4d(this.xBuf, [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
      const x = augment ? augmentBatch(raw, augment, augRng, this.yBuf) : raw;
      const labels = tf.tensor1d(this.yBuf, 'int32');
      const y = tf.oneHot(labels, NUM_CLASSES);
      return tf.variableGrads(() => {
        const probs = this.model.apply(x, { training: true }) as tf.Tensor2D;
        correctT = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), labels), 'float32')));
        const ce = tf.mean(tf.metrics.categoricalCrossentropy(y, probs)) as tf.Scalar;
        ceT = tf.keep(ce);
        // Kernel regularisers (L2); Sequential.calculateLosses() misses them, so ask each layer.
        const reg = this.model.layers.flatMap((l) => l.calculateLosses());
        return reg.length ? (tf.addN([ce, ...reg]) as tf.Scalar) : ce;
      }, this.vars);
    });
    if (value !== ceT) value.dispose();
    // The clipped cross-entropy stays finite even when the weights have blown up,
    // so divergence is judged on the gradients too.
    const gradNormT = this.replica.size === 1 ? tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))) : null;
    try {
      const [ceData, correctData, normData] = await Promise.all([ceT!.data(), correctT!.data(), gradNormT?.data()]);
      let loss = ceData[0];
      let correct = correctData[0];
      let stop = this.stopRequested;
      if (this.replica.size === 1) {
        this.checkFinite(loss, normData![0], lr);
        if (!stop) this.applyGradients(grads, lr);
      } else {
        const reduced = await this.reduceGradients(grads, loss, correct, stop);
        loss = reduced.loss;
        correct = reduced.correct;
        stop = reduced.stop;
        try {
          this.checkFinite(loss, reduced.gradNormSq, lr);
          if (!stop) this.applyGradients(reduced.grads, lr);
        } finally {
          tf.dispose(reduced.grads);
        }
      }
      return { loss, correct, stop };
    } finally {
      tf.dispose([ceT!, correctT!]);
      if (gradNormT) gradNormT.dispose();
      tf.dispose(grads);
    }
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

  /** Sums gradients (and the step's loss, hits and stop flag) over replicas. */
  private async reduceGradients(grads: tf.NamedTensorMap, loss: number, correct: number, stop: boolean) {
    const { size } = this.replica;
    const names = this.vars.map((v) => v.name);
    const arrays = await Promise.all(names.map((name) => grads[name].data() as Promise<Float32Array>));
    const total = arrays.reduce((s, a) => s + a.length, 0);
    const buf = new Float32Array(total + 3);
    let o = 0;
    for (const a of arrays) {
      buf.set(a, o);
      o += a.length;
    }
    buf[o] = loss;
    buf[o + 1] = correct;
    buf[o + 2] = stop ? 1 : 0;
    await this.replica.allReduceSum(buf);
    const out: tf.NamedTensorMap = {};
    o = 0;
    const inv = 1 / size;
    let gradNormSq = 0;
    for (let i = 0; i < names.length; i++) {
      const len = arrays[i].length;
      const slice = buf.subarray(o, o + len);
      for (let j = 0; j < len; j++) {
        slice[j] *= inv;
        gradNormSq += slice[j] * slice[j];
      }
      out[names[i]] = tf.tensor(slice, grads[names[i]].shape);
      o += len;
    }
    return { grads: out, gradNormSq, loss: buf[o] * inv, correct: buf[o + 1], stop: buf[o + 2] > 0 };
  }

  /**
   * Averages BatchNorm moving statistics over replicas. They are exponential
   * moving averages, which are linear, so averaging now equals having averaged
   * every step.
   */
  private async syncBatchNormStatistics(): Promise<void> {
    if (this.replica.size === 1) return;
    const stats = this.model.weights.filter((w) => !w.trainable);
    const arrays = await Promise.all(stats.map((w) => w.read().data() as Promise<Float32Array>));
    const buf = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      buf.set(a, o);
      o += a.length;
    }
    await this.replica.allReduceSum(buf);
    o = 0;
    for (let i = 0; i < stats.length; i++) {
      const len = arrays[i].length;
      const mean = tf.tensor(buf.slice(o, o + len).map((v) => v / this.replica.size), stats[i].shape as number[]);
      stats[i].write(mean); // the variable takes its own reference
      mean.dispose();
      o += len;
    }
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
