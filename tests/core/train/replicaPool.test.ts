/** The pool's bookkeeping; real helper threads train in tests/node/session.test.ts. */
import { describe, expect, it } from 'vitest';
import { singleReplica } from '../../../src/core/train/replica';
import { startReplicaPool, type ReplicaInit } from '../../../src/core/train/replicaPool';
import type { RunSettings } from '../../../src/core/train/run';

const files = {
  train: { images: new Uint8Array(784 * 4), labels: new Uint8Array(4), count: 4 },
  test: { images: new Uint8Array(784), labels: new Uint8Array(1), count: 1 },
};
const run = { settings: {} as RunSettings, files, evaluateTest: false };

describe('startReplicaPool', () => {
  it('is the single replica, with nothing started, for one', async () => {
    let launched = 0;
    const pool = await startReplicaPool(1, run, () => {
      launched++;
      return { ready: Promise.resolve(), terminate: () => {} };
    });
    expect(pool.replica).toBe(singleReplica);
    expect(launched).toBe(0);
  });

  it('starts ranks 1..size-1 on shared data and shared buffers, and rank 0 waits for them', async () => {
    const inits: ReplicaInit[] = [];
    const terminated: number[] = [];
    const pool = await startReplicaPool(3, run, (init) => {
      inits.push(init);
      return { ready: Promise.resolve(), terminate: () => terminated.push(init.rank) };
    });
    expect(inits.map((i) => i.rank)).toEqual([1, 2]);
    expect(pool.replica).toMatchObject({ rank: 0, size: 3 });
    expect(inits[0].files.train.images.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(inits[0].files.train.images.buffer).toBe(inits[1].files.train.images.buffer);
    expect(inits[0].reduce).toBe(inits[1].reduce);
    pool.close();
    expect(terminated).toEqual([1, 2]);
  });

  it('stops every helper and says why when one cannot start', async () => {
    const terminated: number[] = [];
    const start = startReplicaPool(3, run, (init) => ({
      ready: init.rank === 2 ? Promise.reject(new Error('training replica 2 failed: no wasm')) : Promise.resolve(),
      terminate: () => terminated.push(init.rank),
    }));
    await expect(start).rejects.toThrow(/replica 2 failed: no wasm/);
    expect(terminated).toEqual([1, 2]);
  });
});
