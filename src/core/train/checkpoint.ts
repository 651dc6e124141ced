/**
 * Epoch checkpoints: model weights (BatchNorm statistics included), Adam's
 * moments, the schedule's state and the history so far. Plain data (JSON plus
 * two ArrayBuffers), so it can be posted between threads, kept in IndexedDB
 * or written to disk.
 */
import * as tf from '../tf';
import { encodeModelWeights, setWeightsFrom, trainableVariables, type EncodedTensors } from '../model/weights';
import type { ScheduleState } from './schedule';
import type { EpochRecord, TrainConfig } from './types';

export interface Checkpoint {
  version: 1;
  config: TrainConfig;
  epochsDone: number;
  globalStep: number;
  schedule: ScheduleState;
  history: EpochRecord[];
  /** Named by each weight's position in model.weights. */
  weights: EncodedTensors;
  /** Adam: iteration count and first/second moments by trainable-weight position. */
  optimizer: EncodedTensors;
}

export async function encodeCheckpoint(args: {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  config: TrainConfig;
  epochsDone: number;
  globalStep: number;
  schedule: ScheduleState;
  history: EpochRecord[];
}): Promise<Checkpoint> {
  const { model, optimizer } = args;
  const weights = await encodeModelWeights(model);
  const names = new Map(trainableVariables(model).map((v, i) => [v.name, i]));
  const current = await optimizer.getWeights();
  const optWeights = current.map(({ name, tensor }) => {
    if (name === 'iter') return { name, tensor };
    const kind = name.endsWith('/m') ? 'm' : 'v';
    const index = names.get(name.slice(0, -2));
    if (index === undefined) throw new Error(`optimizer state for unknown variable ${name}`);
    return { name: `${kind}${index}`, tensor };
  });
  const opt = await tf.io.encodeWeights(optWeights);
  // getWeights() makes a fresh scalar for the iteration count; the moments are the live variables.
  tf.dispose(current.filter((w) => w.name === 'iter').map((w) => w.tensor));
  return {
    version: 1,
    config: args.config,
    epochsDone: args.epochsDone,
    globalStep: args.globalStep,
    schedule: { ...args.schedule },
    history: args.history.map((h) => ({ ...h })),
    weights: { specs: weights.specs, data: weights.data },
    optimizer: { specs: opt.specs, data: opt.data },
  };
}

/** Loads a checkpoint's weights into `model` and its moments into `optimizer`. */
export async function decodeCheckpointInto(
  cp: Checkpoint,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<Pick<Checkpoint, 'epochsDone' | 'globalStep' | 'schedule' | 'history'>> {
  if (cp.version !== 1) throw new Error(`unsupported checkpoint version ${String(cp.version)}`);
  setWeightsFrom(model, cp.weights);
  const opt = tf.io.decodeWeights(cp.optimizer.data, cp.optimizer.specs);
  const vars = trainableVariables(model);
  const list: { name: string; tensor: tf.Tensor }[] = [];
  if (opt.iter) list.push({ name: 'iter', tensor: opt.iter });
  for (const kind of ['m', 'v']) {
    vars.forEach((v, i) => {
      const t = opt[`${kind}${i}`];
      if (t) list.push({ name: `${v.name}/${kind}`, tensor: t });
    });
  }
  if (list.length > 1) {
    // Adam.setWeights makes new moment variables without freeing the old ones.
    const adam = optimizer as unknown as Record<string, { variable: tf.Variable }[] | undefined>;
    for (const key of ['accumulatedFirstMoment', 'accumulatedSecondMoment']) adam[key]?.forEach((m) => m.variable.dispose());
    await optimizer.setWeights(list);
  }
  // setWeights copied the moments into new variables; the decoded tensors can go.
  tf.dispose(Object.values(opt));
  return {
    epochsDone: cp.epochsDone,
    globalStep: cp.globalStep,
    schedule: { ...cp.schedule, bestLoss: cp.schedule.bestLoss ?? Infinity },
    history: cp.history,
  };
}

/** JSON for the parts of a checkpoint that are not tensor data (Infinity survives as null). */
export function checkpointMeta(cp: Checkpoint): Omit<Checkpoint, 'weights' | 'optimizer'> & {
  weightSpecs: tf.io.WeightsManifestEntry[];
  optimizerSpecs: tf.io.WeightsManifestEntry[];
} {
  const { weights, optimizer, ...rest } = cp;
  return { ...rest, weightSpecs: weights.specs, optimizerSpecs: optimizer.specs };
}
