import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { checkpointMeta, decodeCheckpointInto, encodeCheckpoint } from '../../../src/core/train/checkpoint';
import { createModel } from '../../../src/core/model/models';
import { DEFAULT_SCHEDULES, initialScheduleState } from '../../../src/core/train/schedule';
import type { TrainConfig } from '../../../src/core/train/types';
import { encodeModelWeights, setWeightsFrom } from '../../../src/core/model/weights';
import { useBackend } from '../../helpers/backend';

beforeAll(() => useBackend('cpu'));

const config: TrainConfig = { model: 'original', epochs: 3, batchSize: 8, learningRate: 1e-3, schedule: DEFAULT_SCHEDULES.plateau, augment: null, seed: 1 };

async function trainedAdam(model: tf.LayersModel) {
  const adam = tf.train.adam(1e-3);
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  adam.applyGradients(Object.fromEntries(vars.map((v) => [v.name, tf.onesLike(v)])));
  return adam;
}

describe('checkpoints', () => {
  it('round-trip weights, optimizer moments, schedule and history into a fresh model', async () => {
    const a = createModel('original', { seed: 1 });
    const adamA = await trainedAdam(a);
    const cp = await encodeCheckpoint({ model: a, optimizer: adamA, config, epochsDone: 2, globalStep: 20, schedule: { ...initialScheduleState(), bestLoss: 0.3 }, history: [] });
    expect(cp.epochsDone).toBe(2);
    const b = createModel('original', { seed: 2 });
    const adamB = tf.train.adam(1e-3);
    const restored = await decodeCheckpointInto(structuredClone(cp), b, adamB);
    expect(restored.globalStep).toBe(20);
    expect(restored.schedule.bestLoss).toBe(0.3);
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wb).toEqual(wa);
    const ma = (await adamA.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
    const mb = (await adamB.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
    expect(mb).toEqual(ma);
    // JSON loses Infinity; the meta keeps what it needs and decoding restores it.
    const meta = JSON.parse(JSON.stringify(checkpointMeta({ ...cp, schedule: initialScheduleState() })));
    expect(meta.schedule.bestLoss).toBeNull();
    expect((await decodeCheckpointInto({ ...cp, schedule: meta.schedule }, b, adamB)).schedule.bestLoss).toBe(Infinity);
  });

  it('refuses a checkpoint made for another architecture, leaving the model as it was', async () => {
    const modified = createModel('modified', { seed: 1 });
    const cp = await encodeCheckpoint({ model: modified, optimizer: tf.train.adam(), config, epochsDone: 1, globalStep: 1, schedule: initialScheduleState(), history: [] });
    const original = createModel('original', { seed: 3 });
    const before = original.getWeights().map((w) => Array.from(w.dataSync()));
    await expect(decodeCheckpointInto(cp, original, tf.train.adam())).rejects.toThrow(/has shape \[5,5,1,32\], the model needs \[5,5,1,6\]/);
    expect(original.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });

  it('encodes weights by position and refuses extra or missing ones', async () => {
    const m = createModel('original', { seed: 4 });
    const enc = await encodeModelWeights(m);
    const copy = createModel('original', { seed: 5 });
    setWeightsFrom(copy, enc);
    expect(copy.getWeights()[0].dataSync()).toEqual(m.getWeights()[0].dataSync());
    const fewer = { specs: enc.specs.slice(0, -1), data: enc.data.slice(0, enc.data.byteLength - 40) };
    expect(() => setWeightsFrom(copy, fewer)).toThrow(/no value for weight 9/);
  });
});
