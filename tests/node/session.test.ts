/** A Node training run on two replicas: this thread and a real worker thread, in lockstep. */
import { describe, expect, it } from 'vitest';
import * as tf from '../helpers/tf';
import { DEFAULT_SCHEDULES } from '../../src/core/train/schedule';
import type { TrainEvent } from '../../src/core/train/trainer';
import { loadMnistFromDisk } from '../../src/node/nodeData';
import { runSession } from '../../src/node/session';

const config = { model: 'original' as const, epochs: 2, batchSize: 64, learningRate: 1e-3, schedule: DEFAULT_SCHEDULES.constant, augment: null, seed: 5 };

describe('runSession', () => {
  it('trains on two replicas, evaluates the test set sharded, and stops when asked', async () => {
    const files = await loadMnistFromDisk();
    const events: TrainEvent[] = [];
    const outcome = await runSession({ config, validationSize: 500, trainLimit: 64 * 30 }, files, {
      workers: 2,
      onEvent: (e) => events.push(e),
      // The second epoch is cut short: every replica stops after the same step.
      shouldStop: () => events.some((e) => e.type === 'batch' && e.epoch === 2 && e.batch === 5),
    });
    expect(outcome.backend).toBe('wasm');
    expect(outcome.result.reason).toBe('stopped');
    expect(outcome.result.epochsDone).toBe(1);
    expect(events.filter((e) => e.type === 'batch').length).toBe(30 + 5);
    expect(events.filter((e) => e.type === 'checkpoint')).toHaveLength(1);
    expect(outcome.test!.count).toBe(10000);
    expect(outcome.test!.accuracy).toBeGreaterThan(0.5);
    outcome.model.dispose();
    expect(tf.getBackend()).toBe('wasm');
  }, 300_000);
});
