import { describe, expect, it } from 'vitest';
import type { MnistSet } from '../../src/core/data/mnist';
import type { BatchEvent, EpochRecord, TrainConfig } from '../../src/core/train/types';
import { reduce } from '../../src/ui/reduce';
import { Store, type AppState } from '../../src/ui/store';
import type { FromWorker, TestResult } from '../../src/worker/protocol';

const initial = (patch: Partial<AppState> = {}): AppState => ({ ...new Store().get(), ...patch });

const config: TrainConfig = { model: 'modified', epochs: 3, batchSize: 100, learningRate: 1e-3, schedule: { kind: 'constant' }, augment: null, seed: 1 };
const record = (epoch: number): EpochRecord => ({ epoch, trainLoss: 0.3, trainAccuracy: 0.9, valLoss: 0.2, valAccuracy: 0.95, learningRate: 1e-3, seconds: 4, imagesPerSecond: 500 });
const testSet: MnistSet = { images: new Uint8Array(784 * 2), labels: new Uint8Array([3, 7]), count: 2 };
const result = (epoch: number | null): TestResult => ({
  epoch,
  count: 2,
  correct: 1,
  accuracy: 0.5,
  loss: 0.7,
  confusion: [],
  perClassAccuracy: [],
  predictions: new Uint8Array([3, 1]),
  seconds: 1.5,
});
const LOAD_FAILED = 'The MNIST data could not be loaded: HTTP 404';
const DATA_ERROR: FromWorker = { type: 'data', state: 'error', message: LOAD_FAILED };

