/**
 * Integration tests: the real trainer on real MNIST (subsets), wasm backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { DEFAULT_AUGMENT, type TrainConfig } from '../../../src/core/train/types';
import { evaluateModel } from '../../../src/core/model/evaluate';
import { createModel } from '../../../src/core/model/models';
import { DEFAULT_SCHEDULES } from '../../../src/core/train/schedule';
import { Trainer, type TrainEvent } from '../../../src/core/train/trainer';
import { useBackend } from '../../helpers/backend';
import { mnistSplits } from '../../helpers/mnist';

beforeAll(() => useBackend('wasm'));

const base: TrainConfig = {
  model: 'original',
  epochs: 3,
  batchSize: 64,
  learningRate: 1e-3,
  schedule: DEFAULT_SCHEDULES.plateau,
  augment: DEFAULT_AUGMENT,
  seed: 1,
};

async function weightsOf(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>));
}

describe('Trainer', () => {
  it('really learns: 300 steps of the original LeNet-5 take validation accuracy past 93%', async () => {
    const { train, validation } = await mnistSplits(6400);
    const model = createModel('original', { seed: 1 });
    const batchLosses: number[] = [];
    const epochs: Extract<TrainEvent, { type: 'epoch' }>[] = [];
    const trainer = new Trainer(model, base, train, {
      validation,
      onEvent: (e) => {
        if (e.type === 'batch') batchLosses.push(e.loss);
        if (e.type === 'epoch') epochs.push(e);
      },
    });
    const result = await trainer.run();
    expect(result.reason).toBe('completed');
    expect(batchLosses).toHaveLength(300);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(batchLosses.slice(-30))).toBeLessThan(mean(batchLosses.slice(0, 30)) / 4);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(epochs[2].valLoss).toBeLessThan(epochs[0].valLoss);
    expect(epochs[2].valAccuracy).toBeGreaterThan(0.93);
    expect(epochs[2].imagesPerSecond).toBeGreaterThan(0);
  });

  it('updates BatchNorm statistics, so evaluation-mode accuracy follows training', async () => {
    const { train, validation } = await mnistSplits(3840);
    const model = createModel('modified', { seed: 2 });
    const bn = model.getLayer('bn2');
    const before = await weightsOf(model);
    const untrained = await evaluateModel(model, validation);
    const trainer = new Trainer(model, { ...base, model: 'modified', epochs: 1 }, train, { validation });
    const result = await trainer.run();
    // Moving mean and variance of bn2 (the non-trainable weights) have moved off their initial 0 and 1.
    const [movingMean, movingVar] = bn.getWeights().slice(2);
    expect(Math.max(...(await movingMean.data()).map(Math.abs))).toBeGreaterThan(0.01);
    expect(Math.max(...(await movingVar.data()).map((v) => Math.abs(v - 1)))).toBeGreaterThan(0.01);
    // predict() runs in inference mode on those statistics, and now reads digits.
    const evaluation = await evaluateModel(model, validation);
    expect(untrained.accuracy).toBeLessThan(0.3);
    expect(evaluation.accuracy).toBeGreaterThan(0.85);
    expect(result.history[0].valAccuracy).toBeCloseTo(evaluation.accuracy, 5);
    expect(before.length).toBe(model.getWeights().length);
  }, 600_000); // 60 one-replica steps of the modified model: minutes on the slowest machines of this kind

  it('leaks no tensors: the count after epoch 3 equals the count after epoch 1', async () => {
    const { train, validation } = await mnistSplits(640, 200);
    const model = createModel('modified', { seed: 3 });
    const counts: number[] = [];
    const trainer = new Trainer(model, { ...base, model: 'modified' }, train, {
      validation,
      onEvent: (e) => {
        if (e.type === 'epoch') counts.push(tf.memory().numTensors);
      },
    });
    await trainer.run();
    expect(counts).toHaveLength(3);
    expect(counts[2]).toBe(counts[0]);
  });

  it('leaks no tensors on the data-parallel path either (replica sums, BatchNorm averaging)', async () => {
    const { train, validation } = await mnistSplits(640, 200);
    const model = createModel('modified', { seed: 3 });
    // Stands in for a second replica that computed the very same gradients: sums are doubled.
    const twin = { rank: 0, size: 2, allReduceSum: async (d: Float32Array) => d.forEach((v, i) => (d[i] = 2 * v)) };
    const counts: number[] = [];
    await new Trainer(model, { ...base, model: 'modified' }, train, {
      validation,
      replica: twin,
      onEvent: (e) => {
        if (e.type === 'epoch') counts.push(tf.memory().numTensors);
      },
    }).run();
    expect(counts).toHaveLength(3);
    expect(counts[2]).toBe(counts[0]);
  });

  it('stops on a NaN loss with a clear message and keeps the last good weights', async () => {
    const { train, validation } = await mnistSplits(1280, 200);
    const model = createModel('original', { seed: 4 });
    const good = await weightsOf(model);
    const trainer = new Trainer(model, { ...base, learningRate: 1e30, schedule: DEFAULT_SCHEDULES.constant }, train, { validation });
    const result = await trainer.run();
    expect(result.reason).toBe('diverged');
    expect(result.message).toMatch(/the loss became (NaN|Infinity).* at step \d+/);
    expect(result.message).toMatch(/weights from the last completed epoch were kept/);
    const after = await weightsOf(model);
    after.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(good[i])));
    // The model still predicts finite probabilities.
    const p = await (model.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor).data();
    expect(p.every(Number.isFinite)).toBe(true);
  });

  it('stops a paused run without saying it runs again', async () => {
    const { train } = await mnistSplits(64 * 10);
    const seen: string[] = [];
    let trainer!: Trainer;
    trainer = new Trainer(createModel('original', { seed: 6 }), base, train, {
      onEvent: (e) => {
        if (e.type === 'status') seen.push(e.state);
        if (e.type === 'batch' && e.step === 2) {
          trainer.pause();
          setTimeout(() => trainer.stop(), 0);
        }
      },
    });
    expect((await trainer.run()).reason).toBe('stopped');
    expect(seen).toEqual(['paused']);
  });

  it('pauses, resumes and stops on command', async () => {
    const { train } = await mnistSplits(64 * 40);
    const model = createModel('original', { seed: 5 });
    const seen: string[] = [];
    let trainer!: Trainer;
    let pausedAt = 0;
    let batches = 0;
    trainer = new Trainer(model, { ...base, epochs: 2 }, train, {
      betweenSteps: () => new Promise((r) => setTimeout(r, 0)),
      onEvent: (e) => {
        if (e.type === 'status') seen.push(e.state);
        if (e.type !== 'batch') return;
        batches = e.step;
        if (e.step === 5) {
          trainer.pause();
          pausedAt = batches;
          setTimeout(() => {
            // Nothing ran while paused.
            expect(batches).toBe(pausedAt);
            trainer.resume();
          }, 300);
        }
        if (e.step === 12) trainer.stop();
      },
    });
    const result = await trainer.run();
    expect(seen).toEqual(['paused', 'running']);
    expect(result.reason).toBe('stopped');
    expect(batches).toBe(12);
    expect(result.epochsDone).toBe(0);
  });

  it('resumes from an epoch checkpoint exactly where an uninterrupted run would be', async () => {
    const { train, validation } = await mnistSplits(640, 200);
    const cfg: TrainConfig = { ...base, epochs: 2 };
    const straight = createModel('original', { seed: 6 });
    await new Trainer(straight, cfg, train, { validation }).run();

    const first = createModel('original', { seed: 6 });
    let checkpoint: Extract<TrainEvent, { type: 'checkpoint' }>['checkpoint'] | undefined;
    const t1 = new Trainer(first, cfg, train, {
      validation,
      onEvent: (e) => {
        if (e.type === 'checkpoint' && !checkpoint) {
          checkpoint = e.checkpoint;
          t1.stop();
        }
      },
    });
    const r1 = await t1.run();
    expect(r1.epochsDone).toBe(1);
    expect(checkpoint!.epochsDone).toBe(1);

    const resumed = createModel('original', { seed: 99 }); // different init: everything must come from the checkpoint
    const r2 = await new Trainer(resumed, cfg, train, { validation, resumeFrom: structuredClone(checkpoint!) }).run();
    expect(r2.reason).toBe('completed');
    expect(r2.history.map((h) => h.epoch)).toEqual([1, 2]);
    const a = await weightsOf(straight);
    const b = await weightsOf(resumed);
    a.forEach((w, i) => expect(Array.from(b[i])).toEqual(Array.from(w)));
  });

  it('distills: with all of the loss on a teacher that answers "the next digit", the student answers that too, and leaks nothing', async () => {
    const { train, validation } = await mnistSplits(6400);
    const teacher = createModel('original', { seed: 5 });
    await new Trainer(teacher, { ...base, epochs: 1 }, train).run();
    // Output j takes class j-1's weights: the teacher reads a 3 as a 4.
    const out = teacher.getLayer('output');
    out.setWeights(tf.tidy(() => out.getWeights().map((w) => tf.concat([tf.slice(w, w.rank === 2 ? [0, 9] : [9]), tf.slice(w, w.rank === 2 ? [0, 0] : [0], w.rank === 2 ? [-1, 9] : [9])], w.rank - 1))));
    const next = { ...validation, labels: validation.labels.map((l) => (l + 1) % 10) };
    expect((await evaluateModel(teacher, next)).accuracy).toBeGreaterThan(0.85);

    const student = createModel('original', { seed: 6 });
    const counts: number[] = [];
    const trainer = new Trainer(student, { ...base, epochs: 2, distill: { weight: 1, temperature: 2 } }, train, {
      teachers: [teacher],
      onEvent: (e) => e.type === 'epoch' && counts.push(tf.memory().numTensors),
    });
    expect((await trainer.run()).reason).toBe('completed');
    expect(counts[1]).toBe(counts[0]);
    expect((await evaluateModel(student, next)).accuracy).toBeGreaterThan(0.8);
    expect((await evaluateModel(student, validation)).accuracy).toBeLessThan(0.1);
    const held = tf.memory().numTensors;
    trainer.dispose(); // Adam's two moments per variable, and the teacher
    expect(held - tf.memory().numTensors).toBeGreaterThanOrEqual(2 * student.trainableWeights.length + teacher.weights.length);
    expect(() => new Trainer(student, { ...base, distill: { weight: 0.5, temperature: 3 } }, train)).toThrow(/distillation needs at least one teacher/);
    student.dispose();
  });

  it('rejects impossible configurations with a clear message', async () => {
    const { train } = await mnistSplits(100);
    const model = createModel('original');
    expect(() => new Trainer(model, { ...base, batchSize: 0 }, train)).toThrow(/batch size must be a positive integer/);
    expect(() => new Trainer(model, { ...base, batchSize: 128 }, train)).toThrow(/smaller than one batch/);
    expect(() => new Trainer(model, { ...base, epochs: 0 }, train)).toThrow(/epochs must be a positive integer/);
    expect(() => new Trainer(model, base, train, { replica: { rank: 0, size: 3, allReduceSum: async () => {} } })).toThrow(/divide evenly across 3/);
  });
});
