/**
 * A fine-tune on a person's digits in the training worker, with the same
 * replicas as training: the starting model is scored, trained with the
 * recipe (core/train/fineTune.ts) and scored again. The weights it started
 * from are a copy, so a stopped or failed fine-tune leaves them as they were.
 */
import { makeSplits, type MnistSet } from '../core/data/mnist';
import type { MnistFiles } from '../core/data/mnistLoader';
import { evaluateModel } from '../core/model/evaluate';
import { createModel } from '../core/model/models';
import { encodeModelWeights, setWeightsFrom } from '../core/model/weights';
import type * as tf from '../core/tf';
import { finishFineTune, fineTuneSettings, type FineTuneScores } from '../core/train/fineTune';
import { startReplicaPool } from '../core/train/replicaPool';
import { buildRun, yieldEvery } from '../core/train/run';
import type { Trainer } from '../core/train/trainer';
import type { BackendName } from '../kernels/backends';
import type { FineTuneRequest } from './protocol';
import { launchReplicaWorker, replicaCount } from './replicas';
import type { Post } from './trainingRun';

type Accuracies = { personal: number | null; validation: number; test: number };

async function accuracies(model: tf.LayersModel, heldOut: MnistSet, validation: MnistSet, test: MnistSet): Promise<Accuracies> {
  const acc = async (set: MnistSet) => (await evaluateModel(model, set)).accuracy;
  return { personal: heldOut.count ? await acc(heldOut) : null, validation: await acc(validation), test: await acc(test) };
}

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
    const settings = fineTuneSettings(request.model, request.weights, request.train);
    const steps = settings.personal!.steps;
    post({ type: 'tuning', step: 0, steps, phase: 'scoring' });
    const start = createModel(request.model);
    let before: Accuracies;
    try {
      setWeightsFrom(start, request.weights);
      const { validation, test } = makeSplits(this.files.train, this.files.test, settings.validationSize);
      before = await accuracies(start, request.heldOut, validation, test);
    } finally {
      start.dispose();
    }
    if (this.stopped) return post({ type: 'tuneFailed', message: 'The fine-tune was stopped; the model it started from is unchanged.' });
    const pool = await startReplicaPool(replicaCount(this.backend, settings.config.batchSize), { settings, files: this.files, evaluateTest: false }, launchReplicaWorker(this.backend));
    let model: tf.LayersModel | null = null;
    try {
      const breathe = yieldEvery(50);
      const built = buildRun(settings, this.files, {
        replica: pool.replica,
        onEvent: (e) => e.type === 'batch' && post({ type: 'tuning', step: e.step, steps, phase: 'training' }),
        betweenSteps: breathe,
      });
      model = built.model;
      this.trainer = built.trainer;
      if (this.stopped) built.trainer.stop();
      const result = await built.trainer.run();
      built.trainer.dispose();
      if (result.reason !== 'completed') {
        return post({ type: 'tuneFailed', message: `${result.reason === 'stopped' ? 'The fine-tune was stopped' : result.message}; the model it started from is unchanged.` });
      }
      finishFineTune(model, settings);
      post({ type: 'tuning', step: steps, steps, phase: 'scoring' });
      const after = await accuracies(model, request.heldOut, built.splits.validation, built.splits.test);
      const pair = (k: keyof Accuracies, count: number) => (before[k] === null ? null : { before: before[k]!, after: after[k]!, count });
      const scores: FineTuneScores = {
        personal: pair('personal', request.heldOut.count),
        validation: pair('validation', built.splits.validation.count)!,
        test: pair('test', built.splits.test.count),
      };
      const weights = await encodeModelWeights(model);
      post({ type: 'tuned', model: request.model, weights, scores, seconds: (performance.now() - t0) / 1000 }, [weights.data]);
    } finally {
      this.trainer = null;
      model?.dispose();
      pool.close();
    }
  }
}
