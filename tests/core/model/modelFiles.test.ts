/** model.json + weights: what the page downloads and Node writes, read back with one set of checks. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { parseModelJson, toArtifacts, toModelJson, weightBytes, weightPaths } from '../../../src/core/model/modelFiles';
import { createModel } from '../../../src/core/model/models';
import { useBackend } from '../../helpers/backend';

beforeAll(() => useBackend('cpu'));

async function artifactsOf(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let out!: tf.io.ModelArtifacts;
  await model.save(tf.io.withSaveHandler(async (a) => {
    out = a;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  }));
  return out;
}

describe('model files', () => {
  it('write and read back to the same model', async () => {
    const model = createModel('original', { seed: 2 });
    const saved = await artifactsOf(model);
    const json = parseModelJson(JSON.stringify(toModelJson(saved, 'weights.bin')), 'model.json');
    expect(weightPaths(json)).toEqual(['weights.bin']);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(toArtifacts(json, [weightBytes(saved)], 'model.json')));
    const x = tf.randomUniform([2, 28, 28, 1]);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('refuses bad JSON, other JSON, and weights of the wrong size either way', async () => {
    expect(() => parseModelJson('{ nope', 'm.json')).toThrow(/m.json is not valid JSON/);
    expect(() => parseModelJson('null', 'm.json')).toThrow(/not a TensorFlow.js Layers model/);
    expect(() => parseModelJson('{"modelTopology":{}}', 'm.json')).toThrow(/not a TensorFlow.js Layers model/);
    const model = createModel('original');
    const saved = await artifactsOf(model);
    const json = toModelJson(saved, 'weights.bin');
    const bytes = weightBytes(saved);
    expect(() => toArtifacts(json, [bytes.slice(4)], 'model.json')).toThrow(/truncated or belongs to another model/);
    expect(() => toArtifacts(json, [bytes, new ArrayBuffer(4096)], 'model.json')).toThrow(/has \d+ bytes, model.json describes \d+/);
    model.dispose();
  });
});
