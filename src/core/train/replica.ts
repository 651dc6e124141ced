/**
 * Data parallelism: replicas of one training run each take a slice of every
 * batch and agree on one update per step, so their weights stay identical.
 * One replica is the trivial case of the same calls.
 */
import * as tf from '../tf';

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

/** Room for the largest model's gradients plus a step's figures. */
export const REDUCE_FLOATS = 400_000;

export interface ReducedStep {
  /** The mean gradient over replicas, by variable name (the local gradients themselves for one replica). */
  grads: tf.NamedTensorMap;
  /** Its squared L2 norm: finite loss with non-finite gradients is divergence too. */
  gradNormSq: number;
  /** Mean loss over replicas, correct predictions summed. */
  loss: number;
  correct: number;
  /** Any replica asked to stop: all stop at the same step. */
  stop: boolean;
}

/**
 * One step's gradients averaged and its figures combined over all replicas.
 * One replica keeps its gradients on the backend and reads back three numbers.
 */
export async function allReduceStep(replica: Replica, grads: tf.NamedTensorMap, loss: tf.Scalar, correct: tf.Scalar, stop: boolean): Promise<ReducedStep> {
  if (replica.size === 1) {
    const normT = tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
    const [l, c, n] = await Promise.all([loss.data(), correct.data(), normT.data()]);
    normT.dispose();
    return { grads, gradNormSq: n[0], loss: l[0], correct: c[0], stop };
  }
  const names = Object.keys(grads);
  const [l, c, ...arrays] = await Promise.all([loss.data(), correct.data(), ...names.map((name) => grads[name].data())]);
  const buf = concat(arrays as Float32Array[], 3);
  const o = buf.length - 3;
  buf[o] = l[0];
  buf[o + 1] = c[0];
  buf[o + 2] = stop ? 1 : 0;
  await replica.allReduceSum(buf);
  const inv = 1 / replica.size;
  let gradNormSq = 0;
  for (let j = 0; j < o; j++) {
    buf[j] *= inv;
    gradNormSq += buf[j] * buf[j];
  }
  const means = split(buf, names.map((n) => grads[n].shape));
  return { grads: Object.fromEntries(names.map((n, i) => [n, means[i]])), gradNormSq, loss: buf[o] * inv, correct: buf[o + 1], stop: buf[o + 2] > 0 };
}

/**
 * Averages variables over replicas: BatchNorm's moving statistics, which each
 * replica updates from its own slice. They are exponential moving averages,
 * which are linear, so averaging now equals having averaged every step.
 */
export async function averageVariables(replica: Replica, variables: tf.LayerVariable[]): Promise<void> {
  if (replica.size === 1) return;
  const buf = concat(await Promise.all(variables.map((v) => v.read().data() as Promise<Float32Array>)));
  await replica.allReduceSum(buf);
  for (let j = 0; j < buf.length; j++) buf[j] /= replica.size;
  const means = split(buf, variables.map((v) => v.shape as number[]));
  variables.forEach((v, i) => v.write(means[i])); // the variable takes its own reference
  tf.dispose(means);
}

function concat(arrays: Float32Array[], extra = 0): Float32Array {
  const buf = new Float32Array(arrays.reduce((s, a) => s + a.length, extra));
  let o = 0;
  for (const a of arrays) {
    buf.set(a, o);
    o += a.length;
  }
  return buf;
}

/** Cuts a flat buffer back into tensors of the given shapes, in order. */
function split(buf: Float32Array, shapes: number[][]): tf.Tensor[] {
  let o = 0;
  return shapes.map((shape) => {
    const len = tf.util.sizeFromShape(shape);
    o += len;
    return tf.tensor(buf.subarray(o - len, o), shape);
  });
}

/** Shared memory for `size` replicas exchanging up to `maxLength` floats. */
export interface SharedReduceBuffers {
  slots: SharedArrayBuffer; // size * maxLength float32
  control: SharedArrayBuffer; // Int32 [arrived, generation, aborted]
  size: number;
  maxLength: number;
}

export function createSharedReduceBuffers(size: number, maxLength = REDUCE_FLOATS): SharedReduceBuffers {
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