describe('reduce', () => {
  it('a data error adds a notice with a data retry and fails a starting run', () => {
    const st = reduce(initial({ status: 'starting' }), DATA_ERROR);
    expect(st.data).toEqual({ state: 'error', message: LOAD_FAILED });
    expect(st.status).toBe('failed');
    expect(st.notices).toHaveLength(1);
    expect(st.notices[0]).toMatchObject({ kind: 'error', text: LOAD_FAILED, action: 'retryData' });
    expect(reduce(initial({ status: 'idle' }), DATA_ERROR).status).toBe('idle');
    expect(reduce(initial(), { type: 'data', state: 'error' }).notices[0].text).toBe('The MNIST data could not be loaded.');
  });

  it('data ready removes the data notice, keeps the others and stores the test set', () => {
    const failed = reduce(reduce(initial(), { type: 'notice', message: 'hello' }), DATA_ERROR);
    expect(failed.notices).toHaveLength(2);
    const st = reduce(failed, { type: 'data', state: 'ready', test: testSet });
    expect(st.data.state).toBe('ready');
    expect(st.notices.map((n) => n.text)).toEqual(['hello']);
    expect(st.testSet).toBe(testSet);
    // A later 'ready' without the set keeps the one already received.
    expect(reduce(st, { type: 'data', state: 'ready' }).testSet).toBe(testSet);
    expect(reduce(st, { type: 'data', state: 'loading' }).data).toEqual({ state: 'loading', message: undefined });
  });

  it('data loading carries how far the download is', () => {
    const st = reduce(initial(), { type: 'data', state: 'loading', received: 3e6, total: 11.6e6 });
    expect(st.data).toEqual({ state: 'loading', message: undefined, received: 3e6, total: 11.6e6 });
  });

  it("the steps' last sets the progress and the ETA from the remaining images", () => {
    const event: BatchEvent = { type: 'batch', epoch: 2, epochs: 3, batch: 10, batches: 50, step: 60, loss: 0.4, accuracy: 0.88, learningRate: 1e-3, imagesPerSecond: 1000 };
    const earlier = { ...event, batch: 9, step: 59, loss: 0.5, imagesPerSecond: 10 };
    const st = reduce(initial({ config }), { type: 'batches', events: [earlier, event] });
    // (3 - 2) * 50 + (50 - 10) = 90 batches of 100 images at 1000 images/s.
    expect(st.progress).toEqual({ epoch: 2, epochs: 3, batch: 10, batches: 50, loss: 0.4, accuracy: 0.88, learningRate: 1e-3, imagesPerSecond: 1000, etaSeconds: 9 });
    // Without a config the batch size is taken as 64; a stalled speed gives a huge ETA, not a division by zero.
    expect(reduce(initial(), { type: 'batches', events: [event] }).progress?.etaSeconds).toBeCloseTo(5.76);
    expect(reduce(initial(), { type: 'batches', events: [{ ...event, imagesPerSecond: 0 }] }).progress?.etaSeconds).toBeGreaterThan(1e9);
  });

  it('an epoch appends to the history and the tensor counts', () => {
    const st = [1, 2].reduce((s, e) => reduce(s, { type: 'epoch', record: record(e), epochs: 3, tensors: 10 + e }), initial({ history: [record(0)] }));
    expect(st.history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    expect(st.tensorsPerEpoch).toEqual([11, 12]);
  });

  it('started, state, backend and saved set what they carry', () => {
    const history = [record(1)];
    expect(reduce(initial({ status: 'starting' }), { type: 'started', config, batchesPerEpoch: 5, startEpoch: 1, history })).toMatchObject({ status: 'running', history });
    expect(reduce(initial({ status: 'running' }), { type: 'state', state: 'paused' }).status).toBe('paused');
    expect(reduce(initial(), { type: 'backend', name: 'wasm', reason: 'no GPU', workers: 4 }).backend).toEqual({ name: 'wasm', reason: 'no GPU', workers: 4 });
    expect(reduce(initial({ config }), { type: 'saved', epochsDone: 2 })).toMatchObject({ savedEpoch: 2, stored: { epochsDone: 2, epochs: 3, model: 'modified' } });
  });

  it('finished gives the text of each reason', () => {
    const done = (reason: 'completed' | 'stopped' | 'diverged', message?: string) =>
      reduce(initial({ status: 'running' }), { type: 'finished', reason, message, epochsDone: 2, seconds: 9 }, 12.6);
    const completed = done('completed');
    expect(completed).toMatchObject({ status: 'finished', finishedMessage: 'Training finished: 2 epochs in 13 s.' });
    expect(completed.notices).toEqual([]);
    expect(done('stopped').finishedMessage).toBe('Training stopped after 2 complete epochs.');
    expect(done('diverged').finishedMessage).toBe('Training diverged.');
    const diverged = done('diverged', 'The loss became NaN at epoch 2.');
    expect(diverged.finishedMessage).toBe('The loss became NaN at epoch 2.');
    expect(diverged.notices).toMatchObject([{ kind: 'error', text: 'The loss became NaN at epoch 2.' }]);
  });

  it('an error keeps an idle or finished status, otherwise fails, and stops evaluating', () => {
    const error: FromWorker = { type: 'error', message: 'boom' };
    expect(reduce(initial({ status: 'idle', evaluating: true }), error)).toMatchObject({ status: 'idle', evaluating: false });
    expect(reduce(initial({ status: 'finished' }), error).status).toBe('finished');
    for (const status of ['starting', 'running', 'paused', 'stopping'] as const) expect(reduce(initial({ status }), error).status).toBe('failed');
    expect(reduce(initial(), error).notices).toMatchObject([{ kind: 'error', text: 'boom' }]);
    // A failed evaluation says so and leaves a run in progress alone.
    const evaluation: FromWorker = { type: 'error', message: 'Evaluation failed: x', evaluation: true };
    expect(reduce(initial({ status: 'running', evaluating: true }), evaluation)).toMatchObject({ status: 'running', evaluating: false });
  });

  it('a test result is labelled with its model and ends the evaluation', () => {
    const testing = reduce(initial({ selected: 'pretrained-original' }), { type: 'testing' });
    expect(testing.evaluating).toBe(true);
    const st = reduce(testing, { type: 'test', result: result(null) });
    expect(st.evaluating).toBe(false);
    expect(st.test).toMatchObject({ model: 'Pretrained original LeNet-5', accuracy: 0.5, seconds: 1.5 });
    expect(reduce(testing, { type: 'test', result: result(3) }).test?.model).toBe('Your trained model, epoch 3');
  });

  it('timing the backends shows its progress until it is timed, or the data fails', () => {
    const timing = reduce(initial({ measuring: true }), { type: 'timing', backend: 'webgl', seconds: 3.2, budget: 5 });
    expect(timing).toMatchObject({ timing: { backend: 'webgl', seconds: 3.2, budget: 5 }, measuring: true });
    const summary = 'Measured: wasm 440 img/s, webgl gave up: wasm.';
    expect(reduce(timing, { type: 'timed', summary })).toMatchObject({ timing: undefined, measuring: false, timed: summary });
    expect(reduce(timing, DATA_ERROR)).toMatchObject({ timing: undefined, measuring: false });
  });

  it('ready and weights leave the state as it is', () => {
    const st = initial();
    expect(reduce(st, { type: 'ready' })).toBe(st);
    expect(reduce(st, { type: 'weights', snapshot: { model: 'modified', weights: { specs: [], data: new ArrayBuffer(0) }, step: 1 } })).toBe(st);
  });

  it('does not change the state it is given', () => {
    const st = initial({ status: 'running', history: [record(1)] });
    const copy = structuredClone(st);
    reduce(st, { type: 'epoch', record: record(2), epochs: 3, tensors: 5 });
    reduce(st, DATA_ERROR);
    expect(st).toEqual(copy);
  });
});

describe('reduce: a fine-tune', () => {
  const running = initial({ tune: { state: 'running', step: 0, steps: 0, phase: 'scoring', folds: 3, from: 'Pretrained modified LeNet-5' } });
  const scores = { personal: { before: 0.5, after: 1, count: 4 }, validation: { before: 0.997, after: 0.9968, count: 5000 }, test: null };

  it('follows its steps, then holds its scores until the person keeps or discards it', () => {
    const st = reduce(running, { type: 'tuning', step: 240, steps: 800, phase: 'training', fold: 2, folds: 3 });
    expect(st.tune).toMatchObject({ state: 'running', step: 240, steps: 800, phase: 'training', fold: 2, folds: 3, from: 'Pretrained modified LeNet-5' });
    const done = reduce(st, { type: 'tuned', model: 'modified', weights: { specs: [], data: new ArrayBuffer(0) }, scores, seconds: 31 });
    expect(done.tune).toMatchObject({ state: 'done', scores, seconds: 31 });
    expect(done.status).toBe(running.status); // a fine-tune is not a training run
  });

  it('says why one failed', () => {
    const st = reduce(running, { type: 'tuneFailed', message: 'The fine-tune was stopped; the model it started from is unchanged.' });
    expect(st.tune).toMatchObject({ state: 'failed', message: 'The fine-tune was stopped; the model it started from is unchanged.' });
  });
});
