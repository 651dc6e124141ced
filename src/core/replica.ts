/**
 * How replicas of one training run talk: a sum over all replicas of a
 * Float32Array, in place. Every replica must call it with the same length in
 * the same order. Sums run in rank order, so every replica gets bit-identical
 * results and their weights never drift apart.
 */
export interface Replica {
  rank: number;
  size: number;
  allReduceSum(data: Float32Array): Promise<void>;
}

export const singleReplica: Replica = { rank: 0, size: 1, allReduceSum: async () => {} };

/** Shared memory for `size` replicas exchanging up to `maxLength` floats. */
export interface SharedReduceBuffers {
  slots: SharedArrayBuffer; // size * maxLength float32
  control: SharedArrayBuffer; // Int32 [arrived, generation, aborted]
  size: number;
  maxLength: number;
}

export function createSharedReduceBuffers(size: number, maxLength: number): SharedReduceBuffers {
  return {
    slots: new SharedArrayBuffer(size * maxLength * 4),
    control: new SharedArrayBuffer(12),
    size,
    maxLength,
  };
}

/**
 * A replica in a worker thread (Node worker_threads or a Web Worker) over
 * SharedArrayBuffer, synchronised with a generation-counting barrier. It blocks
 * with Atomics.wait, so it must not run on a browser's main thread.
 */
export class SharedMemoryReplica implements Replica {
  readonly size: number;
  private readonly slots: Float32Array;
  private readonly control: Int32Array;

  constructor(
    readonly rank: number,
    private readonly buffers: SharedReduceBuffers,
  ) {
    this.size = buffers.size;
    this.slots = new Float32Array(buffers.slots);
    this.control = new Int32Array(buffers.control);
    if (rank < 0 || rank >= this.size) throw new Error(`rank ${rank} outside 0..${this.size - 1}`);
  }

  private barrier(): void {
    const c = this.control;
    const generation = Atomics.load(c, 1);
    if (Atomics.add(c, 0, 1) === this.size - 1) {
      Atomics.store(c, 0, 0);
      Atomics.add(c, 1, 1);
      Atomics.notify(c, 1);
    } else {
      // A replica that died cannot arrive, but it can say so (abort), which wakes us.
      for (;;) {
        if (Atomics.load(c, 2)) throw new Error('another training replica failed');
        if (Atomics.load(c, 1) !== generation) break;
        Atomics.wait(c, 1, generation, 1000);
      }
    }
  }

  /** Tells the others this replica is gone, so they stop waiting for it. */
  abort(): void {
    Atomics.store(this.control, 2, 1);
    Atomics.notify(this.control, 1);
  }

  async allReduceSum(data: Float32Array): Promise<void> {
    const { maxLength } = this.buffers;
    if (data.length > maxLength) throw new Error(`all-reduce of ${data.length} floats exceeds the shared buffer (${maxLength})`);
    const n = data.length;
    this.slots.set(data, this.rank * maxLength);
    this.barrier();
    data.set(this.slots.subarray(0, n));
    for (let r = 1; r < this.size; r++) {
      const off = r * maxLength;
      for (let i = 0; i < n; i++) data[i] += this.slots[off + i];
    }
    // Nobody may overwrite its slot for the next reduce until all have read.
    this.barrier();
  }
}
