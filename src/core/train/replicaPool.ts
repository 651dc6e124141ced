/**
 * Data-parallel training on every core: rank 0 trains where the run is owned
 * (the page's training worker, Node's main thread) and starts ranks 1 to
 * size-1 in threads of their own, which build the same run and train their
 * slice of every batch in lockstep with it. The page (Web Workers) and Node
 * (worker threads) differ only in how they start a thread: `launch`.
 */
import { shareSet } from '../data/mnist';
import type { MnistFiles } from '../data/mnistLoader';
import { evaluateModel } from '../model/evaluate';
import { createSharedReduceBuffers, SharedMemoryReplica, singleReplica, type Replica, type SharedReduceBuffers } from './replica';
import { buildRun, type RunSettings } from './run';
import { finishFineTune } from './fineTune';

/** What a helper thread is started with; the data lies in shared memory, not copied per thread. */
export interface ReplicaInit {
  rank: number;
  reduce: SharedReduceBuffers;
  settings: RunSettings;
  files: MnistFiles;
  /** Shard the official test set's evaluation after training, as rank 0 does. */
  evaluateTest: boolean;
}

/** A started helper: `ready` settles once its run is built (or it failed to start). */
export interface ReplicaThread {
  ready: Promise<void>;
  terminate(): void;
}

export interface ReplicaPool {
  /** Rank 0's side of the all-reduce. */
  replica: Replica;
  close(): void;
}

export async function startReplicaPool(
  size: number,
  run: Pick<ReplicaInit, 'settings' | 'files' | 'evaluateTest'>,
  launch: (init: ReplicaInit) => ReplicaThread,
): Promise<ReplicaPool> {
  if (size === 1) return { replica: singleReplica, close: () => {} };
  const reduce = createSharedReduceBuffers(size);
  const files = { train: shareSet(run.files.train), test: shareSet(run.files.test) };
  const threads = Array.from({ length: size - 1 }, (_, i) => launch({ ...run, files, rank: i + 1, reduce }));
  const close = () => threads.forEach((t) => t.terminate());
  try {
    // Rank 0 must not reach its first barrier before all have loaded: in the
    // page, a nested worker cannot even start while its parent blocks in Atomics.wait.
    await Promise.all(threads.map((t) => t.ready));
  } catch (e) {
    close();
    throw e;
  }
  return { replica: new SharedMemoryReplica(0, reduce), close };
}

/** A helper that died without a word (a crash, out of memory): release the others from its barrier. */
export function abandon(init: ReplicaInit): void {
  new SharedMemoryReplica(init.rank, init.reduce).abort();
}

/** A helper thread's whole part in a run. */
export async function runReplica(init: ReplicaInit, ready: () => void): Promise<void> {
  const replica = new SharedMemoryReplica(init.rank, init.reduce);
  try {
    const { model, trainer, splits } = buildRun(init.settings, init.files, { replica });
    ready();
    await trainer.run();
    finishFineTune(model, init.settings);
    if (init.evaluateTest) await evaluateModel(model, splits.test, { replica });
    trainer.dispose();
    model.dispose();
  } catch (e) {
    replica.abort(); // the others stop waiting for us at the next barrier
    throw e;
  }
}
