/**
 * A fine-tune on a person's digits in the training worker, with the same
 * replicas as training: the starting model is scored, the cross-validation's
 * folds (if any) are each fine-tuned and scored on their held-out digits,
 * then the model to keep is fine-tuned and scored. Every run follows the
 * recipe (core/train/fineTune.ts) and trains a copy of the starting weights,
 * so a stopped or failed fine-tune leaves them as they were.
 */
import { makeSplits, type MnistSet } from '../core/data/mnist';
import type { MnistFiles } from '../core/data/mnistLoader';
import { evaluateModel } from '../core/model/evaluate';
import { createModel } from '../core/model/models';
import { encodeModelWeights, setWeightsFrom } from '../core/model/weights';
import type * as tf from '../core/tf';
import { finishFineTune, fineTuneSettings, type FineTuneScores } from '../core/train/fineTune';
import { startReplicaPool } from '../core/train/replicaPool';
import { buildRun, yieldEvery, type Run } from '../core/train/run';
import type { Trainer } from '../core/train/trainer';
import type { BackendName } from '../kernels/backends';
import type { FineTuneRequest } from './protocol';
import { launchReplicaWorker, replicaCount } from './replicas';
import type { Post } from './trainingRun';

const accuracy = async (model: tf.LayersModel, set: MnistSet) => (set.count ? (await evaluateModel(model, set)).accuracy : 0);
/** How many of `set` the model reads right. */
const rightOf = async (model: tf.LayersModel, set: MnistSet) => Math.round((await accuracy(model, set)) * set.count);

export class FineTuneRun {
  private trainer: Trainer | null = null;
  private stopped = false;

  constructor(
    private readonly request: FineTuneRequest,
    private readonly files: MnistFiles,
    private readonly backend: BackendName,
    private readonly post: Post,
  ) {}

  stop = () => {
    this.stopped = true;
    this.trainer?.stop();
  };

  async run(): Promise<void> {
    const { request, post } = this;
    const t0 = performance.now();
    const folds = request.folds.length;
    const recipe = fineTuneSettings(request.model, request.weights, request.train);
    const each = recipe.personal!.steps;
    const steps = each * (folds + 1);
    const scored = [request.heldOut, ...request.folds.map((f) => f.heldOut)];
    const personalCount = scored.reduce((n, s) => n + s.count, 0);
    post({ type: 'tuning', step: 0, steps, phase: 'scoring', folds });
    const { validation, test } = makeSplits(this.files.train, this.files.test, recipe.validationSize);
    const start = createModel(request.model);
    let before: { personal: number; validation: number; test: number };
    try {
      setWeightsFrom(start, request.weights);
      let right = 0;
      for (const set of scored) right += await rightOf(start, set);
      before = { personal: right, validation: await accuracy(start, validation), test: await accuracy(start, test) };
    } finally {
      start.dispose();
    }
    let personalRight = 0;
    for (const [i, fold] of request.folds.entries()) {
      const model = await this.tune(fold.train, (step) => post({ type: 'tuning', step: i * each + step, steps, phase: 'training', fold: i + 1, folds }));
      if (!model) return;
      try {
        personalRight += await rightOf(model, fold.heldOut);
      } finally {
        model.dispose();
      }
    }
    const model = await this.tune(request.train, (step) => post({ type: 'tuning', step: folds * each + step, steps, phase: 'training', folds }));
    if (!model) return;
    try {
      post({ type: 'tuning', step: steps, steps, phase: 'scoring', folds });
      personalRight += await rightOf(model, request.heldOut);
      const scores: FineTuneScores = {
        personal: personalCount ? { before: before.personal / personalCount, after: personalRight / personalCount, count: personalCount, ...(folds ? { folds } : {}) } : null,
        validation: { before: before.validation, after: await accuracy(model, validation), count: validation.count },
        test: { before: before.test, after: await accuracy(model, test), count: test.count },
      };
      const weights = await encodeModelWeights(model);
      post({ type: 'tuned', model: request.model, weights, scores, seconds: (performance.now() - t0) / 1000 }, [weights.data]);
    } finally {
      model.dispose();
    }
  }

  /** One run of the recipe on `digits`; null (and the page told why) when it was stopped or failed. */
  private async tune(digits: MnistSet, onStep: (step: number) => void): Promise<tf.LayersModel | null> {
    const failed = (why: string) => {
      this.post({ type: 'tuneFailed', message: `${why}; the model it started from is unchanged.` });
      return null;
    };
    if (this.stopped) return failed('The fine-tune was stopped');
    const settings = fineTuneSettings(this.request.model, this.request.weights, digits);
    const pool = await startReplicaPool(replicaCount(this.backend, settings.config.batchSize), { settings, files: this.files, evaluateTest: false }, launchReplicaWorker(this.backend));
    let built: Run | null = null;
    try {
      built = buildRun(settings, this.files, { replica: pool.replica, onEvent: (e) => e.type === 'batch' && onStep(e.step), betweenSteps: yieldEvery(50) });
      this.trainer = built.trainer;
      if (this.stopped) built.trainer.stop();
      const result = await built.trainer.run();
      built.trainer.dispose();
      if (result.reason !== 'completed') {
        built.model.dispose();
        return failed(result.reason === 'stopped' ? 'The fine-tune was stopped' : result.message!);
      }
      finishFineTune(built.model, settings);
      return built.model;
    } catch (e) {
      built?.model.dispose();
      throw e;
    } finally {
      this.trainer = null;
      pool.close();
    }
  }
}
