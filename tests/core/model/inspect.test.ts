import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { inspect, picture } from '../../../src/core/model/inspect';
import { classify, createModel } from '../../../src/core/model/models';
import { useBackend } from '../../helpers/backend';

beforeAll(() => useBackend('wasm'));

/** A thick diagonal bar of irregular ink (a regular pattern ties max-pooling windows, where there is no gradient). */
function bar(): Float32Array {
  const px = new Float32Array(784);
  for (let r = 4; r < 24; r++) for (let c = r - 2; c <= r + 1; c++) px[r * 28 + c] = 0.4 + 0.6 * ((Math.sin(r * 28 + c) * 1e4) % 1 + 1) % 1;
  return px;
}

describe('inspect', () => {
  it('gives each convolution block of the modified LeNet-5 its maps, as the next layer sees them', async () => {
    const model = createModel('modified', { seed: 3 });
    const r = await inspect(model, bar());
    expect(r.maps.map((m) => [m.conv, m.shown, m.height, m.width, m.channels])).toEqual([
      ['conv1', 'conv1', 28, 28, 32],
      ['conv2', 'relu2', 24, 24, 32],
      ['conv3', 'conv3', 10, 10, 64],
      ['conv4', 'relu4', 8, 8, 64],
    ]);
    for (const m of r.maps) {
      expect(m.values.length).toBe(m.height * m.width * m.channels);
      expect(Math.min(...m.values)).toBeGreaterThanOrEqual(0); // every block ends in a ReLU
      expect(Math.max(...m.values)).toBeGreaterThan(0);
    }
    const relu2 = tf.model({ inputs: model.inputs, outputs: model.getLayer('relu2').output as tf.SymbolicTensor });
    const expected = relu2.predict(tf.tensor4d(bar(), [1, 28, 28, 1])) as tf.Tensor;
    expect(Array.from(r.maps[1].values)).toEqual(Array.from(expected.dataSync()));
  });

  it('shows the first convolution kernels as the filters, and the original LeNet-5 has two blocks', async () => {
    const model = createModel('original', { seed: 1 });
    const r = await inspect(model, bar());
    expect(r.maps.map((m) => [m.conv, m.channels])).toEqual([['conv1', 6], ['conv2', 16]]);
    expect(r.filters).toMatchObject({ size: 5, count: 6 });
    expect(Array.from(r.filters!.values)).toEqual(Array.from(model.getLayer('conv1').getWeights()[0].dataSync()));
  });

  it('names the digit the model predicts, and its saliency is gradient x input (checked by finite differences)', async () => {
    const model = createModel('original', { seed: 7 });
    const px = bar();
    const r = await inspect(model, px);
    const probs = await classify(model, px);
    expect(r.digit).toBe(probs.indexOf(Math.max(...probs)));
    expect(r.saliency.length).toBe(784);
    expect(Math.abs(r.saliency[0])).toBe(0); // no ink, no credit
    const logTop = async (p: Float32Array) => Math.log((await classify(model, p))[r.digit]);
    const eps = 1e-2;
    for (const i of [6 * 28 + 5, 12 * 28 + 11, 20 * 28 + 19]) {
      const up = Float32Array.from(px);
      const down = Float32Array.from(px);
      up[i] += eps;
      down[i] -= eps;
      const numeric = ((await logTop(up)) - (await logTop(down))) / (2 * eps) * px[i];
      expect(Math.abs(r.saliency[i] - numeric)).toBeLessThan(0.05 * Math.abs(numeric) + 1e-4);
    }
  });

  it('turns an inspection into pictures: maps 8 or 16 to a row, the saliency over the drawing', async () => {
    const px = bar();
    const p = picture(await inspect(createModel('modified', { seed: 3 }), px), px);
    const size = (r: { width: number; height: number }) => [r.width, r.height];
    expect(p.maps.map((m) => size(m.picture))).toEqual([[8 * 29 - 1, 4 * 29 - 1], [8 * 25 - 1, 4 * 25 - 1], [16 * 11 - 1, 4 * 11 - 1], [16 * 9 - 1, 4 * 9 - 1]]);
    expect(size(p.filters!.picture)).toEqual([8 * 6 - 1, 4 * 6 - 1]);
    expect(size(p.saliency)).toEqual([28, 28]);
    expect(Array.from(p.saliency.data.subarray(0, 4))).toEqual([255, 255, 255, 255]); // no ink: white
    const inked = 12 * 28 + 11;
    expect(Math.max(...p.saliency.data.subarray(inked * 4, inked * 4 + 3))).toBeLessThan(255); // ink: darkened
  });

  it('leaves no tensor behind', async () => {
    const model = createModel('modified', { seed: 2 });
    await inspect(model, bar()); // builds the probe once
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await inspect(model, bar());
    expect(tf.memory().numTensors).toBe(before);
  });
});
