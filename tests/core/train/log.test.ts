/**
 * One validator for the training log, run on a log the page's builder makes
 * and on the training-log.json a real `npm run train` writes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTrainingLog, formatTrainingLog, type TrainingLog } from '../../../src/core/train/log';
import type { EpochRecord, TrainConfig } from '../../../src/core/train/types';
import { repoRoot } from '../../../src/node/paths';
import { reduce } from '../../../src/ui/reduce';
import { pageTrainingLog } from '../../../src/ui/runLog';
import { Store, type AppState } from '../../../src/ui/store';
import type { FromWorker, TestResult } from '../../../src/worker/protocol';

const config: TrainConfig = { model: 'original', epochs: 2, batchSize: 64, learningRate: 1e-3, schedule: { kind: 'constant' }, augment: null, seed: 7 };
const LINK = 'http://localhost/?model=original&epochs=2';
const record = (epoch: number): EpochRecord => ({ epoch, trainLoss: 0.5, trainAccuracy: 0.8, valLoss: NaN, valAccuracy: NaN, learningRate: 1e-3, seconds: 2, imagesPerSecond: 250 });
const confusion = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 90 : i === (j + 1) % 10 ? 10 : 0)));
const testResult = (epoch: number | null): TestResult => ({
  epoch, count: 1000, correct: 900, accuracy: 0.9, loss: 0.3, confusion, perClassAccuracy: Array(10).fill(0.9), predictions: new Uint8Array(1000), seconds: 1,
});

/** The page's state after the controller started a run and the worker sent `messages`. */
function pageState(messages: FromWorker[]): AppState {
  let st: AppState = { ...new Store().get(), status: 'starting', config, run: { settings: { config, validationSize: 0, trainLimit: 500 }, command: LINK, startedAt: 1_000_000 } };
  for (const m of messages) st = reduce(st, m, 4.5);
  return st;
}

/** The log as its file reads back. */
const asRead = (log: TrainingLog | undefined) => JSON.parse(formatTrainingLog(log!));

const MACHINE = { userAgent: 'test', cores: 2 };
const started: FromWorker[] = [
  { type: 'backend', name: 'wasm', reason: 'no GPU', workers: 2 },
  { type: 'started', config, batchesPerEpoch: 7, startEpoch: 0, history: [] },
  { type: 'epoch', record: record(1), epochs: 2, tensors: 10 },
];

describe('the training log', () => {
  it("the page's log of a finished run is valid and says what ran", () => {
    const st = pageState([...started, { type: 'test', result: testResult(1) }, { type: 'epoch', record: record(2), epochs: 2, tensors: 10 }, { type: 'test', result: testResult(2) }, { type: 'finished', reason: 'completed', epochsDone: 2, seconds: 4 }]);
    const log = asRead(pageTrainingLog(st, MACHINE, 1_010_000));
    expect(checkTrainingLog(log)).toEqual([]);
    expect(log).toMatchObject({ model: 'original', seed: 7, config, trainLimit: 500, trainImages: 500, validationSize: 0, backend: 'wasm (2 replicas, data-parallel)', stopReason: 'completed', epochsDone: 2, imagesPerSecond: 250, testAccuracy: 0.9, testCount: 1000, wallSeconds: 4.5, command: LINK, machine: MACHINE });
    expect(log.epochs[0]).toMatchObject({ epoch: 1, valLoss: null, valAccuracy: null });
  });

  it("the page's log mid-run is valid, without a test of older weights", () => {
    expect(pageTrainingLog(new Store().get(), MACHINE)).toBeUndefined();
    const running = asRead(pageTrainingLog(pageState([...started, { type: 'test', result: testResult(null) }]), MACHINE, 1_003_000));
    expect(checkTrainingLog(running)).toEqual([]);
    expect(running).toMatchObject({ stopReason: 'running', epochsDone: 1, testAccuracy: null, confusion: null, wallSeconds: 3 });
    const older = asRead(pageTrainingLog(pageState([...started, { type: 'test', result: testResult(1) }, { type: 'epoch', record: record(2), epochs: 2, tensors: 10 }]), MACHINE));
    expect(older.testAccuracy).toBeNull();
    const failed = asRead(pageTrainingLog(pageState([{ type: 'error', message: 'the worker failed' }]), MACHINE));
    expect(checkTrainingLog(failed)).toEqual([]);
    expect(failed).toMatchObject({ stopReason: 'failed', epochs: [], imagesPerSecond: null, backend: 'none (1 replica)' });
  });

  it('names what is wrong', () => {
    expect(checkTrainingLog([])).toEqual(['a training log must be a JSON object']);
    const good = asRead(pageTrainingLog(pageState([...started, { type: 'test', result: testResult(1) }]), MACHINE));
    const bad = { ...good, seed: 8, epochsDone: 3, workers: 0, stopReason: 'crashed', testCount: 999, command: undefined, config: { ...good.config, epochs: 0 } };
    bad.epochs = [{ ...good.epochs[0], trainAccuracy: 1.5 }];
    expect(checkTrainingLog(bad)).toEqual([
      'settings: epochs must be a whole number of at least 1, not 0',
      "seed must be the config's seed (7), not 8",
      'workers must be a whole number of at least 1, not 0',
      'stopReason must be one of completed, stopped, diverged, running, failed, not "crashed"',
      'epochsDone must be the number of epoch records (1), not 3',
      'epochs[0].trainAccuracy must be from 0 to 1, not 1.5',
      'confusion must be 10x10 counts adding up to testCount, not ' + JSON.stringify(confusion),
      'command must be the command or link that made the run, not missing',
    ]);
    expect(checkTrainingLog({ ...good, testAccuracy: null })).toEqual(['testLoss must be null when testAccuracy is null, not 0.3', 'testCount must be null when testAccuracy is null, not 1000', expect.stringMatching(/^perClassAccuracy must be null/), expect.stringMatching(/^confusion must be null/)]);
  });

  it('npm run train writes a log the same validator accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-log-'));
    const out = join(dir, 'model');
    const args = ['--import', 'tsx', 'scripts/train.ts', '--model', 'original', '--epochs', '1', '--limit', '640', '--validation', '500', '--workers', '1', '--seed', '5', '--out', out];
    const r = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const log = JSON.parse(readFileSync(join(out, 'training-log.json'), 'utf8'));
    rmSync(dir, { recursive: true });
    expect(checkTrainingLog(log)).toEqual([]);
    expect(log).toMatchObject({ model: 'original', seed: 5, trainLimit: 640, trainImages: 640, validationSize: 500, workers: 1, backend: 'wasm (1 replica)', stopReason: 'completed', epochsDone: 1, testCount: 10000 });
    expect(log.command).toMatch(/^npm run train -- --model original/);
  }, 300_000);
});
