/** model.json + weights: what the page downloads and Node writes, read back with one set of checks. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { checkTopology, loadCheckedModel, MAX_PARAMETERS, parseModelJson, toArtifacts, toModelJson, weightBytes, weightPaths } from '../../../src/core/model/modelFiles';
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

describe('model.json checks before anything is built', () => {
  const json = async (model: tf.LayersModel) => {
    const j = toModelJson(await artifactsOf(model), 'weights.bin');
    model.dispose();
    return j;
  };
  const seq = (layers: tf.layers.Layer[]) => tf.sequential({ layers });

  it('accepts both LeNet-5s and other digit classifiers', async () => {
    const models = [createModel('modified'), createModel('original'), seq([tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })])];
    for (const model of models) {
      const j = await json(model);
      expect(() => checkTopology(j, 'm.json')).not.toThrow();
    }
  });

  it('refuses a huge layer from its description alone, before allocating it', async () => {
    const small = await json(seq([tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10 })]));
    const huge = structuredClone(small);
    (huge.modelTopology as { config: { layers: { config: { units: number } }[] } }).config.layers[1].config.units = 2_000_000;
    expect(JSON.stringify(huge).length).toBeLessThan(4096);
    const before = tf.memory().numBytes;
    expect(() => checkTopology(huge, 'm.json')).toThrow(/outputs 2000000 values per image, more than/);
    expect(tf.memory().numBytes).toBe(before);
    const deep = structuredClone(small);
    const layers = (deep.modelTopology as { config: { layers: unknown[] } }).config.layers;
    layers.splice(1, 1, ...Array.from({ length: 6 }, () => ({ class_name: 'Dense', config: { units: 1000 } })), { class_name: 'Dense', config: { units: 10 } });
    expect(() => checkTopology(deep, 'm.json')).toThrow(new RegExp(`more than ${MAX_PARAMETERS} parameters`));
  });

  it('refuses wrong inputs and outputs, other model classes, unknown layers and nonsense', async () => {
    const five = await json(seq([tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 5 })]));
    expect(() => checkTopology(five, 'm.json')).toThrow(/outputs \[5\], not the 10 digit classes/);
    const wide = await json(seq([tf.layers.dense({ units: 10, inputShape: [784] })]));
    expect(() => checkTopology(wide, 'm.json')).toThrow(/input of shape \[784\], not 28x28x1/);
    const gru = structuredClone(five);
    (gru.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers[1].class_name = 'GRU';
    expect(() => checkTopology(gru, 'm.json')).toThrow(/layer 2 is a GRU, which this app does not load/);
    const input = tf.input({ shape: [28, 28, 1] });
    const functional = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10 }).apply(tf.layers.flatten().apply(input)) as tf.SymbolicTensor });
    const functionalJson = toModelJson(await artifactsOf(functional), 'w.bin');
    expect(() => checkTopology(functionalJson, 'm.json')).toThrow(/only Sequential/);
    for (const bad of [{}, null, { modelTopology: null, weightsManifest: [] }, { modelTopology: { class_name: 'Sequential', config: { layers: 'x' } }, weightsManifest: [] }]) {
      expect(() => checkTopology(bad as unknown as tf.io.ModelJSON, 'm.json')).toThrow(/m.json: /);
    }
  });

  it('keeps weights files inside the model folder', async () => {
    const j = await json(createModel('original'));
    for (const p of ['../../x', '/etc/passwd', 'https://elsewhere.example/w.bin', 'a/../../b', 'C:\\w.bin']) {
      j.weightsManifest[0].paths = [p];
      expect(() => weightPaths(j, 'm.json')).toThrow(/outside its folder/);
    }
    j.weightsManifest[0].paths = ['./w.weights.bin'];
    expect(weightPaths(j)).toEqual(['./w.weights.bin']);
  });

  it('checks what was built: a model that says it is ours has our shapes', async () => {
    const saved = await artifactsOf(createModel('original'));
    const impostor = structuredClone(toModelJson(saved, 'w.bin'));
    (impostor.modelTopology as { config: { name: string } }).config.name = 'lenet5_modified';
    await expect(loadCheckedModel(toArtifacts(impostor, [weightBytes(saved)], 'm.json'))).rejects.toThrow(/do not match the modified LeNet-5/);
  });
});
